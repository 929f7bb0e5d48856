import { getQuery } from '../../../lib/queries';
import { INVESTIGATION_QUERIES } from '../../../lib/queries/investigation';
import { Cell, rowObjects } from '../../../orchestrator/engines/engine';
import { LocalEngine } from '../../../orchestrator/engines/local';
import {
  ACCOUNT,
  ATTACKER_IP,
  FLOW_HEADER,
  KEY,
  LogTree,
  ctRecord,
  flowLine,
  playbookKeyCalls,
} from '../../orchestrator/engines/fixtures';

/**
 * The prose steps' queries, run on DuckDB over a small incident that exercises each of
 * them: what the rows must say, column by column.
 */

const WINDOW = { from: '2021/07/16', to: '2021/07/24' };
const SESSION_KEY = 'ASIAIOSFODNN7SESSION';
const ROLE_KEY = 'ASIAI44QH8DHBROLEKEY';
const OTHER_IP = '203.0.113.10';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/DevOpsRole`;

function incident(): Record<string, unknown>[] {
  const t = (s: number) => `2021-07-24T03:00:${String(s).padStart(2, '0')}Z`;
  return [
    ...playbookKeyCalls(),
    ctRecord({
      eventTime: t(1),
      eventName: 'CreateLoginProfile',
      requestParameters: { userName: 'JaneDoe', passwordResetRequired: false },
      responseElements: { loginProfile: { userName: 'JaneDoe', createDate: 'Jul 24, 2021 3:00:01 AM' } },
    }),
    ctRecord({
      eventTime: t(2),
      eventName: 'CreateRole',
      requestParameters: { roleName: 'BackdoorRole', assumeRolePolicyDocument: '{}' },
      responseElements: {
        role: {
          roleName: 'BackdoorRole',
          roleId: 'AROAEXAMPLEBACKDOOR01',
          arn: `arn:aws:iam::${ACCOUNT}:role/BackdoorRole`,
        },
      },
    }),
    ctRecord({
      eventTime: t(3),
      eventName: 'PutRolePolicy',
      requestParameters: { roleName: 'BackdoorRole', policyName: 'inline-admin', policyDocument: '{}' },
    }),
    ctRecord({
      eventTime: t(4),
      eventName: 'CreateUser',
      errorCode: 'EntityAlreadyExists',
      errorMessage: 'User with name JaneDoe already exists.',
      requestParameters: { userName: 'JaneDoe' },
    }),
    ctRecord({
      eventTime: t(5),
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetSessionToken',
      requestParameters: { durationSeconds: 3600 },
      responseElements: {
        credentials: {
          accessKeyId: SESSION_KEY,
          sessionToken: 'redacted',
          expiration: 'Jul 24, 2021 4:00:05 AM',
        },
      },
    }),
    ctRecord({
      eventTime: t(6),
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      requestParameters: { roleArn: ROLE_ARN, roleSessionName: 'actor' },
      responseElements: {
        credentials: {
          accessKeyId: ROLE_KEY,
          sessionToken: 'redacted',
          expiration: 'Jul 24, 2021 4:00:06 AM',
        },
        assumedRoleUser: {
          assumedRoleId: 'AROAEXAMPLEDEVOPS0001:actor',
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/DevOpsRole/actor`,
        },
      },
    }),
    ctRecord({
      eventTime: t(7),
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetFederationToken',
      requestParameters: { name: 'fed-actor' },
      responseElements: {
        credentials: {
          accessKeyId: 'ASIAFEDERATEDEXAMPLE',
          sessionToken: 'redacted',
          expiration: 'Jul 24, 2021 4:00:07 AM',
        },
        federatedUser: {
          federatedUserId: `${ACCOUNT}:fed-actor`,
          arn: `arn:aws:sts::${ACCOUNT}:federated-user/fed-actor`,
        },
      },
    }),
    // The session key works as JorgeSouza (GetSessionToken keeps the user's identity).
    ctRecord({
      eventTime: t(8),
      accessKeyId: SESSION_KEY,
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      requestParameters: { instanceType: 't3.micro' },
      responseElements: { instancesSet: { items: [{ instanceId: 'i-0123456789abcdef0' }] } },
    }),
    ctRecord({
      eventTime: t(9),
      accessKeyId: SESSION_KEY,
      eventSource: 'ec2.amazonaws.com',
      eventName: 'TerminateInstances',
      requestParameters: { instancesSet: { items: [{ instanceId: 'i-0fedcba9876543210' }] } },
    }),
    ctRecord({
      eventTime: t(10),
      accessKeyId: SESSION_KEY,
      eventSource: 's3.amazonaws.com',
      eventName: 'DeleteObject',
      requestParameters: { bucketName: 'DOC-EXAMPLE-BUCKET', key: 'stuff' },
    }),
    ctRecord({
      eventTime: t(11),
      accessKeyId: SESSION_KEY,
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'UpdateSecret',
      requestParameters: { secretId: 'prod/db' },
    }),
    ctRecord({
      eventTime: t(12),
      accessKeyId: SESSION_KEY,
      eventSource: 'kms.amazonaws.com',
      eventName: 'Decrypt',
    }),
    ctRecord({
      eventTime: t(13),
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DescribeSnapshots',
      errorCode: 'Client.UnauthorizedOperation',
      errorMessage: 'You are not authorized to perform this operation.',
    }),
    ctRecord({
      eventTime: t(14),
      eventSource: 's3.amazonaws.com',
      eventName: 'GetBucketPolicy',
      errorCode: 'AccessDenied',
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: 'DOC-EXAMPLE-BUCKET' },
    }),
    ctRecord({
      eventTime: t(15),
      eventSource: 's3.amazonaws.com',
      eventName: 'GetBucketPolicy',
      errorCode: 'AccessDenied',
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: 'DOC-EXAMPLE-BUCKET' },
    }),
    ctRecord({ eventTime: t(16), eventName: 'ListUsers', errorCode: 'ThrottlingException' }),
    // The role session, from another address.
    ctRecord({
      eventTime: t(20),
      accessKeyId: ROLE_KEY,
      sourceIPAddress: OTHER_IP,
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'GetSecretValue',
      requestParameters: { secretId: 'prod/db' },
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLEDEVOPS0001:actor',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/DevOpsRole/actor`,
        accountId: ACCOUNT,
        accessKeyId: ROLE_KEY,
        sessionContext: { sessionIssuer: { type: 'Role', arn: ROLE_ARN, userName: 'DevOpsRole' } },
      },
    }),
    // JaneDoe signs in to the console with the password the actor set.
    ctRecord({
      eventTime: '2021-07-24T03:05:00Z',
      userName: 'JaneDoe',
      accessKeyId: null,
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      userAgent: 'Mozilla/5.0',
      responseElements: { ConsoleLogin: 'Failure' },
      additionalEventData: { MFAUsed: 'No', LoginTo: 'https://console.aws.amazon.com/' },
      errorMessage: 'Failed authentication',
    }),
    ctRecord({
      eventTime: '2021-07-24T03:06:00Z',
      userName: 'JaneDoe',
      accessKeyId: null,
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      userAgent: 'Mozilla/5.0',
      responseElements: { ConsoleLogin: 'Success' },
      additionalEventData: { MFAUsed: 'No', LoginTo: 'https://console.aws.amazon.com/' },
    }),
    // Somebody else, elsewhere: must never show up.
    ctRecord({
      eventTime: '2021-07-24T03:07:00Z',
      userName: 'Mary',
      accessKeyId: 'AKIAIOSFODNN7MARYKEY',
      sourceIPAddress: '192.0.2.44',
      eventName: 'CreateUser',
      requestParameters: { userName: 'intern' },
    }),
  ];
}

