import { describeResources, isCredentialEvent } from '../../../../orchestrator/investigate/private/resources';
import { Json } from '../../../../orchestrator/investigate/private/resources';

const call = (eventSource: string, eventName: string, request: Json, response: Json = null) =>
  describeResources({
    eventSource,
    eventName,
    request,
    response,
    region: 'us-east-1',
    account: '777777777777',
  });

describe('describeResources names resources inside arrays and nested parameters', () => {
  test('SSM SendCommand: every instance of instanceIds and targets', () => {
    expect(
      call('ssm.amazonaws.com', 'SendCommand', {
        instanceIds: ['i-1'],
        targets: [{ key: 'InstanceIds', values: ['i-2', 'i-1'] }],
        documentName: 'AWS-RunShellScript',
      }),
    ).toEqual([
      { type: 'AWS::EC2::Instance', name: 'i-1', detail: 'SendCommand AWS-RunShellScript' },
      { type: 'AWS::EC2::Instance', name: 'i-2', detail: 'SendCommand AWS-RunShellScript' },
    ]);
  });

  test('RunInstances: each instance started, with its instance profile', () => {
    expect(
      call(
        'ec2.amazonaws.com',
        'RunInstances',
        { iamInstanceProfile: { arn: 'arn:aws:iam::777777777777:instance-profile/Web' } },
        { instancesSet: { items: [{ instanceId: 'i-1' }, { instanceId: 'i-2' }] } },
      ).map((r) => [r.name, r.detail]),
    ).toEqual([
      ['i-1', 'instance profile arn:aws:iam::777777777777:instance-profile/Web'],
      ['i-2', 'instance profile arn:aws:iam::777777777777:instance-profile/Web'],
    ]);
  });

  test('ModifyImageAttribute: the accounts it shares with, and public', () => {
    expect(
      call('ec2.amazonaws.com', 'ModifyImageAttribute', {
        imageId: 'ami-1',
        launchPermission: { add: { items: [{ userId: '111122223333' }, { group: 'all' }] } },
      })[0].detail,
    ).toBe('shared with account 111122223333; made public (group all)');
  });

  test('AuthorizeSecurityGroupIngress: the rules opened', () => {
    expect(
      call('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', {
        groupId: 'sg-1',
        ipPermissions: {
          items: [
            { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } },
          ],
        },
      }),
    ).toEqual([{ type: 'AWS::EC2::SecurityGroup', name: 'sg-1', detail: 'ingress tcp 22 from 0.0.0.0/0' }]);
  });

  test('PutBucketPolicy and PutBucketAcl that make a bucket public', () => {
    const policy = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] };
    expect(
      call('s3.amazonaws.com', 'PutBucketPolicy', { bucketName: 'b', bucketPolicy: policy })[0].detail,
    ).toMatch(/makes the bucket public/);
    const acl = {
      bucketName: 'b',
      AccessControlPolicy: {
        AccessControlList: { Grant: { Grantee: { URI: 'http://acs.amazonaws.com/groups/global/AllUsers' } } },
      },
    };
    expect(call('s3.amazonaws.com', 'PutBucketAcl', acl)[0].detail).toBe(
      'makes it public (ACL grant to AllUsers)',
    );
    expect(
      call('s3.amazonaws.com', 'PutBucketAcl', { bucketName: 'b', 'x-amz-acl': 'private' })[0].detail,
    ).toBe(undefined);
  });

  test('Lambda function created with its role', () => {
    expect(
      call('lambda.amazonaws.com', 'CreateFunction20150331', {
        functionName: 'f',
        role: 'arn:aws:iam::1:role/r',
      }),
    ).toEqual([{ type: 'AWS::Lambda::Function', name: 'f', detail: 'runs as arn:aws:iam::1:role/r' }]);
  });

  test('credential-minting calls are their own class', () => {
    for (const e of [
      'AssumeRole',
      'AssumeRoleWithSAML',
      'GetSessionToken',
      'GetFederationToken',
      'CreateAccessKey',
      'CreateLoginProfile',
      'UpdateLoginProfile',
    ])
      expect(isCredentialEvent(e)).toBe(true);
    expect(isCredentialEvent('GetCallerIdentity')).toBe(false);
  });
});
