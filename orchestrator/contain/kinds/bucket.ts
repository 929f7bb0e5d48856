import type { Stack } from '@aws-sdk/client-cloudformation';
import type { Tag as IamTag } from '@aws-sdk/client-iam';

import { sdk } from '../../aws-sdk';
import { CONTAINMENT_HANDLER_NAMES } from '../../../lib/constructs/containment/names';
import { IrKitError } from '../../../lib/errors';
import { CONTAINMENT_SIDS } from '../../../lib/names';
import {
  BUCKET_POLICY_MAX_BYTES,
  containedBucketPolicy,
  holdsBucketContainment,
  PolicyDocument,
} from '../../../lib/policies/containment';
import {
  BUCKET_PARAMS,
  ORIGINAL_POLICY_CHUNKS,
  PARAMETER_VALUE_MAX_BYTES,
} from '../../../lib/stacks/containment/parameters';
import * as v from '../../../lib/validation';
import { awsErrorMessage, awsErrorName, ContainClients, isAwsError } from '../aws';
import { ContainEnvironment } from '../environment';
import type { PlanEvidence } from '../plan';
import { parameterOf } from '../stacks';
import type { ContainmentStatus } from '../status';
import { ContainmentKindModule } from './kind';

/** Deny everyone but the break-glass role on the bucket, keeping its existing statements. */
export interface BucketStep {
  readonly kind: 'bucket';
  readonly name: string;
  readonly evidence: readonly PlanEvidence[];
}

export interface BucketTarget {
  readonly kind: 'bucket';
  readonly name: string;
}

/** The bucket's policy exactly as S3 returned it: undefined when it has none, null when not read (contained). */
interface BucketRead {
  readonly policy: string | undefined | null;
}

