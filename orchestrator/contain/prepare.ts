import { Parameter, Stack, Tag } from '@aws-sdk/client-cloudformation';
import {
  GetRoleCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  Tag as IamTag,
} from '@aws-sdk/client-iam';
import { GetBucketPolicyCommand, GetBucketTaggingCommand } from '@aws-sdk/client-s3';

import { CONTAINMENT_HANDLER_NAMES, INLINE_POLICY_NAMES } from '../../lib/constructs/containment/names';
import { IrKitError } from '../../lib/errors';
import { CONTAINMENT_SIDS, TAG_KEYS } from '../../lib/names';
import {
  BUCKET_POLICY_MAX_BYTES,
  containedBucketPolicy,
  PolicyDocument,
} from '../../lib/policies/containment';
import { parseIamArn, protectedReason, ProtectionRule } from '../../lib/protection';
import {
  BUCKET_PARAMS,
  COMMON_PARAMS,
  ORIGINAL_POLICY_CHUNKS,
  PARAMETER_VALUE_MAX_BYTES,
  ROLE_PARAMS,
  USER_KEY_SLOTS,
  USER_PARAMS,
} from '../../lib/stacks/containment/parameters';
import { awsFailure, ContainClients, isAwsError, unlessAwsError } from './aws';
import { ContainEnvironment, nameOfArn } from './environment';
import { PlanEvidence } from './plan';
import { containmentStackName } from './stack-names';
import { parameterOf, tagOf } from './stacks';
import { ContainmentTarget, PlannedTarget, sameTarget, targetLabel } from './targets';

/**
 * Everything that happens before a containment changes anything: read each target (does it
 * exist, what is its exact name, which keys does it have, what is its bucket policy), refuse
 * protected principals and bad input for ALL targets at once, and work out each stack's name,
 * parameters and tags. Only read calls are made here, and none for a dry run without
 * credentials (`offline`), which says instead what it could not read.
 */

export interface PreparedTarget {
  /** The target with IAM's own spelling of the name. */
  readonly target: ContainmentTarget;
  readonly label: string;
  readonly evidence: readonly PlanEvidence[];
  readonly stackName: string;
  /** The stack of an earlier run, when there is one. */
  readonly existing?: Stack;
  /** True when `existing` holds a containment to update (not a failed first attempt). */
  readonly live: boolean;
  readonly parameters: readonly Parameter[];
  readonly tags: readonly Tag[];
  /** What the stack does, one line each, for the plan shown before acting. */
  readonly actions: readonly string[];
  /** Things the responder should know (other active keys, kept keys, ...). */
  readonly notes: readonly string[];
  /** The bucket's policy could be read before containment (verification relies on it). */
  readonly policyReadable?: boolean;
  /** What a dry run without credentials could not read for this target. */
  readonly unread: readonly string[];
}

export interface PrepareInput {
  readonly incidentId: string;
  readonly targets: readonly PlannedTarget[];
  readonly env: ContainEnvironment;
  readonly existingStacks: readonly Stack[];
  /** The config's rule; the access stack's role names are added to it here. */
  readonly protection: ProtectionRule;
  readonly now: Date;
  /** A dry run without credentials: nothing is read; the targets are taken as named. */
  readonly offline?: boolean;
}

/** States that hold no containment: a first attempt that failed, or nothing executed yet. */
const NOT_LIVE = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'REVIEW_IN_PROGRESS', 'DELETE_FAILED']);

interface Inspection {
  readonly planned: PlannedTarget;
  readonly target: ContainmentTarget;
  readonly arn?: string;
  readonly tags?: readonly IamTag[];
  readonly problems: string[];
  /** Not read: a dry run without credentials. */
  readonly offline?: boolean;
  readonly keys?: ReadonlyArray<{ id: string; status: string }>;
  /** undefined: no policy; null: not read. */
  readonly bucketPolicy?: string | null;
  readonly existing?: Stack;
}

