import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import { IrKitConfig } from '../config';
import { CloudTrailTable } from '../constructs/cloudtrail-table';
import { GlueDatabase } from '../constructs/glue-database';
import { defaultLogBucketName } from '../constructs/log-sources';
import { InvestigationWorkgroup } from '../constructs/investigation-workgroup';
import { SavedQueries } from '../constructs/saved-queries';
import { VpcFlowTable } from '../constructs/vpc-flow-table';
import { TableNames } from '../queries';

export const ANALYTICS_STACK_NAME = 'IrKitAnalytics';

/** Output keys the orchestrator reads back with DescribeStacks. */
export const ANALYTICS_OUTPUTS = {
  workgroupName: 'WorkgroupName',
  databaseName: 'DatabaseName',
  cloudTrailTableName: 'CloudTrailTableName',
  vpcFlowTableName: 'VpcFlowTableName',
  resultsBucketName: 'ResultsBucketName',
  resultsKeyArn: 'ResultsKeyArn',
} as const;

export interface AnalyticsStackProps extends StackProps {
  readonly config: IrKitConfig;
  /**
   * The bucket holding the logs.
   * @default - the bucket the log-sources stack creates in the same account and Region
   *   (deterministic name, so no cross-stack export ties the stacks together)
   */
  readonly logBucketName?: string;
}

/**
 * Everything a responder queries with: the Glue database and log tables, the investigation
 * workgroup and its results bucket, and every query of the library saved in it.
 */
export class AnalyticsStack extends Stack {
  public readonly database: GlueDatabase;
  public readonly cloudTrailTable: CloudTrailTable;
  public readonly vpcFlowTable: VpcFlowTable;
  public readonly workgroup: InvestigationWorkgroup;
  public readonly savedQueries: SavedQueries;
  public readonly logBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id, {
      description:
        'IR Kit: Glue tables over CloudTrail and VPC Flow Logs, the investigation workgroup and saved queries',
      ...props,
    });
    const { config } = props;
    this.logBucket = s3.Bucket.fromBucketName(
      this,
      'LogBucket',
      props.logBucketName ?? defaultLogBucketName(this),
    );
    this.database = new GlueDatabase(this, 'Database', { databaseName: config.databaseName });
    const projection = {
      database: this.database,
      bucket: this.logBucket,
      accounts: config.accounts,
      regions: config.regions,
      projectionStartDate: config.projectionStartDate,
    };
    this.cloudTrailTable = new CloudTrailTable(this, 'CloudTrailTable', {
      ...projection,
      tableName: config.cloudTrailTableName,
      prefix: config.cloudTrailPrefix,
      organizationId: config.organizationId,
    });
    this.vpcFlowTable = new VpcFlowTable(this, 'VpcFlowTable', {
      ...projection,
      tableName: config.vpcFlowTableName,
      prefix: config.vpcFlowLogPrefix,
      format: config.vpcFlowLogFormat,
    });
    this.workgroup = new InvestigationWorkgroup(this, 'Workgroup', {
      workgroupName: config.workgroupName,
      bytesScannedCutoffPerQuery: config.bytesScannedCutoffPerQuery,
      resultsRetentionInDays: config.resultsRetentionInDays,
      onDelete: config.workgroupOnDelete,
    });
    const tableNames: TableNames = {
      database: this.database.databaseName,
      cloudTrailTable: this.cloudTrailTable.tableName,
      vpcFlowTable: this.vpcFlowTable.tableName,
    };
    this.savedQueries = new SavedQueries(this, 'SavedQueries', { workgroup: this.workgroup, tableNames });

    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    output(
      ANALYTICS_OUTPUTS.workgroupName,
      this.workgroup.workgroupName,
      'Athena workgroup to run the queries in',
    );
    output(ANALYTICS_OUTPUTS.databaseName, this.database.databaseName, 'Glue database of the log tables');
    output(ANALYTICS_OUTPUTS.cloudTrailTableName, this.cloudTrailTable.tableName, 'CloudTrail table');
    output(ANALYTICS_OUTPUTS.vpcFlowTableName, this.vpcFlowTable.tableName, 'VPC Flow Logs table');
    output(
      ANALYTICS_OUTPUTS.resultsBucketName,
      this.workgroup.resultsBucket.bucketName,
      'Athena query results',
    );
    output(ANALYTICS_OUTPUTS.resultsKeyArn, this.workgroup.resultsKey.keyArn, 'KMS key of the query results');
  }
}
