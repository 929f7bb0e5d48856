import { IrKitError } from '../../lib/errors';
import * as v from '../../lib/validation';
import { ContainmentKind, ContainmentStep, isContainmentKind, KIND_WORDS, kindModule } from './kinds';
import { checkKeys, isObject, optionalString, planError, readArray, requiredString } from './plan-fields';

/**
 * The containment plan: what `irkit investigate` writes under `containmentPlan` and what
 * `irkit contain --plan FILE` executes. It is a stable, versioned JSON document; a reader
 * refuses a version newer than it knows instead of guessing at fields it cannot understand.
 *
 * Example (the playbook's Part 4):
 *
 * ```json
 * {
 *   "formatVersion": 1,
 *   "incidentId": "IR-2021-0724",
 *   "accountId": "777777777777",
 *   "steps": [
 *     { "kind": "user", "name": "JorgeSouza", "accessKeyIds": ["AKIAIOSFODNN7EXAMPLE"],
 *       "evidence": [{ "reason": "the exposed key belongs to this user" }] },
 *     { "kind": "user", "name": "JaneDoe", "accessKeyIds": ["AKIAI44QH8DHBEXAMPLE"],
 *       "evidence": [{ "reason": "created by JorgeSouza", "eventName": "CreateUser",
 *                      "eventTime": "2021-07-24T02:22:33Z" }] },
 *     { "kind": "bucket", "name": "DOC-EXAMPLE-BUCKET",
 *       "evidence": [{ "reason": "created by JaneDoe", "eventName": "CreateBucket" }] }
 *   ]
 * }
 * ```
 */
export const PLAN_FORMAT_VERSION = 1;

/** Why a step is in the plan: a sentence for a person, plus the event that shows it. */
export interface PlanEvidence {
  readonly reason: string;
  readonly eventName?: string;
  /** ISO 8601, as CloudTrail's eventTime. */
  readonly eventTime?: string;
  readonly eventId?: string;
  readonly eventSource?: string;
  readonly sourceIp?: string;
  /** Who acted: an ARN or a principal name. */
  readonly actor?: string;
}

/** A principal or resource the investigation found but kept out of the plan (e.g. protected). */
export interface ExcludedTarget {
  readonly kind: ContainmentKind;
  readonly name: string;
  readonly reason: string;
}

/** What a manual action acts on: things the kit cannot contain yet, and the actor's changes to others' principals. */
export const MANUAL_TARGETS = [
  'access-key',
  'login-profile',
  'policy',
  'instance',
  'snapshot',
  'image',
  'trail',
  'detector',
  'function',
] as const;
export type ManualTarget = (typeof MANUAL_TARGETS)[number];

/**
 * A step the kit cannot run (playbook steps 9 and 10): what a responder does by hand, with the
 * exact AWS CLI command when every value in it came from the logs and passed a strict check;
 * without `command` when a value did not (the action then says which, to check by hand).
 */
export interface ManualAction {
  readonly target: ManualTarget;
  /** The id or name from the logs, as found (also when it is not a valid one). */
  readonly name: string;
  readonly region?: string;
  /** What to do and why, for a person. */
  readonly action: string;
  readonly command?: string;
  readonly evidence: readonly PlanEvidence[];
}

/**
 * A pre-existing principal the actor changed (gave a key or a password, attached or put a
 * policy on): the plan contains only the actor's changes (manualActions); a deny-all on the
 * principal is its owner's decision (playbook step 10), never applied silently. Likewise a
 * pre-existing instance the actor commanded (SendCommand, ...): its isolation is its owner's call.
 */
export interface Approval {
  readonly kind: 'user' | 'role' | 'instance';
  readonly name: string;
  /** What the actor changed, each with its event. */
  readonly changes: readonly PlanEvidence[];
  /** The containment the owner may approve (`irkit contain ... --user|--role|--instance`). */
  readonly command: string;
}

