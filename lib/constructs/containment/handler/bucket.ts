/**
 * The bucket kind's resource. The original policy text travels in the stack's parameters (read
 * by irkit just before, kept by CloudFormation with the stack, shown equal to the request by the
 * trust check). It is applied only as a compare-and-swap: the bucket is contained only while it
 * still holds exactly that original, and restored only while it still holds what containment
 * put there. Anything else is someone else's change: it fails, explained, and nothing is written.
 */
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  PutBucketPolicyCommand,
  Tag,
} from '@aws-sdk/client-s3';

import { isAwsError } from '../../../aws-errors';
import {
  BUCKET_POLICY_MAX_BYTES,
  containedBucketPolicy,
  holdsBucketContainment,
  PolicyDocument,
} from '../../../policies/containment';
import { changedOnUpdate, noState } from './outcome';
import { bucketNameOf, exactRoleArnOf, incidentOf, required } from './props';
import { BucketState, encodeState } from './state';
import { VerifiedRequest } from './trust';
import { ContainmentError, HandlerDeps, Outcome } from './types';

interface BucketProps {
  readonly bucket: string;
  readonly breakGlassRoleArn: string;
  readonly original: string | undefined;
}

function bucketProps(v: VerifiedRequest, deps: HandlerDeps): BucketProps {
  const present = required(v, 'OriginalPolicyPresent');
  if (present !== 'true' && present !== 'false')
    throw new ContainmentError('property OriginalPolicyPresent must be true or false');
  const original = v.props.OriginalPolicy ?? '';
  if (present === 'false' && original !== '') {
    throw new ContainmentError('property OriginalPolicy must be empty when OriginalPolicyPresent is false');
  }
  if (present === 'true') {
    try {
      JSON.parse(original);
    } catch {
      throw new ContainmentError('property OriginalPolicy is not a JSON policy document');
    }
  }
  const breakGlassRoleArn = exactRoleArnOf(v, 'BreakGlassRoleArn', deps.accountId);
  if (deps.breakGlassRoleArn && breakGlassRoleArn !== deps.breakGlassRoleArn) {
    throw new ContainmentError(
      `property BreakGlassRoleArn must be the kit's break-glass role ${deps.breakGlassRoleArn}`,
    );
  }
  return { bucket: bucketNameOf(v), breakGlassRoleArn, original: present === 'true' ? original : undefined };
}

export async function bucketPolicy(v: VerifiedRequest, deps: HandlerDeps): Promise<Outcome> {
  if (v.type === 'Delete') {
    const s = v.state?.r === 'bucket' ? v.state : undefined;
    if (!s?.applied) return noState();
    return restore(s, v, deps);
  }
  const p = bucketProps(v, deps);
  const incident = incidentOf(v);
  const prev = v.state?.r === 'bucket' ? v.state : undefined;
  if (v.type === 'Update' && (!prev || prev.bucket !== p.bucket || prev.incident !== incident)) {
    throw changedOnUpdate(v, `bucket ${p.bucket}`);
  }
  await refuseProtectedBucket(p.bucket, deps);
  const merged = JSON.stringify(mergedPolicy(p, deps));
  const size = Buffer.byteLength(merged);
  if (size > BUCKET_POLICY_MAX_BYTES) {
    throw new ContainmentError(
      `the contained policy of bucket ${p.bucket} would be ${size} bytes, over S3's ${BUCKET_POLICY_MAX_BYTES}; nothing was changed`,
    );
  }
  const current = await readBucketPolicy(p.bucket, deps);
  if (current === GONE) throw new ContainmentError(`bucket ${p.bucket} does not exist`);
  const already = prev !== undefined && holdsBucketContainment(current, p.original);
  if (current !== p.original && !already) {
    throw new ContainmentError(
      prev
        ? changedWhileContained(p.bucket)
        : `the policy of bucket ${p.bucket} changed after irkit read it; nothing was changed: run irkit contain again`,
    );
  }
  await deps.s3.send(new PutBucketPolicyCommand({ Bucket: p.bucket, Policy: merged }));
  const state: BucketState = { r: 'bucket', stack: v.stack, incident, bucket: p.bucket, applied: true };
  return { physicalResourceId: encodeState(state), data: {} };
}

async function restore(s: BucketState, v: VerifiedRequest, deps: HandlerDeps): Promise<Outcome> {
  const p = bucketProps(v, deps);
  if (p.bucket !== s.bucket)
    throw new ContainmentError(`refused: this resource contained bucket ${s.bucket}, not ${p.bucket}`);
  const current = await readBucketPolicy(s.bucket, deps);
  if (current === GONE) return { physicalResourceId: '', data: { Restored: 'bucket-gone' } };
  if (current === p.original) return { physicalResourceId: '', data: { Restored: 'unchanged' } };
  if (!holdsBucketContainment(current, p.original))
    throw new ContainmentError(changedWhileContained(s.bucket));
  if (p.original === undefined) {
    await deps.s3.send(new DeleteBucketPolicyCommand({ Bucket: s.bucket }));
  } else {
    await deps.s3.send(new PutBucketPolicyCommand({ Bucket: s.bucket, Policy: p.original }));
  }
  return { physicalResourceId: '', data: { Restored: 'original' } };
}

async function refuseProtectedBucket(bucket: string, deps: HandlerDeps): Promise<void> {
  let tags: Tag[] = [];
  try {
    tags = (await deps.s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet ?? [];
  } catch (error) {
    if (isAwsError(error, 'NoSuchBucket')) throw new ContainmentError(`bucket ${bucket} does not exist`);
    if (!isAwsError(error, 'NoSuchTagSet')) throw error;
  }
  const reason = deps.protectedReason({ kind: 'bucket', name: bucket, tags });
  if (reason) throw new ContainmentError(`bucket ${bucket} is protected (${reason}); irkit never changes it`);
}

const GONE = Symbol('bucket-gone');

async function readBucketPolicy(
  bucket: string,
  deps: HandlerDeps,
): Promise<string | undefined | typeof GONE> {
  try {
    return (await deps.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
  } catch (error) {
    if (isAwsError(error, 'NoSuchBucketPolicy')) return undefined;
    if (isAwsError(error, 'NoSuchBucket')) return GONE;
    throw error;
  }
}

/** Every original statement as it is, plus the deny sparing break-glass and this handler (lib/policies). */
function mergedPolicy(
  p: BucketProps,
  deps: Pick<HandlerDeps, 'handlerRoleArn' | 'partition'>,
): PolicyDocument {
  const original = p.original === undefined ? undefined : (JSON.parse(p.original) as PolicyDocument);
  return containedBucketPolicy(
    p.bucket,
    [p.breakGlassRoleArn, deps.handlerRoleArn],
    original,
    deps.partition,
  );
}

function changedWhileContained(bucket: string): string {
  return (
    `the policy of bucket ${bucket} was changed while contained, so irkit will not overwrite it. ` +
    'The original is kept in this stack (parameters OriginalPolicy1..6): put back the policy you want, ' +
    'then run irkit release again with --retain-failed'
  );
}
