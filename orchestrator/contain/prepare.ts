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
import { CONTAINMENT_SIDS, DEFAULT_NAMES, TAG_KEYS } from '../../lib/names';
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
 * parameters and tags. Only read calls are made here.
 */

export interface ProtectionOptions {
  /** IAM user/role names or ARNs never to contain (config protectedPrincipals, options). */
  readonly protectedPrincipals?: readonly string[];
  /**
   * The IR role names as configured.
   * @default the playbook's: SecurityAnalystRole, SecurityAdminRole, SecurityDeployRole, SecurityBreakGlassRole
   */
  readonly irRoleNames?: readonly string[];
  /** Buckets never to contain, e.g. the log bucket (containing it would stop CloudTrail delivery). */
  readonly protectedBuckets?: readonly string[];
}

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
}

export interface PrepareInput {
  readonly incidentId: string;
  readonly targets: readonly PlannedTarget[];
  readonly env: ContainEnvironment;
  readonly existingStacks: readonly Stack[];
  readonly protection?: ProtectionOptions;
  readonly now: Date;
}

/** States that hold no containment: a first attempt that failed, or nothing executed yet. */
const NOT_LIVE = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'REVIEW_IN_PROGRESS', 'DELETE_FAILED']);

interface Inspection {
  readonly planned: PlannedTarget;
  readonly target: ContainmentTarget;
  readonly arn?: string;
  readonly protectedTag: boolean;
  readonly problems: string[];
  readonly keys?: ReadonlyArray<{ id: string; status: string }>;
  /** undefined: no policy; null: not read. */
  readonly bucketPolicy?: string | null;
  readonly existing?: Stack;
}

export async function prepareTargets(
  clients: ContainClients,
  input: PrepareInput,
): Promise<PreparedTarget[]> {
  const inspections = await Promise.all(input.targets.map((planned) => inspect(clients, planned, input)));
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
      if (!user?.User)
        return { ...base, target: t, protectedTag: false, problems: [`IAM user ${t.name} does not exist`] };
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
        protectedTag: isProtected(tags),
        problems,
        keys,
        existing: existingFor(target, input),
      };
    }
    if (t.kind === 'role') {
      const role = await maybe(() => clients.iam.send(new GetRoleCommand({ RoleName: t.name })));
      if (!role?.Role)
        return { ...base, target: t, protectedTag: false, problems: [`IAM role ${t.name} does not exist`] };
      const target: ContainmentTarget = { kind: 'role', name: role.Role.RoleName ?? t.name };
      const tags = await roleTags(clients, target.name);
      return {
        ...base,
        target,
        arn: role.Role.Arn,
        protectedTag: isProtected(tags),
        existing: existingFor(target, input),
      };
    }
    const existing = existingFor(t, input);
    const live = existing !== undefined && !NOT_LIVE.has(existing.StackStatus ?? '');
    // While contained, the bucket denies everyone but break-glass, so reads may be refused:
    // a live containment keeps the original it read the first time.
    const tagging = await bucketTags(clients, t.name, live);
    if (tagging === 'missing')
      return { ...base, target: t, protectedTag: false, problems: [`S3 bucket ${t.name} does not exist`] };
    const policy = live ? null : await bucketPolicy(clients, t.name);
    return { ...base, target: t, protectedTag: tagging === 'protected', bucketPolicy: policy, existing };
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

function isProtected(tags: readonly { Key?: string; Value?: string }[]): boolean {
  return tags.some((t) => t.Key === TAG_KEYS.protected && (t.Value ?? '').toLowerCase() === 'true');
}

