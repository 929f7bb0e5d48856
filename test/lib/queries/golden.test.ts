import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { QUERIES, getQuery } from '../../../lib/queries';
import { Cell, QueryResult, Row, rowObjects } from '../../../orchestrator/engines/engine';
import { LocalEngine } from '../../../orchestrator/engines/local';
import { generateIncident } from '../../../simulation/synthetic';

/**
 * The golden test: the playbook's incident, generated into benign background activity,
 * queried on the local engine. Each Part 2 query must return the table the playbook prints,
 * row for row: same values and counts, in the query's order (rows the order cannot tell
 * apart are compared as a set). The expected tables below are transcribed from the
 * playbook; an empty cell there is SQL NULL, the text `null` is a JSON null.
 */

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const WINDOW = { from: '2021/07/16', to: '2021/07/24' };
const CLI = 'aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/';
const PROBES = [
  'ListRoles',
  'DescribeDestinations',
  'ListKeys',
  'ListFunctions20150331',
  'ListBuckets',
  'ListSecrets',
  'ListAliases',
  'DescribeInstances',
];

/** Every parameter value the playbook uses (Part 2), by parameter name. */
const VALUES: Record<string, string> = {
  accessKeyId: KEY,
  userName: 'JaneDoe',
  ...WINDOW,
  sourceIps: '198.51.100.77,72.21.198.71',
};

const n = null;
interface Golden {
  readonly id: string;
  readonly values?: Record<string, string>;
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
  /** The column the query orders by, and its direction. */
  readonly orderBy: { column: string; direction: 'asc' | 'desc' };
}

const API_COLUMNS = [
  'awsregion',
  'eventsource',
  'eventname',
  'readonly',
  'errorcode',
  'errormessage',
  'COUNT',
];
const IP_COLUMNS = ['sourceipaddress', 'useragent', 'COUNT'];
const BY_COUNT = { column: 'COUNT', direction: 'desc' } as const;
const BY_TIME = { column: 'eventtime', direction: 'asc' } as const;

