/**
 * The account `irkit preserve` meets, over the wire (test/support/aws-wire.ts): the evidence
 * bucket (conditional writes, server-side copies with S3's SHA-256, versions), the trail's
 * bucket serving a folder of real CloudTrail files, a bucket of the actor's with object
 * versions, IAM users with their whole state, and EC2 instances with volumes and snapshots.
 * Bodies and errors are AWS's documented ones (S3 NoSuchBucketPolicy, NoSuchTagSet,
 * OwnershipControlsNotFoundError, NoSuchPublicAccessBlockConfiguration, PreconditionFailed;
 * IAM NoSuchEntity; EC2 InvalidInstanceID.NotFound), throttling included where a test asks.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';

import {
  AwsWire,
  ec2Error,
  ec2Xml,
  iamNoSuchEntity,
  iamXml,
  noContent,
  s3Error,
  s3Xml,
  startAwsWire,
  stsXml,
  WireCall,
  WireParams,
  WireResponse,
  xmlEscape as x,
} from './aws-wire';

export const ACCOUNT = '777777777777';
export const OPERATOR_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/SecurityBreakGlassRole/responder`;

export interface StoredObject {
  body: Buffer;
  versionId: string;
}

export interface SourceVersion {
  readonly key: string;
  readonly versionId: string;
  readonly body: Buffer;
  readonly lastModified: string;
}

export interface FakeUser {
  readonly name: string;
  readonly attached: ReadonlyArray<{ arn: string; name: string; document: unknown }>;
  readonly inline: ReadonlyArray<{ name: string; document: unknown }>;
  readonly keys: ReadonlyArray<{ id: string; status: 'Active' | 'Inactive'; lastUsed?: string }>;
  readonly loginProfile?: string;
  readonly tags: ReadonlyArray<{ Key: string; Value: string }>;
}

export interface FakeInstance {
  readonly id: string;
  readonly volumes: readonly string[];
}

export interface FakeSnapshot {
  readonly id: string;
  readonly volumeId: string;
  readonly tags: ReadonlyArray<{ Key: string; Value: string }>;
}

/** One S3 request, as a bucket policy sees it. */
export interface S3Request {
  /** The access key the request is signed with (sessionKey(ACCOUNT) for an assumed role). */
  readonly accessKeyId: string;
  /** The operation; `CopyObject` for a PutObject with x-amz-copy-source. */
  readonly operation: string;
  readonly bucket: string;
  readonly key?: string;
  readonly copySource?: { readonly bucket: string; readonly key: string; readonly versionId: string | null };
}

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest();

