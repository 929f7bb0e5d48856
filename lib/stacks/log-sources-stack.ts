import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import { IrKitConfig } from '../config';
import { LogSources } from '../constructs/log-sources';

export const LOG_SOURCES_STACK_NAME = 'IrKitLogSources';

export const LOG_SOURCES_OUTPUTS = {
  logBucketName: 'LogBucketName',
  trailArn: 'TrailArn',
  trailKeyArn: 'TrailKeyArn',
  flowLogId: 'FlowLogId',
} as const;

export interface LogSourcesStackProps extends StackProps {
  readonly config: IrKitConfig;
}

/** Optional (config logSources.enabled): the trail, flow logs and log bucket the tables read. */
export class LogSourcesStack extends Stack {
  public readonly logSources: LogSources;

  constructor(scope: Construct, id: string, props: LogSourcesStackProps) {
    super(scope, id, {
      description: 'IR Kit: multi-Region CloudTrail trail, VPC Flow Logs and the bucket they deliver to',
      ...props,
    });
    const { config } = props;
    this.logSources = new LogSources(this, 'LogSources', {
      existingBucket: config.logBucket
        ? s3.Bucket.fromBucketName(this, 'LogBucket', config.logBucket)
        : undefined,
      cloudTrailPrefix: config.cloudTrailPrefix,
      vpcFlowLogPrefix: config.vpcFlowLogPrefix,
      vpcId: config.logSources.vpcId,
      flowLogFormat: config.vpcFlowLogFormat,
    });

    new CfnOutput(this, LOG_SOURCES_OUTPUTS.logBucketName, {
      value: this.logSources.bucket.bucketName,
      description: 'Bucket the trail and flow logs deliver to',
    });
    new CfnOutput(this, LOG_SOURCES_OUTPUTS.trailArn, {
      value: this.logSources.trailArn,
      description: 'The trail',
    });
    new CfnOutput(this, LOG_SOURCES_OUTPUTS.trailKeyArn, {
      value: this.logSources.trailKey.keyArn,
      description: 'KMS key of the trail log files: readers of the CloudTrail table need kms:Decrypt on it',
    });
    if (this.logSources.flowLog) {
      new CfnOutput(this, LOG_SOURCES_OUTPUTS.flowLogId, {
        value: this.logSources.flowLog.ref,
        description: 'VPC Flow Log delivering to the bucket',
      });
    }
  }
}