const GOLDEN: readonly Golden[] = [
  {
    id: 'key-api-activity',
    columns: API_COLUMNS,
    orderBy: BY_COUNT,
    rows: [
      ['us-east-1', 'sts.amazonaws.com', 'GetCallerIdentity', 'true', n, n, '1'],
      ['us-east-1', 'iam.amazonaws.com', 'AttachUserPolicy', 'false', n, n, '1'],
      ['us-east-1', 'iam.amazonaws.com', 'CreateUser', 'false', n, n, '1'],
      ['us-east-1', 'iam.amazonaws.com', 'CreateAccessKey', 'false', n, n, '1'],
    ],
  },
  {
    id: 'key-source-ips',
    columns: IP_COLUMNS,
    orderBy: BY_COUNT,
    rows: [
      ['198.51.100.77', `${CLI}iam.create-access-key`, '1'],
      ['198.51.100.77', `${CLI}sts.get-caller-identity`, '1'],
      ['198.51.100.77', `${CLI}iam.attach-user-policy`, '1'],
      ['198.51.100.77', `${CLI}iam.create-user`, '1'],
    ],
  },
  {
    id: 'key-network-activity',
    columns: ['sourceaddress', 'destinationaddress', 'count'],
    orderBy: { column: 'count', direction: 'desc' },
    rows: [],
  },
  {
    id: 'key-call-details',
    values: { eventNames: 'AttachUserPolicy,CreateUser,CreateAccessKey' },
    columns: [
      'eventtime',
      'awsregion',
      'eventname',
      'requestparameters',
      'responseelements',
      'errorcode',
      'errormessage',
    ],
    orderBy: BY_TIME,
    rows: [
      [
        '2021-07-24T02:22:32Z',
        'us-east-1',
        'CreateUser',
        '{"userName":"JaneDoe"}',
        '{"user":{"path":"/","userName":"JaneDoe","userId":"AIDACKCEVSQ6C2EXAMPLE","arn":"arn:aws:iam::777777777777:user/JaneDoe","createDate":"Jul 24, 2021 2:22:32 AM"}}',
        n,
        n,
      ],
      [
        '2021-07-24T02:22:34Z',
        'us-east-1',
        'CreateAccessKey',
        '{"userName":"JaneDoe"}',
        '{"accessKey":{"userName":"JaneDoe","accessKeyId":"AKIAI44QH8DHBEXAMPLE","status":"Active","createDate":"Jul 24, 2021 2:22:34 AM"}}',
        n,
        n,
      ],
      [
        '2021-07-24T02:22:33Z',
        'us-east-1',
        'AttachUserPolicy',
        '{"userName":"JaneDoe","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}',
        'null',
        n,
        n,
      ],
    ],
  },
  {
    id: 'user-api-activity',
    columns: API_COLUMNS,
    orderBy: BY_COUNT,
    rows: [
      ['us-east-1', 'sts.amazonaws.com', 'GetCallerIdentity', 'true', n, n, '2'],
      ['us-east-1', 'iam.amazonaws.com', 'ListRoles', 'true', n, n, '1'],
      ['us-east-1', 'logs.amazonaws.com', 'DescribeDestinations', 'true', n, n, '1'],
      ['us-east-1', 's3.amazonaws.com', 'CreateBucket', 'false', n, n, '1'],
      ['us-east-1', 'kms.amazonaws.com', 'ListKeys', 'true', n, n, '1'],
      ['us-east-1', 'lambda.amazonaws.com', 'ListFunctions20150331', 'true', n, n, '1'],
      ['us-east-1', 's3.amazonaws.com', 'ListBuckets', 'true', n, n, '1'],
      ['us-east-1', 'secretsmanager.amazonaws.com', 'ListSecrets', 'true', n, n, '1'],
      ['us-east-1', 'kms.amazonaws.com', 'ListAliases', 'true', n, n, '1'],
      ['us-east-1', 's3.amazonaws.com', 'PutObject', 'false', n, n, '1'],
      ['us-east-1', 'ec2.amazonaws.com', 'DescribeInstances', 'true', n, n, '1'],
    ],
  },
  {
    id: 'user-source-ips',
    columns: IP_COLUMNS,
    orderBy: BY_COUNT,
    rows: [
      ['198.51.100.77', `${CLI}sts.get-caller-identity`, '2'],
      ['198.51.100.77', `${CLI}lambda.list-functions`, '1'],
      ['198.51.100.77', `${CLI}ec2.describe-instances`, '1'],
      ['198.51.100.77', `[${CLI}s3api.put-object]`, '1'],
      ['198.51.100.77', `${CLI}secretsmanager.list-secrets`, '1'],
      ['198.51.100.77', `${CLI}iam.list-roles`, '1'],
      ['198.51.100.77', `[${CLI}s3api.create-bucket]`, '1'],
      ['198.51.100.77', `${CLI}kms.list-aliases`, '1'],
      ['198.51.100.77', `${CLI}logs.describe-destinations`, '1'],
      ['72.21.198.71', `[${CLI}s3api.list-buckets]`, '1'],
      ['198.51.100.77', `${CLI}kms.list-keys`, '1'],
    ],
  },
  {
    id: 'user-call-details',
    values: { eventNames: 'CreateBucket,PutObject' },
    columns: [
      'eventtime',
      'awsregion',
      'eventname',
      'requestparameters',
      'responseelements',
      'errorcode',
      'errormessage',
    ],
    orderBy: BY_TIME,
    rows: [
      [
        '2021-07-24T02:22:56Z',
        'us-east-1',
        'CreateBucket',
        '{"bucketName":"DOC-EXAMPLE-BUCKET","Host":"DOC-EXAMPLE-BUCKET.s3.us-east-1.amazonaws.com"}',
        'null',
        n,
        n,
      ],
      [
        '2021-07-24T02:22:57Z',
        'us-east-1',
        'PutObject',
        '{"bucketName":"DOC-EXAMPLE-BUCKET","Host":"DOC-EXAMPLE-BUCKET.s3.us-east-1.amazonaws.com","key":"stuff"}',
        'null',
        n,
        n,
      ],
    ],
  },
  {
    id: 'user-probe-details',
    values: { eventNames: PROBES.join(',') },
    columns: ['eventtime', 'awsregion', 'requestparameters', 'responseelements', 'errorcode', 'errormessage'],
    orderBy: BY_TIME,
    rows: [
      ['2021-07-24T02:22:45Z', 'us-east-1', 'null', 'null', n, n],
      ['2021-07-24T02:22:48Z', 'us-east-1', 'null', 'null', n, n],
      ['2021-07-24T02:22:51Z', 'us-east-1', '{"Host":"s3.us-east-1.amazonaws.com"}', 'null', n, n],
      ['2021-07-24T02:22:52Z', 'us-east-1', '{"instancesSet":{},"filterSet":{}}', 'null', n, n],
      ['2021-07-24T02:22:53Z', 'us-east-1', 'null', 'null', n, n],
      ['2021-07-24T02:22:46Z', 'us-east-1', 'null', 'null', n, n],
      ['2021-07-24T02:22:49Z', 'us-east-1', 'null', 'null', n, n],
      ['2021-07-24T02:22:50Z', 'us-east-1', 'null', 'null', n, n],
    ],
  },
];

const key = (row: Row) => JSON.stringify(row);

/** Rows in the query's order; rows with equal sort values are compared as a set. */
function expectGolden(result: QueryResult, golden: Golden): void {
  expect(result.columns).toEqual(golden.columns);
  expect([...result.rows].map(key).sort()).toEqual([...golden.rows].map(key).sort());
  const at = result.columns.indexOf(golden.orderBy.column);
  const sortValue = (row: Row): string | number =>
    golden.orderBy.column.toLowerCase() === 'count' ? Number(row[at]) : String(row[at]);
  for (let i = 1; i < result.rows.length; i += 1) {
    const [a, b] = [sortValue(result.rows[i - 1]), sortValue(result.rows[i])];
    if (golden.orderBy.direction === 'desc') expect(a >= b).toBe(true);
    else expect(a <= b).toBe(true);
  }
}

