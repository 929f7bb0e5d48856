import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';

import { LogSources, LogSourcesProps } from '../../../lib/constructs/log-sources';
import { IrKitError } from '../../../lib/errors';
import { testApp } from '../../helpers/compliance';

const ENV = { account: '777777777777', region: 'us-east-1' };
const TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:777777777777:trail/irkit-trail';

function build(props: (stack: Stack) => LogSourcesProps = () => ({})) {
  const stack = new Stack(testApp(), 'S', { env: ENV });
  const sources = new LogSources(stack, 'LogSources', props(stack));
  return { stack, sources, template: Template.fromStack(stack) };
}

describe('LogSources creating its bucket, with flow logs', () => {
  const { stack, sources, template } = build(() => ({
    vpcId: 'vpc-0123456789abcdef0',
    cloudTrailPrefix: 'trail',
    flowLogFormat: ['version', 'srcaddr', 'dstaddr', 'action'],
  }));
  const bucketId = stack.getLogicalId(sources.bucket.node.defaultChild as s3.CfnBucket);
  const keyId = stack.getLogicalId(sources.trailKey.node.defaultChild as never);
  const policy = () =>
    Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (p) => p.Properties.Bucket.Ref === bucketId,
    )!;

  it('creates a private, versioned, encrypted, SSL-only log bucket that outlives the stack', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: 'irkit-logs-777777777777-us-east-1',
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: Match.objectLike({
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        }),
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'logs/' }),
      }),
    });
    expect(policy().Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    );
  });

  it('records a multi-Region trail with log file validation, encrypted with a rotating customer key', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'irkit-trail',
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      S3BucketName: { Ref: bucketId },
      S3KeyPrefix: 'trail',
      KMSKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('records management events and the S3 object events of the simulation buckets', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      AdvancedEventSelectors: [
        { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            {
              Field: 'resources.ARN',
              StartsWith: ['arn:aws:s3:::irkit-sim-'],
            },
          ],
        },
      ].map((selector) => Match.objectLike(selector)),
    });
  });

  it('lets only this trail write its prefix, with bucket-owner-full-control', () => {
    const statements = policy().Properties.PolicyDocument.Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Sid: 'CloudTrailAclCheck',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } },
        }),
        expect.objectContaining({
          Sid: 'CloudTrailWrite',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: {
            'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/trail/AWSLogs/777777777777/*']],
          },
          Condition: {
            StringEquals: { 'aws:SourceArn': TRAIL_ARN, 's3:x-amz-acl': 'bucket-owner-full-control' },
          },
        }),
      ]),
    );
  });

  it('lets CloudTrail use the key only for this trail', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CloudTrailEncryptLogs',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 'kms:GenerateDataKey*',
            Condition: {
              StringEquals: { 'aws:SourceArn': TRAIL_ARN },
              StringLike: {
                'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:*:777777777777:trail/*',
              },
            },
          }),
        ]),
      },
    });
  });

  it('creates the trail after the bucket policy and key it needs', () => {
    const policyId = Object.entries(template.findResources('AWS::S3::BucketPolicy')).find(
      ([, p]) => p.Properties.Bucket.Ref === bucketId,
    )![0];
    template.hasResource('AWS::CloudTrail::Trail', { DependsOn: Match.arrayWith([policyId, keyId]) });
  });

  it('delivers the VPC flow logs as gzip text with a header, in the configured format', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      ResourceId: 'vpc-0123456789abcdef0',
      TrafficType: 'ALL',
      LogDestinationType: 's3',
      LogDestination: { 'Fn::GetAtt': [bucketId, 'Arn'] },
      LogFormat: '${version} ${srcaddr} ${dstaddr} ${action}',
      DestinationOptions: {
        FileFormat: 'plain-text',
        HiveCompatiblePartitions: false,
        PerHourPartition: false,
      },
    });
    expect(policy().Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Sid: 'FlowLogsWrite',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/AWSLogs/777777777777/*']] },
          Condition: expect.objectContaining({
            StringEquals: {
              'aws:SourceAccount': '777777777777',
              's3:x-amz-acl': 'bucket-owner-full-control',
            },
          }),
        }),
        expect.objectContaining({ Sid: 'FlowLogsAclCheck', Action: ['s3:GetBucketAcl', 's3:ListBucket'] }),
      ]),
    );
  });
});

describe('LogSources with an existing bucket and no VPC', () => {
  const { template } = build((stack) => ({
    existingBucket: s3.Bucket.fromBucketName(stack, 'Existing', 'DOC-EXAMPLE-BUCKET'),
    vpcFlowLogPrefix: 'flows',
    dataEventBucketPrefixes: ['irkit-sim-', 'evidence-'],
  }));

  it('delivers to that bucket and never touches its policy', () => {
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::S3::BucketPolicy', 0);
    template.hasResourceProperties('AWS::CloudTrail::Trail', { S3BucketName: 'DOC-EXAMPLE-BUCKET' });
  });

  it('creates no flow log', () => {
    template.resourceCountIs('AWS::EC2::FlowLog', 0);
  });

  it('records data events of every configured bucket prefix', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      AdvancedEventSelectors: Match.arrayWith([
        Match.objectLike({
          FieldSelectors: Match.arrayWith([
            Match.objectLike({ Field: 'resources.ARN', StartsWith: [Match.anyValue(), Match.anyValue()] }),
          ]),
        }),
      ]),
    });
  });
});

describe('LogSources refuses', () => {
  it('a malformed VPC id', () => {
    expect(() => build(() => ({ vpcId: 'vpc-XYZ' }))).toThrow(IrKitError);
    expect(() => build(() => ({ vpcId: 'vpc-XYZ' }))).toThrow(/invalid VPC id "vpc-XYZ"/);
  });

  it('an empty or malformed data-event prefix list', () => {
    expect(() => build(() => ({ dataEventBucketPrefixes: [] }))).toThrow(
      /invalid data-event bucket prefixes/,
    );
    expect(() => build(() => ({ dataEventBucketPrefixes: ['Bad_Prefix'] }))).toThrow(
      /invalid data-event bucket prefixes \["Bad_Prefix"\]/,
    );
  });

  it('an unknown flow log field', () => {
    expect(() => build(() => ({ vpcId: 'vpc-0123456789abcdef0', flowLogFormat: ['srcip'] }))).toThrow(
      /unknown VPC Flow Logs field "srcip"/,
    );
  });
});
