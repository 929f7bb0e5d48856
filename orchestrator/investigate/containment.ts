import { isContainmentKind } from '../contain/kinds';
import { MAX_KEYS_PER_USER } from '../contain/kinds/user';
import { ContainmentPlan, ExcludedTarget, PlanEvidence, StepInput, createPlan } from '../contain/plan';
import {
  AccountAction,
  AccountApproval,
  changedPrincipal,
  instanceFindings,
  resourceActions,
} from './manual-actions';
import { ProtectionOptions, breakGlassRoleOf, irRoleOf, protectedReason } from './protection';
import { EventRef, ExcludedFinding, Principal, Reach, Resource } from './types';

/**
 * The containment plan of an investigation (the playbook's Part 4, in the format
 * `irkit contain --plan` executes): deny-all and key deactivation for the actor's IAM users;
 * deny-all for the rogue roles (created by the actor, or whose trust policy it changed: it
 * could assume them again whenever it likes) and a revoke of older sessions for the other
 * roles it assumed or changed; a revoke only, run from the break-glass role, for an IR role
 * the actor assumed; and a lock to the break-glass role for the buckets it created. Each step
 * carries the events that put it there. Protected principals, targets in other accounts than
 * the subject's, and findings a person must decide on are kept out and reported, each with
 * its reason.
 *
 * The playbook's step 10: a pre-existing principal the actor changed (gave a key or a
 * password, attached or put a policy on) gets no deny-all: only the actor's changes are
 * contained, by hand (`manualActions`: its key deactivated, its password and attachments
 * flagged), and the principal is listed for its owner's approval (`approvals`). Step 9's rogue
 * instances: those the actor launched are isolated (`instance` steps), those it only commanded
 * are listed for their owners' approval. The rogue resources the kit cannot contain yet (shared
 * snapshots and images, stopped or deleted trails and detectors, functions) are manual actions
 * with their AWS CLI commands.
 */

export interface PlanInput {
  readonly principals: readonly Principal[];
  readonly resources: readonly Resource[];
  /** The account of the subject: the plan `irkit contain --plan` reads is for it. */
  readonly subjectAccount: string | null;
  readonly protection: ProtectionOptions;
  readonly incidentId?: string;
  readonly generatedAt: string;
  readonly generatedBy: string;
  /** Receives what the plan had to leave out for a reason a person should know. */
  readonly warnings: string[];
}

export interface Plans {
  readonly containmentPlan: ContainmentPlan;
  readonly otherAccountPlans: readonly ContainmentPlan[];
  readonly excluded: readonly ExcludedFinding[];
}

interface Target {
  readonly account: string | null;
  readonly step: StepInput;
}

/** What the plan leaves to people: manual actions and owner approvals, by account. */
interface Manual {
  readonly actions: AccountAction[];
  readonly approvals: AccountApproval[];
}

/** Created by the actor or the subject itself: wholly the actor's, deny-all. */
const WHOLE: ReadonlySet<string> = new Set(['subject', 'exposed key', 'CreateUser']);
/** A pre-existing user these reach: the actor gave it a key or a password (playbook step 10). */
const GIVEN: ReadonlySet<string> = new Set(['CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile']);

/** The actor's changes to a pre-existing principal as manual actions; its owner's approval unless `approve` is false or it is protected. */
function collectChanges(
  p: Principal,
  input: PlanInput,
  manual: Manual,
  approve: boolean,
): string | undefined {
  const kind = p.kind === 'IAMUser' ? 'user' : 'role';
  const { reason } = protectionOf(input.protection, kind, p.name, p.arn);
  const { actions, approval } = changedPrincipal(p, input.incidentId);
  manual.actions.push(...actions.map((action) => ({ account: p.account, action })));
  if (approval && approve && !reason) manual.approvals.push({ account: p.account, approval });
  return reason;
}

