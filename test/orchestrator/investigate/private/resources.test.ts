import { parseIdentityArn } from '../../../../orchestrator/investigate/private/arn';
import {
  CallDetails,
  classifyAction,
  describeResources,
  parseJsonCell,
} from '../../../../orchestrator/investigate/private/resources';

const call = (
  eventSource: string,
  eventName: string,
  request: unknown,
  response: unknown = null,
): CallDetails => ({
  eventSource,
  eventName,
  request: request as CallDetails['request'],
  response: response as CallDetails['response'],
  region: 'us-east-1',
  account: '777777777777',
});

const CASES: [CallDetails, string, string | null][] = [
  [
    call('s3.amazonaws.com', 'CreateBucket', { bucketName: 'DOC-EXAMPLE-BUCKET' }),
    'AWS::S3::Bucket',
    'DOC-EXAMPLE-BUCKET',
  ],
  [
    call('s3.amazonaws.com', 'PutObject', { bucketName: 'DOC-EXAMPLE-BUCKET', key: 'stuff' }),
    'AWS::S3::Object',
    'DOC-EXAMPLE-BUCKET/stuff',
  ],
  [
    call(
      'iam.amazonaws.com',
      'CreateAccessKey',
      { userName: 'JaneDoe' },
      { accessKey: { accessKeyId: 'AKIAI44QH8DHBEXAMPLE' } },
    ),
    'AWS::IAM::AccessKey',
    'AKIAI44QH8DHBEXAMPLE',
  ],
  [
    call('iam.amazonaws.com', 'CreateLoginProfile', { userName: 'JaneDoe' }),
    'AWS::IAM::LoginProfile',
    'JaneDoe',
  ],
  [
    call('iam.amazonaws.com', 'AttachUserPolicy', {
      userName: 'JaneDoe',
      policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    }),
    'AWS::IAM::User',
    'JaneDoe',
  ],
  [
    call('iam.amazonaws.com', 'UpdateAssumeRolePolicy', { roleName: 'DevOpsRole' }),
    'AWS::IAM::Role',
    'DevOpsRole',
  ],
  [
    call(
      'iam.amazonaws.com',
      'CreatePolicy',
      { policyName: 'p' },
      { policy: { arn: 'arn:aws:iam::777777777777:policy/p' } },
    ),
    'AWS::IAM::Policy',
    'arn:aws:iam::777777777777:policy/p',
  ],
  [
    call(
      'ec2.amazonaws.com',
      'CreateSnapshot',
      { volumeId: 'vol-049df61146c4d7901' },
      { snapshotId: 'snap-066877671789bd71b' },
    ),
    'AWS::EC2::Snapshot',
    'snap-066877671789bd71b',
  ],
  [
    call('ec2.amazonaws.com', 'TerminateInstances', {
      instancesSet: { items: [{ instanceId: 'i-1234567890abcdef0' }] },
    }),
    'AWS::EC2::Instance',
    'i-1234567890abcdef0',
  ],
  [
    call('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', { groupId: 'sg-0123456789abcdef0' }),
    'AWS::EC2::SecurityGroup',
    'sg-0123456789abcdef0',
  ],
  [
    call('logs.amazonaws.com', 'DeleteLogGroup', { logGroupName: '/aws/lambda/orders-processor' }),
    'AWS::Logs::LogGroup',
    '/aws/lambda/orders-processor',
  ],
  [
    call('secretsmanager.amazonaws.com', 'GetSecretValue', { secretId: 'prod/app/database' }),
    'AWS::SecretsManager::Secret',
    'prod/app/database',
  ],
  [
    call('cloudtrail.amazonaws.com', 'StopLogging', { name: 'management-events' }),
    'AWS::CloudTrail::Trail',
    'management-events',
  ],
  [call('athena.amazonaws.com', 'CreateWorkGroup', { name: 'wg' }), 'AWS::Athena', 'wg'],
  [call('kms.amazonaws.com', 'ListKeys', null), 'AWS::KMS', null],
];

