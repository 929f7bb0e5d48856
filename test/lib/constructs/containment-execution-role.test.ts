import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

import { ContainmentExecutionRole } from '../../../lib/constructs/containment-execution-role';
import { nagFindings } from '../../helpers/compliance';
import { env, testApp } from '../stacks/fixtures';

function build(props: { roleName?: string } = {}) {
  const stack = new Stack(testApp(), 'S', { env });
  const execution = new ContainmentExecutionRole(stack, 'Execution', props);
  return { stack, execution };
}

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

  it('may only invoke the containment handler: no IAM or S3 write of its own, whatever a template asks', () => {
    const { stack } = build();
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Sid: 'InvokeTheContainmentHandler',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: 'arn:aws:lambda:us-east-1:777777777777:function:irkit-contain-handler',
      },
    ]);
  });

  it('refuses an invalid role name', () => {
    expect(() => build({ roleName: 'role/with/slashes' })).toThrow(
      expect.objectContaining({ code: 'IRKIT_CONFIG' }),
    );
  });
});
