import { ArnFormat, CfnResource, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { CONTAINMENT_HANDLER_NAMES } from './names';

export { CONTAINMENT_HANDLER_NAMES, RESOURCE_TYPES } from './names';

/** What every containment construct shares: the incident and the handler answering for it. */
export interface ContainmentBaseProps {
  /** The incident id; it names the inline policies the handler writes. */
  readonly incidentId: string;
  /**
   * The containment handler function ARN.
   * @default - `irkit-contain-handler` in this stack's account and Region (deployed by the access stack)
   */
  readonly serviceToken?: string;
}

/** The handler's ARN in the account and Region of `scope`'s stack (tokens when those are unresolved). */
export function handlerFunctionArn(scope: Construct): string {
  return Stack.of(scope).formatArn({
    service: 'lambda',
    resource: 'function',
    resourceName: CONTAINMENT_HANDLER_NAMES.functionName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * How long CloudFormation waits for the handler (its own default is an hour): the handler answers
 * within its 2-minute timeout, and one invocation at a time (reserved concurrency) of a plan of
 * tens of targets still fits, so a handler that never answers fails the stack well before the hour.
 */
export const HANDLER_SERVICE_TIMEOUT = Duration.minutes(15);

/** The CloudFormation resource under a custom resource, e.g. to attach a condition. */
export function cfnOf(resource: CustomResource): CfnResource {
  return resource.node.defaultChild as CfnResource;
}