/** Step 10 for a pre-existing principal: its owner approves a deny-all; the actor's changes go to manual actions. */
function forApproval(p: Principal, input: PlanInput, manual: Manual, excluded: ExcludedFinding[]): void {
  const protectedBy = collectChanges(p, input, manual, true);
  excluded.push({
    kind: p.kind === 'IAMUser' ? 'user' : 'role',
    name: p.name,
    account: p.account,
    reason: protectedBy
      ? `protected: ${protectedBy}; the kit never contains it: undo the actor’s changes to it by hand (manualActions)`
      : 'a pre-existing principal the actor changed: only the actor’s changes are contained (manualActions); ' +
        'a deny-all on it is for its owner to approve (approvals), playbook step 10',
  });
}

function evidence(reason: string, event?: EventRef, actor?: string): PlanEvidence {
  return {
    reason,
    ...(event?.eventName ? { eventName: event.eventName } : {}),
    ...(event?.eventTime ? { eventTime: event.eventTime } : {}),
    ...(event?.eventId ? { eventId: event.eventId } : {}),
    ...(event?.sourceIp ? { sourceIp: event.sourceIp } : {}),
    ...(actor ? { actor } : {}),
  };
}

/** `rogue`: say why a created or re-trusted role gets deny-all (not for an IR role, never denied). */
function reachEvidence(p: Principal, r: Reach, rogue: boolean): PlanEvidence | undefined {
  const by = r.from ? ` by ${r.from}${r.viaAccessKeyId ? ` with ${r.viaAccessKeyId}` : ''}` : '';
  switch (r.how) {
    case 'exposed key': {
      const key = p.accessKeys.find((k) => k.origin === 'subject');
      return evidence(
        `the exposed access key ${key?.accessKeyId ?? ''} belongs to this user` +
          (key?.firstSeen ? ` (used ${key.events} time(s), ${key.firstSeen} to ${key.lastSeen})` : ''),
      );
    }
    case 'subject':
      return evidence('the investigated user');
    case 'CreateUser':
      return evidence(
        `created${by}: the actor’s own user, deny-all and its keys set Inactive (playbook step 9)`,
        r.event,
        r.from,
      );
    case 'CreateRole':
      return evidence(
        `created${by}${rogue ? ': a rogue role, deny-all (revoking its sessions would not stop the actor assuming it again)' : ''}`,
        r.event,
        r.from,
      );
    case 'CreateAccessKey':
      return evidence(`access key created${by}`, r.event, r.from);
    case 'CreateLoginProfile':
    case 'UpdateLoginProfile':
      return evidence(`console password set${by}`, r.event, r.from);
    case 'AssumeRole':
      return evidence(`assumed${by}`, r.event, r.from);
    case 'instance credentials':
      return evidence(
        `${r.detail ?? 'stolen instance credentials'}: revoke its older sessions`,
        r.event,
        r.from,
      );
    case 'AttachRolePolicy':
    case 'PutRolePolicy':
      return evidence(`permissions changed${by}`, r.event, r.from);
    case 'UpdateAssumeRolePolicy':
      return evidence(
        `trust policy changed${by}: others may now assume it${rogue ? '; deny-all until its trust policy is restored' : ''}`,
        r.event,
        r.from,
      );
    default:
      return undefined;
  }
}

/** Long-term keys to set Inactive: the exposed and created ones, or all a wholly-compromised user used. */
function keysToDeactivate(p: Principal, warnings: string[]): string[] {
  const whole = p.reached.some((r) => r.how === 'subject' || r.how === 'CreateUser');
  const keys = p.accessKeys
    .filter((k) => k.type === 'long-term' && !k.deleted)
    .filter((k) => whole || k.origin === 'subject' || k.origin === 'CreateAccessKey')
    .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''));
  if (keys.length > MAX_KEYS_PER_USER) {
    warnings.push(
      `${p.name} used ${keys.length} long-term access keys in the window (${keys.map((k) => k.accessKeyId).join(', ')}); ` +
        `the plan lists the ${MAX_KEYS_PER_USER} used last (a user holds at most ${MAX_KEYS_PER_USER}; the others were rotated away), ` +
        'and deny-all on the user blocks every key anyway',
    );
  }
  return keys.slice(0, MAX_KEYS_PER_USER).map((k) => k.accessKeyId);
}

