import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';

import { DescribeStacksCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

import { isAwsError } from '../../lib/aws-errors';
import { IrKitError } from '../../lib/errors';
import { EVIDENCE_STACK } from '../../lib/names';
import * as v from '../../lib/validation';

/** What a store reports for one object: its SHA-256 (hex), size and, in S3, the version read. */
export interface StoredDigest {
  readonly sha256: string;
  readonly size: number;
  /** The S3 version id of the current version; absent for a local folder. */
  readonly versionId?: string;
}

export interface WriteOutcome {
  /** False when something was already at that path: it was left exactly as it was. */
  readonly written: boolean;
  readonly versionId?: string;
}

/**
 * Where evidence lives: the kit's S3 evidence bucket, or a local folder (offline). Paths are
 * relative, `/`-separated (`incidents/IR-1/investigation.json`). A store never overwrites: a
 * write to a path that exists changes nothing and says so.
 */
export interface EvidenceStore {
  /** For messages: `s3://bucket/` or the folder. */
  readonly location: string;
  /** Every path under the prefix (which ends with `/`), sorted. */
  list(prefix: string): Promise<string[]>;
  /** The object's bytes, or undefined when there is none. */
  read(path: string): Promise<Buffer | undefined>;
  /** Re-reads the object and hashes it as it streams; undefined when there is none. */
  digest(path: string): Promise<StoredDigest | undefined>;
  /**
   * Writes only if nothing is there yet (S3 `If-None-Match: *`, a hard link locally), and only
   * under `incidents/ID/` (checkIncidentKey).
   */
  write(path: string, body: Uint8Array, sha256: string, contentType?: string): Promise<WriteOutcome>;
}

export function sha256Hex(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

async function hashStream(stream: AsyncIterable<Uint8Array>): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** A relative evidence path: `/`-separated segments, none empty, `.` or `..`, no backslash or NUL. */
export function checkEvidencePath(value: string): string {
  const segments = value.split('/');
  const bad = segments.some((s) => s === '' || s === '.' || s === '..' || /[\\\0]/.test(s));
  if (bad || value.length > 1000) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `invalid evidence path: ${JSON.stringify(value)}`, {
      hint: 'evidence paths are relative, /-separated, without empty, . or .. segments (a bug if irkit built it)',
    });
  }
  return value;
}

/**
 * A key a store may write: `incidents/ID/PATH`, ID a valid incident id and PATH a relative
 * evidence path. Every write goes through it, so no incident id or key (the actor's object
 * keys and user names are in them) can put bytes outside the incident's folder; throws
 * IRKIT_INVALID_INPUT before anything is written.
 */
export function checkIncidentKey(key: string): string {
  checkEvidencePath(key);
  const [top, id, ...rest] = key.split('/');
  const ok =
    `${top}/` === EVIDENCE_STACK.incidentsPrefix &&
    id !== undefined &&
    rest.length > 0 &&
    (() => {
      try {
        v.incidentId(id);
        return true;
      } catch {
        return false;
      }
    })();
  if (!ok) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      `refusing to write outside an incident's folder: ${JSON.stringify(key)}`,
      {
        hint: `evidence is written only under ${EVIDENCE_STACK.incidentsPrefix}ID/, ID a valid incident id (a bug if irkit built it); nothing was written`,
      },
    );
  }
  return key;
}

/**
 * One path segment from a value the actor chose (an object key, a user name): percent-encoded
 * so that `/`, `..` and control characters cannot leave the folder or hide in a listing.
 */
export function evidenceSegment(value: string): string {
  const encoded = encodeURIComponent(value).replace(/^\./, '%2E').replace(/\*/g, '%2A');
  return encoded === '' ? '%00' : encoded;
}

/** A local folder (offline evidence, `--out DIR`): files are written once and made read-only. */
export class LocalEvidenceStore implements EvidenceStore {
  public readonly location: string;

  constructor(public readonly root: string) {
    this.location = path.resolve(root);
  }

  private fileOf(relative: string): string {
    return path.join(this.location, ...checkEvidencePath(relative).split('/'));
  }