let logs: LogTree;
let engine: LocalEngine;

beforeAll(async () => {
  logs = new LogTree();
  logs.cloudTrail('2021/07/24', incident());
  logs.flowLog('2021/07/24', FLOW_HEADER, [
    flowLine(ATTACKER_IP, '10.0.0.5', 22),
    flowLine(ATTACKER_IP, '10.0.0.5', 22),
    flowLine('10.0.0.5', OTHER_IP, 443),
    flowLine('192.0.2.44', '10.0.0.6', 22),
  ]);
  engine = await LocalEngine.open({ logs: logs.root, threads: 2 });
});

afterAll(async () => {
  await engine.close();
  logs.remove();
});

async function rows(id: string, values: Record<string, string>): Promise<Record<string, Cell>[]> {
  return rowObjects(await engine.run(getQuery(id), { ...WINDOW, ...values }));
}

const pick = (items: Record<string, Cell>[], ...columns: string[]) =>
  items.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]])));

test('principals created: users, roles, keys, passwords and grants, with names from request and response', async () => {
  const found = await rows('key-principals-created', { accessKeyId: KEY });

  expect(
    pick(
      found,
      'eventname',
      'principal_type',
      'principal_name',
      'principal_id',
      'access_key_id',
      'policy_or_group',
      'errorcode',
    ),
  ).toEqual([
    {
      eventname: 'CreateUser',
      principal_type: 'user',
      principal_name: 'JaneDoe',
      principal_id: 'AIDACKCEVSQ6C2EXAMPLE',
      access_key_id: null,
      policy_or_group: null,
      errorcode: null,
    },
    {
      eventname: 'AttachUserPolicy',
      principal_type: 'user',
      principal_name: 'JaneDoe',
      principal_id: null,
      access_key_id: null,
      policy_or_group: 'arn:aws:iam::aws:policy/AdministratorAccess',
      errorcode: null,
    },
    {
      eventname: 'CreateAccessKey',
      principal_type: 'user',
      principal_name: 'JaneDoe',
      principal_id: null,
      access_key_id: 'AKIAI44QH8DHBEXAMPLE',
      policy_or_group: null,
      errorcode: null,
    },
    {
      eventname: 'CreateLoginProfile',
      principal_type: 'user',
      principal_name: 'JaneDoe',
      principal_id: null,
      access_key_id: null,
      policy_or_group: null,
      errorcode: null,
    },
    {
      eventname: 'CreateRole',
      principal_type: 'role',
      principal_name: 'BackdoorRole',
      principal_id: 'AROAEXAMPLEBACKDOOR01',
      access_key_id: null,
      policy_or_group: null,
      errorcode: null,
    },
    {
      eventname: 'PutRolePolicy',
      principal_type: 'role',
      principal_name: 'BackdoorRole',
      principal_id: null,
      access_key_id: null,
      policy_or_group: 'inline-admin',
      errorcode: null,
    },
    {
      eventname: 'CreateUser',
      principal_type: 'user',
      principal_name: 'JaneDoe',
      principal_id: null,
      access_key_id: null,
      policy_or_group: null,
      errorcode: 'EntityAlreadyExists',
    },
  ]);
  expect(found[0].principal_arn).toBe(`arn:aws:iam::${ACCOUNT}:user/JaneDoe`);
  expect(found.every((r) => /^[0-9a-f-]{36}$/.test(r.eventid ?? ''))).toBe(true);
});

