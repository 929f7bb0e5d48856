import { SCENARIO, ScenarioCall, createScenario } from '../../../simulation/synthetic';

/**
 * The playbook's printed Part 2 tables, row for row, are the oracle. These tests hold the
 * scenario data to them; generate.test.ts then holds the written files to the scenario.
 */

const UA = 'aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/';
const json = (v: unknown) => JSON.stringify(v);
const byKey = SCENARIO.calls.filter((c) => c.userIdentity.accessKeyId === 'AKIAIOSFODNN7EXAMPLE');
const byJane = SCENARIO.calls.filter((c) => c.userIdentity.userName === 'JaneDoe');

function counts(calls: readonly ScenarioCall[], key: (c: ScenarioCall) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[key(c)] = (out[key(c)] ?? 0) + 1;
  return out;
}

describe('SCENARIO: the playbook incident as data', () => {
  it('is the playbook account, key, users and addresses', () => {
    expect(SCENARIO.accountId).toBe('777777777777');
    expect(SCENARIO.actor).toEqual({
      userName: 'JorgeSouza',
      userId: 'AIDAJ45Q7YFFAREXAMPLE',
      arn: 'arn:aws:iam::777777777777:user/JorgeSouza',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    });
    expect(SCENARIO.rogueUser).toEqual({
      userName: 'JaneDoe',
      userId: 'AIDACKCEVSQ6C2EXAMPLE',
      arn: 'arn:aws:iam::777777777777:user/JaneDoe',
      accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
    });
    expect(SCENARIO.sourceIps).toEqual(['198.51.100.77', '72.21.198.71']);
    expect(SCENARIO.window).toEqual({ from: '2021/07/16', to: '2021/07/24' });
  });

  it("gives the exposed key's API-call table: four calls, all us-east-1, no errors", () => {
    expect(counts(byKey, (c) => [c.awsRegion, c.eventSource, c.eventName, c.readOnly].join(' '))).toEqual({
      'us-east-1 sts.amazonaws.com GetCallerIdentity true': 1,
      'us-east-1 iam.amazonaws.com AttachUserPolicy false': 1,
      'us-east-1 iam.amazonaws.com CreateUser false': 1,
      'us-east-1 iam.amazonaws.com CreateAccessKey false': 1,
    });
    expect(SCENARIO.calls.every((c) => c.errorCode === undefined && c.errorMessage === undefined)).toBe(true);
  });

  it("gives the exposed key's source IP and user agent table", () => {
    expect(counts(byKey, (c) => `${c.sourceIPAddress} ${c.userAgent}`)).toEqual({
      [`198.51.100.77 ${UA}iam.create-access-key`]: 1,
      [`198.51.100.77 ${UA}sts.get-caller-identity`]: 1,
      [`198.51.100.77 ${UA}iam.attach-user-policy`]: 1,
      [`198.51.100.77 ${UA}iam.create-user`]: 1,
    });
  });

  it('prints the changes with the exact request and response JSON text', () => {
    const rows = byKey
      .filter((c) => ['AttachUserPolicy', 'CreateUser', 'CreateAccessKey'].includes(c.eventName))
      .map((c) => [
        c.eventTime,
        c.awsRegion,
        c.eventName,
        json(c.requestParameters),
        json(c.responseElements),
      ]);
    expect(rows).toEqual([
      [
        '2021-07-24T02:22:32Z',
        'us-east-1',
        'CreateUser',
        '{"userName":"JaneDoe"}',
        '{"user":{"path":"/","userName":"JaneDoe","userId":"AIDACKCEVSQ6C2EXAMPLE","arn":"arn:aws:iam::777777777777:user/JaneDoe","createDate":"Jul 24, 2021 2:22:32 AM"}}',
      ],
      [
        '2021-07-24T02:22:33Z',
        'us-east-1',
        'AttachUserPolicy',
        '{"userName":"JaneDoe","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}',
        'null',
      ],
      [
        '2021-07-24T02:22:34Z',
        'us-east-1',
        'CreateAccessKey',
        '{"userName":"JaneDoe"}',
        '{"accessKey":{"userName":"JaneDoe","accessKeyId":"AKIAI44QH8DHBEXAMPLE","status":"Active","createDate":"Jul 24, 2021 2:22:34 AM"}}',
      ],
    ]);
  });

  it("gives the rogue user's API-call table", () => {
    expect(counts(byJane, (c) => [c.awsRegion, c.eventSource, c.eventName, c.readOnly].join(' '))).toEqual({
      'us-east-1 sts.amazonaws.com GetCallerIdentity true': 2,
      'us-east-1 iam.amazonaws.com ListRoles true': 1,
      'us-east-1 logs.amazonaws.com DescribeDestinations true': 1,
      'us-east-1 s3.amazonaws.com CreateBucket false': 1,
      'us-east-1 kms.amazonaws.com ListKeys true': 1,
      'us-east-1 lambda.amazonaws.com ListFunctions20150331 true': 1,
      'us-east-1 s3.amazonaws.com ListBuckets true': 1,
      'us-east-1 secretsmanager.amazonaws.com ListSecrets true': 1,
      'us-east-1 kms.amazonaws.com ListAliases true': 1,
      'us-east-1 s3.amazonaws.com PutObject false': 1,
      'us-east-1 ec2.amazonaws.com DescribeInstances true': 1,
    });
  });

  it("gives the rogue user's source IP and user agent table, S3 agents in brackets", () => {
    expect(counts(byJane, (c) => `${c.sourceIPAddress} ${c.userAgent}`)).toEqual({
      [`198.51.100.77 ${UA}sts.get-caller-identity`]: 2,
      [`198.51.100.77 ${UA}lambda.list-functions`]: 1,
      [`198.51.100.77 ${UA}ec2.describe-instances`]: 1,
      [`198.51.100.77 [${UA}s3api.put-object]`]: 1,
      [`198.51.100.77 ${UA}secretsmanager.list-secrets`]: 1,
      [`198.51.100.77 ${UA}iam.list-roles`]: 1,
      [`198.51.100.77 [${UA}s3api.create-bucket]`]: 1,
      [`198.51.100.77 ${UA}kms.list-aliases`]: 1,
      [`198.51.100.77 ${UA}logs.describe-destinations`]: 1,
      [`72.21.198.71 [${UA}s3api.list-buckets]`]: 1,
      [`198.51.100.77 ${UA}kms.list-keys`]: 1,
    });
  });

  it("prints the rogue user's bucket and object with the exact request JSON", () => {
    const rows = byJane
      .filter((c) => ['CreateBucket', 'PutObject'].includes(c.eventName))
      .map((c) => [
        c.eventTime,
        c.awsRegion,
        c.eventName,
        json(c.requestParameters),
        json(c.responseElements),
      ]);
    expect(rows).toEqual([
      [
        '2021-07-24T02:22:56Z',
        'us-east-1',
        'CreateBucket',
        '{"bucketName":"DOC-EXAMPLE-BUCKET","Host":"DOC-EXAMPLE-BUCKET.s3.us-east-1.amazonaws.com"}',
        'null',
      ],
      [
        '2021-07-24T02:22:57Z',
        'us-east-1',
        'PutObject',
        '{"bucketName":"DOC-EXAMPLE-BUCKET","Host":"DOC-EXAMPLE-BUCKET.s3.us-east-1.amazonaws.com","key":"stuff"}',
        'null',
      ],
    ]);
  });

  it("gives the probing table's eight rows (times, requests, responses)", () => {
    const rows = byJane
      .filter((c) => SCENARIO.probeEventNames.includes(c.eventName))
      .map((c) => [c.eventTime, c.awsRegion, json(c.requestParameters), json(c.responseElements)]);
    // The playbook prints them unordered; as a set they must be these.
    expect(rows.sort()).toEqual(
      [
        ['2021-07-24T02:22:45Z', 'us-east-1', 'null', 'null'],
        ['2021-07-24T02:22:48Z', 'us-east-1', 'null', 'null'],
        ['2021-07-24T02:22:51Z', 'us-east-1', '{"Host":"s3.us-east-1.amazonaws.com"}', 'null'],
        ['2021-07-24T02:22:52Z', 'us-east-1', '{"instancesSet":{},"filterSet":{}}', 'null'],
        ['2021-07-24T02:22:53Z', 'us-east-1', 'null', 'null'],
        ['2021-07-24T02:22:46Z', 'us-east-1', 'null', 'null'],
        ['2021-07-24T02:22:49Z', 'us-east-1', 'null', 'null'],
        ['2021-07-24T02:22:50Z', 'us-east-1', 'null', 'null'],
      ].sort(),
    );
  });

  it('lists the calls in time order, numbered, with the AWS CLI command the attack script runs', () => {
    expect(SCENARIO.calls.map((c) => c.step)).toEqual(SCENARIO.calls.map((_, i) => i + 1));
    const times = SCENARIO.calls.map((c) => c.eventTime);
    expect([...times].sort()).toEqual(times);
    expect(SCENARIO.calls.map((c) => `${c.principal}: ${c.cli}`)).toEqual([
      'actor: sts get-caller-identity',
      'actor: iam create-user',
      'actor: iam attach-user-policy',
      'actor: iam create-access-key',
      'rogue: sts get-caller-identity',
      'rogue: sts get-caller-identity',
      'rogue: iam list-roles',
      'rogue: lambda list-functions',
      'rogue: kms list-keys',
      'rogue: kms list-aliases',
      'rogue: logs describe-destinations',
      'rogue: s3api list-buckets',
      'rogue: ec2 describe-instances',
      'rogue: secretsmanager list-secrets',
      'rogue: s3api create-bucket',
      'rogue: s3api put-object',
    ]);
  });

  it('marks PutObject as an S3 data event on the object and bucket', () => {
    const put = SCENARIO.calls.find((c) => c.eventName === 'PutObject');
    expect(put).toMatchObject({
      eventCategory: 'Data',
      managementEvent: false,
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/stuff' },
        { accountId: '777777777777', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET' },
      ],
      additionalEventData: { bytesTransferredIn: 43860 },
    });
  });

  it('is frozen, so no consumer can change the oracle', () => {
    expect(Object.isFrozen(SCENARIO)).toBe(true);
    expect(Object.isFrozen(SCENARIO.calls[1].requestParameters)).toBe(true);
    expect(() => {
      (SCENARIO.calls as ScenarioCall[]).push(SCENARIO.calls[0]);
    }).toThrow();
  });

  it('moves the whole incident to another account when asked', () => {
    const other = createScenario('111122223333');
    expect(other.rogueUser.arn).toBe('arn:aws:iam::111122223333:user/JaneDoe');
    expect(other.calls.every((c) => c.recipientAccountId === '111122223333')).toBe(true);
    expect(JSON.stringify(other.calls)).not.toContain('777777777777');
  });
});
