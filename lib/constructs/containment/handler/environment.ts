import { ProtectionRule } from '../../../protection';
import { ContainmentError } from './types';

const LIST_KEYS = [
  'irRoleNames',
  'kitRoleNames',
  'protectedPrincipals',
  'protectedBuckets',
  'trustedPrincipalArns',
  'breakGlassPrincipalArns',
] as const;

/** The protection rule the access stack wrote into the function's environment, checked whole. */
export function parseProtectionRule(text: string): ProtectionRule {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ContainmentError('the handler is misconfigured: PROTECTION_RULE is not JSON');
  }
  const o = value as Record<string, unknown>;
  const strings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (
    typeof o !== 'object' ||
    o === null ||
    typeof o.breakGlassRoleName !== 'string' ||
    !LIST_KEYS.every((k) => strings(o[k]))
  ) {
    throw new ContainmentError('the handler is misconfigured: PROTECTION_RULE is not a protection rule');
  }
  return o as unknown as ProtectionRule;
}

/** The rule as the function's environment carries it (compact: Lambda allows 4 KB of environment). */
export function serializeProtectionRule(rule: ProtectionRule): string {
  return JSON.stringify(
    Object.fromEntries([
      ['breakGlassRoleName', rule.breakGlassRoleName],
      ...LIST_KEYS.map((k) => [k, rule[k]]),
    ]),
  );
}
