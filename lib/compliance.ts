import { App, CfnResource, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * cdk-nag's AwsSolutions pack over a whole app, through CDK's Validations API: any
 * unacknowledged finding (error or warning) fails `app.synth()`, `cdk synth` and
 * `Template.fromStack` alike. Acknowledged findings are written into each resource's
 * Metadata (`cdk_nag.rules_to_suppress`), so the deployed template carries its own audit trail.
 */
export function applyCompliance(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
}

/** A rule id, optionally with one finding: `AwsSolutions-S1`, `AwsSolutions-IAM5[Resource::*]`. */
const FINDING_ID = /^AwsSolutions-[A-Z]+\d+(\[[^\]]+\])?$/;
const MIN_REASON_LENGTH = 20;

/**
 * Acknowledges one finding on one resource. Narrow by construction: the scope must be a
 * CloudFormation resource or an L2 whose default child is one (never a stack or a group of
 * resources), the id names a single rule or finding, and the reason says why it is right here.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  const resource = CfnResource.isCfnResource(scope) ? scope : scope.node.defaultChild;
  if (resource === undefined || !CfnResource.isCfnResource(resource)) {
    throw new Error(
      `acknowledge ${id} on ${scope.node.path}: not a single resource; acknowledge on the resource the finding names`,
    );
  }
  if (!FINDING_ID.test(id)) {
    throw new Error(`acknowledge "${id}": name one AwsSolutions rule or finding, e.g. AwsSolutions-S1`);
  }
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(`acknowledge ${id} on ${scope.node.path}: give a specific reason, not "${reason}"`);
  }
  Validations.of(resource).acknowledge({ id, reason });
}