test('principals created, user form: nothing for a user who created nobody', async () => {
  expect(await rows('user-principals-created', { userName: 'JaneDoe' })).toEqual([]);
});

test('resource activity: classifies calls by verb and names the resource from request or response', async () => {
  const found = await rows('key-resource-activity', { accessKeyId: SESSION_KEY });

  expect(pick(found, 'eventname', 'action', 'resource_name', 'object_key')).toEqual([
    { eventname: 'RunInstances', action: 'created', resource_name: 'i-0123456789abcdef0', object_key: null },
    {
      eventname: 'TerminateInstances',
      action: 'deleted',
      resource_name: 'i-0fedcba9876543210',
      object_key: null,
    },
    {
      eventname: 'DeleteObject',
      action: 'deleted',
      resource_name: 'DOC-EXAMPLE-BUCKET',
      object_key: 'stuff',
    },
    { eventname: 'UpdateSecret', action: 'modified', resource_name: 'prod/db', object_key: null },
    { eventname: 'Decrypt', action: 'other', resource_name: null, object_key: null },
  ]);
});

test('resource activity of the exposed key: probing, creation and grants in time order', async () => {
  const found = await rows('key-resource-activity', { accessKeyId: KEY });
  const actions = Object.fromEntries(found.map((r) => [`${r.eventname}@${r.eventtime}`, r.action]));

  expect(actions['GetCallerIdentity@2021-07-24T02:22:31Z']).toBe('probed');
  expect(actions['AttachUserPolicy@2021-07-24T02:22:33Z']).toBe('created');
  expect(actions['GetSessionToken@2021-07-24T03:00:05Z']).toBe('probed');
  expect(actions['AssumeRole@2021-07-24T03:00:06Z']).toBe('other');
  expect(found.map((r) => r.eventtime)).toEqual([...found.map((r) => r.eventtime)].sort());
});

