import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

import { BucketContainment } from '../../../../lib/constructs/containment/bucket-containment';
import { RoleContainment } from '../../../../lib/constructs/containment/role-containment';
import { UserContainment } from '../../../../lib/constructs/containment/user-containment';

function stack(): Stack {
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:disable-stack-trace': true },
  });
  return new Stack(app, 'S', { env: { account: '777777777777', region: 'us-east-1' } });
}

const TOKEN = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':lambda:us-east-1:777777777777:function:irkit-contain-handler'],
  ],
};

describe('UserContainment', () => {
  it('denies all to the user and deactivates each listed key, keys kept Inactive on release by default', () => {
    const s = stack();
    const c = new UserContainment(s, 'User', {
      incidentId: 'IR-1',
      userName: 'JorgeSouza',
      containmentTime: '2021-07-26T00:37:18Z',
      accessKeyIds: ['AKIAIOSFODNN7EXAMPLE'],
    });
    const t = Template.fromStack(s);
    t.hasResourceProperties('Custom::IrKitUserDeny', {
      ServiceToken: TOKEN,
      IncidentId: 'IR-1',
      UserName: 'JorgeSouza',
      ContainmentTime: '2021-07-26T00:37:18Z',
      KeepSessionRevoke: 'true',
    });
    t.resourceCountIs('Custom::IrKitAccessKey', 1);
    t.hasResourceProperties('Custom::IrKitAccessKey', {
      UserName: 'JorgeSouza',
      AccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      RestoreKeyIds: '',
    });
    expect(c.accessKeys).toHaveLength(1);
  });

  it('with no keys listed, only denies', () => {
    const s = stack();
    new UserContainment(s, 'User', {
      incidentId: 'IR-1',
      userName: 'JaneDoe',
      containmentTime: '2021-07-26T00:37:18Z',
      serviceToken: 'arn:custom',
    });
    const t = Template.fromStack(s);
    t.resourceCountIs('Custom::IrKitAccessKey', 0);
    t.hasResourceProperties('Custom::IrKitUserDeny', { ServiceToken: 'arn:custom' });
  });
});

describe('RoleContainment', () => {
  it('revokes the role’s sessions issued before the containment time', () => {
    const s = stack();
    new RoleContainment(s, 'Role', {
      incidentId: 'IR-1',
      roleName: 'AppRole',
      containmentTime: '2021-07-26T00:37:18Z',
    });
    Template.fromStack(s).hasResourceProperties('Custom::IrKitRoleSessions', {
      ServiceToken: TOKEN,
      RoleName: 'AppRole',
      ContainmentTime: '2021-07-26T00:37:18Z',
      RoleMode: 'revoke',
      KeepSessionRevoke: 'true',
    });
  });
});

describe('BucketContainment', () => {
  it('hands the handler the bucket, the break-glass role and the original policy to restore', () => {
    const s = stack();
    new BucketContainment(s, 'Bucket', {
      incidentId: 'IR-1',
      bucketName: 'DOC-EXAMPLE-BUCKET',
      breakGlassRoleArn: 'arn:aws:iam::777777777777:role/SecurityBreakGlassRole',
      originalPolicy: '',
      originalPolicyPresent: 'false',
    });
    Template.fromStack(s).hasResourceProperties('Custom::IrKitBucketPolicy', {
      BucketName: 'DOC-EXAMPLE-BUCKET',
      BreakGlassRoleArn: 'arn:aws:iam::777777777777:role/SecurityBreakGlassRole',
      OriginalPolicy: '',
      OriginalPolicyPresent: 'false',
    });
  });
});
