import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

import { acknowledge, applyCompliance } from '../../../lib/compliance';
import { AccessStack, AccessStackProps } from '../../../lib/stacks/access-stack';
import { FEATURE_FLAGS } from '../../helpers/cdk-context';
import { Deployment } from '../policies/template-policies';

export const ACCOUNT = '777777777777';
export const REGION = 'us-east-1';
export const env = { account: ACCOUNT, region: REGION };
export const LOG_BUCKET = 'amzn-s3-demo-logging-bucket';
export const RESULTS_BUCKET = 'amzn-s3-demo-bucket1';
export const RESULTS_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const RESPONDER = `arn:aws:iam::${ACCOUNT}:role/Responder`;

/**
 * An app with cdk.json's feature flags and the AwsSolutions pack on, as bin/app.ts builds it, minus CDK's built-in
 * CloudFormation validation: that engine only ever warns, and starting it costs seconds of
 * CPU in every test file.
 */
export function testApp(context: Record<string, unknown> = {}): App {
  const app = new App({ context: { ...FEATURE_FLAGS, ...context }, builtinCloudFormationValidation: false });
  applyCompliance(app);
  return app;
}

export interface AccessFixture {
  readonly app: App;
  readonly analytics: Stack;
  readonly stack: AccessStack;
  /** How the access stack's imports and pseudo parameters resolve once deployed. */
  readonly deployment: Deployment;
}

/**
 * The access stack as the app builds it: the results bucket and key come from another stack
 * (a stand-in for IrKitAnalytics), the log bucket is an existing one named in config.
 */
export function accessFixture(overrides: Partial<AccessStackProps> = {}): AccessFixture {
  const app = testApp();
  const analytics = new Stack(app, 'AnalyticsStandIn', { env });
  const resultsKey = new kms.Key(analytics, 'ResultsKey', { enableKeyRotation: true });
  const resultsBucket = new s3.Bucket(analytics, 'Results', {
    bucketName: RESULTS_BUCKET,
    encryptionKey: resultsKey,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  });
  acknowledge(resultsBucket, 'AwsSolutions-S1', 'stand-in for the analytics stack results bucket in tests');
  const stack = new AccessStack(app, 'IrKitAccess', {
    env,
    trustedPrincipals: [RESPONDER],
    logBucket: s3.Bucket.fromBucketName(analytics, 'Logs', LOG_BUCKET),
    resultsBucket,
    resultsKey,
    ...overrides,
  });
  return {
    app,
    analytics,
    stack,
    deployment: {
      account: ACCOUNT,
      region: REGION,
      stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/IrKitAccess/1b2c3d4e-5f60-7a8b-9c0d-1e2f3a4b5c6d`,
      imports: {
        'AnalyticsStandIn-ResultsBucketArn': `arn:aws:s3:::${RESULTS_BUCKET}`,
        'AnalyticsStandIn-ResultsKeyArn': RESULTS_KEY_ARN,
      },
    },
  };
}
