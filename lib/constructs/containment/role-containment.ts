import { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { ContainmentBaseProps, HANDLER_SERVICE_TIMEOUT, handlerFunctionArn, RESOURCE_TYPES } from './common';

export interface RoleContainmentProps extends ContainmentBaseProps {
  readonly roleName: string;
  /** ISO 8601 UTC time; sessions issued before it are denied everything. */
  readonly containmentTime: string;
  /**
   * 'revoke' for a shared role the actor assumed; 'deny-all' for a rogue role (created by the
   * actor, or its trust policy changed), which the actor could otherwise assume again.
   * @default 'revoke'
   */
  readonly roleMode?: string;
  /**
   * 'false' to lift the revoke of older sessions on release as well.
   * @default 'true'
   */
  readonly keepSessionRevoke?: string;
}

/**
 * Contains a role the credential assumed: an inline policy denying everything to sessions
 * issued before the containment time (AWS's revoke-older-sessions pattern), which outlives
 * release. A shared role is never deny-all'd (sessions issued later keep working); a rogue role
 * (roleMode 'deny-all') also gets the containment policy attached.
 */
export class RoleContainment extends Construct {
  public readonly revokeOlderSessions: CustomResource;

  constructor(scope: Construct, id: string, props: RoleContainmentProps) {
    super(scope, id);
    this.revokeOlderSessions = new CustomResource(this, 'Resource', {
      serviceToken: props.serviceToken ?? handlerFunctionArn(this),
      serviceTimeout: HANDLER_SERVICE_TIMEOUT,
      resourceType: RESOURCE_TYPES.roleSessions,
      properties: {
        IncidentId: props.incidentId,
        RoleName: props.roleName,
        ContainmentTime: props.containmentTime,
        RoleMode: props.roleMode ?? 'revoke',
        KeepSessionRevoke: props.keepSessionRevoke ?? 'true',
      },
    });
  }
}
