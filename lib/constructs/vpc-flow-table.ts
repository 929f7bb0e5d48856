import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import { DEFAULT_PROJECTION_START_DATE } from '../config';
import { DEFAULT_NAMES } from '../names';
import { COMMERCIAL_REGIONS } from '../regions';
import { PARTITION_KEYS } from '../schema/cloudtrail';
import { glueType } from '../schema/types';
import { DEFAULT_FLOW_LOG_FORMAT, flowLogFields } from '../schema/vpc-flow';
import { GlueDatabase } from './glue-database';
import { PARTITION_COLUMNS, projectionParameters, s3Root } from './private/projection';

/** Flow log files delivered to S3 as text: space-separated fields, one header line naming them. */
export const VPC_FLOW_STORAGE = {
  serializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  delimiter: ' ',
} as const;

export interface VpcFlowTableProps {
  readonly database: GlueDatabase;
  /** The bucket flow logs are delivered to. */
  readonly bucket: s3.IBucket;
  /** Accounts projected as account_partition. */
  readonly accounts: readonly string[];
  /**
   * @default 'irworkshopgluetablevpcflow'
   */
  readonly tableName?: string;
  /**
   * The flow logs' S3 prefix, before `AWSLogs/`.
   * @default - none
   */
  readonly prefix?: string;
  /**
   * The log-format field names, in file order (must match the flow log's LogFormat).
   * @default - the version-2 default format
   */
  readonly format?: readonly string[];
  /**
   * @default - every commercial Region (lib/regions.ts)
   */
  readonly regions?: readonly string[];
  /**
   * @default '2020/01/01'
   */
  readonly projectionStartDate?: string;
}

/** The VPC Flow Logs table: the configured fields, header line skipped, same projection as CloudTrail. */
export class VpcFlowTable extends Construct {
  public readonly tableName: string;
  public readonly resource: glue.CfnTable;
  public readonly location: string;
  public readonly locationTemplate: string;

  constructor(scope: Construct, id: string, props: VpcFlowTableProps) {
    super(scope, id);
    this.tableName = props.tableName ?? DEFAULT_NAMES.vpcFlowTableName;
    const fields = flowLogFields(props.format ?? DEFAULT_FLOW_LOG_FORMAT);
    this.location = `${s3Root(props.bucket.bucketName, props.prefix)}AWSLogs/`;
    this.locationTemplate =
      `${this.location}\${${PARTITION_KEYS.account}}/vpcflowlogs/` +
      `\${${PARTITION_KEYS.region}}/\${${PARTITION_KEYS.date}}`;

    this.resource = new glue.CfnTable(this, 'Resource', {
      catalogId: Stack.of(this).account,
      databaseName: props.database.databaseName,
      tableInput: {
        name: this.tableName,
        description: `VPC Flow Logs (${fields.map((f) => f.logName).join(' ')}), partition-projected`,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          EXTERNAL: 'TRUE',
          classification: 'csv',
          // Every delivered file starts with a line naming the fields.
          'skip.header.line.count': '1',
          ...projectionParameters({
            accounts: props.accounts,
            regions: props.regions ?? COMMERCIAL_REGIONS,
            startDate: props.projectionStartDate ?? DEFAULT_PROJECTION_START_DATE,
            locationTemplate: this.locationTemplate,
          }),
        },
        partitionKeys: [...PARTITION_COLUMNS],
        storageDescriptor: {
          columns: fields.map((f) => ({ name: f.column, type: glueType(f.type), comment: f.logName })),
          location: this.location,
          inputFormat: VPC_FLOW_STORAGE.inputFormat,
          outputFormat: VPC_FLOW_STORAGE.outputFormat,
          serdeInfo: {
            serializationLibrary: VPC_FLOW_STORAGE.serializationLibrary,
            parameters: {
              'field.delim': VPC_FLOW_STORAGE.delimiter,
              'serialization.format': VPC_FLOW_STORAGE.delimiter,
            },
          },
        },
      },
    });
    this.resource.addResourceDependency(props.database.resource);
  }
}
