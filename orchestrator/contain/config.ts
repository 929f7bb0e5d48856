import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { rawConfigOf } from '../../lib/config';
import { IrKitError } from '../../lib/errors';
import { DEFAULT_NAMES } from '../../lib/names';
import type { ProtectionOptions } from './prepare';

const NAME_OR_ARN = /^([A-Za-z0-9+=,.@_-]{1,64}|arn:aws[a-z-]*:iam::\d{12}:(user|role)\/[\w+=,.@/-]+)$/;

/**
 * What the kit's config says containment must never touch: its protectedPrincipals, the IR
 * role names as configured, and the log bucket. Read from the cdk.json of the working
 * directory (and the config file it names) when there is one; only these keys are read, so
 * a config that is still incomplete for deployment does not stop a responder.
 */
export function protectionFromConfig(cwd = process.cwd()): ProtectionOptions {
  const path = join(cwd, 'cdk.json');
  if (!existsSync(path)) return {};
  let context: Record<string, unknown>;
  try {
    context = ((JSON.parse(readFileSync(path, 'utf8')) as { context?: Record<string, unknown> }).context ??
      {}) as Record<string, unknown>;
  } catch (error) {
    throw new IrKitError('IRKIT_CONFIG', `${path} is not valid JSON: ${(error as Error).message}`, {
      hint: 'fix cdk.json, or run irkit from another directory',
      cause: error,
    });
  }
  const raw = rawConfigOf((key) => context[key]);
  const strings = (key: string): string[] | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      throw new IrKitError(
        'IRKIT_CONFIG',
        `irkit.${key} must be a list of strings, got ${JSON.stringify(value)}`,
        {
          hint: `e.g. "${key}": ["ci-deployer", "arn:aws:iam::777777777777:role/Ops"]`,
        },
      );
    }
    return value as string[];
  };
  const name = (key: keyof typeof DEFAULT_NAMES): string =>
    typeof raw[key] === 'string' ? (raw[key] as string) : DEFAULT_NAMES[key];
  const protectedPrincipals = strings('protectedPrincipals') ?? [];
  const bad = protectedPrincipals.find((p) => !NAME_OR_ARN.test(p));
  if (bad !== undefined) {
    throw new IrKitError(
      'IRKIT_CONFIG',
      `irkit.protectedPrincipals holds ${JSON.stringify(bad)}, not an IAM name or ARN`,
      {
        hint: 'list IAM user or role names, or their ARNs',
      },
    );
  }
  return {
    protectedPrincipals,
    irRoleNames: [
      name('analystRoleName'),
      name('adminRoleName'),
      name('deployRoleName'),
      name('breakGlassRoleName'),
    ],
    protectedBuckets: typeof raw.logBucket === 'string' ? [raw.logBucket] : [],
  };
}
