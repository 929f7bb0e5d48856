import { Token } from 'aws-cdk-lib';

import { IrKitError } from '../../errors';
import { PATTERNS } from '../../validation';

/** A physical-name rule: the pattern and how to say it to a person. */
export interface NameRule {
  readonly pattern: RegExp;
  readonly description: string;
}

export const ROLE_NAME_RULE: NameRule = {
  pattern: PATTERNS.iamName,
  description: '1-64 letters, digits and + = , . @ _ -, e.g. SecurityAnalystRole',
};

export const USER_NAME_RULE: NameRule = {
  pattern: PATTERNS.iamName,
  description: '1-64 letters, digits and + = , . @ _ -, e.g. JorgeSouza',
};

export const POLICY_NAME_RULE: NameRule = {
  pattern: PATTERNS.iamPolicyName,
  description: '1-128 letters, digits and + = , . @ _ -, e.g. iam-containment-policy',
};

/**
 * Returns the name when it satisfies the rule, else throws IRKIT_CONFIG naming the prop and
 * the accepted form. Unresolved tokens pass: they are only known at deploy time.
 */
export function checkedName(what: string, value: string, rule: NameRule): string {
  if (!Token.isUnresolved(value) && !rule.pattern.test(value)) {
    throw new IrKitError('IRKIT_CONFIG', `invalid ${what}: ${JSON.stringify(value)}`, {
      hint: `a ${what} is ${rule.description}`,
    });
  }
  return value;
}

/** An AWS Organizations id (`o-...`), else IRKIT_CONFIG with the fix; unresolved tokens pass. */
export function checkedOrganizationId(value: string): string {
  if (!Token.isUnresolved(value) && !PATTERNS.organizationId.test(value)) {
    throw new IrKitError('IRKIT_CONFIG', `invalid organization id: ${JSON.stringify(value)}`, {
      hint: 'give the id AWS Organizations shows, e.g. o-exampleorgid (organizationId)',
    });
  }
  return value;
}
