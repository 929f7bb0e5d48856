import { Template } from 'aws-cdk-lib/assertions';

import { ACCOUNT, accessFixture, REGION } from '../stacks/fixtures';
import { decide, DeployedTemplate, PolicyDocument, Template as Json } from './template-policies';

/**
 * What containment may change, asked of the simulator: CloudFormation's execution role only
 * invokes the containment handler; the handler's role holds the IAM and S3 permissions, with
 * the protections.
 */

const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const EXECUTION_ROLE = role('IrKitContainmentExecutionRole');
const HANDLER_ROLE = role('IrKitContainmentHandlerRole');
const CONTAINMENT_POLICY = `arn:aws:iam::${ACCOUNT}:policy/iam-containment-policy`;

let execution: { name: string; policy: PolicyDocument }[];
let handler: { name: string; policy: PolicyDocument }[];
let deployed: DeployedTemplate;

beforeAll(() => {
  const fixture = accessFixture({ protectedPrincipals: ['ci-deployer'] });
  deployed = new DeployedTemplate(Template.fromStack(fixture.stack).toJSON() as Json, fixture.deployment);
  execution = deployed.identityPolicies(deployed.logicalId('AWS::IAM::Role', 'ContainmentExecutionRole'));
  handler = deployed.identityPolicies(deployed.logicalId('AWS::IAM::Role', 'ContainmentHandlerRole'));
});

const asExecution = (action: string, resource: string, context: Record<string, string> = {}) =>
  decide({ principal: EXECUTION_ROLE, action, resource, identityPolicies: execution, context });
const asHandler = (action: string, resource: string, context: Record<string, string> = {}) =>
  decide({ principal: HANDLER_ROLE, action, resource, identityPolicies: handler, context });

describe('containment execution role', () => {
  it('invokes the containment handler and no other function', async () => {
    expect(await asExecution('lambda:InvokeFunction', fn('irkit-contain-handler'))).toBe('Allowed');
    expect(await asExecution('lambda:InvokeFunction', fn('payments'))).toBe('ImplicitlyDenied');
  });

  it('cannot write IAM or S3 itself, so a crafted template cannot escalate through it', async () => {
    expect(await asExecution('iam:PutRolePolicy', role('AppRole'))).toBe('ImplicitlyDenied');
    expect(
      await asExecution('iam:AttachUserPolicy', user('JaneDoe'), { 'iam:PolicyARN': CONTAINMENT_POLICY }),
    ).toBe('ImplicitlyDenied');
    expect(await asExecution('iam:UpdateAccessKey', user('JaneDoe'))).toBe('ImplicitlyDenied');
    expect(await asExecution('s3:PutBucketPolicy', 'arn:aws:s3:::DOC-EXAMPLE-BUCKET')).toBe(
      'ImplicitlyDenied',
    );
  });

  it('is trusted by CloudFormation only', () => {
    const trust = deployed.trustPolicy(deployed.logicalId('AWS::IAM::Role', 'ContainmentExecutionRole'));
    expect(trust.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' } },
    ]);
  });
});