describe('describeResources names what a call acted on', () => {
  test.each(CASES.map(([details, type, name]) => [details.eventName, details, type, name] as const))(
    '%s',
    (_eventName, details, type, name) => {
      expect(describeResources(details)[0]).toMatchObject({ type, name });
    },
  );
  test('RunInstances names every instance it started, from the response', () => {
    const refs = describeResources(
      call(
        'ec2.amazonaws.com',
        'RunInstances',
        { instancesSet: { items: [{ imageId: 'ami-0abcdef1234567890' }] } },
        {
          instancesSet: {
            items: [{ instanceId: 'i-1234567890abcdef0' }, { instanceId: 'i-0598c7d356eba48d7' }],
          },
        },
      ),
    );
    expect(refs.map((r) => r.name)).toEqual(['i-1234567890abcdef0', 'i-0598c7d356eba48d7']);
  });

  test('a snapshot shared with another account says so', () => {
    const [ref] = describeResources(
      call('ec2.amazonaws.com', 'ModifySnapshotAttribute', {
        snapshotId: 'snap-066877671789bd71b',
        createVolumePermission: { add: { items: [{ userId: '111122223333' }] } },
      }),
    );
    expect(ref.detail).toBe('shared with account 111122223333');
  });

  test('JSON cells: the text null and broken JSON are null', () => {
    expect(parseJsonCell('null')).toBeNull();
    expect(parseJsonCell(null)).toBeNull();
    expect(parseJsonCell('{"a":')).toBeNull();
    expect(parseJsonCell('{"a":1}')).toEqual({ a: 1 });
  });
});

describe('classifyAction', () => {
  test.each([
    ['CreateBucket', 'AWS::S3::Bucket', 'created'],
    ['PutObject', 'AWS::S3::Object', 'created'],
    ['PutBucketPolicy', 'AWS::S3::Bucket', 'modified'],
    ['AttachUserPolicy', 'AWS::IAM::User', 'modified'],
    ['ModifySnapshotAttribute', 'AWS::EC2::Snapshot', 'modified'],
    ['DeleteLogGroup', 'AWS::Logs::LogGroup', 'deleted'],
    ['ListBuckets', 'AWS::S3', 'probed'],
    ['AssumeRole', 'AWS::STS', undefined],
    ['ConsoleLogin', 'AWS::SignIn', undefined],
  ])('%s is %s', (eventName, type, action) => {
    expect(classifyAction(eventName, type)).toBe(action);
  });
});

describe('parseIdentityArn', () => {
  test.each([
    ['arn:aws:iam::777777777777:user/JaneDoe', { kind: 'IAMUser', account: '777777777777', name: 'JaneDoe' }],
    ['arn:aws:iam::777777777777:user/team/ops/JaneDoe', { kind: 'IAMUser', name: 'JaneDoe' }],
    [
      'arn:aws:sts::111122223333:assumed-role/OrganizationAccountAccessRole/ops',
      {
        kind: 'Role',
        account: '111122223333',
        name: 'OrganizationAccountAccessRole',
        session: 'ops',
        arn: 'arn:aws:iam::111122223333:role/OrganizationAccountAccessRole',
      },
    ],
    ['arn:aws:sts::777777777777:federated-user/ops', { kind: 'FederatedUser', name: 'ops' }],
    ['arn:aws:iam::777777777777:root', { kind: 'Root', name: 'root' }],
    ['arn:aws-cn:iam::777777777777:role/r', { kind: 'Role', name: 'r' }],
  ])('%s', (arn, expected) => {
    expect(parseIdentityArn(arn)).toMatchObject(expected);
  });

  test('anything else is undefined', () => {
    expect(parseIdentityArn('arn:aws:s3:::DOC-EXAMPLE-BUCKET')).toBeUndefined();
    expect(parseIdentityArn(null)).toBeUndefined();
    expect(parseIdentityArn('AWS Internal')).toBeUndefined();
  });
});
