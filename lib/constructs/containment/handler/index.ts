/**
 * The containment handler: the Lambda function behind every containment stack's custom
 * resources. It is deployed once (in the access stack); containment stacks only reference it,
 * so their templates hold no code and their execution role needs nothing but to invoke it.
 *
 * This file is the Lambda's source. It is transpiled to JavaScript at synth time and
 * inlined (ZipFile), so it must stay self-contained: imports only from the AWS SDK v3
 * clients the Lambda Node.js runtime provides and from Node's own modules.
 *
 * What it may do is deliberately narrow, whatever a template asks: attach the one
 * containment policy, add a deny-all or a revoke-older-sessions document, deactivate (and on
 * request reactivate) keys it deactivated, and add a deny statement to a bucket policy,
 * restoring exactly what it found. It never writes a policy document it did not build itself
 * or read back from the resource.
 *
 * State it needs at delete time (what it changed) lives in the physical resource id, which
 * CloudFormation keeps with the stack and sends back on update and delete.
 */
import {
  AttachUserPolicyCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { request } from 'node:https';

export const RESOURCE_TYPES = {
  userDeny: 'Custom::IrKitUserDeny',
  accessKey: 'Custom::IrKitAccessKey',
  roleSessions: 'Custom::IrKitRoleSessions',
  bucketPolicy: 'Custom::IrKitBucketPolicy',
} as const;

/** Sids and tag keys, as in lib/names.ts (repeated here because this file is inlined alone). */
const SID_DENY_ALL = 'IamPolicyForContainment';
const SID_BUCKET = 'BucketPolicyForContainment';
const SID_REVOKE = 'RevokeOlderSessions';
const TAG_PROTECTED = 'irkit:protected';

type Props = Record<string, unknown>;

export interface CfnRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Props;
  readonly OldResourceProperties?: Props;
}

export interface Outcome {
  readonly physicalResourceId: string;
  readonly data: Record<string, string>;
}

export interface HandlerDeps {
  readonly iam: IAMClient;
  readonly s3: S3Client;
  /** ARN of the managed deny-all policy (iam-containment-policy). */
  readonly containmentPolicyArn: string;
  /** This function's own role, which the bucket deny must spare so release can restore. */
  readonly handlerRoleArn: string;
}

/** A failure whose message goes to the stack events as it is. */
export class ContainmentError extends Error {}

export async function handleRequest(req: CfnRequest, deps: HandlerDeps): Promise<Outcome> {
  switch (req.ResourceType) {
    case RESOURCE_TYPES.userDeny:
      return userDeny(req, deps);
    case RESOURCE_TYPES.accessKey:
      return accessKey(req, deps);
    case RESOURCE_TYPES.roleSessions:
      return roleSessions(req, deps);
    case RESOURCE_TYPES.bucketPolicy:
      return bucketPolicy(req, deps);
    default:
      if (req.RequestType === 'Delete') return { physicalResourceId: physicalIdOf(req), data: {} };
      throw new ContainmentError(`unknown resource type ${req.ResourceType}`);
  }
}

// ---------------------------------------------------------------------------------------------
// User: deny-all. Mode "managed" = we attached iam-containment-policy; "inline" = IAM refused a
// further managed policy (10 per user, a quota an attacker can fill) so we put the same deny
// inline; "preexisting" = it was attached before us, and is left attached on release.

async function userDeny(req: CfnRequest, deps: HandlerDeps): Promise<Outcome> {
  const props = req.ResourceProperties;
  const incident = str(props, 'IncidentId');
  const user = str(props, 'UserName');
  const previous = parseId(req.PhysicalResourceId, 'user-deny');
  if (req.RequestType === 'Delete') {
    if (!previous) return { physicalResourceId: physicalIdOf(req), data: {} };
    const [prevIncident, prevUser, mode] = previous;
    if (mode === 'managed') {
      await ignoring(['NoSuchEntityException'], () =>
        deps.iam.send(
          new DetachUserPolicyCommand({ UserName: prevUser, PolicyArn: deps.containmentPolicyArn }),
        ),
      );
    } else if (mode === 'inline') {
      await ignoring(['NoSuchEntityException'], () =>
        deps.iam.send(
          new DeleteUserPolicyCommand({ UserName: prevUser, PolicyName: inlineName(prevIncident) }),
        ),
      );
    }
    return { physicalResourceId: physicalIdOf(req), data: { Mode: mode } };
  }
  if (req.RequestType === 'Update' && previous && previous[1] === user && previous[0] === incident) {
    const mode = previous[2];
    if (mode === 'managed' && !(await hasManagedDeny(user, deps))) await attachOrInline(user, incident, deps);
    if (mode === 'inline') await putInlineDeny(user, incident, deps);
    return { physicalResourceId: physicalIdOf(req), data: { Mode: mode } };
  }
  await refuseProtected('user', user, deps);
  const mode = (await hasManagedDeny(user, deps))
    ? 'preexisting'
    : await attachOrInline(user, incident, deps);
  return { physicalResourceId: makeId('user-deny', incident, user, mode), data: { Mode: mode } };
}