describe('containment handler role', () => {
  it('attaches and detaches the containment policy on a user, and no other policy', async () => {
    for (const action of ['iam:AttachUserPolicy', 'iam:DetachUserPolicy']) {
      expect(await asHandler(action, user('JaneDoe'), { 'iam:PolicyARN': CONTAINMENT_POLICY })).toBe(
        'Allowed',
      );
    }
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
    expect(await asHandler('iam:AttachUserPolicy', user('JaneDoe'), { 'iam:PolicyARN': admin })).toBe(
      'ImplicitlyDenied',
    );
  });

  it("deactivates a user's access keys", async () => {
    expect(await asHandler('iam:UpdateAccessKey', user('JorgeSouza'))).toBe('Allowed');
    expect(await asHandler('iam:ListAccessKeys', user('JorgeSouza'))).toBe('Allowed');
  });

  it('puts and deletes the revoke-older-sessions inline policy on an ordinary role', async () => {
    expect(await asHandler('iam:PutRolePolicy', role('AppRole'))).toBe('Allowed');
    expect(await asHandler('iam:DeleteRolePolicy', role('AppRole'))).toBe('Allowed');
  });

  it.each([
    'SecurityAnalystRole',
    'SecurityAdminRole',
    'SecurityDeployRole',
    'SecurityBreakGlassRole',
    'IrKitContainmentExecutionRole',
    'IrKitContainmentHandlerRole',
  ])('never changes the IR or kit role %s', async (name) => {
    expect(await asHandler('iam:PutRolePolicy', role(name))).toBe('ExplicitlyDenied');
  });

  it('never changes a principal tagged irkit:protected=true', async () => {
    const tagged = { 'aws:ResourceTag/irkit:protected': 'true' };
    expect(await asHandler('iam:PutRolePolicy', role('AppRole'), tagged)).toBe('ExplicitlyDenied');
    expect(await asHandler('iam:UpdateAccessKey', user('JaneDoe'), tagged)).toBe('ExplicitlyDenied');
    expect(
      await asHandler('iam:AttachUserPolicy', user('JaneDoe'), {
        ...tagged,
        'iam:PolicyARN': CONTAINMENT_POLICY,
      }),
    ).toBe('ExplicitlyDenied');
  });

  it('never changes a principal the config protects, as user or role', async () => {
    expect(await asHandler('iam:UpdateAccessKey', user('ci-deployer'))).toBe('ExplicitlyDenied');
    expect(await asHandler('iam:PutRolePolicy', role('ci-deployer'))).toBe('ExplicitlyDenied');
  });

  it('reads, replaces and deletes bucket policies', async () => {
    for (const action of ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy']) {
      expect(await asHandler(action, 'arn:aws:s3:::DOC-EXAMPLE-BUCKET')).toBe('Allowed');
    }
  });

  it('cannot do anything else, e.g. delete users, create keys, read objects or pass roles', async () => {
    expect(await asHandler('iam:DeleteUser', user('JaneDoe'))).toBe('ImplicitlyDenied');
    expect(await asHandler('iam:CreateAccessKey', user('JaneDoe'))).toBe('ImplicitlyDenied');
    expect(await asHandler('iam:PassRole', role('AppRole'))).toBe('ImplicitlyDenied');
    expect(await asHandler('s3:GetObject', 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/stuff')).toBe('ImplicitlyDenied');
  });

  describe('instances', () => {
    const ec2 = (resource: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${resource}`;
    const INSTANCE = ec2('instance/i-0123456789abcdef0');
    const GROUP = ec2('security-group/sg-0123456789abcdef0');
    const isolation = { 'aws:ResourceTag/irkit:isolation': 'true' };

    it('creates a security group only with the irkit:isolation tag, and tags only while creating', async () => {
      expect(await asHandler('ec2:CreateSecurityGroup', ec2('vpc/vpc-1a2b3c4d'))).toBe('Allowed');
      expect(
        await asHandler('ec2:CreateSecurityGroup', GROUP, { 'aws:RequestTag/irkit:isolation': 'true' }),
      ).toBe('Allowed');
      expect(await asHandler('ec2:CreateSecurityGroup', GROUP)).toBe('ImplicitlyDenied');
      expect(await asHandler('ec2:CreateTags', GROUP, { 'ec2:CreateAction': 'CreateSecurityGroup' })).toBe(
        'Allowed',
      );
      expect(await asHandler('ec2:CreateTags', GROUP)).toBe('ImplicitlyDenied');
      expect(await asHandler('ec2:CreateTags', INSTANCE)).toBe('ImplicitlyDenied');
    });

    it('empties and deletes only isolation groups, and never opens one', async () => {
      for (const action of ['ec2:RevokeSecurityGroupEgress', 'ec2:DeleteSecurityGroup']) {
        expect(await asHandler(action, GROUP, isolation)).toBe('Allowed');
        expect(await asHandler(action, GROUP)).toBe('ImplicitlyDenied');
      }
      expect(await asHandler('ec2:AuthorizeSecurityGroupIngress', GROUP, isolation)).toBe('ImplicitlyDenied');
      expect(await asHandler('ec2:AuthorizeSecurityGroupEgress', GROUP, isolation)).toBe('ImplicitlyDenied');
    });

    it('swaps interface groups, protects the instance and cuts its profile; never stops or terminates it', async () => {
      expect(
        await asHandler('ec2:ModifyNetworkInterfaceAttribute', ec2('network-interface/eni-0a1b2c3d')),
      ).toBe('Allowed');
      for (const action of [
        'ec2:ModifyInstanceAttribute',
        'ec2:DisassociateIamInstanceProfile',
        'ec2:AssociateIamInstanceProfile',
      ]) {
        expect(await asHandler(action, INSTANCE)).toBe('Allowed');
        expect(await asHandler(action, INSTANCE, { 'aws:ResourceTag/irkit:protected': 'true' })).toBe(
          'ExplicitlyDenied',
        );
      }
      for (const action of ['ec2:TerminateInstances', 'ec2:StopInstances', 'ec2:RunInstances']) {
        expect(await asHandler(action, INSTANCE)).toBe('ImplicitlyDenied');
      }
    });

    it('passes a role only to EC2 (release associates the profile again), never an IR role', async () => {
      const toEc2 = { 'iam:PassedToService': 'ec2.amazonaws.com', 'iam:AssociatedResourceArn': INSTANCE };
      expect(await asHandler('iam:PassRole', role('WebAppRole'), toEc2)).toBe('Allowed');
      expect(
        await asHandler('iam:PassRole', role('WebAppRole'), {
          'iam:PassedToService': 'lambda.amazonaws.com',
        }),
      ).toBe('ImplicitlyDenied');
      expect(
        await asHandler('iam:PassRole', role('WebAppRole'), {
          ...toEc2,
          'iam:AssociatedResourceArn': `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
        }),
      ).toBe('ImplicitlyDenied');
      expect(await asHandler('iam:PassRole', role('SecurityBreakGlassRole'), toEc2)).toBe('ExplicitlyDenied');
      expect(
        await asHandler('iam:GetInstanceProfile', `arn:aws:iam::${ACCOUNT}:instance-profile/WebAppProfile`),
      ).toBe('Allowed');
    });
  });

  it('is assumed by Lambda only', () => {
    const trust = deployed.trustPolicy(deployed.logicalId('AWS::IAM::Role', 'ContainmentHandlerRole'));
    expect(trust.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
  });
});