export interface ContainmentPlan {
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  /** When set, `irkit contain --incident` must name the same incident. */
  readonly incidentId?: string;
  /** When set, contain refuses credentials of another account. */
  readonly accountId?: string;
  /** ISO 8601 time the plan was produced. */
  readonly generatedAt?: string;
  /** What produced it, e.g. `irkit investigate 0.1.0`. */
  readonly generatedBy?: string;
  readonly steps: readonly ContainmentStep[];
  readonly excluded?: readonly ExcludedTarget[];
  /** Actions for a responder to take by hand (absent when there are none). */
  readonly manualActions?: readonly ManualAction[];
  /** Pre-existing principals the actor changed, for their owners' approval (absent when none). */
  readonly approvals?: readonly Approval[];
}

/** What a producer hands to createPlan: evidence and the kind's own fields may be left out. */
export type StepInput = Loose<ContainmentStep>;
type Loose<S> = S extends ContainmentStep
  ? Pick<S, 'kind' | 'name'> & Partial<Omit<S, 'kind' | 'name'>>
  : never;

export interface PlanInput {
  readonly incidentId?: string;
  readonly accountId?: string;
  readonly generatedAt?: string;
  readonly generatedBy?: string;
  readonly steps: readonly StepInput[];
  readonly excluded?: readonly ExcludedTarget[];
  readonly manualActions?: readonly ManualAction[];
  readonly approvals?: readonly Approval[];
}

/**
 * Builds a validated plan. Steps for the same target are merged (IAM names compare without
 * case, as IAM does; bucket names exactly), keys and evidence kept once each, in order.
 * Throws IRKIT_PLAN_INVALID naming the step and the field.
 */
export function createPlan(input: PlanInput): ContainmentPlan {
  return validatePlan({ formatVersion: PLAN_FORMAT_VERSION, ...input }, 'plan');
}

/**
 * Reads a plan from JSON text: either a plan itself or an investigation result carrying one
 * under `containmentPlan`. `source` names the file in error messages.
 */
export function parsePlan(text: string, source = 'plan'): ContainmentPlan {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new IrKitError('IRKIT_PLAN_INVALID', `${source} is not valid JSON: ${(error as Error).message}`, {
      hint: 'pass the JSON that `irkit investigate --format json --out FILE` wrote, or a plan document',
      cause: error,
    });
  }
  if (isObject(doc) && !('steps' in doc) && 'containmentPlan' in doc) {
    return validatePlan(doc.containmentPlan, `${source}: containmentPlan`);
  }
  return validatePlan(doc, source);
}

/**
 * Every account's plan in JSON text: an investigation result's containmentPlan and then its
 * otherAccountPlans (each for the account it names), or a plan document alone.
 */
export function parsePlans(text: string, source = 'plan'): ContainmentPlan[] {
  const main = parsePlan(text, source);
  const doc = JSON.parse(text) as unknown;
  if (!isObject(doc) || !('containmentPlan' in doc) || doc.otherAccountPlans === undefined) return [main];
  const others = readArray(doc.otherAccountPlans, `${source}: otherAccountPlans`).map((p, i) => {
    const plan = validatePlan(p, `${source}: otherAccountPlans[${i}]`);
    if (plan.accountId === undefined) {
      throw planError(
        `${source}: otherAccountPlans[${i}].accountId`,
        'is missing',
        'each plan of another account names its account; re-run irkit investigate',
      );
    }
    return plan;
  });
  const accounts = [main, ...others].map((p) => p.accountId);
  const twice = accounts.find((a, i) => a !== undefined && accounts.indexOf(a) !== i);
  if (twice !== undefined) {
    throw planError(
      `${source}: otherAccountPlans`,
      `name account ${twice} twice`,
      'give each account one plan',
    );
  }
  return [main, ...others];
}

