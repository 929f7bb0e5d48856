import { IrKitError } from '../../lib/errors';
import * as v from '../../lib/validation';

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

export type ContainmentKind = 'user' | 'role' | 'bucket';
export const CONTAINMENT_KINDS: readonly ContainmentKind[] = ['user', 'role', 'bucket'];

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

/** Deny-all on the IAM user (the playbook's iam-containment-policy) and its listed keys set Inactive. */
export interface UserStep {
  readonly kind: 'user';
  readonly name: string;
  /** Long-term keys (AKIA...) of this user to set Inactive; a user has at most two. */
  readonly accessKeyIds: readonly string[];
  readonly evidence: readonly PlanEvidence[];
}

/** `revoke`: deny the role's sessions issued before containment; `deny-all`: also deny it everything. */
export type RoleMode = 'revoke' | 'deny-all';
export const ROLE_MODES: readonly RoleMode[] = ['revoke', 'deny-all'];

/**
 * Revoke the older sessions of a role the actor assumed; for a rogue role (one the actor
 * created or whose trust policy it changed), `mode: 'deny-all'` denies it everything too.
 */
export interface RoleStep {
  readonly kind: 'role';
  readonly name: string;
  /** Absent means `revoke`. Never `deny-all` on an IR role. */
  readonly mode?: RoleMode;
  /** An IR role the actor assumed: revoke only, run by a responder on the break-glass role. */
  readonly irRole?: boolean;
  readonly evidence: readonly PlanEvidence[];
}

/** Deny everyone but the break-glass role on the bucket, keeping its existing statements. */
export interface BucketStep {
  readonly kind: 'bucket';
  readonly name: string;
  readonly evidence: readonly PlanEvidence[];
}

export type ContainmentStep = UserStep | RoleStep | BucketStep;

/** A principal or resource the investigation found but kept out of the plan (e.g. protected). */
export interface ExcludedTarget {
  readonly kind: ContainmentKind;
  readonly name: string;
  readonly reason: string;
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
}

/** What a producer hands to createPlan: evidence and key lists may be left out. */
export type StepInput =
  | { kind: 'user'; name: string; accessKeyIds?: readonly string[]; evidence?: readonly PlanEvidence[] }
  | {
      kind: 'role';
      name: string;
      mode?: RoleMode;
      irRole?: boolean;
      evidence?: readonly PlanEvidence[];
    }
  | { kind: 'bucket'; name: string; evidence?: readonly PlanEvidence[] };

export interface PlanInput {
  readonly incidentId?: string;
  readonly accountId?: string;
  readonly generatedAt?: string;
  readonly generatedBy?: string;
  readonly steps: readonly StepInput[];
  readonly excluded?: readonly ExcludedTarget[];
}

/** IAM allows two access keys per user; a plan that lists more for one user is wrong. */
export const MAX_KEYS_PER_USER = 2;

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
  const steps = mergeSteps(
    doc.steps.map((s: unknown, i: number) => readStep(s, `${where}.steps[${i}]`)),
    `${where}.steps`,
  );
  const excluded =
    doc.excluded === undefined
      ? undefined
      : readArray(doc.excluded, `${where}.excluded`).map((e, i) =>
          readExcluded(e, `${where}.excluded[${i}]`),
        );
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    ...(incidentId !== undefined ? { incidentId } : {}),
    ...(accountId !== undefined ? { accountId } : {}),
    ...(generatedAt !== undefined ? { generatedAt } : {}),
    ...(generatedBy !== undefined ? { generatedBy } : {}),
    steps,
    ...(excluded !== undefined ? { excluded } : {}),
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
];
const STEP_KEYS: Record<ContainmentKind, readonly string[]> = {
  user: ['kind', 'name', 'accessKeyIds', 'evidence'],
  role: ['kind', 'name', 'mode', 'irRole', 'evidence'],
  bucket: ['kind', 'name', 'evidence'],
};
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
  const kind = raw.kind;
  if (kind !== 'user' && kind !== 'role' && kind !== 'bucket') {
    throw planError(
      `${where}.kind`,
      `is ${JSON.stringify(kind)}`,
      `kind is one of ${CONTAINMENT_KINDS.join(', ')}`,
    );
  }
  checkKeys(raw, STEP_KEYS[kind], where);
  const evidence =
    raw.evidence === undefined
      ? []
      : readArray(raw.evidence, `${where}.evidence`).map((e, i) =>
          readEvidence(e, `${where}.evidence[${i}]`),
        );
  if (kind === 'user') {
    const name = requiredString(raw, 'name', where, v.iamUserName);
    const keys =
      raw.accessKeyIds === undefined
        ? []
        : readArray(raw.accessKeyIds, `${where}.accessKeyIds`).map((k, i) =>
            longTermKeyId(k, `${where}.accessKeyIds[${i}]`),
          );
    return { kind, name, accessKeyIds: keys, evidence };
  }
  if (kind === 'role') {
    const name = requiredString(raw, 'name', where, v.iamRoleName);
    return checkRoleStep({ kind, name, ...roleFields(raw, where), evidence }, where);
  }
  return { kind, name: requiredString(raw, 'name', where, v.bucketName), evidence };
}

