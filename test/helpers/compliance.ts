import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';

import { applyCompliance } from '../../lib/compliance';
import { FEATURE_FLAGS } from './cdk-context';

/**
 * An app for unit tests, with cdk.json's feature flags: CDK's built-in CloudFormation schema
 * validation is off, because it only ever warns and starting it costs seconds in every test
 * file. The app test keeps it on.
 */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...FEATURE_FLAGS, ...context }, builtinCloudFormationValidation: false });
}

/** A testApp with the AwsSolutions pack on, as bin/app.ts builds it. */
export function compliantApp(context: Record<string, unknown> = {}): App {
  const app = testApp(context);
  applyCompliance(app);
  return app;
}

/**
 * The template of a stack built in a compliantApp. Template.fromStack runs the pack, so an
 * unacknowledged finding fails here just as it fails `cdk synth`.
 */
export function compliantTemplate(stack: Stack): Template {
  return Template.fromStack(stack);
}

/**
 * Every unacknowledged AwsSolutions finding in a scope, as `RuleId @ construct path`, so a
 * test can assert an empty list and show what is wrong when it is not.
 */
export function nagFindings(stack: Stack): string[] {
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} @ ${resource.constructPath}`),
  );
}
