import { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { ContainmentBaseProps, handlerFunctionArn, RESOURCE_TYPES } from './common';

export interface UserContainmentProps extends ContainmentBaseProps {
  readonly userName: string;
  /**
   * Access key ids to set Inactive; tokens allowed. Each gets its own resource, so a stack can
   * make one conditional on a parameter.
   * @default - none: only the deny-all
   */
  readonly accessKeyIds?: readonly string[];
  /**
   * 'true' to set the keys Active again when the stack is deleted (only keys that were Active
   * when contained). A string, so a stack parameter can drive it.
   * @default 'false'
   */
  readonly restoreKeys?: string;
}

/**
 * Contains an IAM user: the deny-all containment policy attached (playbook Part 4) and the
 * listed access keys set Inactive. Deleting it lifts the deny; keys stay Inactive unless
 * restoreKeys is 'true'. The deny-all also cuts sessions the user minted with GetSessionToken
 * or GetFederationToken, whose requests are evaluated against the user's own policies.
 */
export class UserContainment extends Construct {
  public readonly denyAll: CustomResource;
  public readonly accessKeys: readonly CustomResource[];

  constructor(scope: Construct, id: string, props: UserContainmentProps) {
    super(scope, id);
    const serviceToken = props.serviceToken ?? handlerFunctionArn(this);
    this.denyAll = new CustomResource(this, 'Resource', {
      serviceToken,
      resourceType: RESOURCE_TYPES.userDeny,
      properties: { IncidentId: props.incidentId, UserName: props.userName },
    });
    this.accessKeys = (props.accessKeyIds ?? []).map(
      (accessKeyId, i) =>
        new CustomResource(this, `AccessKey${i + 1}`, {
          serviceToken,
          resourceType: RESOURCE_TYPES.accessKey,
          properties: {
            IncidentId: props.incidentId,
            UserName: props.userName,
            AccessKeyId: accessKeyId,
            RestoreKeys: props.restoreKeys ?? 'false',
          },
        }),
    );
  }
}