async function hasManagedDeny(user: string, deps: HandlerDeps): Promise<boolean> {
  let marker: string | undefined;
  do {
    const page = await deps.iam.send(new ListAttachedUserPoliciesCommand({ UserName: user, Marker: marker }));
    if ((page.AttachedPolicies ?? []).some((p) => p.PolicyArn === deps.containmentPolicyArn)) return true;
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return false;
}

async function attachOrInline(
  user: string,
  incident: string,
  deps: HandlerDeps,
): Promise<'managed' | 'inline'> {
  try {
    await deps.iam.send(
      new AttachUserPolicyCommand({ UserName: user, PolicyArn: deps.containmentPolicyArn }),
    );
    return 'managed';
  } catch (error) {
    if (errorName(error) !== 'LimitExceededException') throw error;
    await putInlineDeny(user, incident, deps);
    return 'inline';
  }
}

async function putInlineDeny(user: string, incident: string, deps: HandlerDeps): Promise<void> {
  const name = inlineName(incident);
  const wanted = denyAllDocument();
  const existing = await ignoring(['NoSuchEntityException'], () =>
    deps.iam.send(new GetUserPolicyCommand({ UserName: user, PolicyName: name })),
  );
  if (existing?.PolicyDocument !== undefined) {
    if (sameJson(decodePolicy(existing.PolicyDocument), wanted)) return;
    throw new ContainmentError(`user ${user} already has an inline policy named ${name}; not overwriting it`);
  }
  await deps.iam.send(
    new PutUserPolicyCommand({ UserName: user, PolicyName: name, PolicyDocument: JSON.stringify(wanted) }),
  );
}

function inlineName(incident: string): string {
  return `IrKitContainment-${incident}`;
}

export function denyAllDocument(): object {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: SID_DENY_ALL, Effect: 'Deny', Action: '*', Resource: '*' }],
  };
}

// ---------------------------------------------------------------------------------------------
// Access key: set Inactive; remember whether it was Active so release can restore it on request.

async function accessKey(req: CfnRequest, deps: HandlerDeps): Promise<Outcome> {
  const props = req.ResourceProperties;
  const incident = str(props, 'IncidentId');
  const user = str(props, 'UserName');
  const keyId = str(props, 'AccessKeyId');
  const previous = parseId(req.PhysicalResourceId, 'key');
  if (req.RequestType === 'Delete') {
    if (!previous) return { physicalResourceId: physicalIdOf(req), data: {} };
    const [, prevUser, prevKey, prior] = previous;
    if (props.RestoreKeys === 'true' && prior === 'Active') {
      await ignoring(['NoSuchEntityException'], () =>
        deps.iam.send(
          new UpdateAccessKeyCommand({ UserName: prevUser, AccessKeyId: prevKey, Status: 'Active' }),
        ),
      );
      return { physicalResourceId: physicalIdOf(req), data: { Restored: 'true' } };
    }
    return { physicalResourceId: physicalIdOf(req), data: { Restored: 'false' } };
  }
  if (!/^AKIA[A-Z0-9]{16}$/.test(keyId))
    throw new ContainmentError(`${keyId} is not a long-term access key id`);
  const sameResource =
    req.RequestType === 'Update' && previous && previous[1] === user && previous[2] === keyId;
  if (!sameResource) await refuseProtected('user', user, deps);
  const status = await keyStatus(user, keyId, deps);
  if (status === 'Active') {
    await deps.iam.send(
      new UpdateAccessKeyCommand({ UserName: user, AccessKeyId: keyId, Status: 'Inactive' }),
    );
  }
  if (sameResource) return { physicalResourceId: physicalIdOf(req), data: { PriorStatus: previous[3] } };
  return { physicalResourceId: makeId('key', incident, user, keyId, status), data: { PriorStatus: status } };
}

