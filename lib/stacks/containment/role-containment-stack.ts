import { CfnOutput, CfnParameter, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { RoleContainment } from '../../constructs/containment/role-containment';
import { ContainmentStack } from './containment-stack';
import { CONTAINMENT_OUTPUTS, IAM_NAME_PATTERN, ROLE_PARAMS } from './parameters';

/** One role's older sessions revoked: sessions issued before ContainmentTime are denied everything. */
export class RoleContainmentStack extends ContainmentStack {
  public readonly containment: RoleContainment;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description:
        'IR Kit containment of an IAM role: sessions issued before the containment time are denied',
      ...props,
    });
    const roleName = new CfnParameter(this, ROLE_PARAMS.roleName, {
      type: 'String',
      description: 'The IAM role whose older sessions to revoke',
      allowedPattern: IAM_NAME_PATTERN,
    });
    const containmentTime = new CfnParameter(this, ROLE_PARAMS.containmentTime, {
      type: 'String',
      description: 'ISO 8601 UTC time; sessions issued before it are denied',
      allowedPattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?Z$',
    });
    this.containment = new RoleContainment(this, 'Role', {
      incidentId: this.incidentId.valueAsString,
      roleName: roleName.valueAsString,
      containmentTime: containmentTime.valueAsString,
    });
    new CfnOutput(this, CONTAINMENT_OUTPUTS.policyName, {
      value: this.containment.revokeOlderSessions.getAttString('PolicyName'),
      description: 'The inline policy on the role that revokes its older sessions',
    });
  }
}
