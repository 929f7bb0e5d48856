import { App, Environment } from 'aws-cdk-lib';

import { applyCompliance } from '../lib/compliance';
import { IrKitConfig, loadConfig } from '../lib/config';
import { IrKitError } from '../lib/errors';
import { ACCESS_STACK_NAME, AccessStack, accessSettings } from '../lib/stacks/access-stack';
import { AlertForwardingStack, alertForwardingSettings } from '../lib/stacks/alert-forwarding-stack';
import { ALERTS_STACK_NAME, AlertsStack, alertsSettings } from '../lib/stacks/alerts-stack';
import { ANALYTICS_STACK_NAME, AnalyticsStack } from '../lib/stacks/analytics-stack';
import { EVIDENCE_STACK_NAME, EvidenceStack, evidenceSettings } from '../lib/stacks/evidence-stack';
import { LOG_SOURCES_STACK_NAME, LogSourcesStack } from '../lib/stacks/log-sources-stack';
import { SIMULATION_STACK_NAME, SimulationStack, simulationSettings } from '../lib/stacks/simulation-stack';

/**
 * The CDK app: reads and validates the config, applies cdk-nag, instantiates the stacks.
 * Nothing else belongs here.
 */
export interface IrKitApp {
  readonly app: App;
  readonly config: IrKitConfig;
  readonly analytics: AnalyticsStack;
  readonly logSources?: LogSourcesStack;
  readonly access: AccessStack;
  readonly alerts: AlertsStack;
  /** The evidence store (playbook step 14); after access, whose roles its policies name. */
  readonly evidence: EvidenceStack;
  /** One per Region whose alert events are forwarded to the alerts stack's Region. */
  readonly alertForwarding: readonly AlertForwardingStack[];
  readonly simulation?: SimulationStack;
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

  const access = new AccessStack(app, ACCESS_STACK_NAME, {
    env,
    ...accessSettings(config),
    logBucket: analytics.logBucket,
    logBucketKey: logSources?.logSources.trailKey,
    resultsBucket: analytics.workgroup.resultsBucket,
    resultsKey: analytics.workgroup.resultsKey,
  });
  const evidence = new EvidenceStack(app, EVIDENCE_STACK_NAME, { env, ...evidenceSettings(config) });
  evidence.addDependency(access, 'its bucket and key policies name the IR roles, which must exist first');
  const alerts = new AlertsStack(app, ALERTS_STACK_NAME, alertsSettings(config));
  const alertForwarding = alertForwardingSettings(config).map(
    ({ name, props }) => new AlertForwardingStack(app, name, props),
  );
  const simulation = config.simulation.enabled
    ? new SimulationStack(app, SIMULATION_STACK_NAME, simulationSettings(config))
    : undefined;

  return { app, config, analytics, logSources, access, evidence, alerts, alertForwarding, simulation };
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