test('sessions minted: the temporary key ids and session ARNs each call returned', async () => {
  const found = await rows('key-sessions-minted', { accessKeyId: KEY });

  expect(
    pick(found, 'eventname', 'role_arn', 'session_name', 'session_key_id', 'session_arn', 'expiration'),
  ).toEqual([
    {
      eventname: 'GetSessionToken',
      role_arn: null,
      session_name: null,
      session_key_id: SESSION_KEY,
      session_arn: null,
      expiration: 'Jul 24, 2021 4:00:05 AM',
    },
    {
      eventname: 'AssumeRole',
      role_arn: ROLE_ARN,
      session_name: 'actor',
      session_key_id: ROLE_KEY,
      session_arn: `arn:aws:sts::${ACCOUNT}:assumed-role/DevOpsRole/actor`,
      expiration: 'Jul 24, 2021 4:00:06 AM',
    },
    {
      eventname: 'GetFederationToken',
      role_arn: null,
      session_name: 'fed-actor',
      session_key_id: 'ASIAFEDERATEDEXAMPLE',
      session_arn: `arn:aws:sts::${ACCOUNT}:federated-user/fed-actor`,
      expiration: 'Jul 24, 2021 4:00:07 AM',
    },
  ]);
  expect(await rows('user-sessions-minted', { userName: 'JaneDoe' })).toEqual([]);
});

test('ip activity: every identity acting from the addresses, and nobody else', async () => {
  const found = await rows('ip-activity', { sourceIps: `${ATTACKER_IP},${OTHER_IP}` });
  const identities = new Set(found.map((r) => `${r.sourceipaddress} ${r.identity_type} ${r.access_key_id}`));

  expect([...identities].sort()).toEqual([
    `${ATTACKER_IP} IAMUser ${KEY}`,
    `${ATTACKER_IP} IAMUser ${SESSION_KEY}`,
    `${ATTACKER_IP} IAMUser null`,
    `${OTHER_IP} AssumedRole ${ROLE_KEY}`,
  ]);
  const denied = found.find((r) => r.eventname === 'GetBucketPolicy');
  expect(denied).toMatchObject({
    count: '2',
    errorcode: 'AccessDenied',
    first_seen: '2021-07-24T03:00:14Z',
    last_seen: '2021-07-24T03:00:15Z',
  });
  expect(found.some((r) => r.user_name === 'Mary')).toBe(false);
});

