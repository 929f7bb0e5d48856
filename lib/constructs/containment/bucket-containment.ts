import { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { ContainmentBaseProps, HANDLER_SERVICE_TIMEOUT, handlerFunctionArn, RESOURCE_TYPES } from './common';

export interface BucketContainmentProps extends ContainmentBaseProps {
  readonly bucketName: string;
  /** The one principal (beside the handler) the deny spares, for forensics. */
  readonly breakGlassRoleArn: string;
  /** The bucket policy exactly as GetBucketPolicy returned it just before containment; '' when none. */
  readonly originalPolicy: string;
  /** 'true' when the bucket had a policy, 'false' when not (originalPolicy is then ''). */
  readonly originalPolicyPresent: string;
}

/**
 * Contains a bucket: its policy becomes every original statement plus a deny for everyone but
 * the break-glass role. The original travels in the resource's properties, so deleting the
 * resource puts it back exactly (or removes the policy when there was none).
 */
export class BucketContainment extends Construct {
  public readonly bucketPolicy: CustomResource;

  constructor(scope: Construct, id: string, props: BucketContainmentProps) {
    super(scope, id);
    this.bucketPolicy = new CustomResource(this, 'Resource', {
      serviceToken: props.serviceToken ?? handlerFunctionArn(this),
      serviceTimeout: HANDLER_SERVICE_TIMEOUT,
      resourceType: RESOURCE_TYPES.bucketPolicy,
      properties: {
        IncidentId: props.incidentId,
        BucketName: props.bucketName,
        BreakGlassRoleArn: props.breakGlassRoleArn,
        OriginalPolicy: props.originalPolicy,
        OriginalPolicyPresent: props.originalPolicyPresent,
      },
    });
  }
}
