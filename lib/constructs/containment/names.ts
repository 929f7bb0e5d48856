/* Plain constants (no CDK import), so the orchestrator can read them cheaply. */

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

/** Custom resource types the handler answers. */
export const RESOURCE_TYPES = {
  userDeny: 'Custom::IrKitUserDeny',
  accessKey: 'Custom::IrKitAccessKey',
  roleSessions: 'Custom::IrKitRoleSessions',
  bucketPolicy: 'Custom::IrKitBucketPolicy',
  instanceIsolation: 'Custom::IrKitInstanceIsolation',
} as const;

/** Inline policies the handler writes, on users and roles. */
export const INLINE_POLICY_NAMES = {
  /** The deny-all, inline, when IAM refuses one more managed policy on the user or role. */
  userDenyAll: (incident: string) => `IrKitContainment-${incident}`,
  revokeOlderSessions: (incident: string) => `IrKitRevokeOlderSessions-${incident}`,
} as const;

/** The isolation security group of an instance containment (EC2 allows 255 characters). */
export const isolationGroupName = (incident: string, instanceId: string) =>
  `irkit-isolation-${incident}-${instanceId}`;
