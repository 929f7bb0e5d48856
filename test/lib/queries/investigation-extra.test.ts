import { getQuery } from '../../../lib/queries';
import { rowObjects } from '../../../orchestrator/engines/engine';
import { LocalEngine } from '../../../orchestrator/engines/local';
import { ACCOUNT, KEY, LogTree, ctRecord, playbookKeyCalls } from '../../orchestrator/engines/fixtures';

/** The investigation's own queries, run on DuckDB: what each row must say. */

const WINDOW = { from: '2021/07/16', to: '2021/07/24' };
const ROLE_KEY = 'ASIAI44QH8DHBROLEKEY';
const OTHER_ROLE_KEY = 'ASIAI44QH8DHBOTHER01';

function assumedRole(role: string, session: string, key: string) {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEROLE00001:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT,
    accessKeyId: key,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEROLE00001',
        arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        accountId: ACCOUNT,
        userName: role,
      },
      attributes: { mfaAuthenticated: 'false', creationDate: '2021-07-24T03:00:00Z' },
    },
  };
}

describe('investigation extra queries on the local engine', () => {
  let tree: LogTree;
  let engine: LocalEngine;

  beforeAll(async () => {
    tree = new LogTree();
    tree.cloudTrail('2021/07/24', [
      ...playbookKeyCalls(),
      ctRecord({
        eventTime: '2021-07-24T03:00:05Z',
        eventSource: 'ec2.amazonaws.com',
        eventName: 'CreateSnapshot',
        requestParameters: { volumeId: 'vol-049df61146c4d7901' },
        responseElements: { snapshotId: 'snap-066877671789bd71b', volumeId: 'vol-049df61146c4d7901' },
      }),
      ctRecord({
        eventTime: '2021-07-24T03:00:06Z',
        eventSource: 'ec2.amazonaws.com',
        eventName: 'DescribeInstances',
        readOnly: true,
      }),
      ctRecord({
        eventTime: '2021-07-24T03:01:00Z',
        eventSource: 's3.amazonaws.com',
        eventName: 'ListBuckets',
        readOnly: true,
        userIdentity: assumedRole('BackdoorRole', 'actor', ROLE_KEY),
      }),
      ctRecord({
        eventTime: '2021-07-24T03:02:00Z',
        eventSource: 's3.amazonaws.com',
        eventName: 'CreateBucket',
        requestParameters: { bucketName: 'DOC-EXAMPLE-BUCKET' },
        userIdentity: assumedRole('BackdoorRole', 'actor', ROLE_KEY),
      }),
      ctRecord({
        eventTime: '2021-07-24T03:03:00Z',
        eventSource: 's3.amazonaws.com',
        eventName: 'ListBuckets',
        readOnly: true,
        userIdentity: assumedRole('OtherRole', 'someone', OTHER_ROLE_KEY),
      }),
    ]);
    engine = await LocalEngine.open({ logs: tree.root });
  });

  afterAll(async () => {
    await engine.close();
    tree.remove();
  });

  test('key-change-details lists only the calls that changed something, with request and response', async () => {
    const result = await engine.run(getQuery('key-change-details'), { accessKeyId: KEY, ...WINDOW });
    const rows = rowObjects(result);
    expect(rows.map((r) => r.eventname)).toEqual([
      'CreateUser',
      'AttachUserPolicy',
      'CreateAccessKey',
      'CreateSnapshot',
    ]);
    const snapshot = rows[3];
    expect(JSON.parse(snapshot.responseelements ?? '{}')).toMatchObject({
      snapshotId: 'snap-066877671789bd71b',
    });
    expect(snapshot).toMatchObject({
      eventsource: 'ec2.amazonaws.com',
      recipientaccountid: ACCOUNT,
      sourceipaddress: '198.51.100.77',
      errorcode: null,
    });
    expect(snapshot.eventid).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('user-change-details filters on the user name', async () => {
    const rows = rowObjects(
      await engine.run(getQuery('user-change-details'), { userName: 'JorgeSouza', ...WINDOW }),
    );
    expect(rows).toHaveLength(4);
    expect(
      rowObjects(await engine.run(getQuery('user-change-details'), { userName: 'JaneDoe', ...WINDOW })),
    ).toEqual([]);
  });

  test('role-sessions lists each session key of the role with its first and last use', async () => {
    const rows = rowObjects(
      await engine.run(getQuery('role-sessions'), { roleName: 'BackdoorRole', ...WINDOW }),
    );
    expect(rows).toEqual([
      {
        identity_arn: `arn:aws:sts::${ACCOUNT}:assumed-role/BackdoorRole/actor`,
        access_key_id: ROLE_KEY,
        first_seen: '2021-07-24T03:01:00Z',
        last_seen: '2021-07-24T03:02:00Z',
        events: '2',
        source_ips: '1',
      },
    ]);
  });
});
