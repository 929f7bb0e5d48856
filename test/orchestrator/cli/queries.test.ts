import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';

import { QUERIES } from '../../../lib/queries';
import { formatCsv, formatTable, parseParams } from '../../../orchestrator/cli/commands/queries';
import { KEY, LogTree, playbookKeyCalls } from '../engines/fixtures';
import { irkit } from '../../helpers/cli';

/** The playbook's first Part 2 query, as printed (its trailing space included). */
const PLAYBOOK_FIRST_QUERY = `SELECT awsregion, eventsource, eventname, readonly, errorcode, errormessage, count(eventid) as COUNT 
FROM "irworkshopgluedatabase"."irworkshopgluetablecloudtrail"
WHERE useridentity.accesskeyid = 'AKIAIOSFODNN7EXAMPLE'
      AND date_partition >= '2021/07/16'
      AND date_partition <= date_format(date_parse('2021/07/24', '%Y/%m/%d') + INTERVAL '1' DAY, '%Y/%m/%d')
      AND replace(substr(eventtime, 1, 10), '-', '/') >= '2021/07/16'
      AND replace(substr(eventtime, 1, 10), '-', '/') <= '2021/07/24'
GROUP BY awsregion, eventsource, eventname, readonly, errorcode, errormessage
ORDER BY COUNT DESC, awsregion, eventsource, eventname, readonly, errorcode, errormessage`;
const WINDOW = ['--param', 'from=2021/07/16', '--param', 'to=2021/07/24'];
const BY_KEY = ['--param', `accessKeyId=${KEY}`, ...WINDOW];

let logs: LogTree;
beforeAll(() => {
  logs = new LogTree();
  logs.cloudTrail('2021/07/24', playbookKeyCalls());
});
afterAll(() => logs.remove());

describe('irkit queries list', () => {
  test('lists every query with its playbook part and step and title, in the playbook’s order', async () => {
    const run = await irkit('queries', 'list');

    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+\|\s+playbook\s+\|\s+title$/);
    expect(lines).toHaveLength(QUERIES.length + 2);
    expect(lines[2]).toMatch(/^key-api-activity\s+\|\s+part 2, step 1\s+\|\s+API calls of an access key/);
    // Step 2 before step 11: numbers, not text.
    const steps = lines.slice(2).map((l) => Number(/step (\d+)/.exec(l)?.[1]));
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
  });

  test('--format json carries the parameters', async () => {
    const run = await irkit('queries', 'list', '--format', 'json');
    const list = JSON.parse(run.stdout) as { id: string; params: { name: string }[] }[];

    expect(list.map((q) => q.id)).toEqual(QUERIES.map((q) => q.id));
    expect(list[0].params.map((p) => p.name)).toEqual(['accessKeyId', 'from', 'to']);
  });
});

describe('irkit queries show', () => {
  test('with every value, prints the playbook’s own query, ready to paste', async () => {
    const run = await irkit('queries', 'show', 'key-api-activity', ...BY_KEY);

    expect(run.code).toBe(0);
    const sql = run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('--'))
      .join('\n')
      .trim();
    expect(sql).toBe(PLAYBOOK_FIRST_QUERY);
  });

  test('without values, keeps ? and lists what the console will ask for, in order', async () => {
    const run = await irkit('queries', 'show', 'key-network-activity', '--param', `accessKeyId=${KEY}`);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain("accesskeyid = 'AKIAIOSFODNN7EXAMPLE'");
    const sql = run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('--'))
      .join('\n');
    // The CloudTrail window, then the flow table's: from and to twice each.
    expect(sql.match(/\?/g)).toHaveLength(8);
    expect(run.stdout).toMatch(
      /1\. from: .*\n.*2\. to: .*\n.*3\. from: .*\n.*4\. to: .*\n.*5\. from: .*\n.*6\. to: .*\n.*7\. from: .*\n.*8\. to: /,
    );
    // The console takes SQL literals: the examples are printed as they must be typed.
    expect(run.stdout).toContain('type each value with its single quotes');
    expect(run.stdout).toMatch(/1\. from: .*\(e\.g\. '\d{4}\/\d{2}\/\d{2}'\)/);
  });

  test('refuses a bad value, and an unknown id, with exit code 2', async () => {
    const bad = await irkit('queries', 'show', 'key-api-activity', '--param', "accessKeyId=x' OR 1=1 --");
    const unknown = await irkit('queries', 'show', 'key-everything');

    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('IRKIT_INVALID_INPUT');
    expect(bad.stdout).toBe('');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('IRKIT_UNKNOWN_QUERY');
  });
});

