import {
  AbortMultipartUploadCommand,
  CompletedPart,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';

import { isAwsError } from '../../../lib/aws-errors';
import { checkIncidentKey, S3EvidenceStore } from '../store';

/** S3's CopyObject copies up to 5 GB in one call; a larger version is copied in parts. */
const MAX_COPY_BYTES = 5 * 1024 ** 3;
/** S3 takes at most 10,000 parts in one upload. */
const MAX_PARTS = 10_000;

/** When a copy goes in parts, and how large each part is (S3: 5 MiB to 5 GiB a part). */
export interface CopyLimits {
  /** The largest version one CopyObject copies. @default MAX_COPY_BYTES */
  readonly singleCopyBytes: number;
  /** Each UploadPartCopy's byte range. @default 1 GiB */
  readonly partBytes: number;
}

export const DEFAULT_COPY_LIMITS: CopyLimits = { singleCopyBytes: MAX_COPY_BYTES, partBytes: 1024 ** 3 };

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

/** `bucket/key?versionId=...` as CopySource takes it. */
function copySource(source: { bucket: string; key: string; versionId: string }): string {
  const versionQuery =
    source.versionId === 'null' ? '' : `?versionId=${encodeURIComponent(source.versionId)}`;
  return `${source.bucket}/${encodeURIComponent(source.key)}${versionQuery}`;
}

export interface CopyOptions {
  /** The version's size, when known: beyond limits.singleCopyBytes it is copied in parts. @default - one CopyObject */
  readonly size?: number;
  /** @default DEFAULT_COPY_LIMITS */
  readonly limits?: CopyLimits;
  /**
   * Who copies: a principal that may read the source and write the evidence bucket. In a member
   * account of the organization, that account's break-glass role: only it reads the account's
   * (contained) buckets, and the evidence bucket admits its writes under its own account's folder.
   * The copy is read back (a multipart copy's SHA-256) with the store's own client.
   * @default the store's client
   */
  readonly via?: S3Client;
}

/**
 * Copies one object version server-side into the evidence bucket, its metadata and tags with
 * it, and returns the SHA-256 of the copy (hex): one CopyObject up to 5 GB, a multipart copy
 * beyond (`size` given). Skips nothing itself: the caller checks whether the copy exists.
 */
export async function copyVersion(
  store: S3EvidenceStore,
  source: { bucket: string; key: string; versionId: string },
  destinationKey: string,
  options: CopyOptions = {},
): Promise<{ sha256: string; versionId?: string }> {
  checkIncidentKey(destinationKey);
  const { size, limits = DEFAULT_COPY_LIMITS, via = store.s3 } = options;
  if (size !== undefined && size > limits.singleCopyBytes) {
    return multipartCopy(store, via, source, destinationKey, size, limits.partBytes);
  }
  const out = await via.send(
    new CopyObjectCommand({
      Bucket: store.bucket,
      Key: destinationKey,
      CopySource: copySource(source),
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

/**
 * A copy larger than one CopyObject takes: CreateMultipartUpload, then UploadPartCopy of each
 * byte range of the source version, then CompleteMultipartUpload (If-None-Match: never over an
 * object that appeared meanwhile); AbortMultipartUpload when any of it fails, so no part is left
 * behind. The metadata and tags are read from the source and set on the upload, as CopyObject's
 * COPY directives do. S3's checksum of a multipart object is of its parts, not of its bytes: the
 * copy is read back and hashed for the manifest, with the store's client (`via` reads the source
 * and writes the parts, and may read nothing of the evidence bucket).
 */
async function multipartCopy(
  store: S3EvidenceStore,
  via: S3Client,
  source: { bucket: string; key: string; versionId: string },
  destinationKey: string,
  size: number,
  partBytes: number,
): Promise<{ sha256: string; versionId?: string }> {
  const versionId = source.versionId === 'null' ? undefined : source.versionId;
  const head = await via.send(
    new HeadObjectCommand({
      Bucket: source.bucket,
      Key: source.key,
      ...(versionId ? { VersionId: versionId } : {}),
    }),
  );
  const tags = await via.send(
    new GetObjectTaggingCommand({
      Bucket: source.bucket,
      Key: source.key,
      ...(versionId ? { VersionId: versionId } : {}),
    }),
  );
  const tagging = (tags.TagSet ?? [])
    .map((t) => `${encodeURIComponent(t.Key ?? '')}=${encodeURIComponent(t.Value ?? '')}`)
    .join('&');
  const created = await via.send(
    new CreateMultipartUploadCommand({
      Bucket: store.bucket,
      Key: destinationKey,
      ChecksumAlgorithm: 'SHA256',
      ...(head.ContentType ? { ContentType: head.ContentType } : {}),
      ...(head.Metadata ? { Metadata: head.Metadata } : {}),
      ...(tagging ? { Tagging: tagging } : {}),
      ...(store.kmsKeyArn ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: store.kmsKeyArn } : {}),
    }),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error(`S3 returned no upload id for ${destinationKey}`);
  try {
    // At most 10,000 parts: a part grows when the object needs it.
    const part = Math.max(partBytes, Math.ceil(size / MAX_PARTS));
    const parts: CompletedPart[] = [];
    for (let start = 0, n = 1; start < size; start += part, n++) {
      const end = Math.min(start + part, size) - 1;
      const out = await via.send(
        new UploadPartCopyCommand({
          Bucket: store.bucket,
          Key: destinationKey,
          UploadId: uploadId,
          PartNumber: n,
          CopySource: copySource(source),
          CopySourceRange: `bytes=${start}-${end}`,
        }),
      );
      const etag = out.CopyPartResult?.ETag;
      if (!etag) throw new Error(`S3 returned no ETag for part ${n} of ${destinationKey}`);
      parts.push({
        PartNumber: n,
        ETag: etag,
        ...(out.CopyPartResult?.ChecksumSHA256 ? { ChecksumSHA256: out.CopyPartResult.ChecksumSHA256 } : {}),
      });
    }
    const done = await via.send(
      new CompleteMultipartUploadCommand({
        Bucket: store.bucket,
        Key: destinationKey,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
        IfNoneMatch: '*',
      }),
    );
    const digest = await store.digest(destinationKey);
    if (!digest || digest.size !== size) {
      throw new Error(
        `the copy of s3://${source.bucket}/${source.key} holds ${digest?.size ?? 0} bytes, not ${size}`,
      );
    }
    return { sha256: digest.sha256, ...(done.VersionId ? { versionId: done.VersionId } : {}) };
  } catch (error) {
    await via
      .send(
        new AbortMultipartUploadCommand({ Bucket: store.bucket, Key: destinationKey, UploadId: uploadId }),
      )
      .catch(() => undefined);
    throw error;
  }
}

/** Whether a key exists in the evidence bucket already (an interrupted run's copy). */
export async function evidenceObjectExists(store: S3EvidenceStore, key: string): Promise<boolean> {
  const head = await orNull(['NotFound', 'NoSuchKey'], () =>
    store.s3.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key })),
  );
  return head !== null;
}
