import { App, Environment } from 'aws-cdk-lib';

import { applyCompliance } from '../lib/compliance';
import { IrKitConfig, loadConfig } from '../lib/config';
import { IrKitError } from '../lib/errors';
import { ANALYTICS_STACK_NAME, AnalyticsStack } from '../lib/stacks/analytics-stack';
import { LOG_SOURCES_STACK_NAME, LogSourcesStack } from '../lib/stacks/log-sources-stack';

/**
 * The CDK app: reads and validates the config, applies cdk-nag, instantiates the stacks.
 * Nothing else belongs here.
 */
export interface IrKitApp {
  readonly app: App;
  readonly config: IrKitConfig;
  readonly analytics: AnalyticsStack;
  readonly logSources?: LogSourcesStack;
}

export function buildApp(app: App = new App()): IrKitApp {
  const config = loadConfig(app);
  applyCompliance(app);
  const env: Environment = { account: config.env.account, region: config.env.region };

  const logSources = config.logSources.enabled
    ? new LogSourcesStack(app, LOG_SOURCES_STACK_NAME, { env, config })
    : undefined;
  const analytics = new AnalyticsStack(app, ANALYTICS_STACK_NAME, {
    env,
    config,
    // Without logBucket the log-sources stack creates it, under a name the analytics stack derives itself.
    logBucketName: config.logBucket,
  });

  return { app, config, analytics, logSources };
}

if (require.main === module) {
  try {
    buildApp().app.synth();
  } catch (error) {
    // A config mistake is the user's to fix: show the message and the fix, not a stack trace.
    if (error instanceof IrKitError) {
      console.error(error.describe());
      process.exit(1);
    }
    throw error;
  }
}
