import { CfnCondition, CfnOutput, CfnParameter, Fn, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { cfnOf } from '../../constructs/containment/common';
import { UserContainment } from '../../constructs/containment/user-containment';
import { ContainmentStack } from './containment-stack';
import { CONTAINMENT_OUTPUTS, IAM_NAME_PATTERN, USER_KEY_SLOTS, USER_PARAMS } from './parameters';

/**
 * One IAM user contained: deny-all attached, up to two access keys set Inactive. Deleting the
 * stack releases it; set RestoreKeys=true (stack update) before deleting to reactivate the keys.
 */
export class UserContainmentStack extends ContainmentStack {
  public readonly containment: UserContainment;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description:
        'IR Kit containment of an IAM user: deny-all policy attached, listed access keys set Inactive',
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
    const restoreKeys = new CfnParameter(this, USER_PARAMS.restoreKeys, {
      type: 'String',
      default: 'false',
      allowedValues: ['false', 'true'],
      description: 'On delete, set the keys this stack deactivated Active again',
    });
    this.containment = new UserContainment(this, 'User', {
      incidentId: this.incidentId.valueAsString,
      userName: userName.valueAsString,
      accessKeyIds: keys.map((k) => k.valueAsString),
      restoreKeys: restoreKeys.valueAsString,
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
