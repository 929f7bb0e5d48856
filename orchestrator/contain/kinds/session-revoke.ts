import type { Stack } from '@aws-sdk/client-cloudformation';

import { INLINE_POLICY_NAMES } from '../../../lib/constructs/containment/names';
import { ROLE_PARAMS, USER_PARAMS } from '../../../lib/stacks/containment/parameters';
import { parameterOf } from '../stacks';
import type { BuildContext, ReleaseRequest } from './kind';

/*
 * The revoke of older sessions (inline policy IrKitRevokeOlderSessions-<incident>) that users
 * and roles both get: the same parameters (ContainmentTime, KeepSessionRevoke), the same texts.
 */

// User and role stacks name these parameters alike (checked below), so one reading serves both.
const CONTAINMENT_TIME = USER_PARAMS.containmentTime;
const KEEP_SESSION_REVOKE = USER_PARAMS.keepSessionRevoke;
ROLE_PARAMS.containmentTime satisfies typeof CONTAINMENT_TIME;
ROLE_PARAMS.keepSessionRevoke satisfies typeof KEEP_SESSION_REVOKE;

/** The plan's line: `add inline policy ... to user JaneDoe: deny everything to sessions issued before T`. */
export function revokeAction(context: BuildContext, noun: string, name: string): string {
  const at = context.live
    ? (parameterOf(context.live, CONTAINMENT_TIME) ?? context.containmentTime)
    : context.containmentTime;
  return (
    `add inline policy ${INLINE_POLICY_NAMES.revokeOlderSessions(context.incidentId)} to ${noun} ${name}: ` +
    `deny everything to sessions issued before ${at}`
  );
}

/** The stack keeps the revoke of older sessions on delete (a stack of an older template has no such choice). */
export function sessionRevokeKept(stack: Stack): boolean {
  return parameterOf(stack, KEEP_SESSION_REVOKE) === 'true';
}

/** `--lift-session-revoke`: the delete removes the revoke too, when the stack can. */
export function sessionRevokeChanges(stack: Stack, request: ReleaseRequest): Record<string, string> {
  return request.liftSessionRevoke && parameterOf(stack, KEEP_SESSION_REVOKE) !== undefined
    ? { [KEEP_SESSION_REVOKE]: 'false' }
    : {};
}

/**
 * What release does with the revoke. `withoutChoice`: what a stack of an older template, which
 * has no KeepSessionRevoke, does on delete.
 */
export function sessionRevokeRelease(stack: Stack, request: ReleaseRequest, withoutChoice: string): string {
  const policy = INLINE_POLICY_NAMES.revokeOlderSessions(request.incidentId);
  const time = parameterOf(stack, CONTAINMENT_TIME);
  if (parameterOf(stack, KEEP_SESSION_REVOKE) === undefined) return withoutChoice;
  if (request.liftSessionRevoke)
    return `lift the revoke of sessions issued before ${time ?? 'containment'}: remove the inline policy ${policy} (--lift-session-revoke)`;
  return (
    `sessions issued before ${time ?? 'containment'} stay revoked: the inline policy ${policy} stays, since credentials ` +
    'taken before containment must not work again; --lift-session-revoke removes it'
  );
}
