import { ProtectionRule, protectedReason as reasonOf } from '../../lib/protection';
import { ContainmentKind } from '../contain/plan';

/**
 * Who the investigation never puts in a containment plan: the one rule of lib/protection.ts,
 * which `irkit contain` applies too. Protected principals are still investigated (an actor
 * using the break-glass role is the worst news of all) and are reported under `excluded`.
 */
export type ProtectionOptions = ProtectionRule;

/** Why a target is protected, from what CloudTrail shows of it (its name and ARN, never its tags). */
export function protectedReason(
  rule: ProtectionRule,
  kind: ContainmentKind,
  name: string,
  arn?: string | null,
): string | undefined {
  return reasonOf(rule, { kind, name, ...(arn ? { arn } : {}) });
}
