import { IrKitError } from '../../lib/errors';
import * as v from '../../lib/validation';
import { InvestigationResult, Principal } from '../investigate/types';

/**
 * What eradication deletes, read from the investigation: only what the actor created (its
 * users, roles, buckets and instances, and the keys and console passwords it gave pre-existing
 * users), plus the exposed credential's own key. The exposed user itself only when asked; no
 * other pre-existing principal, ever.
 */
export type EradicationTarget =
  | { readonly kind: 'user'; readonly name: string; readonly why: string; readonly exposed?: true }
  | { readonly kind: 'role'; readonly name: string; readonly why: string }
  | { readonly kind: 'bucket'; readonly name: string; readonly why: string }
  | { readonly kind: 'instance'; readonly name: string; readonly region?: string; readonly why: string }
  | {
      readonly kind: 'access-key';
      /** The key id. */
      readonly name: string;
      readonly user: string;
      readonly why: string;
    }
  | { readonly kind: 'login-profile'; readonly name: string; readonly why: string };

export type EradicationKind = EradicationTarget['kind'];

/** `user:JaneDoe`, `access-key:AKIA... (JorgeSouza)`. */
export function targetLabel(t: EradicationTarget): string {
  return t.kind === 'access-key' ? `access-key:${t.name} (user ${t.user})` : `${t.kind}:${t.name}`;
}

/** Targets that hold a containment (their plan step): these must be contained before they are deleted. */
export function containedKind(t: EradicationTarget): 'user' | 'role' | 'bucket' | 'instance' | undefined {
  return t.kind === 'user' || t.kind === 'role' || t.kind === 'bucket' || t.kind === 'instance'
    ? t.kind
    : undefined;
}

export interface TargetOptions {
  readonly includeExposedUser: boolean;
}

const created = (p: Principal, how: 'CreateUser' | 'CreateRole') => p.reached.some((r) => r.how === how);
const isSubject = (p: Principal) => p.reached.some((r) => r.how === 'subject' || r.how === 'exposed key');

/**
 * The targets, in the order eradication runs them: keys and passwords on pre-existing users
 * first (the actor's way back in), then instances (after their snapshots are preserved), users,
 * roles and buckets; the exposed key; the exposed user last, when asked.
 */
export function eradicationTargets(result: InvestigationResult, options: TargetOptions): EradicationTarget[] {
  const plan = result.containmentPlan;
  const account = plan.accountId ?? null;
  // Only what the plan contains in its own account: other accounts' plans run with their credentials.
  const here = (p: Principal) => p.account === account || account === null;
  const stepNames = (kind: string) =>
    new Set(plan.steps.filter((s) => s.kind === kind).map((s) => s.name.toLowerCase()));
  const userSteps = stepNames('user');
  const roleSteps = stepNames('role');
  const principals = result.principals.filter(here);

  const users = principals.filter(
    (p) => p.kind === 'IAMUser' && created(p, 'CreateUser') && userSteps.has(p.name.toLowerCase()),
  );
  const roles = principals.filter(
    (p) => p.kind === 'Role' && created(p, 'CreateRole') && roleSteps.has(p.name.toLowerCase()),
  );
  const deletedUsers = new Set(users.map((u) => u.name.toLowerCase()));
  const subject = principals.find((p) => p.kind === 'IAMUser' && isSubject(p));
  const exposedUser = options.includeExposedUser ? subject : undefined;
  if (options.includeExposedUser && !subject) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      '--include-exposed-user: the investigation names no exposed IAM user in the plan’s account',
      { hint: 'leave --include-exposed-user out; nothing was changed' },
    );
  }
  if (exposedUser) deletedUsers.add(exposedUser.name.toLowerCase());

  const out: EradicationTarget[] = [];
  // Keys and passwords the actor gave users that stay (pre-existing, or the exposed user kept).
  for (const p of principals.filter((q) => q.kind === 'IAMUser' && !deletedUsers.has(q.name.toLowerCase()))) {
    for (const k of p.accessKeys) {
      if (k.type !== 'long-term' || k.deleted) continue;
      if (k.origin === 'CreateAccessKey') {
        out.push({
          kind: 'access-key',
          name: v.accessKeyId(k.accessKeyId),
          user: p.name,
          why: `created by the actor${k.mintedBy ? ` with ${k.mintedBy}` : ''}`,
        });
      }
    }
    if (p.reached.some((r) => r.how === 'CreateLoginProfile') && !isSubject(p)) {
      out.push({ kind: 'login-profile', name: p.name, why: 'console password created by the actor' });
    }
  }
  for (const step of plan.steps) {
    if (step.kind === 'instance') {
      out.push({
        kind: 'instance',
        name: step.name,
        ...(step.region ? { region: step.region } : {}),
        why: 'launched by the actor',
      });
    }
  }
  for (const u of users) out.push({ kind: 'user', name: u.name, why: 'created by the actor' });
  for (const r of roles) out.push({ kind: 'role', name: r.name, why: 'created by the actor' });
  for (const step of plan.steps) {
    if (step.kind === 'bucket') out.push({ kind: 'bucket', name: step.name, why: 'created by the actor' });
  }
  // The exposed credential's own key (the subject's), unless its user goes entirely.
  if (subject && !exposedUser) {
    for (const k of subject.accessKeys) {
      if (k.type === 'long-term' && k.origin === 'subject' && !k.deleted) {
        out.push({
          kind: 'access-key',
          name: k.accessKeyId,
          user: subject.name,
          why: 'the exposed access key',
        });
      }
    }
  }
  if (exposedUser) {
    out.push({
      kind: 'user',
      name: exposedUser.name,
      exposed: true,
      why: 'the exposed user (--include-exposed-user)',
    });
  }
  return out;
}
