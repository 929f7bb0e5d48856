import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

import { ContainmentPolicy } from '../../../lib/constructs/containment-policy';
import { iamDenyAllPolicy } from '../../../lib/policies/containment';
import { nagFindings } from '../../helpers/compliance';
import { env, testApp } from '../stacks/fixtures';

describe('ContainmentPolicy', () => {
  it("creates the playbook's iam-containment-policy from the shared document", () => {
    const stack = new Stack(testApp(), 'S', { env });
    new ContainmentPolicy(stack, 'ContainmentPolicy');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'iam-containment-policy',
      PolicyDocument: { Version: '2012-10-17', Statement: iamDenyAllPolicy().Statement },
    });
    expect(nagFindings(stack)).toEqual([]);
  });

  it('takes another name', () => {
    const stack = new Stack(testApp(), 'S', { env });
    new ContainmentPolicy(stack, 'ContainmentPolicy', { managedPolicyName: 'ir-deny-all' });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'ir-deny-all',
    });
  });

  it('refuses a name IAM would refuse, naming it', () => {
    const stack = new Stack(testApp(), 'S', { env });
    expect(() => new ContainmentPolicy(stack, 'P', { managedPolicyName: 'deny all' })).toThrow(
      expect.objectContaining({ code: 'IRKIT_CONFIG', message: expect.stringContaining('"deny all"') }),
    );
  });
});