function roleFields(raw: Record<string, unknown>, where: string): Pick<RoleStep, 'mode' | 'irRole'> {
  const { mode, irRole } = raw;
  if (mode !== undefined && !ROLE_MODES.includes(mode as RoleMode)) {
    throw planError(
      `${where}.mode`,
      `is ${JSON.stringify(mode)}`,
      `mode is one of ${ROLE_MODES.join(', ')} (absent means revoke)`,
    );
  }
  if (irRole !== undefined && typeof irRole !== 'boolean') {
    throw planError(`${where}.irRole`, `is ${JSON.stringify(irRole)}`, 'irRole is true or false');
  }
  return {
    ...(mode !== undefined ? { mode: mode as RoleMode } : {}),
    ...(irRole !== undefined ? { irRole } : {}),
  };
}

function checkRoleStep(step: RoleStep, where: string): RoleStep {
  if (step.irRole === true && step.mode === 'deny-all') {
    throw planError(
      where,
      `makes the IR role ${step.name} deny-all`,
      'an IR role is only ever revoked (mode revoke): deny-all would lock the responders out',
    );
  }
  return step;
}

function longTermKeyId(raw: unknown, where: string): string {
  const id = stringAt(raw, where, v.accessKeyId);
  if (id.startsWith('ASIA')) {
    throw planError(
      where,
      `${id} is a temporary (session) key`,
      'session keys cannot be deactivated; containing the user that minted them (deny-all) cuts them',
    );
  }
  return id;
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
  const kind = raw.kind;
  if (kind !== 'user' && kind !== 'role' && kind !== 'bucket') {
    throw planError(
      `${where}.kind`,
      `is ${JSON.stringify(kind)}`,
      `kind is one of ${CONTAINMENT_KINDS.join(', ')}`,
    );
  }
  return { kind, name: requiredString(raw, 'name', where), reason: requiredString(raw, 'reason', where) };
}

/** The identity of a target: IAM compares user and role names without case, S3 bucket names exactly. */
export function targetKey(kind: ContainmentKind, name: string): string {
  return `${kind}:${kind === 'bucket' ? name : name.toLowerCase()}`;
}

function mergeSteps(steps: readonly ContainmentStep[], where: string): ContainmentStep[] {
  const merged = new Map<string, ContainmentStep>();
  for (const step of steps) {
    const key = targetKey(step.kind, step.name);
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, step);
      continue;
    }
    const evidence = uniqueBy([...seen.evidence, ...step.evidence], (e) => JSON.stringify(e));
    if (seen.kind === 'user' && step.kind === 'user') {
      merged.set(key, {
        ...seen,
        accessKeyIds: unique([...seen.accessKeyIds, ...step.accessKeyIds]),
        evidence,
      });
    } else if (seen.kind === 'role' && step.kind === 'role') {
      // The stronger action wins: deny-all over revoke; an IR role stays one.
      const mode =
        seen.mode === 'deny-all' || step.mode === 'deny-all' ? 'deny-all' : (seen.mode ?? step.mode);
      const irRole = seen.irRole || step.irRole;
      const role: RoleStep = {
        kind: 'role',
        name: seen.name,
        ...(mode !== undefined ? { mode } : {}),
        ...(irRole !== undefined ? { irRole } : {}),
        evidence,
      };
      merged.set(key, checkRoleStep(role, where));
    } else {
      merged.set(key, { ...seen, evidence });
    }
  }
  for (const step of merged.values()) {
    if (step.kind === 'user' && step.accessKeyIds.length > MAX_KEYS_PER_USER) {
      throw new IrKitError(
        'IRKIT_PLAN_INVALID',
        `the plan lists ${step.accessKeyIds.length} access keys for user ${step.name}: ${step.accessKeyIds.join(', ')}`,
        {
          hint: `IAM allows at most ${MAX_KEYS_PER_USER} access keys per user; check which keys belong to ${step.name}`,
        },
      );
    }
  }
  return [...merged.values()];
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw planError(
      where,
      `has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}`,
      `allowed fields: ${allowed.join(', ')}`,
    );
  }
}

function readArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw planError(where, 'is not an array', 'give a JSON list');
  return value;
}

function stringAt(value: unknown, where: string, check?: (s: string) => string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw planError(where, `must be a non-empty string, got ${JSON.stringify(value)}`, 'fix the plan file');
  }
  if (!check) return value;
  try {
    return check(value);
  } catch (error) {
    if (error instanceof IrKitError) throw planError(where, error.message, error.hint ?? 'fix the plan file');
    throw error;
  }
}

function requiredString(
  obj: Record<string, unknown>,
  key: string,
  where: string,
  check?: (s: string) => string,
): string {
  return stringAt(obj[key], `${where}.${key}`, check);
}

function optionalString(
  obj: Record<string, unknown>,
  key: string,
  where: string,
  check?: (s: string) => string,
): string | undefined {
  return obj[key] === undefined ? undefined : stringAt(obj[key], `${where}.${key}`, check);
}

function planError(where: string, problem: string, hint: string): IrKitError {
  return new IrKitError('IRKIT_PLAN_INVALID', `${where} ${problem}`, { hint });
}
