import { Match } from 'aws-cdk-lib/assertions';

import { parseConfig } from '../../../lib/config';
import { QUERIES, renderSql } from '../../../lib/queries';
import { ANALYTICS_OUTPUTS, AnalyticsStack } from '../../../lib/stacks/analytics-stack';
import { compliantApp, compliantTemplate, nagFindings } from '../../helpers/compliance';

const BASE = {
  accounts: ['777777777777'],
  trustedPrincipals: ['arn:aws:iam::777777777777:role/IncidentResponder'],
};

describe('AnalyticsStack with custom names over an existing bucket', () => {
  const config = parseConfig({
    ...BASE,
    logBucket: 'DOC-EXAMPLE-BUCKET',
    databaseName: 'ir_db',
    cloudTrailTableName: 'ct',
    vpcFlowTableName: 'flows',
    workgroupName: 'IR',
    regions: ['us-east-1', 'eu-west-1'],
  });
  const stack = new AnalyticsStack(compliantApp(), 'IrKitAnalytics', {
    config,
    logBucketName: config.logBucket,
    env: { account: '777777777777', region: 'eu-west-1' },
  });
  const template = compliantTemplate(stack);

  it('has no unacknowledged cdk-nag AwsSolutions finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('saves every library query with SQL rendered for the configured names', () => {
    template.resourceCountIs('AWS::Athena::NamedQuery', QUERIES.length);
    const saved = Object.values(template.findResources('AWS::Athena::NamedQuery')).map((r) => r.Properties);
    for (const query of QUERIES) {
      const namedQuery = saved.find((p) => p.Name === query.id);
      expect(namedQuery?.QueryString).toBe(
        renderSql(query, { database: 'ir_db', cloudTrailTable: 'ct', vpcFlowTable: 'flows' }),
      );
      expect(namedQuery?.WorkGroup).toBe('IR');
      expect(namedQuery?.Database).toBe('ir_db');
    }
  });

  it('points both tables at the configured bucket and projections', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'ir_db',
      TableInput: Match.objectLike({
        Name: 'ct',
        Parameters: Match.objectLike({
          'projection.region_partition.values': 'us-east-1,eu-west-1',
          'storage.location.template': Match.stringLikeRegexp(
            '^s3://DOC-EXAMPLE-BUCKET/AWSLogs/\\$\\{account_partition\\}/CloudTrail/',
          ),
        }),
      }),
    });
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'flows',
        Parameters: Match.objectLike({
          'storage.location.template': Match.stringLikeRegexp(
            '^s3://DOC-EXAMPLE-BUCKET/AWSLogs/.*/vpcflowlogs/',
          ),
        }),
      }),
    });
  });

  it('outputs what the orchestrator reads, under stable keys', () => {
    const outputs = template.toJSON().Outputs;
    expect(Object.keys(outputs).sort()).toEqual(Object.values(ANALYTICS_OUTPUTS).sort());
    template.hasOutput(ANALYTICS_OUTPUTS.workgroupName, { Value: 'IR' });
    template.hasOutput(ANALYTICS_OUTPUTS.databaseName, { Value: 'ir_db' });
    template.hasOutput(ANALYTICS_OUTPUTS.cloudTrailTableName, { Value: 'ct' });
    template.hasOutput(ANALYTICS_OUTPUTS.vpcFlowTableName, { Value: 'flows' });
    template.hasOutput(ANALYTICS_OUTPUTS.resultsBucketName, { Value: { Ref: Match.anyValue() } });
    template.hasOutput(ANALYTICS_OUTPUTS.resultsKeyArn, {
      Value: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
    });
  });
});

describe('AnalyticsStack over the bucket the log-sources stack creates', () => {
  const config = parseConfig({ ...BASE, logSources: { enabled: true } });
  const stack = new AnalyticsStack(compliantApp(), 'IrKitAnalytics', { config });
  const template = compliantTemplate(stack);

  it('derives the bucket name from its own account and Region, with no cross-stack import', () => {
    const location = Object.values(template.findResources('AWS::Glue::Table'))[0].Properties.TableInput
      .Parameters['storage.location.template'];
    expect(JSON.stringify(location)).toContain('irkit-logs-');
    expect(JSON.stringify(location)).toContain('{"Ref":"AWS::AccountId"}');
    expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
  });

  it('uses the playbook names by default', () => {
    template.hasOutput(ANALYTICS_OUTPUTS.workgroupName, { Value: 'IRWorkshopWorkgroup' });
    template.hasOutput(ANALYTICS_OUTPUTS.databaseName, { Value: 'irworkshopgluedatabase' });
    template.hasOutput(ANALYTICS_OUTPUTS.cloudTrailTableName, { Value: 'irworkshopgluetablecloudtrail' });
    template.hasOutput(ANALYTICS_OUTPUTS.vpcFlowTableName, { Value: 'irworkshopgluetablevpcflow' });
  });
});