describe('irkit queries run --engine local', () => {
  test('prints the playbook-style table on stdout and progress on stderr', async () => {
    const run = await irkit('queries', 'run', 'key-api-activity', ...BY_KEY, '--logs', logs.root);

    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^awsregion\s+\|\s+eventsource\s+\|\s+eventname\s+\|\s+readonly\s+\|\s+errorcode\s+\|\s+errormessage\s+\|\s+COUNT$/,
    );
    expect(lines[1]).toMatch(/^-+\|-+/);
    expect(lines).toHaveLength(6);
    expect(run.stdout).toMatch(
      /us-east-1\s+\|\s+sts\.amazonaws\.com\s+\|\s+GetCallerIdentity\s+\|\s+true\s+\|\s+\|\s+\|\s+1/,
    );
    expect(run.stderr).toContain('irkit queries: running key-api-activity');
    expect(run.stderr).toMatch(/4 row\(s\) in [\d.]+ s on local/);
  });

  test('--format json and csv', async () => {
    const json = await irkit(
      'queries',
      'run',
      'key-source-ips',
      ...BY_KEY,
      '--logs',
      logs.root,
      '--format',
      'json',
    );
    const csv = await irkit(
      'queries',
      'run',
      'key-source-ips',
      ...BY_KEY,
      '--logs',
      logs.root,
      '--format',
      'csv',
    );

    const doc = JSON.parse(json.stdout) as { query: string; rows: Record<string, unknown>[] };
    expect(doc.query).toBe('key-source-ips');
    expect(doc.rows).toHaveLength(4);
    expect(doc.rows[0]).toMatchObject({ sourceipaddress: '198.51.100.77', COUNT: 1 });
    expect(csv.stdout.split('\r\n')[0]).toBe('sourceipaddress,useragent,COUNT');
    expect(csv.stdout.split('\r\n')).toHaveLength(6);
  });

  test('--format json is typed (numbers, booleans, nulls) and byte-identical from run to run', async () => {
    const run = () =>
      irkit('queries', 'run', 'key-api-activity', ...BY_KEY, '--logs', logs.root, '--format', 'json');
    const [first, second] = [await run(), await run()];

    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const doc = JSON.parse(first.stdout) as { engine: string; rows: Record<string, unknown>[] };
    expect(doc.engine).toBe('local');
    expect(doc.rows[0]).toEqual({
      awsregion: 'us-east-1',
      eventsource: 'iam.amazonaws.com',
      eventname: 'AttachUserPolicy',
      readonly: false,
      errorcode: null,
      errormessage: null,
      COUNT: 1,
    });
    expect(first.stdout).not.toMatch(/elapsedMs|loadMs/);
  });

  test('says "Zero records returned." like the playbook', async () => {
    const run = await irkit('queries', 'run', 'key-network-activity', ...BY_KEY, '--logs', logs.root);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Zero records returned.\n');
    expect(run.stderr).toContain('warning: no VPC Flow Logs files');
  });

  test.each([
    ['a malformed key id', ['--param', 'accessKeyId=AKIA1', ...WINDOW], /invalid access key id/],
    [
      'an inverted window',
      ['--param', `accessKeyId=${KEY}`, '--param', 'from=2021/07/25', '--param', 'to=2021/07/24'],
      /date window/,
    ],
    ['a parameter given twice', [...BY_KEY, '--param', 'to=2021/07/23'], /give to once/],
    ['a parameter without a value', [...BY_KEY, '--param', 'verbose'], /--param name=value/],
  ])('refuses %s before any engine runs (even with a bad --logs)', async (_what, params, message) => {
    const run = await irkit('queries', 'run', 'key-api-activity', ...params, '--logs', '/nonexistent/logs');

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain('/nonexistent/logs');
  });

  test('refuses engine flags that do not fit the engine', async () => {
    const noLogs = await irkit('queries', 'run', 'key-api-activity', ...BY_KEY, '--engine', 'local');
    const mixed = await irkit(
      'queries',
      'run',
      'key-api-activity',
      ...BY_KEY,
      '--logs',
      logs.root,
      '--workgroup',
      'W',
    );
    const cacheOnAthena = await irkit(
      'queries',
      'run',
      'key-api-activity',
      ...BY_KEY,
      '--engine',
      'athena',
      '--cache',
      'x',
    );
    const unknown = await irkit('queries', 'run', 'key-api-activity', ...BY_KEY, '--engine', 'spark');

    expect(noLogs.stderr).toContain('--engine local needs --logs DIR');
    expect(mixed.stderr).toContain('--workgroup, --region and --profile apply to --engine athena');
    expect(cacheOnAthena.stderr).toContain('--logs, --cache and --strict apply to --engine local');
    expect(unknown.stderr).toContain('invalid --engine');
    expect([noLogs, mixed, cacheOnAthena, unknown].map((r) => r.code)).toEqual([2, 2, 2, 2]);
  });

  test('a window without logs exits 2 with IRKIT_LOGS_MISSING', async () => {
    const run = await irkit(
      'queries',
      'run',
      'key-api-activity',
      '--param',
      `accessKeyId=${KEY}`,
      '--param',
      'from=2020/01/01',
      '--param',
      'to=2020/01/02',
      '--logs',
      logs.root,
    );

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('IRKIT_LOGS_MISSING');
  });
});