test('ip network activity: flows to or from the addresses, by port and protocol', async () => {
  const found = await rows('ip-network-activity', { sourceIps: `${ATTACKER_IP},${OTHER_IP}` });

  expect(
    pick(
      found,
      'sourceaddress',
      'destinationaddress',
      'destinationport',
      'protocol',
      'action',
      'count',
      'bytes',
    ),
  ).toEqual([
    {
      sourceaddress: ATTACKER_IP,
      destinationaddress: '10.0.0.5',
      destinationport: '22',
      protocol: '6',
      action: 'ACCEPT',
      count: '2',
      bytes: '1680',
    },
    {
      sourceaddress: '10.0.0.5',
      destinationaddress: OTHER_IP,
      destinationport: '443',
      protocol: '6',
      action: 'ACCEPT',
      count: '1',
      bytes: '840',
    },
  ]);
});

test('first and last seen: per identity for a key, per key for a user', async () => {
  expect(await rows('key-first-last-seen', { accessKeyId: KEY })).toEqual([
    {
      identity_type: 'IAMUser',
      identity_arn: `arn:aws:iam::${ACCOUNT}:user/JorgeSouza`,
      user_name: 'JorgeSouza',
      access_key_id: KEY,
      principal_id: 'AIDACKCEVSQ6C2EXAMPLE',
      identity_account: ACCOUNT,
      invoked_by: null,
      session_issuer_arn: null,
      role_delivery: null,
      on_behalf_of: null,
      first_seen: '2021-07-24T02:22:31Z',
      last_seen: '2021-07-24T03:00:16Z',
      events: '15',
      source_ips: '1',
      regions: '1',
    },
  ]);
  // IAM names ignore case: the user is found however the responder spells it.
  const byKey = await rows('user-first-last-seen', { userName: 'jorgesouza' });
  expect(pick(byKey, 'access_key_id', 'first_seen', 'last_seen', 'events')).toEqual([
    {
      access_key_id: KEY,
      first_seen: '2021-07-24T02:22:31Z',
      last_seen: '2021-07-24T03:00:16Z',
      events: '15',
    },
    {
      access_key_id: SESSION_KEY,
      first_seen: '2021-07-24T03:00:08Z',
      last_seen: '2021-07-24T03:00:12Z',
      events: '5',
    },
  ]);
});

test('denied calls: authorization failures only, most frequent first', async () => {
  const found = await rows('key-denied-calls', { accessKeyId: KEY });

  expect(pick(found, 'eventname', 'errorcode', 'count')).toEqual([
    { eventname: 'GetBucketPolicy', errorcode: 'AccessDenied', count: '2' },
    { eventname: 'DescribeSnapshots', errorcode: 'Client.UnauthorizedOperation', count: '1' },
  ]);
  expect(await rows('user-denied-calls', { userName: 'JaneDoe' })).toEqual([]);
});

test('console logins: outcome and MFA of each sign-in', async () => {
  const found = await rows('user-console-logins', { userName: 'JaneDoe' });

  expect(pick(found, 'eventtime', 'sourceipaddress', 'login_result', 'mfa_used', 'errormessage')).toEqual([
    {
      eventtime: '2021-07-24T03:05:00Z',
      sourceipaddress: ATTACKER_IP,
      login_result: 'Failure',
      mfa_used: 'No',
      errormessage: 'Failed authentication',
    },
    {
      eventtime: '2021-07-24T03:06:00Z',
      sourceipaddress: ATTACKER_IP,
      login_result: 'Success',
      mfa_used: 'No',
      errormessage: null,
    },
  ]);
});

test('every investigation query names all its columns (no engine-made names)', async () => {
  for (const query of INVESTIGATION_QUERIES) {
    const values = Object.fromEntries(query.params.map((p) => [p.name, p.example]));
    const result = await engine.run(query, { ...values, ...WINDOW });
    for (const column of result.columns) expect(column).toMatch(/^[a-z_]+$/);
  }
});
