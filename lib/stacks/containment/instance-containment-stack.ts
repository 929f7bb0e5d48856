import { CfnOutput, CfnParameter, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { InstanceContainment } from '../../constructs/containment/instance-containment';
import { ContainmentStack, keepSessionRevokeParameter } from './containment-stack';
import {
  CONTAINMENT_OUTPUTS,
  CONTAINMENT_TIME_PATTERN,
  INSTANCE_ID_PATTERN,
  INSTANCE_PARAMS,
} from './parameters';

/**
 * One EC2 instance isolated: a rule-less security group on its interfaces, its instance profile
 * disassociated and the role's sessions issued before ContainmentTime revoked, termination and
 * stop protection on. Delete restores the groups, the profile and the protections it changed.
 */
export class InstanceContainmentStack extends ContainmentStack {
  public readonly containment: InstanceContainment;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'IR Kit containment of an EC2 instance: isolated, credentials cut, protected',
      ...props,
    });
    const instanceId = new CfnParameter(this, INSTANCE_PARAMS.instanceId, {
      type: 'String',
      description: 'The EC2 instance to isolate (in this stack’s Region)',
      allowedPattern: INSTANCE_ID_PATTERN,
    });
    const containmentTime = new CfnParameter(this, INSTANCE_PARAMS.containmentTime, {
      type: 'String',
      description: 'ISO 8601 UTC time; sessions of the instance’s role issued before it are denied',
      allowedPattern: CONTAINMENT_TIME_PATTERN,
    });
    const keepSessionRevoke = keepSessionRevokeParameter(this, INSTANCE_PARAMS.keepSessionRevoke);
    this.containment = new InstanceContainment(this, 'Instance', {
      incidentId: this.incidentId.valueAsString,
      instanceId: instanceId.valueAsString,
      containmentTime: containmentTime.valueAsString,
      keepSessionRevoke: keepSessionRevoke.valueAsString,
    });
    const output = (key: string, description: string) =>
      new CfnOutput(this, key, { value: this.containment.isolation.getAttString(key), description });
    output(CONTAINMENT_OUTPUTS.isolationGroupId, 'The security group with no rules now on every interface');
    output(
      CONTAINMENT_OUTPUTS.originalGroups,
      'Each interface with its original groups, as release restores them',
    );
    output(
      CONTAINMENT_OUTPUTS.originalInstanceProfile,
      'The instance profile release associates again (empty: none)',
    );
  }
}