/** `x-amz-copy-source` as S3 reads it: `bucket/key?versionId=...`, the key URL-encoded. */
function copySourceOf(call: WireCall): S3Request['copySource'] {
  const header = call.headers['x-amz-copy-source'];
  if (typeof header !== 'string') return undefined;
  const [path, query = ''] = header.replace(/^\//, '').split('?');
  const [bucket, ...rest] = path.split('/');
  return {
    bucket,
    key: decodeURIComponent(rest.join('/')),
    versionId: new URLSearchParams(query).get('versionId'),
  };
}
const member = (inner: string) => `<member>${inner}</member>`;
const item = (inner: string) => `<item>${inner}</item>`;

export class WireEvidenceAccount {
  /** The evidence bucket: every version of every key, the last one current. */
  public readonly evidence = new Map<string, StoredObject[]>();
  public readonly sourceBuckets = new Map<string, SourceVersion[]>();
  public readonly users = new Map<string, FakeUser>();
  public readonly instances = new Map<string, FakeInstance>();
  public readonly snapshots: FakeSnapshot[] = [];
  /**
   * Whom S3 lets in, as the buckets' and keys' policies would (one S3 for every account: a member
   * account's clients may reach this one); false answers S3's AccessDenied. @default everyone
   */
  public s3Admits: (request: S3Request) => boolean = () => true;
  private versionCounter = 0;

  private constructor(
    public readonly wire: AwsWire,
    public readonly evidenceBucket: string,
    public readonly logBucket: string,
    public readonly logsRoot: string,
  ) {
    this.route();
  }

  static async start(options: {
    evidenceBucket: string;
    logBucket: string;
    logsRoot: string;
  }): Promise<WireEvidenceAccount> {
    return new WireEvidenceAccount(
      await startAwsWire(),
      options.evidenceBucket,
      options.logBucket,
      options.logsRoot,
    );
  }

  clients(maxAttempts = 3): {
    cloudFormation: CloudFormationClient;
    iam: IAMClient;
    s3: S3Client;
    sts: STSClient;
    ec2: (region: string) => EC2Client;
  } {
    return {
      cloudFormation: new CloudFormationClient(this.wire.clientConfig('cloudformation', { maxAttempts })),
      iam: new IAMClient(this.wire.clientConfig('iam', { maxAttempts })),
      s3: new S3Client(this.wire.clientConfig('s3', { maxAttempts })),
      sts: new STSClient(this.wire.clientConfig('sts', { maxAttempts })),
      ec2: () => new EC2Client(this.wire.clientConfig('ec2', { maxAttempts })),
    };
  }

  /** The current bytes of an evidence key. */
  current(key: string): Buffer | undefined {
    const versions = this.evidence.get(key);
    return versions?.[versions.length - 1]?.body;
  }

  /** Writes a new version over an evidence key, as someone with s3:PutObject could. */
  overwrite(key: string, body: Buffer): void {
    this.putVersion(key, body);
  }

  private putVersion(key: string, body: Buffer): StoredObject {
    this.versionCounter += 1;
    const stored = { body, versionId: `ev${String(this.versionCounter).padStart(6, '0')}` };
    this.evidence.set(key, [...(this.evidence.get(key) ?? []), stored]);
    return stored;
  }

  private logFile(key: string): Buffer | undefined {
    const file = join(this.logsRoot, ...key.split('/'));
    return existsSync(file) ? readFileSync(file) : undefined;
  }

  private logKeys(prefix: string): string[] {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? walk(join(dir, e.name))
          : [relative(this.logsRoot, join(dir, e.name)).split('\\').join('/')],
      );
    return walk(this.logsRoot)
      .filter((k) => k.startsWith(prefix))
      .sort();
  }

  private route(): void {
    const w = this.wire;
    w.on('sts', 'GetCallerIdentity', () =>
      stsXml(
        'GetCallerIdentity',
        `<Arn>${OPERATOR_ARN}</Arn><UserId>AROAEXAMPLE:responder</UserId><Account>${ACCOUNT}</Account>`,
      ),
    );
    this.routeS3();
    this.routeIam();
    this.routeEc2();
  }

  private listing(prefix: string, keys: readonly string[], sizes: (k: string) => number): WireResponse {
    return s3Xml(
      'ListBucketResult',
      `<Name>b</Name><Prefix>${x(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>` +
        keys
          .map(
            (k) =>
              `<Contents><Key>${x(k)}</Key><LastModified>2021-07-24T03:00:00.000Z</LastModified><Size>${sizes(k)}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
          )
          .join(''),
    );
  }

  private routeS3(): void {
    const denied = () => s3Error({ code: 'AccessDenied', message: 'Access Denied', status: 403 });
    const w = {
      on: (service: 's3', operation: string, handler: (p: WireParams, call: WireCall) => WireResponse) =>
        this.wire.on(service, operation, (p, call) => {
          const copySource = copySourceOf(call);
          const request: S3Request = {
            accessKeyId: /Credential=(\w+)\//.exec(String(call.headers.authorization))?.[1] ?? '',
            operation: copySource ? 'CopyObject' : operation,
            bucket: p.Bucket,
            ...(p.Key !== undefined ? { key: p.Key } : {}),
            ...(copySource ? { copySource } : {}),
          };
          return this.s3Admits(request) ? handler(p, call) : denied();
        }),
    };
    const noSuchKey = () =>
      s3Error({ code: 'NoSuchKey', message: 'The specified key does not exist.', status: 404 });
    w.on('s3', 'ListObjectsV2', (p) => {
      const prefix = p.prefix ?? '';
      if (p.Bucket === this.evidenceBucket) {
        const keys = [...this.evidence.keys()].filter((k) => k.startsWith(prefix)).sort();
        return this.listing(prefix, keys, (k) => this.current(k)?.length ?? 0);
      }
      if (p.Bucket === this.logBucket)
        return this.listing(prefix, this.logKeys(prefix), (k) => this.logFile(k)?.length ?? 0);
      return s3Error({
        code: 'NoSuchBucket',
        message: 'The specified bucket does not exist',
        status: 404,
        bucket: p.Bucket,
      });
    });
    w.on('s3', 'GetObject', (p) => {
      if (p.Bucket === this.evidenceBucket) {
        const versions = this.evidence.get(p.Key);
        const stored = versions?.[versions.length - 1];
        if (!stored) return noSuchKey();
        return {
          status: 200,
          headers: { 'content-type': 'application/octet-stream', 'x-amz-version-id': stored.versionId },
          body: stored.body,
        };
      }
      const body = p.Bucket === this.logBucket ? this.logFile(p.Key) : undefined;
      return body
        ? { status: 200, headers: { 'content-type': 'application/octet-stream' }, body }
        : noSuchKey();
    });
    w.on('s3', 'HeadObject', (p) => {
      const stored = this.current(p.Key);
      return stored ? noContent(200, { 'content-length': String(stored.length) }) : { status: 404, body: '' };
    });
    w.on('s3', 'PutObject', (p, call) => this.putObject(p, call));

    const source = (p: WireParams) => this.sourceBuckets.get(p.Bucket);
    const noBucket = (p: WireParams) =>
      s3Error({
        code: 'NoSuchBucket',
        message: 'The specified bucket does not exist',
        status: 404,
        bucket: p.Bucket,
      });
    w.on('s3', 'GetBucketLocation', (p) => (source(p) ? s3Xml('LocationConstraint', '') : noBucket(p)));
    w.on('s3', 'GetBucketPolicy', (p) =>
      s3Error({
        code: 'NoSuchBucketPolicy',
        message: 'The bucket policy does not exist',
        status: 404,
        bucket: p.Bucket,
      }),
    );
    w.on('s3', 'GetBucketPolicyStatus', (p) =>
      s3Error({
        code: 'NoSuchBucketPolicy',
        message: 'The bucket policy does not exist',
        status: 404,
        bucket: p.Bucket,
      }),
    );
    w.on('s3', 'GetBucketAcl', () =>
      s3Xml(
        'AccessControlPolicy',
        `<Owner><ID>owner-canonical-id</ID></Owner><AccessControlList>` +
          `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>owner-canonical-id</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>` +
          `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>` +
          `</AccessControlList>`,
      ),
    );
    w.on('s3', 'GetBucketOwnershipControls', (p) =>
      s3Error({
        code: 'OwnershipControlsNotFoundError',
        message: 'The bucket ownership controls were not found',
        status: 404,
        bucket: p.Bucket,
      }),
    );
    w.on('s3', 'GetPublicAccessBlock', (p) =>
      s3Error({
        code: 'NoSuchPublicAccessBlockConfiguration',
        message: 'The public access block configuration was not found',
        status: 404,
        bucket: p.Bucket,
      }),
    );
    w.on('s3', 'GetBucketTagging', (p) =>
      s3Error({ code: 'NoSuchTagSet', message: 'The TagSet does not exist', status: 404, bucket: p.Bucket }),
    );
    w.on('s3', 'GetBucketVersioning', () => s3Xml('VersioningConfiguration', '<Status>Enabled</Status>'));
    w.on('s3', 'ListObjectVersions', (p) => {
      const versions = source(p) ?? [];
      return s3Xml(
        'ListVersionsResult',
        `<Name>${x(p.Bucket)}</Name><Prefix></Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>` +
          versions
            .map(
              (v, i) =>
                `<Version><Key>${x(v.key)}</Key><VersionId>${x(v.versionId)}</VersionId><IsLatest>${i === versions.length - 1}</IsLatest>` +
                `<LastModified>${v.lastModified}</LastModified><ETag>"${createHash('md5').update(v.body).digest('hex')}"</ETag><Size>${v.body.length}</Size><StorageClass>STANDARD</StorageClass></Version>`,
            )
            .join(''),
      );
    });
  }

  private putObject(p: WireParams, call: WireCall): WireResponse {
    if (p.Bucket !== this.evidenceBucket)
      return s3Error({ code: 'AccessDenied', message: 'Access Denied', status: 403 });
    const exists = this.evidence.has(p.Key);
    if (call.headers['if-none-match'] === '*' && exists) {
      return s3Error({
        code: 'PreconditionFailed',
        message: 'At least one of the pre-conditions you specified did not hold',
        status: 412,
      });
    }
    const copySource = copySourceOf(call);
    if (copySource) {
      const { bucket, key, versionId } = copySource;
      const body =
        bucket === this.logBucket
          ? this.logFile(key)
          : this.sourceBuckets
              .get(bucket)
              ?.find((v) => v.key === key && (versionId === null || v.versionId === versionId))?.body;
      if (!body)
        return s3Error({ code: 'NoSuchKey', message: 'The specified key does not exist.', status: 404 });
      const stored = this.putVersion(p.Key, body);
      const checksum =
        call.headers['x-amz-checksum-algorithm'] === 'SHA256'
          ? `<ChecksumSHA256>${sha256(body).toString('base64')}</ChecksumSHA256>`
          : '';
      return {
        ...s3Xml(
          'CopyObjectResult',
          `<LastModified>2021-07-24T03:00:00.000Z</LastModified><ETag>"etag"</ETag>${checksum}`,
        ),
        headers: { 'content-type': 'application/xml', 'x-amz-version-id': stored.versionId },
      };
    }
    const body = call.rawBody;
    const declared = call.headers['x-amz-checksum-sha256'];
    if (typeof declared === 'string' && declared !== sha256(body).toString('base64')) {
      return s3Error({
        code: 'BadDigest',
        message: 'The SHA256 you specified did not match the calculated checksum.',
        status: 400,
      });
    }
    const stored = this.putVersion(p.Key, body);
    return noContent(200, { etag: '"etag"', 'x-amz-version-id': stored.versionId });
  }

  private routeIam(): void {
    const w = this.wire;
    const user = (p: WireParams) => this.users.get(p.UserName);
    const withUser = (action: string, f: (u: FakeUser) => string) => (p: WireParams) => {
      const u = user(p);
      return u ? iamXml(action, f(u)) : iamNoSuchEntity('user', p.UserName);
    };
    w.on(
      'iam',
      'GetUser',
      withUser(
        'GetUser',
        (u) =>
          `<User><Path>/</Path><UserName>${x(u.name)}</UserName><UserId>AIDACKCEVSQ6C2EXAMPLE</UserId><Arn>arn:aws:iam::${ACCOUNT}:user/${x(u.name)}</Arn><CreateDate>2021-07-24T02:22:33Z</CreateDate></User>`,
      ),
    );
    w.on(
      'iam',
      'ListAttachedUserPolicies',
      withUser(
        'ListAttachedUserPolicies',
        (u) =>
          `<IsTruncated>false</IsTruncated><AttachedPolicies>${u.attached.map((a) => member(`<PolicyName>${x(a.name)}</PolicyName><PolicyArn>${x(a.arn)}</PolicyArn>`)).join('')}</AttachedPolicies>`,
      ),
    );
    const policyOf = (arn: string) =>
      [...this.users.values()].flatMap((u) => u.attached).find((a) => a.arn === arn);
    w.on('iam', 'GetPolicy', (p) => {
      const a = policyOf(p.PolicyArn);
      return a
        ? iamXml(
            'GetPolicy',
            `<Policy><PolicyName>${x(a.name)}</PolicyName><Arn>${x(a.arn)}</Arn><DefaultVersionId>v1</DefaultVersionId><AttachmentCount>1</AttachmentCount></Policy>`,
          )
        : iamNoSuchEntity('user', p.PolicyArn);
    });
    w.on('iam', 'GetPolicyVersion', (p) => {
      const a = policyOf(p.PolicyArn);
      return iamXml(
        'GetPolicyVersion',
        `<PolicyVersion><Document>${x(encodeURIComponent(JSON.stringify(a?.document ?? {})))}</Document><VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>`,
      );
    });
    w.on(
      'iam',
      'ListUserPolicies',
      withUser(
        'ListUserPolicies',
        (u) =>
          `<IsTruncated>false</IsTruncated><PolicyNames>${u.inline.map((i) => member(x(i.name))).join('')}</PolicyNames>`,
      ),
    );
    w.on(
      'iam',
      'GetUserPolicy',
      withUser('GetUserPolicy', (u) => {
        const i = u.inline.find((n) => n.name === u.inline[0]?.name);
        return `<UserName>${x(u.name)}</UserName><PolicyName>${x(i?.name ?? '')}</PolicyName><PolicyDocument>${x(encodeURIComponent(JSON.stringify(i?.document ?? {})))}</PolicyDocument>`;
      }),
    );
    w.on(
      'iam',
      'ListGroupsForUser',
      withUser('ListGroupsForUser', () => '<IsTruncated>false</IsTruncated><Groups/>'),
    );
    w.on(
      'iam',
      'ListAccessKeys',
      withUser(
        'ListAccessKeys',
        (u) =>
          `<UserName>${x(u.name)}</UserName><IsTruncated>false</IsTruncated><AccessKeyMetadata>${u.keys
            .map((k) =>
              member(
                `<UserName>${x(u.name)}</UserName><AccessKeyId>${k.id}</AccessKeyId><Status>${k.status}</Status><CreateDate>2021-07-24T02:22:34Z</CreateDate>`,
              ),
            )
            .join('')}</AccessKeyMetadata>`,
      ),
    );
    w.on('iam', 'GetAccessKeyLastUsed', (p) => {
      const k = [...this.users.values()]
        .flatMap((u) => u.keys.map((key) => ({ u, key })))
        .find((e) => e.key.id === p.AccessKeyId);
      return iamXml(
        'GetAccessKeyLastUsed',
        `<UserName>${x(k?.u.name ?? '')}</UserName><AccessKeyLastUsed>${k?.key.lastUsed ? `<LastUsedDate>${k.key.lastUsed}</LastUsedDate>` : ''}<ServiceName>s3</ServiceName><Region>us-east-1</Region></AccessKeyLastUsed>`,
      );
    });
    w.on('iam', 'GetLoginProfile', (p) => {
      const u = user(p);
      return u?.loginProfile
        ? iamXml(
            'GetLoginProfile',
            `<LoginProfile><UserName>${x(u.name)}</UserName><CreateDate>${u.loginProfile}</CreateDate><PasswordResetRequired>false</PasswordResetRequired></LoginProfile>`,
          )
        : iamNoSuchEntity('user', p.UserName);
    });
    w.on(
      'iam',
      'ListMFADevices',
      withUser('ListMFADevices', () => '<IsTruncated>false</IsTruncated><MFADevices/>'),
    );
    w.on(
      'iam',
      'ListSSHPublicKeys',
      withUser('ListSSHPublicKeys', () => '<IsTruncated>false</IsTruncated><SSHPublicKeys/>'),
    );
    w.on(
      'iam',
      'ListServiceSpecificCredentials',
      withUser('ListServiceSpecificCredentials', () => '<ServiceSpecificCredentials/>'),
    );
    w.on(
      'iam',
      'ListSigningCertificates',
      withUser('ListSigningCertificates', () => '<IsTruncated>false</IsTruncated><Certificates/>'),
    );
    w.on(
      'iam',
      'ListUserTags',
      withUser(
        'ListUserTags',
        (u) =>
          `<IsTruncated>false</IsTruncated><Tags>${u.tags.map((t) => member(`<Key>${x(t.Key)}</Key><Value>${x(t.Value)}</Value>`)).join('')}</Tags>`,
      ),
    );
  }

  private routeEc2(): void {
    const w = this.wire;
    w.on('ec2', 'DescribeInstances', (p) => {
      const i = this.instances.get(p['InstanceId.1']);
      if (!i)
        return ec2Error(
          'InvalidInstanceID.NotFound',
          `The instance ID '${p['InstanceId.1']}' does not exist`,
        );
      const devices = i.volumes
        .map((v, n) =>
          item(
            `<deviceName>/dev/xvd${String.fromCharCode(97 + n)}</deviceName><ebs><volumeId>${v}</volumeId><status>attached</status><deleteOnTermination>true</deleteOnTermination></ebs>`,
          ),
        )
        .join('');
      return ec2Xml(
        'DescribeInstances',
        `<reservationSet>${item(
          `<reservationId>r-0123456789abcdef0</reservationId><ownerId>${ACCOUNT}</ownerId><instancesSet>${item(
            `<instanceId>${i.id}</instanceId><imageId>ami-0abcdef1234567890</imageId><instanceState><code>16</code><name>running</name></instanceState><instanceType>t3.micro</instanceType><launchTime>2021-07-24T02:30:00.000Z</launchTime><blockDeviceMapping>${devices}</blockDeviceMapping>`,
          )}</instancesSet>`,
        )}</reservationSet>`,
      );
    });
    const snapshotXml = (s: FakeSnapshot) =>
      `<snapshotId>${s.id}</snapshotId><volumeId>${s.volumeId}</volumeId><status>pending</status><startTime>2021-07-24T03:00:00.000Z</startTime><ownerId>${ACCOUNT}</ownerId><volumeSize>8</volumeSize><encrypted>false</encrypted>` +
      `<tagSet>${s.tags.map((t) => item(`<key>${x(t.Key)}</key><value>${x(t.Value)}</value>`)).join('')}</tagSet>`;
    w.on('ec2', 'DescribeSnapshots', (p) => {
      const filters = new Map<string, string>();
      for (let n = 1; p[`Filter.${n}.Name`]; n += 1)
        filters.set(p[`Filter.${n}.Name`].replace(/^tag:/, ''), p[`Filter.${n}.Value.1`]);
      const found = this.snapshots.filter((s) =>
        [...filters].every(([k, v]) => s.tags.some((t) => t.Key === k && t.Value === v)),
      );
      return ec2Xml(
        'DescribeSnapshots',
        `<snapshotSet>${found.map((s) => item(snapshotXml(s))).join('')}</snapshotSet>`,
      );
    });
    w.on('ec2', 'CreateSnapshot', (p) => {
      const tags: { Key: string; Value: string }[] = [];
      for (let n = 1; p[`TagSpecification.1.Tag.${n}.Key`]; n += 1) {
        tags.push({
          Key: p[`TagSpecification.1.Tag.${n}.Key`],
          Value: p[`TagSpecification.1.Tag.${n}.Value`],
        });
      }
      const snapshot = {
        id: `snap-${String(this.snapshots.length + 1).padStart(17, '0')}`,
        volumeId: p.VolumeId,
        tags,
      };
      this.snapshots.push(snapshot);
      return ec2Xml('CreateSnapshot', snapshotXml(snapshot));
    });
  }
}
