import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import {
  DEFAULT_BYTES_SCANNED_CUTOFF,
  DEFAULT_RESULTS_RETENTION_IN_DAYS,
  MIN_BYTES_SCANNED_CUTOFF,
} from '../config';
import { IrKitError } from '../errors';
import { DEFAULT_NAMES } from '../names';
import { SECURE_BUCKET_DEFAULTS, accessLogsBucket, logAccessTo } from './private/buckets';

/** The engine the kit's SQL is written for (Trino functions, ExecutionParameters). */
export const ATHENA_ENGINE_VERSION = 'Athena engine version 3';
/** Where results sit in the results bucket. */
export const RESULTS_PREFIX = 'results';
/** How long an expired result's old version stays recoverable. */
const NONCURRENT_RESULTS_DAYS = 30;

export interface InvestigationWorkgroupProps {
  /**
   * @default 'IRWorkshopWorkgroup'
   */
  readonly workgroupName?: string;
  /**
   * Athena cancels a query that would scan more; at least 10 MB.
   * @default 107374182400 (100 GiB)
   */
  readonly bytesScannedCutoffPerQuery?: number;
  /**
   * Query results older than this are expired by a lifecycle rule.
   * @default 365
   */
  readonly resultsRetentionInDays?: number;
  /**
   * What deleting the stack does to the workgroup. 'retain': it stays, with its query history
   * and any queries people saved in it by hand (a later deploy must first delete or import it);
   * 'delete': it is deleted with all it holds (Athena's RecursiveDeleteOption), so the stack
   * deletes cleanly once queries have run.
   * @default 'retain'
   */
  readonly onDelete?: WorkgroupOnDelete;
}

export const WORKGROUP_ON_DELETE = ['retain', 'delete'] as const;
export type WorkgroupOnDelete = (typeof WORKGROUP_ON_DELETE)[number];

/**
 * The Athena workgroup responders query in: its settings are enforced (no client can send
 * results elsewhere or unencrypted), engine version 3, a per-query scan cutoff, CloudWatch
 * metrics, and results in a dedicated bucket encrypted with a customer key that rotates.
 */
export class InvestigationWorkgroup extends Construct {
  public readonly workgroupName: string;
  public readonly resource: athena.CfnWorkGroup;
  public readonly resultsBucket: s3.Bucket;
  public readonly resultsKey: kms.Key;
  public readonly accessLogsBucket: s3.Bucket;
  /** `s3://bucket/results/`. */
  public readonly outputLocation: string;
  /** `arn:...:workgroup/NAME`, for IAM policies. */
  public readonly workgroupArn: string;

  constructor(scope: Construct, id: string, props: InvestigationWorkgroupProps = {}) {
    super(scope, id);
    this.workgroupName = props.workgroupName ?? DEFAULT_NAMES.workgroupName;
    const cutoff = props.bytesScannedCutoffPerQuery ?? DEFAULT_BYTES_SCANNED_CUTOFF;
    const retentionInDays = props.resultsRetentionInDays ?? DEFAULT_RESULTS_RETENTION_IN_DAYS;
    validate(this.workgroupName, cutoff, retentionInDays);

    this.resultsKey = new kms.Key(this, 'ResultsKey', {
      description: `IR Kit: encrypts Athena query results of workgroup ${this.workgroupName}`,
      enableKeyRotation: true,
    });
    this.accessLogsBucket = accessLogsBucket(this, 'AccessLogs');
    this.resultsBucket = new s3.Bucket(this, 'Results', {
      ...SECURE_BUCKET_DEFAULTS,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.resultsKey,
      bucketKeyEnabled: true,
      lifecycleRules: [
        {
          id: 'ExpireQueryResults',
          expiration: Duration.days(retentionInDays),
          noncurrentVersionExpiration: Duration.days(NONCURRENT_RESULTS_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    logAccessTo(this.resultsBucket, this.accessLogsBucket, 'query-results');
    this.outputLocation = `s3://${this.resultsBucket.bucketName}/${RESULTS_PREFIX}/`;

    const stack = Stack.of(this);
    this.resource = new athena.CfnWorkGroup(this, 'Resource', {
      name: this.workgroupName,
      description: 'IR Kit: investigation queries of the IAM credential exposure playbook',
      state: 'ENABLED',
      recursiveDeleteOption: props.onDelete === 'delete',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        engineVersion: { selectedEngineVersion: ATHENA_ENGINE_VERSION },
        bytesScannedCutoffPerQuery: cutoff,
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        resultConfiguration: {
          outputLocation: this.outputLocation,
          expectedBucketOwner: stack.account,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.resultsKey.keyArn },
        },
      },
    });
    this.resource.applyRemovalPolicy(
      props.onDelete === 'delete' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    );
    this.workgroupArn = stack.formatArn({
      service: 'athena',
      resource: 'workgroup',
      resourceName: this.workgroupName,
    });
  }
}

function validate(name: string, cutoff: number, retentionInDays: number): void {
  if (!Token.isUnresolved(name) && !/^[A-Za-z0-9._-]{1,128}$/.test(name)) {
    throw new IrKitError('IRKIT_CONFIG', `invalid Athena workgroup name ${JSON.stringify(name)}`, {
      hint: 'use 1-128 letters, digits, dots, hyphens or underscores',
    });
  }
  if (!Token.isUnresolved(cutoff) && (!Number.isSafeInteger(cutoff) || cutoff < MIN_BYTES_SCANNED_CUTOFF)) {
    throw new IrKitError('IRKIT_CONFIG', `invalid bytesScannedCutoffPerQuery ${cutoff}`, {
      hint: `Athena needs a whole number of bytes of at least ${MIN_BYTES_SCANNED_CUTOFF} (10 MB)`,
    });
  }
  if (
    !Token.isUnresolved(retentionInDays) &&
    (!Number.isSafeInteger(retentionInDays) || retentionInDays < 1)
  ) {
    throw new IrKitError('IRKIT_CONFIG', `invalid resultsRetentionInDays ${retentionInDays}`, {
      hint: 'give a whole number of days, 1 or more',
    });
  }
}
