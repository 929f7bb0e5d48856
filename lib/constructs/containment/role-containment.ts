import { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { ContainmentBaseProps, handlerFunctionArn, RESOURCE_TYPES } from './common';

export interface RoleContainmentProps extends ContainmentBaseProps {
  readonly roleName: string;
  /** ISO 8601 UTC time; sessions issued before it are denied everything. */
  readonly containmentTime: string;
}

/**
 * Contains a role the credential assumed: an inline policy denying everything to sessions
 * issued before the containment time (AWS's revoke-older-sessions pattern). Never deny-all on
 * a role: sessions issued later, once its trust is fixed, keep working.
 */
export class RoleContainment extends Construct {
  public readonly revokeOlderSessions: CustomResource;

  constructor(scope: Construct, id: string, props: RoleContainmentProps) {
    super(scope, id);
    this.revokeOlderSessions = new CustomResource(this, 'Resource', {
      serviceToken: props.serviceToken ?? handlerFunctionArn(this),
      resourceType: RESOURCE_TYPES.roleSessions,
      properties: {
        IncidentId: props.incidentId,
        RoleName: props.roleName,
        ContainmentTime: props.containmentTime,
      },
    });
  }
}