describe('irkit queries run --engine athena', () => {
  const athena = mockClient(AthenaClient);
  const ID = '01234567-89ab-cdef-0123-456789abcdef';

  beforeEach(() => {
    athena.reset();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
  });
  afterAll(() => athena.restore());

  test('runs in the named workgroup and prints the rows', async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 2_500_000 } },
    });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: [
            { Name: 'sourceipaddress', Type: 'varchar' },
            { Name: 'useragent', Type: 'varchar' },
            { Name: 'COUNT', Type: 'bigint' },
          ],
        },
        Rows: [
          {
            Data: [
              { VarCharValue: 'sourceipaddress' },
              { VarCharValue: 'useragent' },
              { VarCharValue: 'COUNT' },
            ],
          },
          {
            Data: [
              { VarCharValue: '198.51.100.77' },
              { VarCharValue: 'aws-cli/2.2.1' },
              { VarCharValue: '4' },
            ],
          },
        ],
      },
    });

    const run = await irkit(
      'queries',
      'run',
      'key-source-ips',
      ...BY_KEY,
      '--engine',
      'athena',
      '--workgroup',
      'IRWorkshopWorkgroup',
      '--region',
      'us-east-1',
    );

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/198\.51\.100\.77\s+\|\s+aws-cli\/2\.2\.1\s+\|\s+4/);
    expect(run.stderr).toMatch(/1 row\(s\) in [\d.]+ s on athena, 2\.5 MB scanned/);
    expect(athena).toHaveReceivedCommandWith(StartQueryExecutionCommand, {
      WorkGroup: 'IRWorkshopWorkgroup',
    });
  });

  test('Ctrl-C stops the Athena query', async () => {
    athena.on(GetQueryExecutionCommand).callsFake(() => {
      process.emit('SIGINT');
      return { QueryExecution: { Status: { State: 'RUNNING' } } };
    });
    athena.on(StopQueryExecutionCommand).resolves({});

    const run = await irkit(
      'queries',
      'run',
      'key-source-ips',
      ...BY_KEY,
      '--engine',
      'athena',
      '--region',
      'us-east-1',
    );

    expect(run.stderr).toContain('IRKIT_INTERRUPTED');
    expect(run.code).toBe(130);
    expect(athena).toHaveReceivedCommandWith(StopQueryExecutionCommand, { QueryExecutionId: ID });
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  test('a query cancelled by someone else is a failed query (exit 3), not an interruption', async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'CANCELLED', StateChangeReason: 'stopped by an administrator' } },
    });

    const run = await irkit(
      'queries',
      'run',
      'key-source-ips',
      ...BY_KEY,
      '--engine',
      'athena',
      '--region',
      'us-east-1',
    );

    expect(run.stderr).toContain('IRKIT_QUERY_CANCELLED');
    expect(run.stderr).toContain('stopped by an administrator');
    expect(run.code).toBe(3);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });
});

describe('formatting helpers', () => {
  test('a table pads columns and leaves nulls blank', () => {
    expect(
      formatTable({
        columns: ['a', 'count'],
        rows: [
          ['x', null],
          ['longer', '12'],
        ],
      }),
    ).toBe('a       |  count\n--------|-------\nx       |\nlonger  |  12\n');
  });

  test('csv quotes fields with commas, quotes and newlines', () => {
    expect(formatCsv({ columns: ['doc'], rows: [['{"a":1,"b":"x"}'], [null]] })).toBe(
      'doc\r\n"{""a"":1,""b"":""x""}"\r\n\r\n',
    );
  });

  test('parameters are name=value pairs; the value may contain =', () => {
    expect(parseParams(['eventNames=A,B', 'x=a=b'])).toEqual({ eventNames: 'A,B', x: 'a=b' });
  });
});
