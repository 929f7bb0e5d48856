import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';

import { DEFAULT_BYTES_SCANNED_CUTOFF, DEFAULT_RESULTS_RETENTION_IN_DAYS } from '../../../lib/config';
import {
  InvestigationWorkgroup,
  InvestigationWorkgroupProps,
} from '../../../lib/constructs/investigation-workgroup';
import { IrKitError } from '../../../lib/errors';
import { DEFAULT_NAMES } from '../../../lib/names';
import { testApp } from '../../helpers/compliance';

function build(props: InvestigationWorkgroupProps = {}) {
  const stack = new Stack(testApp(), 'S', { env: { account: '777777777777', region: 'us-east-1' } });
  const workgroup = new InvestigationWorkgroup(stack, 'Workgroup', props);
  return { stack, workgroup, template: Template.fromStack(stack) };
}

function idOf(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

describe('what deleting the stack does to the workgroup', () => {
  it('retains it with its query history by default', () => {
    build().template.hasResource('AWS::Athena::WorkGroup', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ RecursiveDeleteOption: false }),
    });
  });

  it('deletes it with all it holds when asked, so the stack deletes once queries have run', () => {
    build({ onDelete: 'delete' }).template.hasResource('AWS::Athena::WorkGroup', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ RecursiveDeleteOption: true }),
    });
  });
});

describe('InvestigationWorkgroup with defaults', () => {
  const { stack, workgroup, template } = build();
  const keyId = idOf(stack, workgroup.resultsKey);
  const resultsId = idOf(stack, workgroup.resultsBucket);
  const accessLogsId = idOf(stack, workgroup.accessLogsBucket);

  it('enforces engine v3, the scan cutoff, CloudWatch metrics and KMS-encrypted results', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: DEFAULT_NAMES.workgroupName,
      State: 'ENABLED',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        BytesScannedCutoffPerQuery: DEFAULT_BYTES_SCANNED_CUTOFF,
        PublishCloudWatchMetricsEnabled: true,
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: resultsId }, '/results/']] },
          ExpectedBucketOwner: '777777777777',
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        },
      },
    });
  });

  it('encrypts results with a customer key that rotates and is kept on stack deletion', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
  });

  it('keeps results in a private, versioned, SSL-only bucket that expires them', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
              },
            },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              Id: 'ExpireQueryResults',
              Status: 'Enabled',
              ExpirationInDays: DEFAULT_RESULTS_RETENTION_IN_DAYS,
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            }),
          ],
        },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: accessLogsId },
          LogFilePrefix: 'query-results/',
        },
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: resultsId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets only S3 log delivery for the results bucket write access logs', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: accessLogsId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [resultsId, 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': '777777777777' },
            },
          }),
        ]),
      },
    });
  });

  it('names its ARN for IAM policies', () => {
    expect(JSON.stringify(stack.resolve(workgroup.workgroupArn))).toContain(
      ':athena:us-east-1:777777777777:workgroup/IRWorkshopWorkgroup',
    );
  });
});

describe('InvestigationWorkgroup settings', () => {
  it('takes the configured name, cutoff and retention', () => {
    const { template } = build({
      workgroupName: 'IR.Team',
      bytesScannedCutoffPerQuery: 10_000_000,
      resultsRetentionInDays: 30,
    });
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'IR.Team',
      WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 10_000_000 }),
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30 })] },
    });
  });

  const refusals: Array<[string, InvestigationWorkgroupProps, RegExp]> = [
    [
      'a cutoff under 10 MB',
      { bytesScannedCutoffPerQuery: 9_999_999 },
      /invalid bytesScannedCutoffPerQuery 9999999/,
    ],
    ['a fractional cutoff', { bytesScannedCutoffPerQuery: 1e7 + 0.5 }, /invalid bytesScannedCutoffPerQuery/],
    ['a zero retention', { resultsRetentionInDays: 0 }, /invalid resultsRetentionInDays 0/],
    ['a name with a slash', { workgroupName: 'a/b' }, /invalid Athena workgroup name "a\/b"/],
  ];
  it.each(refusals.map(([name, props, message]) => ({ name, props, message })))(
    'refuses $name',
    ({ props, message }) => {
      const run = () => new InvestigationWorkgroup(new Stack(testApp(), 'S'), 'Workgroup', props);
      expect(run).toThrow(IrKitError);
      expect(run).toThrow(message);
    },
  );
});