async function bucketTags(
  clients: ContainClients,
  bucket: string,
  contained: boolean,
): Promise<'protected' | 'plain' | 'missing' | 'unreadable'> {
  try {
    const out = await clients.s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    return isProtected(out.TagSet ?? []) ? 'protected' : 'plain';
  } catch (error) {
    if (isAwsError(error, 'NoSuchTagSet')) return 'plain';
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

/** Protected principals are refused, all named at once, before anything changes. */
function refuseProtected(inspections: readonly Inspection[], input: PrepareInput): void {
  const { env } = input;
  const protection = input.protection ?? {};
  const irRoles = protection.irRoleNames ?? [
    DEFAULT_NAMES.analystRoleName,
    DEFAULT_NAMES.adminRoleName,
    DEFAULT_NAMES.deployRoleName,
    DEFAULT_NAMES.breakGlassRoleName,
  ];
  const kitRoles = [
    DEFAULT_NAMES.containmentExecutionRoleName,
    CONTAINMENT_HANDLER_NAMES.roleName,
    ...(env.executionRoleArn ? [nameOfArn(env.executionRoleArn)] : []),
  ];
  const configured = protection.protectedPrincipals ?? [];
  const lower = (s: string) => s.toLowerCase();
  const refused: string[] = [];
  for (const i of inspections) {
    const { target } = i;
    const reasons: string[] = [];
    if (target.kind === 'bucket') {
      if ((protection.protectedBuckets ?? []).includes(target.name))
        reasons.push('a protected bucket (the kit reads its logs from it)');
    } else {
      const name = lower(target.name);
      const arn = lower(i.arn ?? '');
      if (target.kind === 'role') {
        if ([...irRoles, ...env.irRoleArns.map(nameOfArn)].some((r) => lower(r) === name))
          reasons.push('an IR role');
        if (kitRoles.some((r) => lower(r) === name)) reasons.push('a role of the kit itself');
        if (env.breakGlassRoleArn && lower(nameOfArn(env.breakGlassRoleArn)) === name)
          reasons.push('the break-glass role');
      }
      if (env.caller.principal?.kind === target.kind && lower(env.caller.principal.name) === name) {
        reasons.push(`the caller itself (${env.caller.arn})`);
      }
      if (configured.some((p) => lower(p) === name || (arn !== '' && lower(p) === arn))) {
        reasons.push('listed in protectedPrincipals');
      }
    }
    if (i.protectedTag) reasons.push(`tagged ${TAG_KEYS.protected}=true`);
    if (reasons.length > 0) refused.push(`${targetLabel(target)}: ${[...new Set(reasons)].join('; ')}`);
  }
  if (refused.length > 0) {
    throw new IrKitError(
      'IRKIT_PROTECTED_PRINCIPAL',
      `refusing to contain protected principals:\n  - ${refused.join('\n  - ')}`,
      { hint: 'the kit never contains these; remove them from the plan or options. Nothing was changed' },
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

function build(i: Inspection, input: PrepareInput): PreparedTarget {
  const { target } = i;
  const stackName = containmentStackName(input.incidentId, target.kind, target.name);
  const live = i.existing !== undefined && !NOT_LIVE.has(i.existing.StackStatus ?? '');
  const label = targetLabel(target);
  const notes: string[] = [];
  const value = (key: string, v: string): Parameter => ({ ParameterKey: key, ParameterValue: v });
  const previous = (key: string): Parameter => ({ ParameterKey: key, UsePreviousValue: true });
  const parameters: Parameter[] = [value(COMMON_PARAMS.incidentId, input.incidentId)];
  const actions: string[] = [];

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
    const kept = slots.filter((k) => k !== '' && !target.accessKeyIds.includes(k));
    if (kept.length > 0) notes.push(`keys ${kept.join(', ')} stay deactivated from the earlier run`);
    parameters.push(
      value(USER_PARAMS.userName, target.name),
      ...USER_KEY_SLOTS.map((slot, n) => value(slot, slots[n])),
      value(USER_PARAMS.restoreKeys, 'false'),
    );
    const policy = nameOfArn(input.env.containmentPolicyArn);
    actions.push(
      `attach ${policy} (Deny * on *) to user ${target.name}; it also cuts sessions from GetSessionToken/GetFederationToken`,
    );
    for (const key of slots.filter((k) => k !== '')) {
      const status = i.keys?.find((k) => k.id === key)?.status ?? 'unknown';
      actions.push(`set access key ${key} Inactive (now ${status})`);
    }
    const others = (i.keys ?? []).filter((k) => k.status === 'Active' && !slots.includes(k.id));
    for (const other of others) {
      notes.push(
        `access key ${other.id} is also Active: the deny-all blocks it; add --access-key-id ${other.id} to deactivate it`,
      );
    }
    actions.push('release lifts the deny; keys stay Inactive unless release --restore-keys');
  } else if (target.kind === 'role') {
    const at = containmentTime(input.now);
    parameters.push(
      value(ROLE_PARAMS.roleName, target.name),
      live ? previous(ROLE_PARAMS.containmentTime) : value(ROLE_PARAMS.containmentTime, at),
    );
    const shownAt = live ? (parameterOf(i.existing as Stack, ROLE_PARAMS.containmentTime) ?? at) : at;
    actions.push(
      `add inline policy ${INLINE_POLICY_NAMES.revokeOlderSessions(input.incidentId)} to role ${target.name}: ` +
        `deny everything to sessions issued before ${shownAt} (never deny-all: later sessions keep working)`,
      'release removes that inline policy',
    );
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
    if (live) {
      parameters.push(previous(BUCKET_PARAMS.originalPolicyPresent));
      for (let n = 0; n < ORIGINAL_POLICY_CHUNKS; n++)
        parameters.push(previous(BUCKET_PARAMS.originalPolicyChunk(n)));
      actions.push(
        `keep bucket ${target.name} contained; the original policy stays as kept by the first run`,
      );
    } else {
      const original = i.bucketPolicy ?? undefined;
      const chunks = splitPolicy(original ?? '', label);
      parameters.push(value(BUCKET_PARAMS.originalPolicyPresent, original === undefined ? 'false' : 'true'));
      chunks.forEach((chunk, n) => parameters.push(value(BUCKET_PARAMS.originalPolicyChunk(n), chunk)));
      const statements = original === undefined ? 0 : countStatements(original);
      actions.push(
        `bucket ${target.name}: keep its ${statements} policy statement(s) and add ${CONTAINMENT_SIDS.bucket}: ` +
          `deny everyone but ${input.env.breakGlassRoleArn} (and the containment handler, to restore it)`,
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
    policyReadable: target.kind === 'bucket' ? i.bucketPolicy !== null : undefined,
  };
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