let root: string;
let engine: LocalEngine;
const results = new Map<string, QueryResult>();

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'irkit-golden-'));
  await generateIncident({ outDir: path.join(root, 'logs'), backgroundEvents: 5000 });
  engine = await LocalEngine.open({ logs: path.join(root, 'logs') });
  for (const query of QUERIES) {
    const golden = GOLDEN.find((g) => g.id === query.id);
    const values = Object.fromEntries(
      query.params.map((p) => [p.name, golden?.values?.[p.name] ?? VALUES[p.name] ?? p.example]),
    );
    results.set(query.id, await engine.run(query, values));
  }
});

afterAll(async () => {
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the playbook’s Part 2 tables, on the generated incident', () => {
  test.each(GOLDEN.map((g) => [g.id, g] as const))('%s returns the printed table', (id, golden) => {
    expectGolden(results.get(id) as QueryResult, golden);
  });

  test('every log file of the generated window was read, none skipped', () => {
    for (const result of results.values()) expect(result.warnings).toEqual([]);
    expect(results.get('key-api-activity')?.stats.filesParsed).toBeGreaterThan(100);
  });
});

describe('the prose steps’ queries, on the generated incident', () => {
  const rows = (id: string): Record<string, Cell>[] => rowObjects(results.get(id) as QueryResult);

  test('every library query ran on DuckDB', () => {
    expect([...results.keys()]).toEqual(QUERIES.map((q) => q.id));
  });

  test('the key created JaneDoe, gave her AdministratorAccess and the key AKIAI44QH8DHBEXAMPLE', () => {
    expect(
      rows('key-principals-created').map((r) => [
        r.eventname,
        r.principal_name,
        r.principal_id,
        r.access_key_id,
        r.policy_or_group,
      ]),
    ).toEqual([
      ['CreateUser', 'JaneDoe', 'AIDACKCEVSQ6C2EXAMPLE', n, n],
      ['AttachUserPolicy', 'JaneDoe', n, n, 'arn:aws:iam::aws:policy/AdministratorAccess'],
      ['CreateAccessKey', 'JaneDoe', n, 'AKIAI44QH8DHBEXAMPLE', n],
    ]);
  });

  test('JaneDoe probed eight services and created the bucket and the object stuff', () => {
    const activity = rows('user-resource-activity');
    expect(
      activity.filter((r) => r.action === 'created').map((r) => [r.eventname, r.resource_name, r.object_key]),
    ).toEqual([
      ['CreateBucket', 'DOC-EXAMPLE-BUCKET', n],
      ['PutObject', 'DOC-EXAMPLE-BUCKET', 'stuff'],
    ]);
    const probed = activity.filter((r) => r.action === 'probed').map((r) => r.eventname);
    expect(probed.filter((e) => e !== 'GetCallerIdentity').sort()).toEqual([...PROBES].sort());
    expect(activity.some((r) => r.action === 'deleted' || r.action === 'modified')).toBe(false);
  });

  test('first and last use of the key and of JaneDoe', () => {
    expect(rows('key-first-last-seen')).toEqual([
      expect.objectContaining({
        user_name: 'JorgeSouza',
        first_seen: '2021-07-24T02:22:31Z',
        last_seen: '2021-07-24T02:22:34Z',
        events: '4',
      }),
    ]);
    expect(rows('user-first-last-seen')).toEqual([
      expect.objectContaining({ access_key_id: 'AKIAI44QH8DHBEXAMPLE', events: '12', source_ips: '2' }),
    ]);
  });

  test('only the actor’s two users acted from its two addresses', () => {
    const who = new Set(rows('ip-activity').map((r) => `${r.sourceipaddress} ${r.user_name}`));
    expect([...who].sort()).toEqual([
      '198.51.100.77 JaneDoe',
      '198.51.100.77 JorgeSouza',
      '72.21.198.71 JaneDoe',
    ]);
  });

  test('no sessions, denials, console sign-ins or flows in the playbook’s incident', () => {
    for (const id of [
      'key-sessions-minted',
      'user-sessions-minted',
      'key-denied-calls',
      'user-denied-calls',
      'user-console-logins',
      'user-principals-created',
      'ip-network-activity',
    ]) {
      expect([id, rows(id)]).toEqual([id, []]);
    }
  });
});

test('the exposed key’s own activity, by resource verb', () => {
  const actions = rowObjects(results.get(getQuery('key-resource-activity').id) as QueryResult).map((r) => [
    r.eventname,
    r.action,
  ]);
  expect(actions).toEqual([
    ['GetCallerIdentity', 'probed'],
    ['CreateUser', 'created'],
    ['AttachUserPolicy', 'created'],
    ['CreateAccessKey', 'created'],
  ]);
});