function principalTargets(
  p: Principal,
  input: PlanInput,
  excluded: ExcludedFinding[],
  manual: Manual,
): Target[] {
  const exclude = (kind: ExcludedFinding['kind'], reason: string) =>
    excluded.push({ kind, name: p.name, account: p.account, reason });
  const hows = new Set(p.reached.map((r) => r.how));
  if (p.kind === 'Root') {
    if (p.actor) {
      exclude(
        'root',
        'the root user cannot be contained by a plan: rotate its credentials and MFA by hand, at once',
      );
    }
    return [];
  }
  if (p.kind !== 'IAMUser' && p.kind !== 'Role') {
    exclude(
      'other',
      'not an IAM user or role: contain the IAM user that minted its credentials (deny-all cuts them)',
    );
    return [];
  }
  const kind = p.kind === 'IAMUser' ? 'user' : 'role';
  const roleChanged = ['AttachRolePolicy', 'PutRolePolicy', 'UpdateAssumeRolePolicy'].some((h) =>
    hows.has(h as never),
  );
  if (!p.actor && !(kind === 'role' && roleChanged)) {
    if (hows.has('source IP')) {
      exclude(
        kind,
        'acted from an address the actor used, but no key links it to the actor: review before containing',
      );
    } else if (p.policies.length > 0) {
      forApproval(p, input, manual, excluded);
    }
    return [];
  }
  if (kind === 'user' && ![...hows].some((h) => WHOLE.has(h)) && [...hows].some((h) => GIVEN.has(h))) {
    forApproval(p, input, manual, excluded);
    return [];
  }
  const irRole =
    kind === 'role' && p.actor ? protectionOf(input.protection, kind, p.name, p.arn).irRole : undefined;
  const rogue = kind === 'role' && !irRole && (hows.has('CreateRole') || hows.has('UpdateAssumeRolePolicy'));
  if (kind === 'role' && !hows.has('CreateRole') && p.policies.length > 0) {
    // A pre-existing role whose permissions the actor changed: its step stays (revoke, or deny-all
    // for a changed trust policy), the attachments are flagged and the owner decides on the rest.
    collectChanges(p, input, manual, !rogue && !irRole);
  }
  // A policy attached to or put on a role is shown once, by name, from p.policies.
  const policyEvents = new Set(p.policies.map((c) => c.event.eventId));
  const shownAsPolicy = (r: Reach) =>
    (r.how === 'AttachRolePolicy' || r.how === 'PutRolePolicy') &&
    !!r.event?.eventId &&
    policyEvents.has(r.event.eventId);
  const reasons = p.reached
    .filter((r) => !shownAsPolicy(r))
    .map((r) => reachEvidence(p, r, rogue))
    .filter((e): e is PlanEvidence => e !== undefined);
  const policyEvidence = p.policies.map((c) =>
    evidence(`${c.policy} attached by ${c.by} (${c.eventName})`, c.event, c.by),
  );
  // A federated user is a principal of its own; the user that minted it holds its credentials' fate.
  const federated = input.principals.filter(
    (f) =>
      f.kind === 'FederatedUser' &&
      f.reached.some((r) => r.how === 'GetFederationToken' && r.from === p.name),
  );
  const sessions = [...p.accessKeys, ...federated.flatMap((f) => f.accessKeys)]
    .filter(
      (k) => k.type === 'session' && (k.origin === 'GetSessionToken' || k.origin === 'GetFederationToken'),
    )
    .map((k) =>
      evidence(
        `session credentials ${k.accessKeyId} minted with ${k.origin}: deny-all on the user cuts them`,
        k.event,
      ),
    );
  const roleSessions = p.accessKeys
    .filter((k) => k.type === 'session' && k.firstSeen)
    .map((k) => `${k.accessKeyId} (${k.firstSeen} to ${k.lastSeen})`);
  const all = [
    ...reasons,
    ...policyEvidence,
    ...sessions,
    ...(kind === 'role' && roleSessions.length > 0
      ? [evidence(`the actor acted as this role with session(s) ${roleSessions.join(', ')}`)]
      : []),
  ];
  const step: StepInput =
    kind === 'user'
      ? { kind, name: p.name, accessKeyIds: keysToDeactivate(p, input.warnings), evidence: all }
      : irRole
        ? irRoleStep(p, irRole, all, input)
        : { kind, name: p.name, mode: rogue ? 'deny-all' : 'revoke', evidence: all };
  return [{ account: p.account, step }];
}