/** Validates an already-parsed plan document; see parsePlan. */
export function validatePlan(doc: unknown, where = 'plan'): ContainmentPlan {
  if (!isObject(doc)) {
    throw planError(where, 'is not a JSON object', 'a plan is an object with formatVersion and steps');
  }
  checkVersion(doc.formatVersion, where);
  checkKeys(doc, PLAN_KEYS, where);
  const incidentId = optionalString(doc, 'incidentId', where, v.incidentId);
  const accountId = optionalString(doc, 'accountId', where, v.accountId);
  const generatedAt = optionalString(doc, 'generatedAt', where, isoTime);
  const generatedBy = optionalString(doc, 'generatedBy', where);
  if (!Array.isArray(doc.steps)) {
    throw planError(`${where}.steps`, 'is missing or not an array', 'steps is a list of containment steps');
  }
  const steps = mergeSteps(doc.steps.map((s: unknown, i: number) => readStep(s, `${where}.steps[${i}]`)));
  const excluded =
    doc.excluded === undefined
      ? undefined
      : readArray(doc.excluded, `${where}.excluded`).map((e, i) =>
          readExcluded(e, `${where}.excluded[${i}]`),
        );
  const manualActions = optionalList(doc.manualActions, `${where}.manualActions`, readManualAction);
  const approvals = optionalList(doc.approvals, `${where}.approvals`, readApproval);
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    ...(incidentId !== undefined ? { incidentId } : {}),
    ...(accountId !== undefined ? { accountId } : {}),
    ...(generatedAt !== undefined ? { generatedAt } : {}),
    ...(generatedBy !== undefined ? { generatedBy } : {}),
    steps,
    ...(excluded !== undefined ? { excluded } : {}),
    ...(manualActions !== undefined && manualActions.length > 0 ? { manualActions } : {}),
    ...(approvals !== undefined && approvals.length > 0 ? { approvals } : {}),
  };
}

