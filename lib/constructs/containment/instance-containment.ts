import { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { ContainmentBaseProps, HANDLER_SERVICE_TIMEOUT, handlerFunctionArn, RESOURCE_TYPES } from './common';

export interface InstanceContainmentProps extends ContainmentBaseProps {
  readonly instanceId: string;
  /** ISO 8601 UTC time; sessions of the instance's role issued before it are denied everything. */
  readonly containmentTime: string;
  /**
   * 'false' to lift the revoke of the role's older sessions on release as well.
   * @default 'true'
   */
  readonly keepSessionRevoke?: string;
}

/**
 * Isolates an EC2 instance: a security group with no rules on each of its network interfaces,
 * its instance profile disassociated and that role's older sessions revoked, termination and
 * stop protection on. Release restores exactly what was there (handler/instance.ts).
 */
export class InstanceContainment extends Construct {
  public readonly isolation: CustomResource;

  constructor(scope: Construct, id: string, props: InstanceContainmentProps) {
    super(scope, id);
    this.isolation = new CustomResource(this, 'Resource', {
      serviceToken: props.serviceToken ?? handlerFunctionArn(this),
      serviceTimeout: HANDLER_SERVICE_TIMEOUT,
      resourceType: RESOURCE_TYPES.instanceIsolation,
      properties: {
        IncidentId: props.incidentId,
        InstanceId: props.instanceId,
        ContainmentTime: props.containmentTime,
        KeepSessionRevoke: props.keepSessionRevoke ?? 'true',
      },
    });
  }
}
