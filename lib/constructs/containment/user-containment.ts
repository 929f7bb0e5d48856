import { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { ContainmentBaseProps, HANDLER_SERVICE_TIMEOUT, handlerFunctionArn, RESOURCE_TYPES } from './common';

export interface UserContainmentProps extends ContainmentBaseProps {
  readonly userName: string;
  /** ISO 8601 UTC time; sessions the user minted before it stay denied, also after release. */
  readonly containmentTime: string;
  /**
   * Access key ids to set Inactive; tokens allowed. Each gets its own resource, so a stack can
   * make one conditional on a parameter.
   * @default - none: only the deny-all
   */
  readonly accessKeyIds?: readonly string[];
  /**
   * Comma-separated key ids to set Active again when the stack is deleted; only keys this
   * containment deactivated are. A string, so a stack parameter can drive it.
   * @default '' (none)
   */
  readonly restoreKeyIds?: string;
  /**
   * 'false' to lift the revoke of older sessions on release as well.
   * @default 'true'
   */
  readonly keepSessionRevoke?: string;
}

/**
 * Contains an IAM user: the deny-all containment policy attached (playbook Part 4), a revoke of
 * the sessions it minted before the containment time, and the listed access keys set Inactive.
 * Deleting it lifts the deny-all; the revoke stays (GetSessionToken sessions last up to 36 h)
 * and keys stay Inactive unless named in restoreKeyIds. The deny-all also cuts sessions the user
 * minted with GetSessionToken or GetFederationToken, evaluated against the user's own policies.
 */
export class UserContainment extends Construct {
  public readonly denyAll: CustomResource;
  public readonly accessKeys: readonly CustomResource[];

  constructor(scope: Construct, id: string, props: UserContainmentProps) {
    super(scope, id);
    const serviceToken = props.serviceToken ?? handlerFunctionArn(this);
    this.denyAll = new CustomResource(this, 'Resource', {
      serviceToken,
      serviceTimeout: HANDLER_SERVICE_TIMEOUT,
      resourceType: RESOURCE_TYPES.userDeny,
      properties: {
        IncidentId: props.incidentId,
        UserName: props.userName,
        ContainmentTime: props.containmentTime,
        KeepSessionRevoke: props.keepSessionRevoke ?? 'true',
      },
    });
    this.accessKeys = (props.accessKeyIds ?? []).map(
      (accessKeyId, i) =>
        new CustomResource(this, `AccessKey${i + 1}`, {
          serviceToken,
          serviceTimeout: HANDLER_SERVICE_TIMEOUT,
          resourceType: RESOURCE_TYPES.accessKey,
          properties: {
            IncidentId: props.incidentId,
            UserName: props.userName,
            AccessKeyId: accessKeyId,
            RestoreKeyIds: props.restoreKeyIds ?? '',
          },
        }),
    );
  }
}
