import { ArnFormat, CfnResource, CustomResource, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * Names shared by the containment handler (deployed once, in the access stack) and the
 * containment stacks that reference it: a custom resource's ServiceToken is the handler in
 * the stack's own account and Region, so the templates need no parameter for it. The name
 * starts with `irkit-contain-`, which the execution role may invoke.
 */
export const CONTAINMENT_HANDLER_NAMES = {
  functionName: 'irkit-contain-handler',
  roleName: 'IrKitContainmentHandlerRole',
} as const;

/** Custom resource types the handler answers (handler/index.ts keeps its own copy; a test holds them equal). */
export const RESOURCE_TYPES = {
  userDeny: 'Custom::IrKitUserDeny',
  accessKey: 'Custom::IrKitAccessKey',
  roleSessions: 'Custom::IrKitRoleSessions',
  bucketPolicy: 'Custom::IrKitBucketPolicy',
} as const;

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

/** The CloudFormation resource under a custom resource, e.g. to attach a condition. */
export function cfnOf(resource: CustomResource): CfnResource {
  return resource.node.defaultChild as CfnResource;
}
