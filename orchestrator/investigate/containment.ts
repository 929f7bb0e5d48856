import {
  ContainmentPlan,
  ExcludedTarget,
  MAX_KEYS_PER_USER,
  PlanEvidence,
  StepInput,
  createPlan,
} from '../contain/plan';
import { ProtectionOptions, protectedReason } from './protection';
import { EventRef, ExcludedFinding, Principal, Reach, Resource } from './types';

/**
 * The containment plan of an investigation (the playbook's Part 4, in the format
 * `irkit contain --plan` executes): deny-all and key deactivation for the actor's IAM users,
 * revocation of older sessions for the roles it assumed, created or re-trusted, and a lock to
 * the break-glass role for the buckets it created. Each step carries the events that put it
 * there. Protected principals, targets in other accounts than the subject's, and findings a
 * person must decide on are kept out and reported, each with its reason.
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

function reachEvidence(p: Principal, r: Reach): PlanEvidence | undefined {
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
    case 'CreateRole':
      return evidence(`created${by}`, r.event, r.from);
    case 'CreateAccessKey':
      return evidence(`access key created${by}`, r.event, r.from);
    case 'CreateLoginProfile':
    case 'UpdateLoginProfile':
      return evidence(`console password set${by}`, r.event, r.from);
    case 'AssumeRole':
      return evidence(`assumed${by}`, r.event, r.from);
    case 'AttachRolePolicy':
    case 'PutRolePolicy':
      return evidence(`permissions changed${by}`, r.event, r.from);
    case 'UpdateAssumeRolePolicy':
      return evidence(`trust policy changed${by}: others may now assume it`, r.event, r.from);
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

function principalTargets(p: Principal, input: PlanInput, excluded: ExcludedFinding[]): Target[] {
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
  if (p.kind === 'FederatedUser' || p.kind === 'Other') {
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
      exclude(
        kind,
        `the actor changed its permissions (${p.policies.map((c) => `${c.eventName} ${c.policy}`).join(', ')}) but did not act as it: review and revert`,
      );
    }
    return [];
  }
  const reasons = p.reached.map((r) => reachEvidence(p, r)).filter((e): e is PlanEvidence => e !== undefined);
  const policyEvidence = p.policies.map((c) =>
    evidence(`${c.policy} attached by ${c.by} (${c.eventName})`, c.event, c.by),
  );
  const sessions = p.accessKeys
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
      : { kind, name: p.name, evidence: all };
  return [{ account: p.account, step }];
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

export function buildPlans(input: PlanInput): Plans {
  const excluded: ExcludedFinding[] = [];
  const targets = [
    ...input.principals.flatMap((p) => principalTargets(p, input, excluded)),
    ...bucketTargets(input, excluded),
  ];
  const kept: Target[] = [];
  for (const t of targets) {
    const principal = input.principals.find(
      (p) =>
        p.kind === (t.step.kind === 'user' ? 'IAMUser' : 'Role') &&
        p.name === t.step.name &&
        p.account === t.account,
    );
    const reason = protectedReason(input.protection, t.step.kind, t.step.name, principal?.arn);
    if (reason) {
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
        .filter((e): e is ExcludedFinding & ExcludedTarget => ['user', 'role', 'bucket'].includes(e.kind))
        .map(({ kind, name, reason }) => ({ kind, name, reason })),
    });
  return {
    containmentPlan: plan(main),
    otherAccountPlans: accounts.map(plan),
    excluded: [...excluded, ...elsewhere],
  };
}