export const bucketKind: ContainmentKindModule<BucketStep, BucketTarget, BucketRead> = {
  kind: 'bucket',
  validateName: v.bucketName,
  nameKey: (name) => name,
  example: 'DOC-EXAMPLE-BUCKET',

  stepFields: [],
  readFields: () => ({}),
  merge: (seen, _step, evidence) => ({ ...seen, evidence }),
  targetOfStep: (step) => ({ kind: 'bucket', name: step.name }),
  stepTarget: (step) => step.name,
  stepAction: () => 'lock to break-glass',
  resourceLine: (step, code) => `- S3 Bucket: ${code(step.name)}`,

  options: [
    {
      flag: '--bucket <name>',
      description: 'a bucket to lock to the break-glass role (repeatable)',
      key: 'buckets',
    },
  ],
  usage: '--bucket NAME',
  summary: 'lock buckets to break-glass',
  targetsOfOptions: (options) =>
    (options.buckets ?? []).map((name) => ({ kind: 'bucket', name: v.bucketName(name) })),

  async inspect({ clients, liveStack }, t) {
    const live = liveStack(t) !== undefined;
    // While contained, the bucket denies everyone but break-glass, so reads may be refused:
    // a live containment keeps the original it read the first time.
    const tagging = await bucketTags(clients, t.name, live);
    if (tagging === 'missing') return { target: t, problems: [`S3 bucket ${t.name} does not exist`] };
    const policy = live ? null : await bucketPolicy(clients, t.name);
    return {
      target: t,
      tags: tagging === 'unreadable' ? undefined : tagging,
      problems: [],
      read: { policy },
    };
  },
  unread: 'the bucket (tags, current policy: OriginalPolicyPresent and OriginalPolicy1..6), existing stacks',
  build(context, target, read) {
    const { env, label, value } = context;
    if (!env.breakGlassRoleArn) {
      throw new IrKitError('IRKIT_CONFIG', `${label}: no break-glass role to spare in the bucket policy`, {
        hint: 'deploy the access stack (IrKitAccess), or pass --break-glass-role-arn; nothing was changed',
      });
    }
    const parameters = [
      value(BUCKET_PARAMS.bucketName, target.name),
      value(BUCKET_PARAMS.breakGlassRoleArn, env.breakGlassRoleArn),
    ];
    const policyReadable = read !== undefined && read.policy !== null;
    const spared = `deny everyone but ${env.breakGlassRoleArn} (and the containment handler, to restore it)`;
    if (context.live) {
      parameters.push({ ParameterKey: BUCKET_PARAMS.originalPolicyPresent, UsePreviousValue: true });
      for (let n = 0; n < ORIGINAL_POLICY_CHUNKS; n++)
        parameters.push({ ParameterKey: BUCKET_PARAMS.originalPolicyChunk(n), UsePreviousValue: true });
      return {
        parameters,
        actions: [`keep bucket ${target.name} contained; the original policy stays as kept by the first run`],
        notes: [],
        policyReadable,
      };
    }
    if (context.offline) {
      return {
        parameters,
        actions: [
          `bucket ${target.name}: keep its policy statements and add ${CONTAINMENT_SIDS.bucket}: ${spared}`,
          'the original policy is read, kept in the stack and restored exactly on release',
        ],
        notes: [],
        policyReadable,
      };
    }
    const original = read?.policy ?? undefined;
    checkContainedSize(target.name, original, env, label);
    const chunks = splitPolicy(original ?? '', label);
    parameters.push(value(BUCKET_PARAMS.originalPolicyPresent, original === undefined ? 'false' : 'true'));
    chunks.forEach((chunk, n) => parameters.push(value(BUCKET_PARAMS.originalPolicyChunk(n), chunk)));
    const statements = original === undefined ? 0 : countStatements(original);
    return {
      parameters,
      actions: [
        `bucket ${target.name}: keep its ${statements} policy statement(s) and add ${CONTAINMENT_SIDS.bucket}: ${spared}`,
        original === undefined
          ? 'the bucket has no policy: release removes the policy again'
          : `the original policy (${Buffer.byteLength(original)} bytes) is kept in the stack and restored exactly on release`,
      ],
      notes: [],
      policyReadable,
    };
  },

  async verifyContained(clients, { target, policyReadable }) {
    const { GetBucketPolicyCommand } = sdk.s3();
    try {
      const out = await clients.s3.send(new GetBucketPolicyCommand({ Bucket: target.name }));
      const ok = (out.Policy ?? '').includes(CONTAINMENT_SIDS.bucket);
      return {
        ok,
        notes: [
          ok
            ? `bucket policy holds ${CONTAINMENT_SIDS.bucket}`
            : `bucket policy lacks ${CONTAINMENT_SIDS.bucket}`,
        ],
      };
    } catch (error) {
      // Contained, the bucket refuses everyone but break-glass: a refusal where the read
      // worked just before is the containment itself.
      if (isAwsError(error, 'AccessDenied') && policyReadable) {
        return {
          ok: true,
          notes: [
            'the bucket now refuses this caller its policy, as containment intends (only break-glass may read it)',
          ],
        };
      }
      throw error;
    }
  },
  async verifyReleased(clients, { target, stack }) {
    const { GetBucketPolicyCommand } = sdk.s3();
    const original = keptOriginalPolicy(stack);
    try {
      const out = await clients.s3.send(new GetBucketPolicyCommand({ Bucket: target.name }));
      if (original === undefined) return { ok: false, notes: ['the bucket had no policy but has one now'] };
      return out.Policy === original
        ? { ok: true, notes: [`original policy restored exactly (${Buffer.byteLength(original)} bytes)`] }
        : { ok: false, notes: ['the bucket policy differs from the original'] };
    } catch (error) {
      if (isAwsError(error, 'NoSuchBucket')) return { ok: true, notes: ['the bucket no longer exists'] };
      if (isAwsError(error, 'NoSuchBucketPolicy')) {
        return original === undefined
          ? { ok: true, notes: ['no policy, as before containment'] }
          : { ok: false, notes: ['the bucket has no policy, but had one before containment'] };
      }
      throw error;
    }
  },

  nameParameter: BUCKET_PARAMS.bucketName,
  statusDetails(stack) {
    const had = parameterOf(stack, BUCKET_PARAMS.originalPolicyPresent) === 'true';
    return `deny all but ${parameterOf(stack, BUCKET_PARAMS.breakGlassRoleArn) ?? '?'}; original policy ${had ? 'kept' : 'none'}`;
  },
  targetOfStack: (name) => ({ kind: 'bucket', name }),
  async checkRelease(clients, rows, request, io) {
    if (!request.retainFailed) await refuseChangedPolicies(clients, rows, io);
  },
  releaseChanges: () => ({}),
  describeRelease(row) {
    const original = keptOriginalPolicy(row.stack);
    return [
      original === undefined
        ? 'remove the bucket policy (the bucket had none before)'
        : `put back the original bucket policy, byte for byte (${Buffer.byteLength(original)} bytes)`,
    ];
  },
};

