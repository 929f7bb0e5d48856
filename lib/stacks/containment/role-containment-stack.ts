import { CfnOutput, CfnParameter, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { RoleContainment } from '../../constructs/containment/role-containment';
import { ContainmentStack, keepSessionRevokeParameter } from './containment-stack';
import {
  CONTAINMENT_OUTPUTS,
  CONTAINMENT_TIME_PATTERN,
  IAM_NAME_PATTERN,
  ROLE_MODES,
  ROLE_PARAMS,
} from './parameters';

/**
 * One role contained: sessions issued before ContainmentTime are denied everything (and stay
 * so after release unless KeepSessionRevoke=false); a rogue role (RoleMode=deny-all) also gets
 * the deny-all.
 */
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
      allowedPattern: CONTAINMENT_TIME_PATTERN,
    });
    const roleMode = new CfnParameter(this, ROLE_PARAMS.roleMode, {
      type: 'String',
      default: 'revoke',
      allowedValues: [...ROLE_MODES],
      description:
        'revoke: a shared role the actor assumed; deny-all: a rogue role the actor created or re-trusted',
    });
    const keepSessionRevoke = keepSessionRevokeParameter(this, ROLE_PARAMS.keepSessionRevoke);
    this.containment = new RoleContainment(this, 'Role', {
      incidentId: this.incidentId.valueAsString,
      roleName: roleName.valueAsString,
      containmentTime: containmentTime.valueAsString,
      roleMode: roleMode.valueAsString,
      keepSessionRevoke: keepSessionRevoke.valueAsString,
    });
    new CfnOutput(this, CONTAINMENT_OUTPUTS.policyName, {
      value: this.containment.revokeOlderSessions.getAttString('PolicyName'),
      description: 'The inline policy on the role that revokes its older sessions',
    });
    new CfnOutput(this, CONTAINMENT_OUTPUTS.roleMode, {
      value: this.containment.revokeOlderSessions.getAttString('Mode'),
      description: 'revoke: older sessions revoked; deny-all: also the containment policy (a rogue role)',
    });
  }
}
