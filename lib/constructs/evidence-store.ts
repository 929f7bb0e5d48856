import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import { MAX_EVIDENCE_RETENTION_DAYS } from '../config';
import { IrKitError } from '../errors';
import { DEFAULT_NAMES, EVIDENCE_STACK } from '../names';
import { memberEvidenceObjects } from '../policies/member-evidence';
import { accessLogsBucket, logAccessTo, SECURE_BUCKET_DEFAULTS } from './private/buckets';
import { checkedName, checkedOrganizationId, ROLE_NAME_RULE } from './private/names';

export type EvidenceLockMode = 'GOVERNANCE' | 'COMPLIANCE';

export interface EvidenceStoreProps {
  /**
   * The role that preserves evidence: it writes objects, and reads them back to verify.
   * Nothing else may write.
   */
  readonly writerRoles: readonly iam.IRole[];
  /**
   * Roles that read the evidence (analysts).
   * @default - none beyond the writer roles
   */
  readonly readerRoles?: readonly iam.IRole[];
  /**
   * Object Lock mode of the bucket's default retention. GOVERNANCE: a principal granted
   * s3:BypassGovernanceRetention could shorten it (this bucket's policy denies that to
   * everyone); COMPLIANCE: nobody, the root user included, until it ends.
   * @default 'GOVERNANCE'
   */
  readonly lockMode?: EvidenceLockMode;
  /**
   * Default retention of every object version, in days.
   * @default 365
   */
  readonly retentionInDays?: number;
  /**
   * The organization whose member accounts copy their own evidence in: in each member account,
   * the role named memberWriterRoleName (its break-glass role, the only one that reads a contained
   * bucket there) may write objects under `incidents/ID/accounts/ITS-ACCOUNT/` and nowhere else
   * (server-side copies of that account's object versions); it never reads, deletes or unlocks.
   * @default - no member account writes
   */
  readonly organizationId?: string;
  /**
   * The name of the member accounts' role that copies their evidence in (with organizationId).
   * @default 'SecurityBreakGlassRole'
   */
  readonly memberWriterRoleName?: string;
}

/** Object and bucket actions that would destroy or unlock evidence: denied to every principal. */
export const EVIDENCE_DENIED_ACTIONS = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:DeleteObjectTagging',
  's3:DeleteObjectVersionTagging',
  's3:PutObjectRetention',
  's3:BypassGovernanceRetention',
  's3:PutBucketObjectLockConfiguration',
  's3:PutBucketVersioning',
  's3:PutLifecycleConfiguration',
  's3:DeleteBucket',
] as const;

/**
 * What the preserving role may do in the bucket: write new objects (and copies: s3:PutObject
 * authorizes a multipart upload's create, part copies and completion; abandoning one takes
 * s3:AbortMultipartUpload, which removes only parts, never an object), list and read.
 */
export const EVIDENCE_WRITE_ACTIONS = [
  's3:PutObject',
  's3:PutObjectTagging',
  's3:AbortMultipartUpload',
] as const;
export const EVIDENCE_READ_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:GetObjectAttributes',
  's3:GetObjectVersionAttributes',
  's3:GetObjectRetention',
  's3:GetObjectLegalHold',
  's3:GetObjectTagging',
  's3:GetObjectVersionTagging',
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:GetBucketLocation',
  's3:GetBucketObjectLockConfiguration',
] as const;

/**
 * The evidence bucket of playbook step 14: Object Lock with a default retention (so every
 * version is kept until it ends, whoever asks), versioning, a customer managed key with
 * rotation, SSL only, public access blocked, server access logs, and a bucket policy that
 * lets the writer role write and read, the reader roles read, each member account's break-glass
 * role of the organization (organizationId) write its own account's folder and nothing else, and
 * nobody delete, unlock or change retention. RETAIN: deleting the stack leaves the bucket and key.
 */
