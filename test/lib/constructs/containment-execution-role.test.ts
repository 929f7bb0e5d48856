import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';

import { ContainmentExecutionRole } from '../../../lib/constructs/containment-execution-role';
import { ContainmentPolicy } from '../../../lib/constructs/containment-policy';
import { nagFindings } from '../../helpers/compliance';
import { env, testApp } from '../stacks/fixtures';

function build(props: { protectedPrincipalArns?: string[]; roleName?: string } = {}) {
  const stack = new Stack(testApp(), 'S', { env });
  const policy = new ContainmentPolicy(stack, 'ContainmentPolicy');
  const execution = new ContainmentExecutionRole(stack, 'Execution', {
    containmentPolicy: policy.policy,
    ...props,
  });
  return { stack, policy, execution };
}

const statementsOf = (template: Template) =>
  Object.values(template.findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement as {
    Sid: string;
    Effect: string;
    Resource: unknown;
  }[];

describe('ContainmentExecutionRole', () => {
  it('is named for the orchestrator and trusted by CloudFormation only', () => {
    const { stack } = build();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'IrKitContainmentExecutionRole',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'cloudformation.amazonaws.com' },
          },
        ],
      },
    });
    expect(nagFindings(stack)).toEqual([]);
  });

  it('may attach and detach only the containment policy', () => {
    const { stack } = build();
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AttachOnlyTheContainmentPolicy',
            Action: ['iam:AttachUserPolicy', 'iam:DetachUserPolicy'],
            Condition: {
              ArnEquals: { 'iam:PolicyARN': { Ref: Match.stringLikeRegexp('^ContainmentPolicy') } },
            },
          }),
        ]),
      },
    });
  });

  it('always protects itself, and the roles it is told to protect, in one statement', () => {
    const { stack, execution } = build();
    const analyst = iam.Role.fromRoleName(stack, 'Analyst', 'SecurityAnalystRole');
    const breakGlass = iam.Role.fromRoleName(stack, 'BreakGlass', 'SecurityBreakGlassRole');
    execution.protectRoles(analyst);
    execution.protectRoles(breakGlass);
    const template = Template.fromStack(stack);
    const protect = statementsOf(template).filter((s) => s.Sid === 'NeverChangeIrRoles');
    expect(protect).toHaveLength(1);
    expect(protect[0].Effect).toBe('Deny');
    const [executionRoleId] = Object.keys(template.findResources('AWS::IAM::Role'));
    const resources = JSON.stringify(protect[0].Resource);
    expect(resources).toContain(JSON.stringify({ 'Fn::GetAtt': [executionRoleId, 'Arn'] }));
    expect(resources).toContain(':role/SecurityAnalystRole');
    expect(resources).toContain(':role/SecurityBreakGlassRole');
  });

  it('denies changes to principals tagged irkit:protected=true', () => {
    const { stack } = build();
    const tagged = statementsOf(Template.fromStack(stack)).find(
      (s) => s.Sid === 'NeverChangeTaggedProtected',
    );
    expect(tagged).toMatchObject({
      Effect: 'Deny',
      Condition: { StringEqualsIgnoreCase: { 'aws:ResourceTag/irkit:protected': 'true' } },
    });
  });

  it('denies changes to the configured protected principals, only when there are some', () => {
    const arn = 'arn:aws:iam::777777777777:role/OrgAdmin';
    const withSome = statementsOf(Template.fromStack(build({ protectedPrincipalArns: [arn] }).stack));
    expect(withSome.find((s) => s.Sid === 'NeverChangeProtectedPrincipals')).toMatchObject({
      Effect: 'Deny',
      Resource: arn,
    });
    const withNone = statementsOf(Template.fromStack(build().stack));
    expect(withNone.find((s) => s.Sid === 'NeverChangeProtectedPrincipals')).toBeUndefined();
  });

  it('refuses an invalid role name', () => {
    expect(() => build({ roleName: 'role/with/slashes' })).toThrow(
      expect.objectContaining({ code: 'IRKIT_CONFIG' }),
    );
  });
});