/**
 * The step for an IR role the actor acted as: a revoke only (deny-all would lock the
 * responders out), which `irkit contain` runs only from the break-glass role.
 */
function irRoleStep(
  p: Principal,
  ir: 'break-glass' | 'ir',
  found: readonly PlanEvidence[],
  input: PlanInput,
): StepInput {
  const breakGlass = breakGlassRoleOf(input.protection);
  const why =
    ir === 'break-glass'
      ? `the break-glass role itself, used by the actor: the worst news; revoke its older sessions only, as a responder on ${breakGlass}, ` +
        'and review the trust of the break-glass credentials at once (who may assume the role, the break-glass users’ passwords, MFA and keys)'
      : 'an IR role used by the actor: the worst news, the responders’ own access is compromised; revoke its older sessions only (never deny-all), ' +
        `as a responder on ${breakGlass}: irkit contain refuses this step from any other role`;
  const trust = p.reached.some((r) => r.how === 'UpdateAssumeRolePolicy')
    ? [evidence('the actor changed its trust policy: restore it (redeploy the kit) before anything else')]
    : [];
  input.warnings.push(
    `the actor acted as the ${ir === 'break-glass' ? 'break-glass role' : 'IR role'} ${p.name}: the worst news; ` +
      `its plan step only revokes older sessions and must be run by a responder on ${breakGlass}` +
      (ir === 'break-glass' ? ', and the break-glass credentials’ trust must be reviewed at once' : ''),
  );
  return {
    kind: 'role',
    name: p.name,
    mode: 'revoke',
    irRole: true,
    evidence: [evidence(why), ...trust, ...found],
  };
}

function bucketTargets(input: PlanInput, excluded: ExcludedFinding[]): Target[] {
  const buckets = input.resources.filter((r) => r.type === 'AWS::S3::Bucket');
  const objects = input.resources.filter((r) => r.type === 'AWS::S3::Object' && r.action !== 'probed');
  const out: Target[] = [];
  const names = [...new Set(buckets.filter((b) => b.action !== 'probed').map((b) => b.name as string))];
  for (const name of names) {
    const events = buckets.filter((b) => b.name === name && b.action !== 'probed');
    const created = events.find((b) => b.action === 'created');
    const deleted = events.find((b) => b.action === 'deleted');
    const account = (created ?? events[0]).account;
    if (created && deleted && deleted.eventTime >= created.eventTime) {
      excluded.push({
        kind: 'bucket',
        name,
        account,
        reason: `created by ${created.by} and deleted by ${deleted.by} at ${deleted.eventTime}: nothing left to lock`,
      });
      continue;
    }
    if (!created) {
      excluded.push({
        kind: 'bucket',
        name,
        account,
        reason:
          `an existing bucket the actor changed (${[...new Set(events.map((e) => e.eventName))].join(', ')}): ` +
          `lock it only with its owner's approval (irkit contain --bucket ${name}), playbook step 10`,
      });
      continue;
    }
    const written = objects
      .filter((o) => o.name?.startsWith(`${name}/`))
      .map((o) =>
        evidence(
          `object ${o.name?.slice(name.length + 1)} ${o.action === 'deleted' ? 'deleted' : 'written'} by ${o.by} (${o.eventName})`,
          { eventName: o.eventName, eventTime: o.eventTime, eventId: o.eventId, sourceIp: o.sourceIp },
          o.by,
        ),
      );
    const reason = evidence(
      `created by ${created.by}`,
      {
        eventName: created.eventName,
        eventTime: created.eventTime,
        eventId: created.eventId,
        sourceIp: created.sourceIp,
      },
      created.by,
    );
    out.push({ account, step: { kind: 'bucket', name, evidence: [reason, ...written] } });
  }
  return out;
}