export async function prepareTargets(
  clients: ContainClients,
  input: PrepareInput,
): Promise<PreparedTarget[]> {
  const inspections = input.offline
    ? input.targets.map((planned): Inspection => ({
        planned,
        target: planned.target,
        problems: [],
        offline: true,
      }))
    : await Promise.all(input.targets.map((planned) => inspect(clients, planned, input)));
  refuseProtected(inspections, input);
  const problems = inspections.flatMap((i) => i.problems.map((p) => `${targetLabel(i.target)}: ${p}`));
  problems.push(...conflicts(inspections, input));
  if (problems.length > 0) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `cannot contain as asked:\n  - ${problems.join('\n  - ')}`, {
      hint: 'fix the plan or the options; nothing was changed',
    });
  }
  return inspections.map((i) => build(i, input));
}

async function inspect(
  clients: ContainClients,
  planned: PlannedTarget,
  input: PrepareInput,
): Promise<Inspection> {
  const t = planned.target;
  const base = { planned, problems: [] as string[] };
  try {
    if (t.kind === 'user') {
      const user = await maybe(() => clients.iam.send(new GetUserCommand({ UserName: t.name })));
      if (!user?.User) return { ...base, target: t, problems: [`IAM user ${t.name} does not exist`] };
      const name = user.User.UserName ?? t.name;
      const [tags, keys] = await Promise.all([userTags(clients, name), userKeys(clients, name)]);
      const problems = t.accessKeyIds
        .filter((id) => !keys.some((k) => k.id === id))
        .map(
          (id) =>
            `access key ${id} is not a key of user ${name} (its keys: ${keys.map((k) => k.id).join(', ') || 'none'})`,
        );
      const target: ContainmentTarget = { kind: 'user', name, accessKeyIds: t.accessKeyIds };
      return {
        planned,
        target,
        arn: user.User.Arn,
        tags,
        problems,
        keys,
        existing: existingFor(target, input),
      };
    }
    if (t.kind === 'role') {
      const role = await maybe(() => clients.iam.send(new GetRoleCommand({ RoleName: t.name })));
      if (!role?.Role) return { ...base, target: t, problems: [`IAM role ${t.name} does not exist`] };
      const target: ContainmentTarget = { ...t, name: role.Role.RoleName ?? t.name };
      const tags = await roleTags(clients, target.name);
      const problems =
        t.irRole && t.mode === 'deny-all'
          ? ['an IR role the actor assumed is only revoked, never deny-all']
          : [];
      return { ...base, target, arn: role.Role.Arn, tags, problems, existing: existingFor(target, input) };
    }
    const existing = existingFor(t, input);
    const live = existing !== undefined && !NOT_LIVE.has(existing.StackStatus ?? '');
    // While contained, the bucket denies everyone but break-glass, so reads may be refused:
    // a live containment keeps the original it read the first time.
    const tagging = await bucketTags(clients, t.name, live);
    if (tagging === 'missing')
      return { ...base, target: t, problems: [`S3 bucket ${t.name} does not exist`] };
    const policy = live ? null : await bucketPolicy(clients, t.name);
    return {
      ...base,
      target: t,
      tags: tagging === 'unreadable' ? undefined : tagging,
      bucketPolicy: policy,
      existing,
    };
  } catch (error) {
    if (error instanceof IrKitError) throw error;
    throw awsFailure(`reading ${targetLabel(t)}`, error);
  }
}

function maybe<T>(call: () => Promise<T>): Promise<T | undefined> {
  return unlessAwsError(['NoSuchEntity'], call);
}