  public async list(prefix: string): Promise<string[]> {
    const found: string[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const child = `${rel}${entry.name}`;
        if (entry.isDirectory()) await walk(path.join(dir, entry.name), `${child}/`);
        else if (entry.isFile() && !entry.name.startsWith('.irkit-tmp-')) found.push(child);
      }
    };
    const base = prefix.replace(/\/$/, '');
    await walk(this.fileOf(base), `${base}/`);
    return found.sort();
  }

  public async read(relative: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.fileOf(relative));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  public async digest(relative: string): Promise<StoredDigest | undefined> {
    let handle;
    try {
      handle = await fs.open(this.fileOf(relative), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return await hashStream(handle.createReadStream({ autoClose: false }));
    } finally {
      await handle.close();
    }
  }

  public async write(relative: string, body: Uint8Array, sha256: string): Promise<WriteOutcome> {
    const file = this.fileOf(checkIncidentKey(relative));
    // As S3 checks the checksum on arrival: bytes that are not the ones hashed are never stored.
    if (sha256Hex(body) !== sha256) {
      throw new IrKitError(
        'IRKIT_EVIDENCE_INVALID',
        `${relative}: the bytes to store do not match their SHA-256`,
        {
          hint: 'a bug in irkit: report it; nothing was written',
        },
      );
    }
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Whole content first, then a link that fails if the name exists: never a half file, never an overwrite.
    const temp = path.join(
      path.dirname(file),
      `.irkit-tmp-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    );
    await fs.writeFile(temp, body, { flag: 'wx', mode: 0o444 });
    try {
      await fs.link(temp, file);
      return { written: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { written: false };
      throw error;
    } finally {
      await fs.unlink(temp);
    }
  }
}

export interface S3EvidenceStoreProps {
  readonly s3: S3Client;
  readonly bucket: string;
  /** The store's customer managed key; objects are written with SSE-KMS under it. */
  readonly kmsKeyArn?: string;
}

/**
 * The kit's evidence bucket. Writes are conditional (`If-None-Match: *`: an item already there
 * is kept, and reported), carry their SHA-256 for S3 to check on arrival, and take the bucket's
 * default Object Lock retention; a write that skipped the condition could only add a version,
 * never replace or delete one (versioning and Object Lock, which the bucket always has). Reads name the version they got, so a later version written over an
 * item is seen.
 */
export class S3EvidenceStore implements EvidenceStore {
  public readonly location: string;
  public readonly s3: S3Client;
  public readonly bucket: string;
  public readonly kmsKeyArn?: string;

  constructor(props: S3EvidenceStoreProps) {
    this.s3 = props.s3;
    this.bucket = props.bucket;
    this.kmsKeyArn = props.kmsKeyArn;
    this.location = `s3://${props.bucket}/`;
  }

  public async list(prefix: string): Promise<string[]> {
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key) found.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found.sort();
  }

  private async get(key: string) {
    try {
      return await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: checkEvidencePath(key) }));
    } catch (error) {
      if (isAwsError(error, 'NoSuchKey')) return undefined;
      throw error;
    }
  }

  public async read(key: string): Promise<Buffer | undefined> {
    const out = await this.get(key);
    if (!out?.Body) return undefined;
    return Buffer.from(await out.Body.transformToByteArray());
  }

  public async digest(key: string): Promise<StoredDigest | undefined> {
    const out = await this.get(key);
    if (!out?.Body) return undefined;
    const digest = await hashStream(out.Body as Readable);
    return { ...digest, ...(out.VersionId ? { versionId: out.VersionId } : {}) };
  }

  public async write(
    key: string,
    body: Uint8Array,
    sha256: string,
    contentType?: string,
  ): Promise<WriteOutcome> {
    try {
      const out = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: checkIncidentKey(key),
          Body: body,
          IfNoneMatch: '*',
          ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
          ...(contentType ? { ContentType: contentType } : {}),
          ...(this.kmsKeyArn ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.kmsKeyArn } : {}),
        }),
      );
      return { written: true, ...(out.VersionId ? { versionId: out.VersionId } : {}) };
    } catch (error) {
      // 412: an object is there already; 409: another writer is creating it right now.
      if (isAwsError(error, 'PreconditionFailed', 'ConditionalRequestConflict')) return { written: false };
      throw error;
    }
  }
}

/**
 * The evidence bucket and key the kit deployed, read from the evidence stack's outputs.
 * Throws IRKIT_EVIDENCE_MISSING when the stack is not deployed in that account and Region.
 */
export async function evidenceStoreFromStack(
  clients: { readonly cloudFormation: CloudFormationClient; readonly s3: S3Client },
  stackName: string = EVIDENCE_STACK.name,
): Promise<S3EvidenceStore> {
  let outputs;
  try {
    const out = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = out.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    if (isAwsError(error, 'ValidationError') && /does not exist/.test((error as Error).message)) {
      throw new IrKitError('IRKIT_EVIDENCE_MISSING', `the evidence stack ${stackName} is not deployed here`, {
        hint: 'deploy it (npx cdk deploy IrKitEvidence) in this account and Region, or pass --region',
        cause: error,
      });
    }
    throw error;
  }
  const value = (key: string) => outputs.find((o) => o.OutputKey === key)?.OutputValue;
  const bucket = value(EVIDENCE_STACK.outputs.bucketName);
  if (!bucket) {
    throw new IrKitError(
      'IRKIT_EVIDENCE_MISSING',
      `the stack ${stackName} has no ${EVIDENCE_STACK.outputs.bucketName} output`,
      {
        hint: 'update it with this irkit version (npx cdk deploy IrKitEvidence)',
      },
    );
  }
  return new S3EvidenceStore({ s3: clients.s3, bucket, kmsKeyArn: value(EVIDENCE_STACK.outputs.keyArn) });
}
