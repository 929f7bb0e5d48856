import { CfnCondition, CfnOutput, CfnParameter, Fn, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { cfnOf } from '../../constructs/containment/common';
import { UserContainment } from '../../constructs/containment/user-containment';
import { ContainmentStack, keepSessionRevokeParameter } from './containment-stack';
import {
  CONTAINMENT_OUTPUTS,
  CONTAINMENT_TIME_PATTERN,
  IAM_NAME_PATTERN,
  KEY_LIST_PATTERN,
  USER_KEY_SLOTS,
  USER_PARAMS,
} from './parameters';

/**
 * One IAM user contained: deny-all attached, older sessions revoked, up to two access keys set
 * Inactive. Deleting the stack releases it; set RestoreKeyIds (stack update) before deleting to
 * reactivate named keys, KeepSessionRevoke=false to lift the revoke too.
 */
export class UserContainmentStack extends ContainmentStack {
  public readonly containment: UserContainment;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description:
        'IR Kit containment of an IAM user: deny-all policy attached, older sessions revoked, listed access keys set Inactive',
      ...props,
    });
    const userName = new CfnParameter(this, USER_PARAMS.userName, {
      type: 'String',
      description: 'The IAM user to contain',
      allowedPattern: IAM_NAME_PATTERN,
    });
    const keys = USER_KEY_SLOTS.map(
      (name) =>
        new CfnParameter(this, name, {
          type: 'String',
          default: '',
          description: 'An access key id of the user to set Inactive, or empty',
          allowedPattern: '^(AKIA[A-Z0-9]{16})?$',
        }),
    );
    const containmentTime = new CfnParameter(this, USER_PARAMS.containmentTime, {
      type: 'String',
      description: 'ISO 8601 UTC time; sessions the user minted before it stay denied, also after release',
      allowedPattern: CONTAINMENT_TIME_PATTERN,
    });
    const restoreKeyIds = new CfnParameter(this, USER_PARAMS.restoreKeyIds, {
      type: 'String',
      default: '',
      description:
        'On delete, set these keys Active again (comma-separated; only keys this stack deactivated)',
      allowedPattern: KEY_LIST_PATTERN,
    });
    const keepSessionRevoke = keepSessionRevokeParameter(this, USER_PARAMS.keepSessionRevoke);
    this.containment = new UserContainment(this, 'User', {
      incidentId: this.incidentId.valueAsString,
      userName: userName.valueAsString,
      containmentTime: containmentTime.valueAsString,
      accessKeyIds: keys.map((k) => k.valueAsString),
      restoreKeyIds: restoreKeyIds.valueAsString,
      keepSessionRevoke: keepSessionRevoke.valueAsString,
    });
    this.containment.accessKeys.forEach((resource, i) => {
      cfnOf(resource).cfnOptions.condition = new CfnCondition(this, `Has${USER_KEY_SLOTS[i]}`, {
        expression: Fn.conditionNot(Fn.conditionEquals(keys[i].valueAsString, '')),
      });
    });
    new CfnOutput(this, CONTAINMENT_OUTPUTS.denyMode, {
      value: this.containment.denyAll.getAttString('Mode'),
      description:
        'managed: iam-containment-policy attached; inline: same deny inline; preexisting: was attached before',
    });
  }
}
