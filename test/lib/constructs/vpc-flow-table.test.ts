import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';

import { GlueDatabase } from '../../../lib/constructs/glue-database';
import { VpcFlowTable, VpcFlowTableProps } from '../../../lib/constructs/vpc-flow-table';
import { IrKitError } from '../../../lib/errors';
import { DEFAULT_NAMES } from '../../../lib/names';
import { testApp } from '../../helpers/compliance';

type Extra = Partial<Omit<VpcFlowTableProps, 'database' | 'bucket'>>;

function build(extra: Extra = {}) {
  const stack = new Stack(testApp(), 'S', { env: { account: '777777777777', region: 'us-east-1' } });
  const database = new GlueDatabase(stack, 'Database');
  const bucket = s3.Bucket.fromBucketName(stack, 'Logs', 'DOC-EXAMPLE-BUCKET');
  new VpcFlowTable(stack, 'Table', { database, bucket, accounts: ['777777777777'], ...extra });
  const template = Template.fromStack(stack);
  const tableInput = Object.values(template.findResources('AWS::Glue::Table'))[0].Properties.TableInput;
  return { template, tableInput };
}

describe('VpcFlowTable with the default (version 2) format', () => {
  const { template, tableInput } = build();

  it('has the version-2 fields under the playbook column names, in file order', () => {
    expect(tableInput.Name).toBe(DEFAULT_NAMES.vpcFlowTableName);
    expect(
      tableInput.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => [c.Name, c.Type]),
    ).toEqual([
      ['version', 'int'],
      ['account', 'string'],
      ['interfaceid', 'string'],
      ['sourceaddress', 'string'],
      ['destinationaddress', 'string'],
      ['sourceport', 'int'],
      ['destinationport', 'int'],
      ['protocol', 'int'],
      ['numpackets', 'bigint'],
      ['numbytes', 'bigint'],
      ['starttime', 'bigint'],
      ['endtime', 'bigint'],
      ['action', 'string'],
      ['logstatus', 'string'],
    ]);
  });

  it('reads space-delimited text and skips the header line', () => {
    expect(tableInput.Parameters['skip.header.line.count']).toBe('1');
    expect(tableInput.StorageDescriptor).toMatchObject({
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      SerdeInfo: {
        SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
        Parameters: { 'field.delim': ' ' },
      },
    });
  });

  it('projects the same partitions over the vpcflowlogs layout', () => {
    expect(tableInput.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.date_partition.format': 'yyyy/MM/dd',
      'projection.account_partition.values': '777777777777',
      'storage.location.template':
        's3://DOC-EXAMPLE-BUCKET/AWSLogs/${account_partition}/vpcflowlogs/${region_partition}/${date_partition}',
    });
    expect(tableInput.PartitionKeys.map((k: { Name: string }) => k.Name)).toEqual([
      'account_partition',
      'region_partition',
      'date_partition',
    ]);
  });

  it('is created after its database', () => {
    const [databaseId] = Object.keys(template.findResources('AWS::Glue::Database'));
    template.hasResource('AWS::Glue::Table', { DependsOn: Match.arrayWith([databaseId]) });
  });
});

describe('VpcFlowTable with a custom format and prefix', () => {
  const { tableInput } = build({
    format: ['version', 'vpc-id', 'srcaddr', 'dstaddr', 'pkt-srcaddr', 'flow-direction', 'traffic-path'],
    prefix: 'flows',
    tableName: 'flows',
    regions: ['eu-west-1'],
  });

  it('has exactly the configured fields, in order', () => {
    expect(tableInput.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toEqual([
      'version',
      'vpcid',
      'sourceaddress',
      'destinationaddress',
      'pktsrcaddr',
      'flowdirection',
      'trafficpath',
    ]);
  });

  it('reads under the prefix', () => {
    expect(tableInput.Parameters['storage.location.template']).toBe(
      's3://DOC-EXAMPLE-BUCKET/flows/AWSLogs/${account_partition}/vpcflowlogs/${region_partition}/${date_partition}',
    );
    expect(tableInput.Parameters['projection.region_partition.values']).toBe('eu-west-1');
  });
});

describe('VpcFlowTable refuses', () => {
  it('an unknown field name', () => {
    expect(() => build({ format: ['version', 'source-address'] })).toThrow(IrKitError);
    expect(() => build({ format: ['version', 'source-address'] })).toThrow(
      /unknown VPC Flow Logs field "source-address"/,
    );
  });

  it('an empty account list', () => {
    expect(() => build({ accounts: [] })).toThrow(/invalid accounts \[\]/);
  });
});
