import {
  CopyObjectCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';

import { isAwsError } from '../../../lib/aws-errors';
import { checkIncidentKey, S3EvidenceStore } from '../store';

/** S3's CopyObject copies up to 5 GB in one call. */
export const MAX_COPY_BYTES = 5 * 1024 ** 3;

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

async function orNull<T>(codes: readonly string[], call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (isAwsError(error, ...codes)) return null;
    throw error;
  }
}

export interface ObjectVersion {
  readonly key: string;
  readonly versionId: string;
  readonly size: number;
  readonly lastModified: string | null;
  readonly isLatest: boolean;
  readonly eTag: string | null;
}

/** The playbook's Part 2 live checks of one bucket (get-bucket-policy, get-bucket-acl, public exposure, the object list). */
export interface BucketLiveCheck {
  readonly bucket: string;
  readonly exists: boolean;
  readonly policy: unknown;
  readonly aclGrants: ReadonlyArray<{ grantee: string; permission: string }>;
  /** Why the bucket is public, one line each; empty when nothing makes it so. */
  readonly publicExposure: readonly string[];
  readonly objects: readonly ObjectVersion[];
  readonly deleteMarkers: ReadonlyArray<{ key: string; versionId: string; lastModified: string | null }>;
}

export interface BucketState {
  readonly check: BucketLiveCheck;
  /** The whole configuration as read, for the evidence file. */
  readonly document: Record<string, unknown>;
}

/** Reads a bucket's configuration and every object version: the evidence and the Part 2 answers in one pass. */
export async function bucketState(s3: S3Client, bucket: string): Promise<BucketState> {
  const B = { Bucket: bucket };
  const location = await orNull(['NoSuchBucket'], () => s3.send(new GetBucketLocationCommand(B)));
  if (location === null) {
    const check = {
      bucket,
      exists: false,
      policy: null,
      aclGrants: [],
      publicExposure: [],
      objects: [],
      deleteMarkers: [],
    };
    return { check, document: { bucket, exists: false } };
  }
  const policyText = (await orNull(['NoSuchBucketPolicy'], () => s3.send(new GetBucketPolicyCommand(B))))
    ?.Policy;
  let policy: unknown = null;
  if (policyText !== undefined) {
    try {
      policy = JSON.parse(policyText);
    } catch {
      policy = policyText;
    }
  }
  const status = (await orNull(['NoSuchBucketPolicy'], () => s3.send(new GetBucketPolicyStatusCommand(B))))
    ?.PolicyStatus;
  const acl = await s3.send(new GetBucketAclCommand(B));
  const ownership = (
    await orNull(['OwnershipControlsNotFoundError'], () => s3.send(new GetBucketOwnershipControlsCommand(B)))
  )?.OwnershipControls;
  const publicAccessBlock = (
    await orNull(['NoSuchPublicAccessBlockConfiguration'], () => s3.send(new GetPublicAccessBlockCommand(B)))
  )?.PublicAccessBlockConfiguration;
  const tags = (await orNull(['NoSuchTagSet'], () => s3.send(new GetBucketTaggingCommand(B))))?.TagSet ?? [];
  const versioning = await s3.send(new GetBucketVersioningCommand(B));

  const objects: ObjectVersion[] = [];
  const deleteMarkers: BucketLiveCheck['deleteMarkers'][number][] = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const page = await s3.send(new ListObjectVersionsCommand({ ...B, KeyMarker, VersionIdMarker }));
    for (const v of page.Versions ?? []) {
      if (v.Key === undefined) continue;
      objects.push({
        key: v.Key,
        versionId: v.VersionId ?? 'null',
        size: v.Size ?? 0,
        lastModified: v.LastModified?.toISOString() ?? null,
        isLatest: v.IsLatest ?? false,
        eTag: v.ETag ?? null,
      });
    }
    for (const m of page.DeleteMarkers ?? []) {
      if (m.Key === undefined) continue;
      deleteMarkers.push({
        key: m.Key,
        versionId: m.VersionId ?? 'null',
        lastModified: m.LastModified?.toISOString() ?? null,
      });
    }
    const more = page.IsTruncated === true;
    KeyMarker = more ? page.NextKeyMarker : undefined;
    VersionIdMarker = more ? page.NextVersionIdMarker : undefined;
  } while (KeyMarker !== undefined);

  const aclGrants = (acl.Grants ?? []).map((g) => ({
    grantee: g.Grantee?.URI ?? g.Grantee?.ID ?? g.Grantee?.EmailAddress ?? 'unknown',
    permission: g.Permission ?? 'unknown',
  }));
  const publicExposure: string[] = [];
  if (status?.IsPublic) publicExposure.push('the bucket policy is public (GetBucketPolicyStatus IsPublic)');
  for (const g of aclGrants) {
    if (g.grantee === ALL_USERS) publicExposure.push(`the ACL grants ${g.permission} to everyone (AllUsers)`);
    if (g.grantee === AUTHENTICATED_USERS)
      publicExposure.push(`the ACL grants ${g.permission} to any AWS account (AuthenticatedUsers)`);
  }
  const pab = publicAccessBlock;
  const fullyBlocked =
    pab?.BlockPublicAcls && pab.IgnorePublicAcls && pab.BlockPublicPolicy && pab.RestrictPublicBuckets;
  if (publicExposure.length > 0 && fullyBlocked) {
    publicExposure.push('but the bucket public access block is fully on, so S3 does not honour them');
  }
  return {
    check: { bucket, exists: true, policy, aclGrants, publicExposure, objects, deleteMarkers },
    document: {
      bucket,
      exists: true,
      region: location.LocationConstraint || 'us-east-1',
      policy,
      policyStatus: status ?? null,
      acl: { owner: acl.Owner ?? null, grants: acl.Grants ?? [] },
      ownershipControls: ownership ?? null,
      publicAccessBlock: publicAccessBlock ?? null,
      tags,
      versioning: { status: versioning.Status ?? null, mfaDelete: versioning.MFADelete ?? null },
      versions: objects,
      deleteMarkers,
    },
  };
}

