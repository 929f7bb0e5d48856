import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';

import { DEFAULT_PROJECTION_START_DATE } from '../../../lib/config';
import {
  CLOUDTRAIL_STORAGE,
  CloudTrailTable,
  CloudTrailTableProps,
} from '../../../lib/constructs/cloudtrail-table';
import { GlueDatabase } from '../../../lib/constructs/glue-database';
import { IrKitError } from '../../../lib/errors';
import { DEFAULT_NAMES } from '../../../lib/names';
import { COMMERCIAL_REGIONS } from '../../../lib/regions';
import { CLOUDTRAIL_FIELDS } from '../../../lib/schema/cloudtrail';
import { glueType } from '../../../lib/schema/types';
import { testApp } from '../../helpers/compliance';

type Extra = Partial<Omit<CloudTrailTableProps, 'database' | 'bucket'>>;

function build(extra: Extra = {}) {
  const stack = new Stack(testApp(), 'S', { env: { account: '777777777777', region: 'us-east-1' } });
  const database = new GlueDatabase(stack, 'Database');
  const bucket = s3.Bucket.fromBucketName(stack, 'Logs', 'DOC-EXAMPLE-BUCKET');
  const table = new CloudTrailTable(stack, 'Table', {
    database,
    bucket,
    accounts: ['777777777777'],
    ...extra,
  });
  return { stack, table, template: Template.fromStack(stack) };
}

/** Fills a storage.location.template the way Athena projects one partition. */
function partitionPath(template: string, account: string, region: string, date: string): string {
  return template
    .replace('${account_partition}', account)
    .replace('${region_partition}', region)
    .replace('${date_partition}', date);
}

describe('CloudTrailTable for an account trail, with defaults', () => {
  const { template, table } = build();
  const tableInput = () => Object.values(template.findResources('AWS::Glue::Table'))[0].Properties.TableInput;

  it('is named as in the playbook and carries every field of the CloudTrail record', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: DEFAULT_NAMES.databaseName,
      TableInput: Match.objectLike({
        Name: DEFAULT_NAMES.cloudTrailTableName,
        TableType: 'EXTERNAL_TABLE',
        StorageDescriptor: Match.objectLike({
          Columns: CLOUDTRAIL_FIELDS.map((f) => Match.objectLike({ Name: f.name, Type: glueType(f.type) })),
        }),
      }),
    });
  });

  it('exposes the fields the playbook queries and the newer ones, lower-cased', () => {
    const columns: Array<{ Name: string; Type: string }> = tableInput().StorageDescriptor.Columns;
    const type = (name: string) => columns.find((c) => c.Name === name)?.Type;
    expect(type('useridentity')).toContain('accesskeyid:string');
    expect(type('useridentity')).toContain('sessioncontext:struct<');
    expect(type('useridentity')).toContain('onbehalfof:struct<');
    expect(type('useridentity')).toContain(
      'inscopeof:struct<issuertype:string,credentialsissuedto:string,credentialsissuedtoversion:string,sourcearn:string,sourceaccount:string>',
    );
    expect(type('tlsdetails')).toContain('clientprovidedhostheader:string');
    for (const json of [
      'requestparameters',
      'responseelements',
      'additionaleventdata',
      'serviceeventdetails',
    ]) {
      expect(type(json)).toBe('string');
    }
    for (const name of ['requestid', 'eventid', 'sourceipaddress', 'useragent', 'errorcode', 'readonly']) {
      expect(type(name)).toBe('string');
    }
  });

  it('reads the CloudTrail file format: records split out of the Records array, JSON SerDe', () => {
    expect(tableInput().StorageDescriptor).toMatchObject({
      InputFormat: 'com.amazon.emr.cloudtrail.CloudTrailInputFormat',
      OutputFormat: CLOUDTRAIL_STORAGE.outputFormat,
      SerdeInfo: { SerializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
    });
  });

  it('projects date, region and account partitions over every commercial region from the start date', () => {
    expect(tableInput().PartitionKeys).toEqual([
      { Name: 'account_partition', Type: 'string' },
      { Name: 'region_partition', Type: 'string' },
      { Name: 'date_partition', Type: 'string' },
    ]);
    expect(tableInput().Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.date_partition.type': 'date',
      'projection.date_partition.format': 'yyyy/MM/dd',
      'projection.date_partition.range': `${DEFAULT_PROJECTION_START_DATE},NOW`,
      'projection.date_partition.interval': '1',
      'projection.date_partition.interval.unit': 'DAYS',
      'projection.region_partition.type': 'enum',
      'projection.region_partition.values': COMMERCIAL_REGIONS.join(','),
      'projection.account_partition.type': 'enum',
      'projection.account_partition.values': '777777777777',
    });
  });

  it('locates a partition exactly where CloudTrail delivers that day', () => {
    const location = tableInput().Parameters['storage.location.template'];
    expect(location).toBe(
      's3://DOC-EXAMPLE-BUCKET/AWSLogs/${account_partition}/CloudTrail/${region_partition}/${date_partition}',
    );
    const object =
      's3://DOC-EXAMPLE-BUCKET/AWSLogs/777777777777/CloudTrail/us-east-1/2021/07/24/777777777777_CloudTrail_us-east-1_20210724T0225Z_EXAMPLE.json.gz';
    expect(object.startsWith(`${partitionPath(location, '777777777777', 'us-east-1', '2021/07/24')}/`)).toBe(
      true,
    );
    expect(tableInput().StorageDescriptor.Location).toBe('s3://DOC-EXAMPLE-BUCKET/AWSLogs/');
    expect(table.locationTemplate).toBe(location);
  });

  it('is created after its database', () => {
    const [databaseId] = Object.keys(template.findResources('AWS::Glue::Database'));
    template.hasResource('AWS::Glue::Table', { DependsOn: Match.arrayWith([databaseId]) });
  });
});