async function keyStatus(user: string, keyId: string, deps: HandlerDeps): Promise<string> {
  let marker: string | undefined;
  do {
    const page = await deps.iam.send(new ListAccessKeysCommand({ UserName: user, Marker: marker }));
    const key = (page.AccessKeyMetadata ?? []).find((k) => k.AccessKeyId === keyId);
    if (key) return key.Status ?? 'Inactive';
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  throw new ContainmentError(`access key ${keyId} is not a key of user ${user}`);
}

// ---------------------------------------------------------------------------------------------
// Role: an inline revoke-older-sessions policy, named per incident; never deny-all.

async function roleSessions(req: CfnRequest, deps: HandlerDeps): Promise<Outcome> {
  const props = req.ResourceProperties;
  const incident = str(props, 'IncidentId');
  const role = str(props, 'RoleName');
  const previous = parseId(req.PhysicalResourceId, 'role');
  if (req.RequestType === 'Delete') {
    if (!previous) return { physicalResourceId: physicalIdOf(req), data: {} };
    const [, prevRole, policyName] = previous;
    await ignoring(['NoSuchEntityException'], () =>
      deps.iam.send(new DeleteRolePolicyCommand({ RoleName: prevRole, PolicyName: policyName })),
    );
    return { physicalResourceId: physicalIdOf(req), data: {} };
  }
  const at = str(props, 'ContainmentTime');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(at) || isNaN(Date.parse(at))) {
    throw new ContainmentError(`ContainmentTime ${at} is not an ISO 8601 UTC time`);
  }
  const policyName = `IrKitRevokeOlderSessions-${incident}`;
  const wanted = revokeOlderSessionsDocument(at);
  const sameResource =
    req.RequestType === 'Update' && previous && previous[1] === role && previous[2] === policyName;
  if (!sameResource) {
    await refuseProtected('role', role, deps);
    const existing = await ignoring(['NoSuchEntityException'], () =>
      deps.iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: policyName })),
    );
    if (existing?.PolicyDocument !== undefined && !sameJson(decodePolicy(existing.PolicyDocument), wanted)) {
      throw new ContainmentError(
        `role ${role} already has an inline policy named ${policyName}; not overwriting it`,
      );
    }
  }
  await deps.iam.send(
    new PutRolePolicyCommand({
      RoleName: role,
      PolicyName: policyName,
      PolicyDocument: JSON.stringify(wanted),
    }),
  );
  return {
    physicalResourceId: sameResource ? physicalIdOf(req) : makeId('role', incident, role, policyName),
    data: { PolicyName: policyName },
  };
}

export function revokeOlderSessionsDocument(containedAt: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: SID_REVOKE,
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': containedAt } },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Bucket: the original policy text travels in the resource properties (the stack's
// OriginalPolicy parameters, read by irkit just before), so it survives retries and updates
// and is sent back on delete. The handler applies it only as a compare-and-swap: it contains
// only if the bucket still holds exactly that original, and restores only if the bucket still
// holds what containment put there. Anything else is someone else's change: it fails, explained.

interface BucketProps {
  readonly bucket: string;
  readonly breakGlassRoleArn: string;
  readonly original: string | undefined;
}

function bucketProps(props: Props): BucketProps {
  const present = str(props, 'OriginalPolicyPresent');
  if (present !== 'true' && present !== 'false')
    throw new ContainmentError('OriginalPolicyPresent must be true or false');
  const original = typeof props.OriginalPolicy === 'string' ? props.OriginalPolicy : '';
  if (present === 'false' && original !== '') {
    throw new ContainmentError('OriginalPolicy must be empty when OriginalPolicyPresent is false');
  }
  const breakGlassRoleArn = str(props, 'BreakGlassRoleArn');
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/.test(breakGlassRoleArn)) {
    throw new ContainmentError(`BreakGlassRoleArn ${breakGlassRoleArn} is not an IAM role ARN`);
  }
  return {
    bucket: str(props, 'BucketName'),
    breakGlassRoleArn,
    original: present === 'true' ? original : undefined,
  };
}

