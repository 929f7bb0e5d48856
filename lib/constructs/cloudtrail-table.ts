import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import { DEFAULT_PROJECTION_START_DATE } from '../config';
import { DEFAULT_NAMES } from '../names';
import { COMMERCIAL_REGIONS } from '../regions';
import { CLOUDTRAIL_FIELDS, PARTITION_KEYS } from '../schema/cloudtrail';
import { glueType } from '../schema/types';
import { PARTITION_COLUMNS, projectionParameters, s3Root } from './private/projection';
import { GlueDatabase } from './glue-database';

/**
 * CloudTrail files are one JSON document `{"Records":[...]}` each: CloudTrailInputFormat splits
 * the array into records, and the Hive JSON SerDe maps each record's camelCase keys onto the
 * lower-case columns (it matches names case-insensitively) and hands nested objects declared as
 * string (requestParameters, ...) over as their JSON text. This is the pairing AWS documents
 * for CloudTrail tables with partition projection.
 */
export const CLOUDTRAIL_STORAGE = {
  serializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe',
  inputFormat: 'com.amazon.emr.cloudtrail.CloudTrailInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
} as const;

export interface CloudTrailTableProps {
  readonly database: GlueDatabase;
  /** The bucket the trail delivers to. */
  readonly bucket: s3.IBucket;
  /** Accounts projected as account_partition (one, or every account of an organization trail). */
  readonly accounts: readonly string[];
  /**
   * @default 'irworkshopgluetablecloudtrail'
   */
  readonly tableName?: string;
  /**
   * The trail's S3 key prefix, before `AWSLogs/`.
   * @default - none: objects start at `AWSLogs/`
   */
  readonly prefix?: string;
  /**
   * Set for an organization trail, whose objects sit under `AWSLogs/o-xxx/ACCOUNT/`.
   * @default - an account trail: `AWSLogs/ACCOUNT/`
   */
  readonly organizationId?: string;
  /**
   * Regions projected as region_partition.
   * @default - every commercial Region (lib/regions.ts)
   */
  readonly regions?: readonly string[];
  /**
   * First day of the date_partition projection, `yyyy/MM/dd`.
   * @default '2020/01/01'
   */
  readonly projectionStartDate?: string;
}

/**
 * The CloudTrail table: every field of the current record, partitioned by account, region and
 * day through partition projection, over an account trail or an organization trail.
 */
export class CloudTrailTable extends Construct {
  public readonly tableName: string;
  public readonly resource: glue.CfnTable;
  /** Where the table's objects start: `s3://bucket/[prefix/]AWSLogs/[o-org/]`. */
  public readonly location: string;
  /** The path of one partition, with `${account_partition}`-style placeholders. */
  public readonly locationTemplate: string;

  constructor(scope: Construct, id: string, props: CloudTrailTableProps) {
    super(scope, id);
    this.tableName = props.tableName ?? DEFAULT_NAMES.cloudTrailTableName;
    const org = props.organizationId ? `${props.organizationId}/` : '';
    this.location = `${s3Root(props.bucket.bucketName, props.prefix)}AWSLogs/${org}`;
    this.locationTemplate =
      `${this.location}\${${PARTITION_KEYS.account}}/CloudTrail/` +
      `\${${PARTITION_KEYS.region}}/\${${PARTITION_KEYS.date}}`;

    this.resource = new glue.CfnTable(this, 'Resource', {
      catalogId: Stack.of(this).account,
      databaseName: props.database.databaseName,
      tableInput: {
        name: this.tableName,
        description: 'CloudTrail records (every field of the current record format), partition-projected',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          EXTERNAL: 'TRUE',
          classification: 'cloudtrail',
          ...projectionParameters({
            accounts: props.accounts,
            regions: props.regions ?? COMMERCIAL_REGIONS,
            startDate: props.projectionStartDate ?? DEFAULT_PROJECTION_START_DATE,
            locationTemplate: this.locationTemplate,
          }),
        },
        partitionKeys: [...PARTITION_COLUMNS],
        storageDescriptor: {
          columns: CLOUDTRAIL_FIELDS.map((f) => ({
            name: f.name,
            type: glueType(f.type),
            ...(f.comment ? { comment: f.comment } : {}),
          })),
          location: this.location,
          inputFormat: CLOUDTRAIL_STORAGE.inputFormat,
          outputFormat: CLOUDTRAIL_STORAGE.outputFormat,
          serdeInfo: { serializationLibrary: CLOUDTRAIL_STORAGE.serializationLibrary },
        },
      },
    });
    // The name alone does not order creation: without this the table can race its database.
    this.resource.addResourceDependency(props.database.resource);
  }
}
