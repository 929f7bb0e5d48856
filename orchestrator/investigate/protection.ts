import { ProtectionRule, protectedReason as reasonOf } from '../../lib/protection';
import { ContainmentKind } from '../contain/kinds';

/**
 * Who the investigation never contains like any other target: the one rule of lib/protection.ts,
 * which `irkit contain` and the containment handler apply too. The IR roles and the break-glass
 * role are protected, but an actor on one of them gets a revoke-only step (see irRoleOf); the
 * others are reported under `excluded`. All are still investigated: an actor using an IR role,
 * worst of all the break-glass role, is the worst news there is.
 */
export type ProtectionOptions = ProtectionRule;

const lower = (s: string) => s.toLowerCase();

/** The configured break-glass role's name. */
export function breakGlassRoleOf(protection: ProtectionOptions): string {
  return protection.breakGlassRoleName;
}

/** Whether a role is the break-glass role or another IR role (names compare without case). */
export function irRoleOf(protection: ProtectionOptions, roleName: string): 'break-glass' | 'ir' | undefined {
  if (lower(protection.breakGlassRoleName) === lower(roleName)) return 'break-glass';
  return protection.irRoleNames.some((r) => lower(r) === lower(roleName)) ? 'ir' : undefined;
}

/** Why a target is protected, from what CloudTrail shows of it (its name and ARN, never its tags). */
export function protectedReason(
  rule: ProtectionRule,
  kind: ContainmentKind,
  name: string,
  arn?: string | null,
): string | undefined {
  return reasonOf(rule, { kind, name, ...(arn ? { arn } : {}) });
}