/**
 * Copies one object version server-side into the evidence bucket, its tags with it, and
 * returns the SHA-256 S3 computed on the copy (hex). Skips nothing itself: the caller checks
 * the size limit and whether the copy exists.
 */
export async function copyVersion(
  store: S3EvidenceStore,
  source: { bucket: string; key: string; versionId: string },
  destinationKey: string,
): Promise<{ sha256: string; versionId?: string }> {
  const versionQuery =
    source.versionId === 'null' ? '' : `?versionId=${encodeURIComponent(source.versionId)}`;
  const out = await store.s3.send(
    new CopyObjectCommand({
      Bucket: store.bucket,
      Key: checkIncidentKey(destinationKey),
      CopySource: `${source.bucket}/${encodeURIComponent(source.key)}${versionQuery}`,
      ChecksumAlgorithm: 'SHA256',
      MetadataDirective: 'COPY',
      TaggingDirective: 'COPY',
      ...(store.kmsKeyArn ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: store.kmsKeyArn } : {}),
    }),
  );
  const checksum = out.CopyObjectResult?.ChecksumSHA256;
  if (!checksum)
    throw new Error(`S3 returned no SHA-256 for the copy of s3://${source.bucket}/${source.key}`);
  return {
    sha256: Buffer.from(checksum, 'base64').toString('hex'),
    ...(out.VersionId ? { versionId: out.VersionId } : {}),
  };
}

/** Whether a key exists in the evidence bucket already (an interrupted run's copy). */
export async function evidenceObjectExists(store: S3EvidenceStore, key: string): Promise<boolean> {
  const head = await orNull(['NotFound', 'NoSuchKey'], () =>
    store.s3.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key })),
  );
  return head !== null;
}
