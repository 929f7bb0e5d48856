import { parseConfig } from '../../../lib/config';
import { LOG_SOURCES_OUTPUTS, LogSourcesStack } from '../../../lib/stacks/log-sources-stack';
import { compliantApp, compliantTemplate, nagFindings } from '../../helpers/compliance';

const BASE = {
  accounts: ['777777777777'],
  trustedPrincipals: ['arn:aws:iam::777777777777:role/IncidentResponder'],
};

describe('LogSourcesStack creating the bucket, with flow logs', () => {
  const config = parseConfig({
    ...BASE,
    logSources: { enabled: true, vpcId: 'vpc-0123456789abcdef0' },
    vpcFlowLogFormat: ['version', 'account-id', 'srcaddr', 'dstaddr', 'start'],
  });
  const stack = new LogSourcesStack(compliantApp(), 'IrKitLogSources', { config });
  const template = compliantTemplate(stack);

  it('has no unacknowledged cdk-nag AwsSolutions finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('delivers flow logs in the configured format, the one the flow table reads', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      LogFormat: '${version} ${account-id} ${srcaddr} ${dstaddr} ${start}',
    });
  });

  it('outputs the bucket, trail, trail key and flow log', () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(Object.values(LOG_SOURCES_OUTPUTS).sort());
  });
});

describe('LogSourcesStack over an existing bucket', () => {
  const config = parseConfig({ ...BASE, logBucket: 'DOC-EXAMPLE-BUCKET', logSources: { enabled: true } });
  const stack = new LogSourcesStack(compliantApp(), 'IrKitLogSources', { config });
  const template = compliantTemplate(stack);

  it('has no unacknowledged cdk-nag AwsSolutions finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('creates no bucket and no flow log, and outputs no flow log id', () => {
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::EC2::FlowLog', 0);
    template.hasOutput(LOG_SOURCES_OUTPUTS.logBucketName, { Value: 'DOC-EXAMPLE-BUCKET' });
    expect(template.toJSON().Outputs[LOG_SOURCES_OUTPUTS.flowLogId]).toBeUndefined();
  });
});
