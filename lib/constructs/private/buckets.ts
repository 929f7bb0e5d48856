import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import { acknowledge } from '../../compliance';

/** What every bucket of the kit is: encrypted, SSL-only, private, versioned, kept on stack deletion. */
export const SECURE_BUCKET_DEFAULTS = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  versioned: true,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
} as const satisfies s3.BucketProps;

/**
 * A bucket for S3 server access logs. Log delivery writes with SSE-S3 only (it cannot use a
 * KMS key), so this bucket is S3-managed encrypted. It is granted to the logging service by
 * bucket policy, not ACL, which also works with ACLs disabled.
 */
export function accessLogsBucket(scope: Construct, id: string): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    ...SECURE_BUCKET_DEFAULTS,
    encryption: s3.BucketEncryption.S3_MANAGED,
  });
  acknowledge(
    bucket,
    'AwsSolutions-S1',
    'this bucket is the server access log destination; logging it to itself would loop and logging it elsewhere needs yet another bucket',
  );
  return bucket;
}

/**
 * Turns on server access logging of `source` into `target` under `prefix/`. Done on the L1
 * with an explicit bucket policy (service principal, source bucket and account conditions)
 * rather than through the feature-flagged L2 path, so the result does not depend on cdk.json flags.
 */
export function logAccessTo(source: s3.Bucket, target: s3.Bucket, prefix: string): void {
  const cfn = source.node.defaultChild as s3.CfnBucket;
  cfn.loggingConfiguration = { destinationBucketName: target.bucketName, logFilePrefix: `${prefix}/` };
  target.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: `S3ServerAccessLogs${prefix.replace(/[^A-Za-z0-9]/g, '')}`,
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [target.arnForObjects(`${prefix}/*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': source.bucketArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(source).account },
      },
    }),
  );
}
