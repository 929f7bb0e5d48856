import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';

import { applyCompliance } from '../../../../lib/compliance';
import { BucketContainmentStack } from '../../../../lib/stacks/containment/bucket-containment-stack';
import { RoleContainmentStack } from '../../../../lib/stacks/containment/role-containment-stack';
import { containmentTemplates, TEMPLATE_BODY_MAX_BYTES } from '../../../../lib/stacks/containment/templates';
import { UserContainmentStack } from '../../../../lib/stacks/containment/user-containment-stack';

const HANDLER_ARN = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':lambda:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':function:irkit-contain-handler',
    ],
  ],
};

const templates = containmentTemplates();

describe.each(['user', 'role', 'bucket'] as const)('the %s containment template', (kind) => {
  const { body, template } = templates[kind];
  const t = Template.fromJSON(template);

  it('fits CloudFormation’s inline body limit with room to spare', () => {
    expect(Buffer.byteLength(body)).toBeLessThan(TEMPLATE_BODY_MAX_BYTES / 4);
  });

  it('is self-contained: no bootstrap, no assets, no CDK metadata, no code of its own', () => {
    expect(template.Parameters).not.toHaveProperty('BootstrapVersion');
    expect(template).not.toHaveProperty('Rules');
    t.resourceCountIs('AWS::CDK::Metadata', 0);
    t.resourceCountIs('AWS::Lambda::Function', 0);
    t.resourceCountIs('AWS::IAM::Role', 0);
    expect(body).not.toMatch(/cdk-hnb659fds|AssetParameters|aws:asset/);
  });

  it('sends every custom resource to the handler of its own account and Region', () => {
    for (const resource of Object.values(
      template.Resources as Record<string, { Type: string; Properties: object }>,
    )) {
      expect(resource.Type).toMatch(/^Custom::IrKit/);
      expect(resource.Properties).toMatchObject({
        ServiceToken: HANDLER_ARN,
        IncidentId: { Ref: 'IncidentId' },
      });
      // A handler that never answers fails the stack in 15 minutes, not CloudFormation's hour.
      expect(Number((resource.Properties as { ServiceTimeout?: unknown }).ServiceTimeout)).toBe(900);
    }
  });

  it('takes the incident id as a validated parameter', () => {
    t.hasParameter('IncidentId', { Type: 'String', AllowedPattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,39}$' });
  });
});

describe('user containment template', () => {
  const t = Template.fromJSON(templates.user.template);

  it('denies all to the user named by a parameter', () => {
    t.hasParameter('UserName', { AllowedPattern: '^[A-Za-z0-9+=,.@_-]{1,64}$' });
    t.hasResourceProperties('Custom::IrKitUserDeny', { UserName: { Ref: 'UserName' } });
  });

  it('has two optional key slots (IAM allows two keys per user), each deactivated only when given', () => {
    for (const slot of ['AccessKeyId1', 'AccessKeyId2']) {
      t.hasParameter(slot, { Default: '', AllowedPattern: '^(AKIA[A-Z0-9]{16})?$' });
      t.hasResource('Custom::IrKitAccessKey', {
        Condition: `Has${slot}`,
        Properties: Match.objectLike({ AccessKeyId: { Ref: slot }, RestoreKeyIds: { Ref: 'RestoreKeyIds' } }),
      });
      t.hasCondition(`Has${slot}`, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: slot }, ''] }] });
    }
    t.hasParameter('RestoreKeyIds', { Default: '', AllowedPattern: Match.stringLikeRegexp('AKIA') });
  });

  it('revokes the user’s older sessions, and keeps that revoke after release unless asked', () => {
    t.hasResourceProperties('Custom::IrKitUserDeny', {
      ContainmentTime: { Ref: 'ContainmentTime' },
      KeepSessionRevoke: { Ref: 'KeepSessionRevoke' },
    });
    t.hasParameter('KeepSessionRevoke', { Default: 'true', AllowedValues: ['true', 'false'] });
  });
});

describe('role containment template', () => {
  const t = Template.fromJSON(templates.role.template);

  it('revokes sessions older than a validated containment time, and holds no deny-all of its own', () => {
    t.hasParameter('ContainmentTime', { AllowedPattern: Match.stringLikeRegexp('T') });
    t.hasResourceProperties('Custom::IrKitRoleSessions', {
      RoleName: { Ref: 'RoleName' },
      ContainmentTime: { Ref: 'ContainmentTime' },
      RoleMode: { Ref: 'RoleMode' },
      KeepSessionRevoke: { Ref: 'KeepSessionRevoke' },
    });
    t.hasParameter('RoleMode', { Default: 'revoke', AllowedValues: ['revoke', 'deny-all'] });
    t.resourceCountIs('AWS::IAM::Policy', 0);
    t.resourceCountIs('AWS::IAM::RolePolicy', 0);
  });
});

describe('bucket containment template', () => {
  const t = Template.fromJSON(templates.bucket.template);

  it('keeps the original policy in six 4 KB parameters, joined for the handler', () => {
    const parts = [1, 2, 3, 4, 5, 6].map((i) => `OriginalPolicy${i}`);
    for (const part of parts) t.hasParameter(part, { Default: '', MaxLength: 4096 });
    t.hasParameter('OriginalPolicyPresent', { AllowedValues: ['false', 'true'] });
    t.hasResourceProperties('Custom::IrKitBucketPolicy', {
      BucketName: { Ref: 'BucketName' },
      BreakGlassRoleArn: { Ref: 'BreakGlassRoleArn' },
      OriginalPolicyPresent: { Ref: 'OriginalPolicyPresent' },
      OriginalPolicy: { 'Fn::Join': ['', parts.map((p) => ({ Ref: p }))] },
    });
  });
});

describe('cdk-nag over the containment stacks', () => {
  it('finds nothing to acknowledge', () => {
    const app = new App({
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:disable-stack-trace': true },
    });
    applyCompliance(app);
    const stacks = [
      new UserContainmentStack(app, 'User'),
      new RoleContainmentStack(app, 'Role'),
      new BucketContainmentStack(app, 'Bucket'),
    ];
    // Template.fromStack fails on any unacknowledged finding.
    for (const stack of stacks) expect(() => Template.fromStack(stack)).not.toThrow();
    expect(JSON.stringify(stacks.map((s) => Template.fromStack(s).toJSON()))).not.toContain(
      'rules_to_suppress',
    );
  });
});
