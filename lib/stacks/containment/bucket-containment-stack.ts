import { CfnParameter, Fn, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { BucketContainment } from '../../constructs/containment/bucket-containment';
import { ContainmentStack } from './containment-stack';
import { BUCKET_PARAMS, ORIGINAL_POLICY_CHUNKS, PARAMETER_VALUE_MAX_BYTES } from './parameters';

/**
 * One bucket contained: every existing statement kept, plus a deny for all but the
 * break-glass role. The original policy is kept in this stack's parameters while contained,
 * so it survives retries and updates; deleting the stack puts it back exactly.
 */
export class BucketContainmentStack extends ContainmentStack {
  public readonly containment: BucketContainment;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description:
        'IR Kit containment of an S3 bucket: deny all but the break-glass role, keeping and then restoring its policy',
      ...props,
    });
    const bucketName = new CfnParameter(this, BUCKET_PARAMS.bucketName, {
      type: 'String',
      description: 'The bucket to contain',
      allowedPattern: '^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$',
    });
    const breakGlassRoleArn = new CfnParameter(this, BUCKET_PARAMS.breakGlassRoleArn, {
      type: 'String',
      description: 'The role the deny spares, for forensics',
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/\\S+$',
    });
    const present = new CfnParameter(this, BUCKET_PARAMS.originalPolicyPresent, {
      type: 'String',
      allowedValues: ['false', 'true'],
      description: 'Whether the bucket had a policy before containment',
    });
    const chunks = Array.from(
      { length: ORIGINAL_POLICY_CHUNKS },
      (_, i) =>
        new CfnParameter(this, BUCKET_PARAMS.originalPolicyChunk(i), {
          type: 'String',
          default: '',
          maxLength: PARAMETER_VALUE_MAX_BYTES,
          description: `Part ${i + 1} of the bucket's original policy, as read before containment`,
        }),
    );
    this.containment = new BucketContainment(this, 'Bucket', {
      incidentId: this.incidentId.valueAsString,
      bucketName: bucketName.valueAsString,
      breakGlassRoleArn: breakGlassRoleArn.valueAsString,
      originalPolicy: Fn.join(
        '',
        chunks.map((c) => c.valueAsString),
      ),
      originalPolicyPresent: present.valueAsString,
    });
  }
}