async function bucketTags(
  clients: ContainClients,
  bucket: string,
  contained: boolean,
): Promise<IamTag[] | 'missing' | 'unreadable'> {
  const { GetBucketTaggingCommand } = sdk.s3();
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
  const { GetBucketPolicyCommand } = sdk.s3();
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

/** Splits a policy into parameter-sized chunks (whole UTF-8 characters, at most 4,096 bytes each). */
function splitPolicy(policy: string, label: string): string[] {
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

/** The original bucket policy a bucket stack kept; undefined when the bucket had none. */
function keptOriginalPolicy(stack: Stack): string | undefined {
  if (parameterOf(stack, BUCKET_PARAMS.originalPolicyPresent) !== 'true') return undefined;
  return Array.from(
    { length: ORIGINAL_POLICY_CHUNKS },
    (_, n) => parameterOf(stack, BUCKET_PARAMS.originalPolicyChunk(n)) ?? '',
  ).join('');
}

/**
 * A bucket policy changed while contained is never overwritten, so its release cannot
 * finish: refuse before deleting anything, showing the kept original and the current policy.
 * While contained the bucket denies everyone but break-glass, so the deploy role may not be
 * able to read it; the stack's own delete then checks it the same way.
 */
async function refuseChangedPolicies(
  clients: ContainClients,
  rows: readonly ContainmentStatus[],
  io: { log(text: string): void },
): Promise<void> {
  const changed: string[] = [];
  for (const row of rows.filter((r) => r.stackStatus !== 'DELETE_FAILED')) {
    const { GetBucketPolicyCommand } = sdk.s3();
    const original = keptOriginalPolicy(row.stack);
    let current: string | undefined;
    try {
      current = (await clients.s3.send(new GetBucketPolicyCommand({ Bucket: row.target }))).Policy;
    } catch (error) {
      const name = awsErrorName(error);
      if (isAwsError(error, 'NoSuchBucket')) continue;
      if (!isAwsError(error, 'NoSuchBucketPolicy')) {
        io.log(
          `[${row.stackName}] could not read the current policy of bucket ${row.target} (${name || awsErrorMessage(error)}); ` +
            'the stack checks it on delete and never overwrites a changed policy',
        );
        continue;
      }
    }
    if (current === original || holdsBucketContainment(current, original)) continue;
    changed.push(
      [
        `bucket:${row.target}: its policy was changed while contained, so releasing it would overwrite that change.`,
        `    kept original (stack ${row.stackName}, parameters OriginalPolicy1..6): ${original ?? '(none: the bucket had no policy)'}`,
        `    current: ${current ?? '(none: the bucket has no policy now)'}`,
      ].join('\n'),
    );
  }
  if (changed.length === 0) return;
  throw new IrKitError('IRKIT_INVALID_INPUT', `refusing to release:\n  - ${changed.join('\n  - ')}`, {
    hint:
      'nothing was changed. As the break-glass role, either put the kept original back (aws s3api put-bucket-policy, ' +
      'or delete-bucket-policy when there was none) and run irkit release again; or, to keep the policy as it is now, ' +
      `remove its ${CONTAINMENT_SIDS.bucket} statement and run irkit release --retain-failed (the stack is deleted, the policy left as you set it)`,
  });
}
