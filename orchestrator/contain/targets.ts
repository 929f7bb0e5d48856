import { invalidInput } from '../../lib/errors';
import { RoleMode } from '../../lib/stacks/containment/parameters';
import * as v from '../../lib/validation';
import { ContainmentKind, ContainmentPlan, MAX_KEYS_PER_USER, PlanEvidence, targetKey } from './plan';

/** One thing to contain: what `--user/--role/--bucket` or a plan step names. */
export type ContainmentTarget =
  | { readonly kind: 'user'; readonly name: string; readonly accessKeyIds: readonly string[] }
  | { readonly kind: 'role'; readonly name: string; readonly mode: RoleMode; readonly irRole: boolean }
  | { readonly kind: 'bucket'; readonly name: string };

export interface PlannedTarget {
  readonly target: ContainmentTarget;
  readonly evidence: readonly PlanEvidence[];
}

/** `user:JaneDoe`: how targets are shown, tagged and chosen with `--target`. */
export function targetLabel(target: { kind: ContainmentKind; name: string }): string {
  return `${target.kind}:${target.name}`;
}

export function sameTarget(
  a: { kind: ContainmentKind; name: string },
  b: { kind: ContainmentKind; name: string },
): boolean {
  return targetKey(a.kind, a.name) === targetKey(b.kind, b.name);
}

export function targetsOfPlan(plan: ContainmentPlan): PlannedTarget[] {
  return plan.steps.map((step) => ({
    target:
      step.kind === 'user'
        ? { kind: 'user', name: step.name, accessKeyIds: step.accessKeyIds }
        : step.kind === 'role'
          ? { kind: 'role', name: step.name, mode: step.mode ?? 'revoke', irRole: step.irRole ?? false }
          : { kind: 'bucket', name: step.name },
    evidence: step.evidence,
  }));
}

export interface TargetOptions {
  readonly users?: readonly string[];
  readonly accessKeyIds?: readonly string[];
  readonly roles?: readonly string[];
  readonly buckets?: readonly string[];
}

/**
 * Targets from the command line. `--access-key-id` belongs to `--user`, so it needs exactly
 * one user. Every name is validated; nothing is looked up yet.
 */
export function targetsOfOptions(options: TargetOptions): PlannedTarget[] {
  const users = (options.users ?? []).map(v.iamUserName);
  const keys = (options.accessKeyIds ?? []).map(v.accessKeyId);
  if (keys.length > 0 && users.length !== 1) {
    throw invalidInput(
      '--access-key-id',
      keys.join(' '),
      'give the keys together with exactly one --user (the user they belong to); use --plan for several users',
    );
  }
  for (const key of keys) {
    if (key.startsWith('ASIA')) {
      throw invalidInput(
        '--access-key-id',
        key,
        'ASIA keys are session credentials and cannot be deactivated; containing the user that minted them cuts them',
      );
    }
  }
  const unique = [...new Set(keys)];
  if (unique.length > MAX_KEYS_PER_USER) {
    throw invalidInput(
      '--access-key-id',
      unique.join(' '),
      `IAM allows at most ${MAX_KEYS_PER_USER} keys per user`,
    );
  }
  const targets: ContainmentTarget[] = [
    ...users.map((name): ContainmentTarget => ({ kind: 'user', name, accessKeyIds: unique })),
    ...(options.roles ?? []).map((name): ContainmentTarget => ({
      kind: 'role',
      name: v.iamRoleName(name),
      mode: 'revoke',
      irRole: false,
    })),
    ...(options.buckets ?? []).map((name): ContainmentTarget => ({
      kind: 'bucket',
      name: v.bucketName(name),
    })),
  ];
  if (targets.length === 0) {
    throw invalidInput(
      'targets',
      '',
      'name what to contain: --plan FILE, or --user NAME [--access-key-id ID ...], --role NAME, --bucket NAME',
    );
  }
  const seen = new Set<string>();
  return targets
    .filter((t) => {
      const key = targetKey(t.kind, t.name);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((target) => ({ target, evidence: [{ reason: 'named on the command line' }] }));
}

/** Parses `--target user:JaneDoe` (or role:, bucket:) for release. */
export function parseTargetSpec(spec: string): { kind: ContainmentKind; name: string } {
  const match = /^(user|role|bucket):(.+)$/.exec(spec);
  if (!match) {
    throw invalidInput(
      '--target',
      spec,
      'write the kind and the name, e.g. user:JaneDoe, role:AppRole or bucket:DOC-EXAMPLE-BUCKET',
    );
  }
  const kind = match[1] as ContainmentKind;
  const name =
    kind === 'user'
      ? v.iamUserName(match[2])
      : kind === 'role'
        ? v.iamRoleName(match[2])
        : v.bucketName(match[2]);
  return { kind, name };
}