export class EvidenceStore extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly key: kms.Key;
  public readonly accessLogs: s3.Bucket;
  public readonly lockMode: EvidenceLockMode;
  public readonly retentionInDays: number;

  constructor(scope: Construct, id: string, props: EvidenceStoreProps) {
    super(scope, id);
    this.lockMode = props.lockMode ?? 'GOVERNANCE';
    this.retentionInDays = props.retentionInDays ?? 365;
    const days = this.retentionInDays;
    if (!Number.isInteger(days) || days < 1 || days > MAX_EVIDENCE_RETENTION_DAYS) {
      throw new IrKitError(
        'IRKIT_CONFIG',
        `invalid evidence retentionInDays: ${JSON.stringify(days)} (1 to ${MAX_EVIDENCE_RETENTION_DAYS} days)`,
        {
          hint: `give a whole number of days from 1 to ${MAX_EVIDENCE_RETENTION_DAYS}, e.g. 365`,
        },
      );
    }
    if (this.lockMode !== 'GOVERNANCE' && this.lockMode !== 'COMPLIANCE') {
      throw new IrKitError('IRKIT_CONFIG', `invalid evidence lockMode: ${JSON.stringify(this.lockMode)}`, {
        hint: 'give "GOVERNANCE" (the default) or "COMPLIANCE" (nobody, root included, can shorten retention)',
      });
    }
    if (props.writerRoles.length === 0) {
      throw new IrKitError('IRKIT_CONFIG', 'the evidence store needs a writer role', {
        hint: 'pass the preserving role (the break-glass role)',
      });
    }

    this.key = new kms.Key(this, 'Key', {
      description: 'IR Kit evidence store (playbook step 14)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.accessLogs = accessLogsBucket(this, 'AccessLogs');
    this.accessLogs.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.bucket = new s3.Bucket(this, 'Resource', {
      ...SECURE_BUCKET_DEFAULTS,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        this.lockMode === 'COMPLIANCE'
          ? s3.ObjectLockRetention.compliance(Duration.days(days))
          : s3.ObjectLockRetention.governance(Duration.days(days)),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    logAccessTo(this.bucket, this.accessLogs, 'evidence');

    const writers = props.writerRoles.map((r) => r.roleArn);
    const readers = [...writers, ...(props.readerRoles ?? []).map((r) => r.roleArn)];
    const incidents = this.bucket.arnForObjects(`${EVIDENCE_STACK.incidentsPrefix}*`);
    const members = this.memberWriters(props);
    const notAWriter = { ArnNotEquals: { 'aws:PrincipalArn': writers } };
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EvidenceIsNeverDeletedOrUnlocked',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...EVIDENCE_DENIED_ACTIONS],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyThePreservingRoleWrites',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...EVIDENCE_WRITE_ACTIONS],
        resources: [this.bucket.arnForObjects('*')],
        conditions: {
          ...notAWriter,
          // The member accounts' writer role is held to its own folder by the statements below.
          ...(members ? { ArnNotLike: { 'aws:PrincipalArn': members.roleArnPattern } } : {}),
        },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyIrRolesRead',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...EVIDENCE_READ_ACTIONS],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': readers } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PreservingRoleWritesIncidents',
        principals: props.writerRoles.map((r) => new iam.ArnPrincipal(r.roleArn)),
        actions: [...EVIDENCE_WRITE_ACTIONS],
        resources: [incidents],
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'IrRolesReadEvidence',
        principals: readers.map((arn) => new iam.ArnPrincipal(arn)),
        actions: [...EVIDENCE_READ_ACTIONS],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
      }),
    );
    if (members) {
      const objects = memberEvidenceObjects(this.bucket.bucketArn);
      const inTheOrganization = { 'aws:PrincipalOrgID': members.organizationId };
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'MemberWritesOnlyFromTheOrganization',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...EVIDENCE_WRITE_ACTIONS],
          resources: [this.bucket.arnForObjects('*')],
          conditions: { ...notAWriter, StringNotEquals: inTheOrganization },
        }),
      );
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'MemberWritesOnlyItsAccountsFolder',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...EVIDENCE_WRITE_ACTIONS],
          notResources: [objects.own],
          conditions: notAWriter,
        }),
      );
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'MemberWritesNoFolderNestedElsewhere',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...EVIDENCE_WRITE_ACTIONS],
          resources: [objects.nested],
          conditions: notAWriter,
        }),
      );
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'MemberBreakGlassCopiesItsAccountsEvidence',
          principals: [new iam.AnyPrincipal()],
          actions: [...EVIDENCE_WRITE_ACTIONS],
          resources: [objects.own],
          conditions: {
            StringEquals: inTheOrganization,
            ArnLike: { 'aws:PrincipalArn': members.roleArnPattern },
          },
        }),
      );
    }

    // The key: writers encrypt and decrypt, readers decrypt; only through S3 in this account.
    const viaS3 = {
      StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` },
    };
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PreservingRoleEncrypts',
        principals: props.writerRoles.map((r) => new iam.ArnPrincipal(r.roleArn)),
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: viaS3,
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'IrRolesDecrypt',
        principals: readers.map((arn) => new iam.ArnPrincipal(arn)),
        actions: ['kms:Decrypt', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: viaS3,
      }),
    );
    if (members) {
      // What S3 asks of the key for a member's server-side copy: a data key for the new object,
      // and Decrypt to assemble a multipart copy's parts. Only through S3, where the bucket
      // policy holds the member to its folder and lets it read nothing. The bucket's ARN (its
      // encryption context) cannot be named here: the bucket names this key, so the key naming
      // the bucket would be a circular reference.
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'MemberBreakGlassEncryptsItsCopies',
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: ['*'],
          conditions: {
            StringEquals: { ...viaS3.StringEquals, 'aws:PrincipalOrgID': members.organizationId },
            ArnLike: { 'aws:PrincipalArn': members.roleArnPattern },
          },
        }),
      );
    }
  }

  /** The member accounts' writer role, as an ARN pattern over every account, with the organization. */
  private memberWriters(
    props: EvidenceStoreProps,
  ): { readonly organizationId: string; readonly roleArnPattern: string } | undefined {
    if (props.organizationId === undefined) return undefined;
    const roleName = checkedName(
      'member writer role name',
      props.memberWriterRoleName ?? DEFAULT_NAMES.breakGlassRoleName,
      ROLE_NAME_RULE,
    );
    return {
      organizationId: checkedOrganizationId(props.organizationId),
      roleArnPattern: Stack.of(this).formatArn({
        service: 'iam',
        region: '',
        account: '*',
        resource: 'role',
        resourceName: roleName,
      }),
    };
  }
}