describe('CloudTrailTable for an organization trail with a prefix', () => {
  const { template } = build({
    tableName: 'ct',
    prefix: 'org/trail',
    organizationId: 'o-exampleorgid',
    accounts: ['777777777777', '111122223333'],
    regions: ['us-east-1', 'eu-west-1'],
    projectionStartDate: '2021/07/01',
  });
  const params = () =>
    Object.values(template.findResources('AWS::Glue::Table'))[0].Properties.TableInput.Parameters;

  it('puts the prefix and organization id before the account folder', () => {
    const location = params()['storage.location.template'];
    expect(location).toBe(
      's3://DOC-EXAMPLE-BUCKET/org/trail/AWSLogs/o-exampleorgid/${account_partition}/CloudTrail/${region_partition}/${date_partition}',
    );
    const object =
      's3://DOC-EXAMPLE-BUCKET/org/trail/AWSLogs/o-exampleorgid/111122223333/CloudTrail/eu-west-1/2021/07/24/111122223333_CloudTrail_eu-west-1_20210724T0225Z_EXAMPLE.json.gz';
    expect(object.startsWith(`${partitionPath(location, '111122223333', 'eu-west-1', '2021/07/24')}/`)).toBe(
      true,
    );
  });

  it('projects the configured accounts, regions and start date', () => {
    expect(params()).toMatchObject({
      'projection.account_partition.values': '777777777777,111122223333',
      'projection.region_partition.values': 'us-east-1,eu-west-1',
      'projection.date_partition.range': '2021/07/01,NOW',
    });
    template.hasResourceProperties('AWS::Glue::Table', { TableInput: Match.objectLike({ Name: 'ct' }) });
  });
});

describe('CloudTrailTable refuses props that would match nothing', () => {
  const cases: Array<[string, Extra, RegExp]> = [
    ['no accounts', { accounts: [] }, /invalid accounts \[\]/],
    ['a malformed account', { accounts: ['7777'] }, /invalid account "7777"/],
    ['no regions', { regions: [] }, /invalid regions \[\]/],
    ['a malformed region', { regions: ['useast1'] }, /invalid region "useast1"/],
    [
      'a dashed start date',
      { projectionStartDate: '2021-07-01' },
      /invalid projection start date "2021-07-01"/,
    ],
    ['an impossible start date', { projectionStartDate: '2021/13/01' }, /invalid projection start date/],
  ];
  it.each(cases.map(([name, extra, message]) => ({ name, extra, message })))(
    'refuses $name',
    ({ extra, message }) => {
      let error: unknown;
      try {
        build(extra);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(IrKitError);
      expect((error as IrKitError).code).toBe('IRKIT_CONFIG');
      expect((error as IrKitError).message).toMatch(message);
      expect((error as IrKitError).hint).toBeTruthy();
    },
  );
});