/** The plan as JSON text, stable key order, for `--out` files and tests. */
export function serializePlan(plan: ContainmentPlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

const PLAN_KEYS = [
  'formatVersion',
  'incidentId',
  'accountId',
  'generatedAt',
  'generatedBy',
  'steps',
  'excluded',
  'manualActions',
  'approvals',
];
const EVIDENCE_KEYS = ['reason', 'eventName', 'eventTime', 'eventId', 'eventSource', 'sourceIp', 'actor'];

function checkVersion(version: unknown, where: string): void {
  if (version === PLAN_FORMAT_VERSION) return;
  if (typeof version === 'number' && Number.isInteger(version) && version > PLAN_FORMAT_VERSION) {
    throw planError(
      `${where}.formatVersion`,
      `is ${version}, newer than this irkit understands (${PLAN_FORMAT_VERSION})`,
      'upgrade irkit to the version that produced the plan; nothing was changed',
    );
  }
  throw planError(
    `${where}.formatVersion`,
    `must be ${PLAN_FORMAT_VERSION}, got ${JSON.stringify(version)}`,
    `a plan starts with "formatVersion": ${PLAN_FORMAT_VERSION}`,
  );
}

function readStep(raw: unknown, where: string): ContainmentStep {
  if (!isObject(raw)) throw planError(where, 'is not an object', 'each step is { "kind", "name", ... }');
  const kind = readKind(raw.kind, where);
  const module = kindModule(kind);
  checkKeys(raw, ['kind', 'name', ...module.stepFields, 'evidence'], where);
  const evidence =
    raw.evidence === undefined
      ? []
      : readArray(raw.evidence, `${where}.evidence`).map((e, i) =>
          readEvidence(e, `${where}.evidence[${i}]`),
        );
  const name = requiredString(raw, 'name', where, module.validateName);
  return { kind, name, ...module.readFields(raw, where), evidence } as ContainmentStep;
}

function readKind(kind: unknown, where: string): ContainmentKind {
  if (isContainmentKind(kind)) return kind;
  throw planError(`${where}.kind`, `is ${JSON.stringify(kind)}`, `kind is one of ${KIND_WORDS.join(', ')}`);
}

function readEvidence(raw: unknown, where: string): PlanEvidence {
  if (!isObject(raw)) throw planError(where, 'is not an object', 'evidence is { "reason": "...", ... }');
  checkKeys(raw, EVIDENCE_KEYS, where);
  const out: Record<string, string> = { reason: requiredString(raw, 'reason', where) };
  for (const key of EVIDENCE_KEYS.slice(1)) {
    const value = optionalString(raw, key, where, key === 'eventTime' ? isoTime : undefined);
    if (value !== undefined) out[key] = value;
  }
  return out as unknown as PlanEvidence;
}

function readExcluded(raw: unknown, where: string): ExcludedTarget {
  if (!isObject(raw))
    throw planError(where, 'is not an object', 'excluded entries are { kind, name, reason }');
  checkKeys(raw, ['kind', 'name', 'reason'], where);
  const kind = readKind(raw.kind, where);
  return { kind, name: requiredString(raw, 'name', where), reason: requiredString(raw, 'reason', where) };
}

function optionalList<T>(
  value: unknown,
  where: string,
  read: (raw: unknown, where: string) => T,
): T[] | undefined {
  return value === undefined ? undefined : readArray(value, where).map((e, i) => read(e, `${where}[${i}]`));
}

function readEvidenceList(raw: Record<string, unknown>, key: string, where: string): PlanEvidence[] {
  return raw[key] === undefined
    ? []
    : readArray(raw[key], `${where}.${key}`).map((e, i) => readEvidence(e, `${where}.${key}[${i}]`));
}

function readManualAction(raw: unknown, where: string): ManualAction {
  if (!isObject(raw)) {
    throw planError(
      where,
      'is not an object',
      'manual actions are { target, name, action, command?, evidence }',
    );
  }
  checkKeys(raw, ['target', 'name', 'region', 'action', 'command', 'evidence'], where);
  const target = requiredString(raw, 'target', where);
  if (!(MANUAL_TARGETS as readonly string[]).includes(target)) {
    throw planError(
      `${where}.target`,
      `is ${JSON.stringify(target)}`,
      `target is one of ${MANUAL_TARGETS.join(', ')}`,
    );
  }
  const region = optionalString(raw, 'region', where, v.region);
  const command = optionalString(raw, 'command', where);
  return {
    target: target as ManualTarget,
    name: requiredString(raw, 'name', where),
    ...(region !== undefined ? { region } : {}),
    action: requiredString(raw, 'action', where),
    ...(command !== undefined ? { command } : {}),
    evidence: readEvidenceList(raw, 'evidence', where),
  };
}

function readApproval(raw: unknown, where: string): Approval {
  if (!isObject(raw)) {
    throw planError(where, 'is not an object', 'approvals are { kind, name, changes, command }');
  }
  checkKeys(raw, ['kind', 'name', 'changes', 'command'], where);
  const kind = requiredString(raw, 'kind', where);
  if (kind !== 'user' && kind !== 'role' && kind !== 'instance') {
    throw planError(`${where}.kind`, `is ${JSON.stringify(kind)}`, 'kind is user, role or instance');
  }
  const check = { user: v.iamUserName, role: v.iamRoleName, instance: v.instanceId }[kind];
  const name = requiredString(raw, 'name', where, check);
  return {
    kind,
    name,
    changes: readEvidenceList(raw, 'changes', where),
    command: requiredString(raw, 'command', where),
  };
}

/** The identity of a target: IAM compares user and role names without case, S3 bucket names exactly. */
export function targetKey(kind: ContainmentKind, name: string): string {
  return `${kind}:${kindModule(kind).nameKey(name)}`;
}

function mergeSteps(steps: readonly ContainmentStep[]): ContainmentStep[] {
  const merged = new Map<string, ContainmentStep>();
  for (const step of steps) {
    const key = targetKey(step.kind, step.name);
    const seen = merged.get(key);
    const evidence = seen ? uniqueBy([...seen.evidence, ...step.evidence], (e) => JSON.stringify(e)) : [];
    merged.set(key, seen ? kindModule(step.kind).merge(seen, step, evidence) : step);
  }
  for (const step of merged.values()) kindModule(step.kind).checkMerged?.(step);
  return [...merged.values()];
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function isoTime(value: string): string {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    isNaN(Date.parse(value))
  ) {
    throw new IrKitError('IRKIT_PLAN_INVALID', `invalid time ${JSON.stringify(value)}`, {
      hint: 'times are ISO 8601, e.g. 2021-07-24T02:22:33Z',
    });
  }
  return value;
}
