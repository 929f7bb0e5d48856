import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

import { DEFAULT_NAMES } from '../names';
import { iamDenyAllPolicy } from '../policies/containment';
import { checkedName, POLICY_NAME_RULE } from './private/names';

export interface ContainmentPolicyProps {
  /**
   * Name of the customer managed policy. The playbook attaches it by this name, and the
   * containment stacks and `irkit contain` verification look it up by it.
   * @default 'iam-containment-policy'
   */
  readonly managedPolicyName?: string;
}

/**
 * The playbook's `iam-containment-policy`: Deny `*` on `*`, attached to a contained IAM user.
 * The document comes from lib/policies/containment.ts so that the deployed policy is the one
 * the simulator tests and the orchestrator verifies.
 */
export class ContainmentPolicy extends Construct {
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ContainmentPolicyProps = {}) {
    super(scope, id);
    const managedPolicyName = checkedName(
      'containment policy name',
      props.managedPolicyName ?? DEFAULT_NAMES.containmentPolicyName,
      POLICY_NAME_RULE,
    );
    this.policy = new iam.ManagedPolicy(this, 'Resource', {
      managedPolicyName,
      description:
        'IR Kit containment: denies every action. Attached to a contained IAM user; detached on release.',
      document: iam.PolicyDocument.fromJson(iamDenyAllPolicy()),
    });
  }
}