async function userTags(clients: ContainClients, user: string): Promise<IamTag[]> {
  const tags: IamTag[] = [];
  let marker: string | undefined;
  do {
    const page = await clients.iam.send(new ListUserTagsCommand({ UserName: user, Marker: marker }));
    tags.push(...(page.Tags ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return tags;
}

async function roleTags(clients: ContainClients, role: string): Promise<IamTag[]> {
  const tags: IamTag[] = [];
  let marker: string | undefined;
  do {
    const page = await clients.iam.send(new ListRoleTagsCommand({ RoleName: role, Marker: marker }));
    tags.push(...(page.Tags ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return tags;
}

async function userKeys(
  clients: ContainClients,
  user: string,
): Promise<Array<{ id: string; status: string }>> {
  const keys: Array<{ id: string; status: string }> = [];
  let marker: string | undefined;
  do {
    const page = await clients.iam.send(new ListAccessKeysCommand({ UserName: user, Marker: marker }));
    keys.push(
      ...(page.AccessKeyMetadata ?? []).map((k) => ({ id: k.AccessKeyId ?? '', status: k.Status ?? '' })),
    );
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return keys;
}

async function bucketTags(
  clients: ContainClients,
  bucket: string,
  contained: boolean,
): Promise<IamTag[] | 'missing' | 'unreadable'> {
  try {
    return (await clients.s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet ?? [];
  } catch (error) {
    if (isAwsError(error, 'NoSuchTagSet')) return [];
    if (isAwsError(error, 'NoSuchBucket')) return 'missing';
    if (contained && isAwsError(error, 'AccessDenied')) return 'unreadable';
    throw error;
  }
}

/** The policy text exactly as S3 returns it; undefined when the bucket has none. */
async function bucketPolicy(clients: ContainClients, bucket: string): Promise<string | undefined> {
  try {
    return (await clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
  } catch (error) {
    if (isAwsError(error, 'NoSuchBucketPolicy')) return undefined;
    if (isAwsError(error, 'AccessDenied')) {
      throw new IrKitError('IRKIT_AWS', `cannot read the policy of bucket ${bucket} (AccessDenied)`, {
        hint: 'containment keeps the original policy to restore it on release, so it must read it first: use credentials with s3:GetBucketPolicy (the break-glass role); nothing was changed',
        cause: error,
      });
    }
    throw error;
  }
}

function existingFor(target: ContainmentTarget, input: PrepareInput): Stack | undefined {
  const name = containmentStackName(input.incidentId, target.kind, target.name);
  return input.existingStacks.find((s) => s.StackName === name);
}

/**
 * The config's rule with what the access stack reports: the IR roles and the execution role
 * as deployed, and its break-glass role (the one whose sessions may revoke an IR role's).
 */
export function containmentRule(rule: ProtectionRule, env: ContainEnvironment): ProtectionRule {
  const breakGlass = env.breakGlassRoleArn ? nameOfArn(env.breakGlassRoleArn) : rule.breakGlassRoleName;
  const irRoles = env.irRoleArns.filter((arn) => arn !== env.breakGlassRoleArn).map(nameOfArn);
  return {
    ...rule,
    breakGlassRoleName: breakGlass,
    irRoleNames: [
      ...rule.irRoleNames,
      ...irRoles,
      ...(same(breakGlass, rule.breakGlassRoleName) ? [] : [rule.breakGlassRoleName]),
    ],
    kitRoleNames: [...rule.kitRoleNames, ...(env.executionRoleArn ? [nameOfArn(env.executionRoleArn)] : [])],
  };
}

/** Whether the credentials are a session of the break-glass role. */
export function isBreakGlassCaller(rule: ProtectionRule, callerArn: string): boolean {
  const caller = parseIamArn(callerArn);
  return caller?.kind === 'role' && same(caller.name, rule.breakGlassRoleName);
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Protected principals are refused, all named at once, before anything changes. An IR role
 * the actor assumed (a plan step with irRole) is the one exception, revoked only, and only
 * by the break-glass role.
 */
function refuseProtected(inspections: readonly Inspection[], input: PrepareInput): void {
  const rule = containmentRule(input.protection, input.env);
  const callerArn = input.offline ? undefined : input.env.caller.arn;
  const breakGlassCaller = callerArn !== undefined && isBreakGlassCaller(rule, callerArn);
  const refused: string[] = [];
  for (const i of inspections) {
    const { target } = i;
    const irRole = target.kind === 'role' && target.irRole;
    const reason = protectedReason(irRole ? { ...rule, irRoleNames: [] } : rule, {
      kind: target.kind,
      name: target.name,
      ...(i.arn ? { arn: i.arn } : {}),
      ...(i.tags ? { tags: i.tags } : {}),
      ...(callerArn ? { callerArn } : {}),
    });
    const reasons = reason ? [reason] : [];
    if (irRole && callerArn !== undefined && !breakGlassCaller) {
      reasons.push(
        `an IR role the actor assumed: only ${rule.breakGlassRoleName} may revoke its sessions, and the caller is ${callerArn}`,
      );
    }
    if (reasons.length > 0) refused.push(`${targetLabel(target)}: ${reasons.join('; ')}`);
  }
  if (refused.length > 0) {
    const irRoles = inspections.some((i) => i.target.kind === 'role' && i.target.irRole);
    throw new IrKitError(
      'IRKIT_PROTECTED_PRINCIPAL',
      `refusing to contain protected principals:\n  - ${refused.join('\n  - ')}`,
      {
        hint:
          'the kit never contains these; remove them from the plan or options' +
          (irRoles
            ? `. To revoke an IR role the actor assumed, run irkit contain as ${rule.breakGlassRoleName}`
            : '') +
          '. Nothing was changed',
      },
    );
  }
}

/** The same target already contained under another incident: releasing one would undo the other. */
function conflicts(inspections: readonly Inspection[], input: PrepareInput): string[] {
  const out: string[] = [];
  for (const i of inspections) {
    for (const stack of input.existingStacks) {
      const label = tagOf(stack, TAG_KEYS.target);
      const incident = tagOf(stack, TAG_KEYS.incident);
      if (!label || !incident || incident === input.incidentId) continue;
      const [kind, ...rest] = label.split(':');
      if (kind === i.target.kind && sameTarget(i.target, { kind: i.target.kind, name: rest.join(':') })) {
        out.push(
          `${targetLabel(i.target)} is already contained under incident ${incident} (stack ${stack.StackName}); ` +
            `use --incident ${incident}, or release it there first`,
        );
      }
    }
  }
  return out;
}

/** What a dry run without credentials says it did not read, per kind. */
const UNREAD: Record<ContainmentTarget['kind'], string> = {
  user: 'the user (exact name, tags, access keys and their status), existing stacks',
  role: 'the role (exact name, tags), existing stacks',
  bucket: 'the bucket (tags, current policy: OriginalPolicyPresent and OriginalPolicy1..6), existing stacks',
};

function build(i: Inspection, input: PrepareInput): PreparedTarget {
  const { target } = i;
  const stackName = containmentStackName(input.incidentId, target.kind, target.name);
  const live = i.existing !== undefined && !NOT_LIVE.has(i.existing.StackStatus ?? '');
  const label = targetLabel(target);
  const notes: string[] = [];
  const value = (key: string, v: string): Parameter => ({ ParameterKey: key, ParameterValue: v });
  // A re-run keeps what the first run chose, when its stack has it (an older template may not).
  const kept = (key: string, fresh: string): Parameter =>
    live && parameterOf(i.existing as Stack, key) !== undefined
      ? { ParameterKey: key, UsePreviousValue: true }
      : value(key, fresh);
  const parameters: Parameter[] = [value(COMMON_PARAMS.incidentId, input.incidentId)];
  const actions: string[] = [];
  const at = containmentTime(input.now);
  const shownAt = (key: string) => (live ? (parameterOf(i.existing as Stack, key) ?? at) : at);
  const revoke = (kind: string, key: string) =>
    `add inline policy ${INLINE_POLICY_NAMES.revokeOlderSessions(input.incidentId)} to ${kind} ${target.name}: ` +
    `deny everything to sessions issued before ${shownAt(key)}`;
  const policy = nameOfArn(input.env.containmentPolicyArn);

  if (target.kind === 'user') {
    const slots = live
      ? USER_KEY_SLOTS.map((slot) => parameterOf(i.existing as Stack, slot) ?? '')
      : ['', ''];
    for (const key of target.accessKeyIds) {
      if (slots.includes(key)) continue;
      const free = slots.indexOf('');
      if (free < 0) {
        throw new IrKitError(
          'IRKIT_INVALID_INPUT',
          `${label}: its stack already deactivates two keys (${slots.join(', ')})`,
          {
            hint: `release it (irkit release --incident ${input.incidentId} --target ${label}) and contain again; nothing was changed`,
          },
        );
      }
      slots[free] = key;
    }
    const earlier = slots.filter((k) => k !== '' && !target.accessKeyIds.includes(k));
    if (earlier.length > 0) notes.push(`keys ${earlier.join(', ')} stay deactivated from the earlier run`);
    parameters.push(
      value(USER_PARAMS.userName, target.name),
      ...USER_KEY_SLOTS.map((slot, n) => value(slot, slots[n])),
      kept(USER_PARAMS.containmentTime, at),
      value(USER_PARAMS.restoreKeyIds, ''),
      value(USER_PARAMS.keepSessionRevoke, 'true'),
    );
    actions.push(
      `attach ${policy} (Deny * on *) to user ${target.name}; it also cuts sessions from GetSessionToken/GetFederationToken`,
      revoke('user', USER_PARAMS.containmentTime),
    );
    for (const key of slots.filter((k) => k !== '')) {
      const status = i.offline ? 'not read live' : (i.keys?.find((k) => k.id === key)?.status ?? 'unknown');
      actions.push(`set access key ${key} Inactive (now ${status})`);
    }
    const others = (i.keys ?? []).filter((k) => k.status === 'Active' && !slots.includes(k.id));
    for (const other of others) {
      notes.push(
        `access key ${other.id} is also Active: the deny-all blocks it; add --access-key-id ${other.id} to deactivate it`,
      );
    }
    actions.push(
      'release lifts the deny-all; the revoke of older sessions stays unless release --lift-session-revoke; ' +
        'keys stay Inactive unless named with release --restore-key ID',
    );
  } else if (target.kind === 'role') {
    parameters.push(
      value(ROLE_PARAMS.roleName, target.name),
      kept(ROLE_PARAMS.containmentTime, at),
      value(ROLE_PARAMS.roleMode, target.mode),
      value(ROLE_PARAMS.keepSessionRevoke, 'true'),
    );
    if (target.mode === 'deny-all') {
      actions.push(
        `attach ${policy} (Deny * on *) to role ${target.name}: a role the actor created or re-trusted, so no session of it keeps working`,
      );
    }
    actions.push(
      revoke('role', ROLE_PARAMS.containmentTime) +
        (target.mode === 'deny-all' ? '' : ' (never deny-all: later sessions keep working)'),
      `release ${target.mode === 'deny-all' ? 'detaches the deny-all; it ' : ''}keeps the revoke of older sessions unless release --lift-session-revoke`,
    );
    if (target.irRole) {
      actions.length = 0;
      actions.push(
        `put inline policy ${INLINE_POLICY_NAMES.revokeOlderSessions(input.incidentId)} on IR role ${target.name} directly ` +
          '(no stack: the handler never changes an IR role): deny everything to sessions issued before the containment time; never deny-all',
        'release does not lift it; remove it by hand once the role’s trust is reviewed',
      );
      notes.push(
        `an IR role the actor assumed: performed only when run as ${containmentRule(input.protection, input.env).breakGlassRoleName}` +
          (i.offline ? ' (the caller was not read live)' : ''),
      );
    }
  } else {
    if (!input.env.breakGlassRoleArn) {
      throw new IrKitError('IRKIT_CONFIG', `${label}: no break-glass role to spare in the bucket policy`, {
        hint: 'deploy the access stack (IrKitAccess), or pass --break-glass-role-arn; nothing was changed',
      });
    }
    parameters.push(
      value(BUCKET_PARAMS.bucketName, target.name),
      value(BUCKET_PARAMS.breakGlassRoleArn, input.env.breakGlassRoleArn),
    );
    const spared = `deny everyone but ${input.env.breakGlassRoleArn} (and the containment handler, to restore it)`;
    if (live) {
      parameters.push({ ParameterKey: BUCKET_PARAMS.originalPolicyPresent, UsePreviousValue: true });
      for (let n = 0; n < ORIGINAL_POLICY_CHUNKS; n++)
        parameters.push({ ParameterKey: BUCKET_PARAMS.originalPolicyChunk(n), UsePreviousValue: true });
      actions.push(
        `keep bucket ${target.name} contained; the original policy stays as kept by the first run`,
      );
    } else if (i.offline) {
      actions.push(
        `bucket ${target.name}: keep its policy statements and add ${CONTAINMENT_SIDS.bucket}: ${spared}`,
        'the original policy is read, kept in the stack and restored exactly on release',
      );
    } else {
      const original = i.bucketPolicy ?? undefined;
      checkContainedSize(target.name, original, input.env, label);
      const chunks = splitPolicy(original ?? '', label);
      parameters.push(value(BUCKET_PARAMS.originalPolicyPresent, original === undefined ? 'false' : 'true'));
      chunks.forEach((chunk, n) => parameters.push(value(BUCKET_PARAMS.originalPolicyChunk(n), chunk)));
      const statements = original === undefined ? 0 : countStatements(original);
      actions.push(
        `bucket ${target.name}: keep its ${statements} policy statement(s) and add ${CONTAINMENT_SIDS.bucket}: ${spared}`,
        original === undefined
          ? 'the bucket has no policy: release removes the policy again'
          : `the original policy (${Buffer.byteLength(original)} bytes) is kept in the stack and restored exactly on release`,
      );
    }
  }

  const tags: Tag[] =
    live && i.existing?.Tags?.length
      ? i.existing.Tags
      : [
          { Key: TAG_KEYS.incident, Value: input.incidentId },
          { Key: TAG_KEYS.operator, Value: input.env.caller.arn.slice(0, 256) },
          { Key: TAG_KEYS.containedAt, Value: input.now.toISOString() },
          { Key: TAG_KEYS.target, Value: label.slice(0, 256) },
        ];
  return {
    target,
    label,
    evidence: i.planned.evidence,
    stackName,
    existing: i.existing,
    live,
    parameters,
    tags,
    actions,
    notes,
    policyReadable: target.kind === 'bucket' ? i.bucketPolicy !== null && !i.offline : undefined,
    unread: i.offline ? [UNREAD[target.kind]] : [],
  };
}

/**
 * S3 replaces a bucket policy whole, so the handler writes the original statements plus the
 * containment statement; S3 refuses a policy over 20 KB, so that must fit before any change.
 */
function checkContainedSize(
  bucket: string,
  original: string | undefined,
  env: ContainEnvironment,
  label: string,
): void {
  if (original === undefined) return;
  let document: PolicyDocument;
  try {
    document = JSON.parse(original) as PolicyDocument;
  } catch (error) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `${label}: its policy is not JSON, so it cannot be merged`, {
      hint: 'look at the policy (aws s3api get-bucket-policy); nothing was changed',
      cause: error,
    });
  }
  const handlerRoleArn = `arn:${env.caller.partition}:iam::${env.caller.account}:role/${CONTAINMENT_HANDLER_NAMES.roleName}`;
  const merged = containedBucketPolicy(
    bucket,
    [env.breakGlassRoleArn as string, handlerRoleArn],
    document,
    env.caller.partition,
  );
  const size = Buffer.byteLength(JSON.stringify(merged));
  if (size <= BUCKET_POLICY_MAX_BYTES) return;
  throw new IrKitError(
    'IRKIT_INVALID_INPUT',
    `${label}: its policy with the containment statement would be ${size} bytes, over S3's bucket-policy limit ` +
      `of ${BUCKET_POLICY_MAX_BYTES} bytes (the policy is ${Buffer.byteLength(original)} bytes now)`,
    {
      hint:
        `S3 would refuse the contained policy, so nothing was changed. Either shorten the policy by ${size - BUCKET_POLICY_MAX_BYTES} bytes or more ` +
        '(merge or drop statements) and contain again; or block the bucket another way, as SecurityBreakGlassRole: ' +
        'S3 Block Public Access for public access, or an SCP denying s3:* on the bucket; ' +
        'or contain the principals that use it instead (irkit contain --user / --role)',
    },
  );
}

/** The containment time: the next whole second, so no session of the current second escapes. */
export function containmentTime(now: Date): string {
  return new Date(Math.ceil(now.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Splits a policy into parameter-sized chunks (whole UTF-8 characters, at most 4,096 bytes each). */
export function splitPolicy(policy: string, label: string): string[] {
  const chunks: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of policy) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > PARAMETER_VALUE_MAX_BYTES) {
      chunks.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += size;
  }
  if (current !== '') chunks.push(current);
  if (chunks.length > ORIGINAL_POLICY_CHUNKS) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      `${label}: its policy is ${Buffer.byteLength(policy)} bytes, more than the stack can keep`,
      {
        hint: 'S3 allows 20 KB; this policy is larger than any S3 accepts. Nothing was changed',
      },
    );
  }
  while (chunks.length < ORIGINAL_POLICY_CHUNKS) chunks.push('');
  return chunks;
}

function countStatements(policy: string): number {
  try {
    const s = (JSON.parse(policy) as { Statement?: unknown }).Statement;
    return Array.isArray(s) ? s.length : s ? 1 : 0;
  } catch {
    return 0;
  }
}
