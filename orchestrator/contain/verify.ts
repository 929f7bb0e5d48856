import { Stack } from '@aws-sdk/client-cloudformation';
import {
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { GetBucketPolicyCommand } from '@aws-sdk/client-s3';

import { INLINE_POLICY_NAMES } from '../../lib/constructs/containment/names';
import { CONTAINMENT_SIDS } from '../../lib/names';
import {
  BUCKET_PARAMS,
  CONTAINMENT_OUTPUTS,
  ORIGINAL_POLICY_CHUNKS,
  USER_KEY_SLOTS,
  USER_PARAMS,
} from '../../lib/stacks/containment/parameters';
import { awsErrorMessage, awsErrorName, ContainClients, isAwsError, unlessAwsError } from './aws';
import { outputOf, parameterOf, Progress } from './stacks';
import { ContainmentTarget } from './targets';

/**
 * Checks the effect of a containment (or its release) through IAM and S3 reads, not just the
 * stack status. IAM is eventually consistent, so a check that does not yet hold is retried
 * with a bounded backoff before it counts as failed.
 */

export interface VerifyOptions {
  /** @default 6 */
  readonly attempts?: number;
  /** @default 1000 */
  readonly firstDelayMs?: number;
  /** @default 8000 */
  readonly maxDelayMs?: number;
}

export interface Verification {
  readonly verified: boolean;
  readonly notes: readonly string[];
}

interface Check {
  readonly ok: boolean;
  readonly notes: string[];
}

async function retrying(
  check: () => Promise<Check>,
  progress: Progress,
  options: VerifyOptions,
  label: string,
): Promise<Verification> {
  const attempts = options.attempts ?? 6;
  let delay = options.firstDelayMs ?? 1000;
  let last: Check = { ok: false, notes: [] };
  for (let n = 1; n <= attempts; n++) {
    try {
      last = await check();
    } catch (error) {
      last = { ok: false, notes: [`${awsErrorName(error) || 'error'}: ${awsErrorMessage(error)}`] };
    }
    if (last.ok) return { verified: true, notes: last.notes };
    if (n < attempts) {
      progress.log(
        `[${label}] not visible yet (${last.notes.join('; ')}); IAM is eventually consistent, checking again in ${delay / 1000} s`,
      );
      await progress.sleep(delay);
      delay = Math.min(delay * 2, options.maxDelayMs ?? 8000);
    }
  }
  return { verified: false, notes: last.notes };
}

export interface ContainedCheckInput {
  readonly target: ContainmentTarget;
  readonly stack: Stack;
  readonly incidentId: string;
  readonly containmentPolicyArn: string;
  /** The caller could read the bucket policy before containment. */
  readonly policyReadable?: boolean;
}

export function verifyContained(
  clients: ContainClients,
  input: ContainedCheckInput,
  progress: Progress,
  options: VerifyOptions = {},
): Promise<Verification> {
  const { target, stack } = input;
  const label = `${target.kind}:${target.name}`;
  if (target.kind === 'user') {
    const keys = USER_KEY_SLOTS.map((slot) => parameterOf(stack, slot) ?? '').filter((k) => k !== '');
    const mode = outputOf(stack, CONTAINMENT_OUTPUTS.denyMode);
    return retrying(
      async () => {
        const notes: string[] = [];
        let denied: boolean;
        if (mode === 'inline') {
          const inline = await clients.iam.send(
            new GetUserPolicyCommand({
              UserName: target.name,
              PolicyName: INLINE_POLICY_NAMES.userDenyAll(input.incidentId),
            }),
          );
          denied = inline.PolicyDocument !== undefined;
          notes.push(
            denied
              ? 'deny-all inline policy present (the user already held 10 managed policies)'
              : 'deny-all inline policy missing',
          );
        } else {
          denied = await hasAttached(clients, target.name, input.containmentPolicyArn);
          notes.push(denied ? 'containment policy attached' : 'containment policy not attached yet');
        }
        const listed = await clients.iam.send(new ListAccessKeysCommand({ UserName: target.name }));
        const active = keys.filter(
          (k) => listed.AccessKeyMetadata?.find((m) => m.AccessKeyId === k)?.Status !== 'Inactive',
        );
        if (keys.length > 0)
          notes.push(
            active.length === 0 ? `keys ${keys.join(', ')} Inactive` : `still Active: ${active.join(', ')}`,
          );
        return { ok: denied && active.length === 0, notes };
      },
      progress,
      options,
      label,
    );
  }
  if (target.kind === 'role') {
    const policyName =
      outputOf(stack, CONTAINMENT_OUTPUTS.policyName) ??
      INLINE_POLICY_NAMES.revokeOlderSessions(input.incidentId);
    return retrying(
      async () => {
        const out = await clients.iam.send(
          new GetRolePolicyCommand({ RoleName: target.name, PolicyName: policyName }),
        );
        const doc = JSON.parse(decodeURIComponent(out.PolicyDocument ?? '%7B%7D')) as { Statement?: unknown };
        const ok = JSON.stringify(doc.Statement ?? '').includes('aws:TokenIssueTime');
        return {
          ok,
          notes: [
            ok
              ? `inline policy ${policyName} revokes sessions issued before the containment time`
              : `inline policy ${policyName} not as expected`,
          ],
        };
      },
      progress,
      options,
      label,
    );
  }
  return retrying(
    async () => {
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
        if (isAwsError(error, 'AccessDenied') && input.policyReadable) {
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
    progress,
    options,
    label,
  );
}

async function hasAttached(clients: ContainClients, user: string, policyArn: string): Promise<boolean> {
  let marker: string | undefined;
  do {
    const page = await clients.iam.send(
      new ListAttachedUserPoliciesCommand({ UserName: user, Marker: marker }),
    );
    if ((page.AttachedPolicies ?? []).some((p) => p.PolicyArn === policyArn)) return true;
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return false;
}

/** The original bucket policy a bucket stack kept; undefined when the bucket had none. */
export function keptOriginalPolicy(stack: Stack): string | undefined {
  if (parameterOf(stack, BUCKET_PARAMS.originalPolicyPresent) !== 'true') return undefined;
  return Array.from(
    { length: ORIGINAL_POLICY_CHUNKS },
    (_, n) => parameterOf(stack, BUCKET_PARAMS.originalPolicyChunk(n)) ?? '',
  ).join('');
}

export interface ReleasedCheckInput {
  readonly target: ContainmentTarget;
  /** The stack as it was before deletion (parameters, outputs). */
  readonly stack: Stack;
  readonly incidentId: string;
  readonly containmentPolicyArn: string;
  /** The keys release asked to set Active again. */
  readonly restoreKeyIds: readonly string[];
}

/** After release: the deny gone (unless it was there before), the bucket policy back byte for byte. */
export function verifyReleased(
  clients: ContainClients,
  input: ReleasedCheckInput,
  progress: Progress,
  options: VerifyOptions = {},
): Promise<Verification> {
  const { target, stack } = input;
  const label = `${target.kind}:${target.name}`;
  if (target.kind === 'user') {
    const mode = outputOf(stack, CONTAINMENT_OUTPUTS.denyMode);
    return retrying(
      async () => {
        if (mode === 'preexisting') {
          return {
            ok: true,
            notes: ['the containment policy was attached before this stack and stays attached'],
          };
        }
        // A user deleted meanwhile (eradication) reads as missing: released either way.
        const gone =
          mode === 'inline'
            ? (await unlessMissing(() =>
                clients.iam.send(
                  new GetUserPolicyCommand({
                    UserName: target.name,
                    PolicyName: INLINE_POLICY_NAMES.userDenyAll(input.incidentId),
                  }),
                ),
              )) === undefined
            : (await unlessMissing(() => hasAttached(clients, target.name, input.containmentPolicyArn))) !==
              true;
        const notes = [gone ? 'deny lifted' : 'deny still in place'];
        notes.push(
          input.restoreKeyIds.length > 0
            ? `${input.restoreKeyIds.join(', ')} set Active again if Active before containment; other keys stay Inactive`
            : 'keys stay Inactive',
        );
        if (sessionRevokeKept(stack)) notes.push('sessions issued before containment stay revoked');
        return { ok: gone, notes };
      },
      progress,
      options,
      label,
    );
  }
  if (target.kind === 'role') {
    const policyName =
      outputOf(stack, CONTAINMENT_OUTPUTS.policyName) ??
      INLINE_POLICY_NAMES.revokeOlderSessions(input.incidentId);
    return retrying(
      async () => {
        const present =
          (await unlessMissing(async () => {
            await clients.iam.send(
              new GetRolePolicyCommand({ RoleName: target.name, PolicyName: policyName }),
            );
            return true;
          })) === true;
        if (sessionRevokeKept(stack)) {
          return present
            ? {
                ok: true,
                notes: [`inline policy ${policyName} kept: sessions issued before containment stay revoked`],
              }
            : { ok: false, notes: [`inline policy ${policyName} is gone, but release was to keep it`] };
        }
        return present
          ? { ok: false, notes: [`inline policy ${policyName} still present`] }
          : { ok: true, notes: [`inline policy ${policyName} removed`] };
      },
      progress,
      options,
      label,
    );
  }
  const original = keptOriginalPolicy(stack);
  return retrying(
    async () => {
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
    progress,
    options,
    label,
  );
}

/** The stack keeps the revoke of older sessions on delete (a stack of an older template has no such choice). */
function sessionRevokeKept(stack: Stack): boolean {
  return parameterOf(stack, USER_PARAMS.keepSessionRevoke) === 'true';
}

function unlessMissing<T>(call: () => Promise<T>): Promise<T | undefined> {
  return unlessAwsError(['NoSuchEntity'], call);
}