async function bucketPolicy(req: CfnRequest, deps: HandlerDeps): Promise<Outcome> {
  const previous = parseId(req.PhysicalResourceId, 'bucket');
  if (req.RequestType === 'Delete') {
    if (!previous) return { physicalResourceId: physicalIdOf(req), data: {} };
    const p = bucketProps(req.ResourceProperties);
    const current = await readBucketPolicy(p.bucket, deps, true);
    if (current === GONE) return { physicalResourceId: physicalIdOf(req), data: { Restored: 'bucket-gone' } };
    if (current === p.original)
      return { physicalResourceId: physicalIdOf(req), data: { Restored: 'unchanged' } };
    if (!holdsContainment(current, p.original)) throw changedWhileContained(p.bucket);
    if (p.original === undefined) {
      await deps.s3.send(new DeleteBucketPolicyCommand({ Bucket: p.bucket }));
    } else {
      await deps.s3.send(new PutBucketPolicyCommand({ Bucket: p.bucket, Policy: p.original }));
    }
    return { physicalResourceId: physicalIdOf(req), data: { Restored: 'original' } };
  }
  const p = bucketProps(req.ResourceProperties);
  const incident = str(req.ResourceProperties, 'IncidentId');
  const merged = JSON.stringify(containedPolicy(p, deps.handlerRoleArn));
  const current = await readBucketPolicy(p.bucket, deps, false);
  if (req.RequestType === 'Update' && previous && previous[1] === p.bucket) {
    const old = bucketProps(req.OldResourceProperties ?? {});
    if (old.original !== p.original) {
      throw new ContainmentError(
        `the original policy kept for bucket ${p.bucket} cannot change while it is contained; release, then contain again`,
      );
    }
    if (current !== p.original && !holdsContainment(current as string | undefined, p.original)) {
      throw changedWhileContained(p.bucket);
    }
    await deps.s3.send(new PutBucketPolicyCommand({ Bucket: p.bucket, Policy: merged }));
    return { physicalResourceId: physicalIdOf(req), data: {} };
  }
  if (current !== p.original) {
    throw new ContainmentError(
      `the policy of bucket ${p.bucket} changed after irkit read it; nothing was changed: run irkit contain again`,
    );
  }
  await deps.s3.send(new PutBucketPolicyCommand({ Bucket: p.bucket, Policy: merged }));
  return { physicalResourceId: makeId('bucket', incident, p.bucket), data: {} };
}

const GONE = Symbol('bucket-gone');

async function readBucketPolicy(
  bucket: string,
  deps: HandlerDeps,
  goneIsFine: boolean,
): Promise<string | undefined | typeof GONE> {
  try {
    const out = await deps.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    return out.Policy;
  } catch (error) {
    const name = errorName(error);
    if (name === 'NoSuchBucketPolicy') return undefined;
    if (name === 'NoSuchBucket') {
      if (goneIsFine) return GONE;
      throw new ContainmentError(`bucket ${bucket} does not exist`);
    }
    throw error;
  }
}

/**
 * The bucket policy while contained: every original statement, as it is, plus the deny. An
 * original statement with the containment Sid (an earlier, manual containment) is replaced.
 * Mirrors lib/policies/containment.ts containedBucketPolicy (a test holds them equal).
 */
export function containedPolicy(p: BucketProps, handlerRoleArn: string): Record<string, unknown> {
  const original = p.original === undefined ? undefined : (JSON.parse(p.original) as Record<string, unknown>);
  const partition = p.breakGlassRoleArn.split(':')[1];
  const kept = statementsOf(original).filter((s) => s.Sid !== SID_BUCKET);
  return {
    Version: typeof original?.Version === 'string' ? original.Version : '2012-10-17',
    ...(typeof original?.Id === 'string' && original.Id ? { Id: original.Id } : {}),
    Statement: [
      ...kept,
      {
        Sid: SID_BUCKET,
        Effect: 'Deny',
        Principal: '*',
        Action: '*',
        Resource: [`arn:${partition}:s3:::${p.bucket}`, `arn:${partition}:s3:::${p.bucket}/*`],
        Condition: { StringNotLike: { 'aws:PrincipalArn': [p.breakGlassRoleArn, handlerRoleArn] } },
      },
    ],
  };
}

/**
 * True when `current` is the original plus a containment statement: same other statements
 * once S3's normalization (one-element lists written as scalars, key order) is undone.
 */
export function holdsContainment(current: string | undefined, original: string | undefined): boolean {
  if (current === undefined) return false;
  const now = statementsOf(JSON.parse(current));
  if (!now.some((s) => s.Sid === SID_BUCKET)) return false;
  const before = statementsOf(original === undefined ? undefined : JSON.parse(original)).filter(
    (s) => s.Sid !== SID_BUCKET,
  );
  return sameJson(
    now.filter((s) => s.Sid !== SID_BUCKET),
    before,
  );
}