/** The one call into the protection rule: why a target is protected, and whether it is an IR role. */
function protectionOf(
  protection: ProtectionOptions,
  kind: Target['step']['kind'],
  name: string,
  arn: string | null | undefined,
): { reason?: string; irRole?: 'break-glass' | 'ir' } {
  const reason = protectedReason(protection, kind, name, arn);
  const irRole = kind === 'role' ? irRoleOf(protection, name) : undefined;
  return { ...(reason ? { reason } : {}), ...(irRole ? { irRole } : {}) };
}

export function buildPlans(input: PlanInput): Plans {
  const excluded: ExcludedFinding[] = [];
  const instances = instanceFindings(input.resources, input.incidentId);
  const manual: Manual = {
    actions: [...instances.actions, ...resourceActions(input.resources)],
    approvals: [...instances.approvals],
  };
  const targets: Target[] = [
    ...input.principals.flatMap((p) => principalTargets(p, input, excluded, manual)),
    ...bucketTargets(input, excluded),
    ...instances.launched.map(({ account, id, region, evidence }) => ({
      account,
      step: { kind: 'instance' as const, name: id, region, evidence },
    })),
  ];
  const kept: Target[] = [];
  for (const t of targets) {
    const principal = input.principals.find(
      (p) =>
        p.kind === (t.step.kind === 'user' ? 'IAMUser' : 'Role') &&
        p.name === t.step.name &&
        p.account === t.account,
    );
    const { reason } = protectionOf(input.protection, t.step.kind, t.step.name, principal?.arn);
    // An IR role the actor acted as is in the plan, revoke only (irRoleStep); it says so itself.
    if (reason && !(t.step.kind === 'role' && t.step.irRole)) {
      excluded.push({
        kind: t.step.kind,
        name: t.step.name,
        account: t.account,
        reason: `protected: ${reason}; the kit never contains it (what the actor did with it is in the report)`,
      });
    } else {
      kept.push(t);
    }
  }
  const main = input.subjectAccount;
  const accounts = [
    ...new Set(kept.map((t) => t.account).filter((a): a is string => a !== null && a !== main)),
  ].sort();
  // The plan `contain --plan` reads names what it leaves to the other accounts' plans.
  const elsewhere: ExcludedFinding[] = kept
    .filter((t) => t.account !== null && t.account !== main)
    .map((t) => ({
      kind: t.step.kind,
      name: t.step.name,
      account: t.account,
      reason: `in account ${t.account}, not ${main ?? 'the subject’s'}: its step is in otherAccountPlans, to run with that account’s credentials`,
    }));
  const inAccount = (account: string | null) => (x: { account: string | null }) =>
    x.account === account || (account === main && x.account === null);
  const plan = (account: string | null): ContainmentPlan =>
    createPlan({
      ...(input.incidentId ? { incidentId: input.incidentId } : {}),
      ...(account ? { accountId: account } : {}),
      generatedAt: input.generatedAt,
      generatedBy: input.generatedBy,
      steps: kept.filter(inAccount(account)).map((t) => t.step),
      excluded: [...excluded.filter(inAccount(account)), ...(account === main ? elsewhere : [])]
        .filter((e): e is ExcludedFinding & ExcludedTarget => isContainmentKind(e.kind))
        .map(({ kind, name, reason }) => ({ kind, name, reason })),
      manualActions: manual.actions.filter(inAccount(account)).map((a) => a.action),
      approvals: manual.approvals.filter(inAccount(account)).map((a) => a.approval),
    });
  return {
    containmentPlan: plan(main),
    otherAccountPlans: accounts.map(plan),
    excluded: [...excluded, ...elsewhere],
  };
}
