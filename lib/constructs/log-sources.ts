import { Stack, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import { acknowledge } from '../compliance';
import { IrKitError } from '../errors';
import { DEFAULT_FLOW_LOG_FORMAT, flowLogFields } from '../schema/vpc-flow';
import { SECURE_BUCKET_DEFAULTS, accessLogsBucket, logAccessTo } from './private/buckets';

export const DEFAULT_TRAIL_NAME = 'irkit-trail';
/** The workshop simulation names its buckets `irkit-sim-RUNID-ACCOUNT` (simulation/*.sh). */
export const SIMULATION_BUCKET_PREFIX = 'irkit-sim-';
/** Flow records are aggregated per minute rather than ten: finer timelines for the same cost. */
const FLOW_AGGREGATION_SECONDS = 60;

/** The log bucket the kit creates when none is given: one per account and Region. */
export function defaultLogBucketName(scope: Construct): string {
  const stack = Stack.of(scope);
  return `irkit-logs-${stack.account}-${stack.region}`;
}

export interface LogSourcesProps {
  /**
   * A bucket to deliver to instead of creating one. Its policy is not changed (the kit never
   * overwrites a bucket policy): it must already let CloudTrail and log delivery write.
   * @default - a bucket named by defaultLogBucketName is created
   */
  readonly existingBucket?: s3.IBucket;
  /**
   * @default 'irkit-trail'
   */
  readonly trailName?: string;
  /**
   * S3 prefix of the trail's objects, before `AWSLogs/`.
   * @default - none
   */
  readonly cloudTrailPrefix?: string;
  /**
   * S3 prefix of the flow logs' objects, before `AWSLogs/`.
   * @default - none
   */
  readonly vpcFlowLogPrefix?: string;
  /**
   * A VPC whose flow logs (all traffic) are delivered to the bucket.
   * @default - no flow logs
   */
  readonly vpcId?: string;
  /**
   * Flow log fields, in order; the flow table must use the same list.
   * @default - the version-2 default format
   */
  readonly flowLogFormat?: readonly string[];
  /**
   * Bucket-name prefixes whose S3 object-level (data) events the trail records.
   * @default ['irkit-sim-'] - the buckets the workshop simulation creates
   */
  readonly dataEventBucketPrefixes?: readonly string[];
}

/**
 * Where the evidence comes from: a multi-Region trail with log file validation, encrypted with
 * a customer key, recording management events and the S3 data events of the simulation's
 * buckets; optionally a VPC's flow logs; and the bucket both deliver to, laid out as the tables
 * expect (`AWSLogs/ACCOUNT/CloudTrail/...`, `AWSLogs/ACCOUNT/vpcflowlogs/...`).
 */
export class LogSources extends Construct {
  public readonly bucket: s3.IBucket;
  /** Only when the bucket is created here. */
  public readonly accessLogsBucket?: s3.Bucket;
  public readonly trail: cloudtrail.CfnTrail;
  public readonly trailArn: string;
  /** Encrypts the trail's log files; readers need kms:Decrypt on it. */
  public readonly trailKey: kms.Key;
  public readonly flowLog?: ec2.CfnFlowLog;

  constructor(scope: Construct, id: string, props: LogSourcesProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const trailName = props.trailName ?? DEFAULT_TRAIL_NAME;
    const prefixes = props.dataEventBucketPrefixes ?? [SIMULATION_BUCKET_PREFIX];
    validate(props, prefixes);
    this.trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName });
    const under = (prefix?: string) => `${prefix ? `${prefix}/` : ''}AWSLogs/${stack.account}/*`;

    let ownBucket: s3.Bucket | undefined;
    if (props.existingBucket) {
      this.bucket = props.existingBucket;
    } else {
      ownBucket = new s3.Bucket(this, 'Bucket', {
        ...SECURE_BUCKET_DEFAULTS,
        bucketName: defaultLogBucketName(this),
        encryption: s3.BucketEncryption.S3_MANAGED,
      });
      this.accessLogsBucket = accessLogsBucket(this, 'AccessLogs');
      logAccessTo(ownBucket, this.accessLogsBucket, 'logs');
      this.grantCloudTrail(ownBucket, under(props.cloudTrailPrefix));
      this.bucket = ownBucket;
    }

    this.trailKey = new kms.Key(this, 'TrailKey', {
      description: `IR Kit: encrypts the log files of CloudTrail trail ${trailName}`,
      enableKeyRotation: true,
    });
    this.trailKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailEncryptLogs',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceArn': this.trailArn },
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*`,
          },
        },
      }),
    );
    this.trailKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailDescribeKey',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': this.trailArn } },
      }),
    );

    this.trail = new cloudtrail.CfnTrail(this, 'Trail', {
      trailName,
      isLogging: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      s3BucketName: this.bucket.bucketName,
      s3KeyPrefix: props.cloudTrailPrefix,
      kmsKeyId: this.trailKey.keyArn,
      advancedEventSelectors: [
        {
          name: 'Management events',
          fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }],
        },
        {
          name: 'S3 object events of the simulation buckets',
          fieldSelectors: [
            { field: 'eventCategory', equalTo: ['Data'] },
            { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
            { field: 'resources.ARN', startsWith: prefixes.map((p) => `arn:${stack.partition}:s3:::${p}`) },
          ],
        },
      ],
    });
    // CloudTrail checks the bucket policy and key policy when the trail is created.
    if (ownBucket?.policy) this.trail.node.addDependency(ownBucket.policy);
    this.trail.node.addDependency(this.trailKey);
    acknowledge(
      this.trail,
      'AwsSolutions-CT1',
      'alerting runs on EventBridge rules (IrKitAlerts) and investigation on the S3 copy through Athena; a CloudWatch Logs copy would add cost and no capability',
    );

    if (props.vpcId) {
      const destination = props.vpcFlowLogPrefix
        ? `${this.bucket.bucketArn}/${props.vpcFlowLogPrefix}`
        : this.bucket.bucketArn;
      if (ownBucket) this.grantLogDelivery(ownBucket, under(props.vpcFlowLogPrefix));
      const format = flowLogFields(props.flowLogFormat ?? DEFAULT_FLOW_LOG_FORMAT);
      this.flowLog = new ec2.CfnFlowLog(this, 'FlowLog', {
        resourceType: 'VPC',
        resourceId: props.vpcId,
        trafficType: 'ALL',
        logDestinationType: 's3',
        logDestination: destination,
        logFormat: format.map((f) => `\${${f.logName}}`).join(' '),
        maxAggregationInterval: FLOW_AGGREGATION_SECONDS,
        destinationOptions: {
          FileFormat: 'plain-text',
          HiveCompatiblePartitions: false,
          PerHourPartition: false,
        },
      });
      if (ownBucket?.policy) this.flowLog.node.addDependency(ownBucket.policy);
    }
  }

  /** CloudTrail's delivery permissions, scoped to this trail (aws:SourceArn) against confused deputies. */
  private grantCloudTrail(bucket: s3.Bucket, objects: string): void {
    const principal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    const fromTrail = { 'aws:SourceArn': this.trailArn };
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailAclCheck',
        principals: [principal],
        actions: ['s3:GetBucketAcl'],
        resources: [bucket.bucketArn],
        conditions: { StringEquals: fromTrail },
      }),
    );
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailWrite',
        principals: [principal],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(objects)],
        conditions: { StringEquals: { ...fromTrail, 's3:x-amz-acl': 'bucket-owner-full-control' } },
      }),
    );
  }

  /** Log delivery's permissions for flow logs from this account only. */
  private grantLogDelivery(bucket: s3.Bucket, objects: string): void {
    const stack = Stack.of(this);
    const principal = new iam.ServicePrincipal('delivery.logs.amazonaws.com');
    const fromAccount = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*` },
    };
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'FlowLogsAclCheck',
        principals: [principal],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: fromAccount,
      }),
    );
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'FlowLogsWrite',
        principals: [principal],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(objects)],
        conditions: {
          ...fromAccount,
          StringEquals: { ...fromAccount.StringEquals, 's3:x-amz-acl': 'bucket-owner-full-control' },
        },
      }),
    );
  }
}

function validate(props: LogSourcesProps, prefixes: readonly string[]): void {
  if (
    props.vpcId !== undefined &&
    !Token.isUnresolved(props.vpcId) &&
    !/^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/.test(props.vpcId)
  ) {
    throw new IrKitError('IRKIT_CONFIG', `invalid VPC id ${JSON.stringify(props.vpcId)}`, {
      hint: 'give an id such as vpc-0123456789abcdef0',
    });
  }
  if (prefixes.length === 0 || prefixes.some((p) => !/^[a-z0-9][a-z0-9.-]*$/.test(p))) {
    throw new IrKitError('IRKIT_CONFIG', `invalid data-event bucket prefixes ${JSON.stringify(prefixes)}`, {
      hint: 'give one or more bucket-name prefixes (lower-case letters, digits, dots, hyphens), e.g. irkit-sim-',
    });
  }
}
