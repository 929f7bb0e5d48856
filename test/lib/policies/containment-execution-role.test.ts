import { Template } from 'aws-cdk-lib/assertions';

import { ACCOUNT, accessFixture, REGION } from '../stacks/fixtures';
import { decide, DeployedTemplate, PolicyDocument, Template as Json } from './template-policies';

/** What CloudFormation may do with the containment execution role, asked of the simulator. */

const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const EXECUTION_ROLE = role('IrKitContainmentExecutionRole');
const CONTAINMENT_POLICY = `arn:aws:iam::${ACCOUNT}:policy/iam-containment-policy`;

let policies: { name: string; policy: PolicyDocument }[];
let deployed: DeployedTemplate;

beforeAll(() => {
  const fixture = accessFixture({ protectedPrincipals: ['ci-deployer'] });
  deployed = new DeployedTemplate(Template.fromStack(fixture.stack).toJSON() as Json, fixture.deployment);
  policies = deployed.identityPolicies(deployed.logicalId('AWS::IAM::Role', 'ContainmentExecutionRole'));
});

const ask = (action: string, resource: string, context: Record<string, string> = {}) =>
  decide({ principal: EXECUTION_ROLE, action, resource, identityPolicies: policies, context });

describe('containment execution role', () => {
  it('attaches and detaches the containment policy on a user', async () => {
    for (const action of ['iam:AttachUserPolicy', 'iam:DetachUserPolicy']) {
      expect(await ask(action, user('JaneDoe'), { 'iam:PolicyARN': CONTAINMENT_POLICY })).toBe('Allowed');
    }
  });

  it('cannot attach any other policy', async () => {
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
    expect(await ask('iam:AttachUserPolicy', user('JaneDoe'), { 'iam:PolicyARN': admin })).toBe(
      'ImplicitlyDenied',
    );
  });

  it("deactivates a user's access keys", async () => {
    expect(await ask('iam:UpdateAccessKey', user('JorgeSouza'))).toBe('Allowed');
    expect(await ask('iam:ListAccessKeys', user('JorgeSouza'))).toBe('Allowed');
  });

  it('puts and deletes the revoke-older-sessions inline policy on an ordinary role', async () => {
    expect(await ask('iam:PutRolePolicy', role('AppRole'))).toBe('Allowed');
    expect(await ask('iam:DeleteRolePolicy', role('AppRole'))).toBe('Allowed');
  });

  it.each([
    'SecurityAnalystRole',
    'SecurityAdminRole',
    'SecurityDeployRole',
    'SecurityBreakGlassRole',
    'IrKitContainmentExecutionRole',
  ])('never changes the IR role %s', async (name) => {
    expect(await ask('iam:PutRolePolicy', role(name))).toBe('ExplicitlyDenied');
  });

  it('never changes a principal tagged irkit:protected=true', async () => {
    const tagged = { 'aws:ResourceTag/irkit:protected': 'true' };
    expect(await ask('iam:PutRolePolicy', role('AppRole'), tagged)).toBe('ExplicitlyDenied');
    expect(await ask('iam:UpdateAccessKey', user('JaneDoe'), tagged)).toBe('ExplicitlyDenied');
    expect(
      await ask('iam:AttachUserPolicy', user('JaneDoe'), { ...tagged, 'iam:PolicyARN': CONTAINMENT_POLICY }),
    ).toBe('ExplicitlyDenied');
  });

  it('never changes a principal the config protects, as user or role', async () => {
    expect(await ask('iam:UpdateAccessKey', user('ci-deployer'))).toBe('ExplicitlyDenied');
    expect(await ask('iam:PutRolePolicy', role('ci-deployer'))).toBe('ExplicitlyDenied');
  });

  it('reads, replaces and deletes bucket policies', async () => {
    for (const action of ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy']) {
      expect(await ask(action, 'arn:aws:s3:::DOC-EXAMPLE-BUCKET')).toBe('Allowed');
    }
  });

  it('invokes only irkit-contain-* functions', async () => {
    const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    expect(await ask('lambda:InvokeFunction', fn('irkit-contain-bucket-handler'))).toBe('Allowed');
    expect(await ask('lambda:InvokeFunction', fn('payments'))).toBe('ImplicitlyDenied');
  });

  it('cannot do anything else, e.g. delete users or create keys', async () => {
    expect(await ask('iam:DeleteUser', user('JaneDoe'))).toBe('ImplicitlyDenied');
    expect(await ask('iam:CreateAccessKey', user('JaneDoe'))).toBe('ImplicitlyDenied');
    expect(await ask('s3:GetObject', 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/stuff')).toBe('ImplicitlyDenied');
  });

  it('is trusted by CloudFormation only', () => {
    const trust = deployed.trustPolicy(deployed.logicalId('AWS::IAM::Role', 'ContainmentExecutionRole'));
    expect(trust.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' } },
    ]);
  });
});