function statementsOf(policy: unknown): Array<Record<string, unknown>> {
  if (typeof policy !== 'object' || policy === null) return [];
  const s = (policy as Record<string, unknown>).Statement;
  if (Array.isArray(s)) return s as Array<Record<string, unknown>>;
  return s && typeof s === 'object' ? [s as Record<string, unknown>] : [];
}

function changedWhileContained(bucket: string): ContainmentError {
  return new ContainmentError(
    `the policy of bucket ${bucket} was changed while contained, so irkit will not overwrite it. ` +
      'The original is kept in this stack (parameters OriginalPolicy1..6): put back the policy you want, ' +
      'then run irkit release again with --retain-failed',
  );
}

// ---------------------------------------------------------------------------------------------
// Shared helpers.

async function refuseProtected(kind: 'user' | 'role', name: string, deps: HandlerDeps): Promise<void> {
  let marker: string | undefined;
  do {
    const page =
      kind === 'user'
        ? await deps.iam.send(new ListUserTagsCommand({ UserName: name, Marker: marker }))
        : await deps.iam.send(new ListRoleTagsCommand({ RoleName: name, Marker: marker }));
    if ((page.Tags ?? []).some((t) => t.Key === TAG_PROTECTED && (t.Value ?? '').toLowerCase() === 'true')) {
      throw new ContainmentError(`${kind} ${name} is tagged ${TAG_PROTECTED}=true; irkit never contains it`);
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
}

/** Physical ids: irkit|kind|incident|...fields; `|` appears in no IAM, S3 or incident name. */
function makeId(kind: string, ...fields: string[]): string {
  return ['irkit', kind, ...fields].join('|');
}

function parseId(id: string | undefined, kind: string): string[] | undefined {
  const parts = (id ?? '').split('|');
  if (parts[0] !== 'irkit' || parts[1] !== kind) return undefined;
  return parts.slice(2);
}

function physicalIdOf(req: CfnRequest): string {
  return req.PhysicalResourceId ?? `irkit|none|${req.RequestId}`;
}

function str(props: Props, key: string): string {
  const value = props[key];
  if (typeof value !== 'string' || value === '') throw new ContainmentError(`property ${key} is missing`);
  return value;
}

function errorName(error: unknown): string {
  const e = error as { name?: string; Code?: string };
  return e?.Code ?? e?.name ?? '';
}

async function ignoring<T>(names: readonly string[], call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (names.includes(errorName(error))) return undefined;
    throw error;
  }
}

function decodePolicy(document: string): unknown {
  return JSON.parse(decodeURIComponent(document));
}

/** Deep equality of JSON values, reading a one-element list and its element as the same. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 1 ? canonical(value[0]) : value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Lambda entry point: answer CloudFormation on every path, before the Lambda would time out,
// so a stack never hangs for an hour waiting for a response that will not come.

export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

export type ResponseSender = (url: string, body: string) => Promise<void>;

export function makeHandler(deps: () => HandlerDeps, send: ResponseSender = putResponse) {
  return async (req: CfnRequest, context: LambdaContext): Promise<void> => {
    console.log(
      JSON.stringify({ type: req.ResourceType, request: req.RequestType, id: req.PhysicalResourceId }),
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<Outcome>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new ContainmentError('the containment handler ran out of time; see its log group')),
        Math.max(context.getRemainingTimeInMillis() - 5000, context.getRemainingTimeInMillis() / 2),
      );
    });
    let body: Record<string, unknown>;
    try {
      const outcome = await Promise.race([handleRequest(req, deps()), deadline]);
      body = { Status: 'SUCCESS', PhysicalResourceId: outcome.physicalResourceId, Data: outcome.data };
    } catch (error) {
      console.log('failed:', error);
      const reason =
        error instanceof ContainmentError ? error.message : `${errorName(error)}: ${String(error)}`;
      body = { Status: 'FAILED', Reason: reason.slice(0, 1500), PhysicalResourceId: physicalIdOf(req) };
    } finally {
      clearTimeout(timer);
    }
    await send(
      req.ResponseURL,
      JSON.stringify({
        ...body,
        StackId: req.StackId,
        RequestId: req.RequestId,
        LogicalResourceId: req.LogicalResourceId,
      }),
    );
  };
}

function putResponse(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let cached: HandlerDeps | undefined;

export const handler = makeHandler(() => {
  cached ??= {
    iam: new IAMClient({}),
    s3: new S3Client({ followRegionRedirects: true }),
    containmentPolicyArn: process.env.CONTAINMENT_POLICY_ARN ?? '',
    handlerRoleArn: process.env.HANDLER_ROLE_ARN ?? '',
  };
  return cached;
});
