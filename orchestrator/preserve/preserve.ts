import { createHash } from 'node:crypto';
import * as os from 'node:os';

import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';

import { awsFailureKind } from '../../lib/aws-errors';
import { IrKitError } from '../../lib/errors';
import * as v from '../../lib/validation';
import { awsFailure } from '../contain/aws';
import { whoAmI } from '../contain/environment';
import { parseInvestigationResult } from '../investigate/read-result';
import { InvestigationResult } from '../investigate/types';
import { recordsFromFolder, recordsFromTrail, TrailLocation } from './collect/cloudtrail';
import { describeInstance, PreservedSnapshot, snapshotVolumes } from './collect/ec2';
import { roleState, userState } from './collect/iam';
import { BucketLiveCheck, bucketState, CopyLimits, copyVersion, evidenceObjectExists } from './collect/s3';
import { appendManifestRun, EvidenceItem, INVESTIGATION_PATH, readManifest } from './manifest';
import { ActorRecords } from './raw-records';
import {
  evidenceSegment,
  evidenceStoreFromStack,
  EvidenceStore,
  LocalEvidenceStore,
  S3EvidenceStore,
} from './store';
import { preserveTargets, PreserveTargets } from './targets';
import { EvidenceConflict, EvidenceFailure, EvidenceWriter, jsonBytes } from './writer';

/** The investigation document given with --plan: its bytes, kept exactly, and where it came from. */
export interface PlanInput {
  readonly path: string;
  readonly bytes: Buffer;
}

export interface PreserveCommon {
  readonly incidentId: string;
  readonly plan: PlanInput;
  /** `irkit VERSION`, recorded in the manifest. */
  readonly tool: string;
  /** Progress lines (stderr). */
  readonly progress?: (line: string) => void;
  readonly now?: () => Date;
}

export interface PreserveReport {
  readonly incidentId: string;
  /** `s3://bucket/incidents/ID/` or the folder. */
  readonly location: string;
  readonly operator: string;
  /** The manifest run this added; null when everything was preserved already. */
  readonly run: number | null;
  readonly added: readonly EvidenceItem[];
  /** Paths an earlier run preserved: not fetched or written again. */
  readonly kept: readonly string[];
  readonly conflicts: readonly EvidenceConflict[];
  /** Copies AWS refused (AccessDenied, ...), each alone: the rest was preserved; run again once fixed. */
  readonly failed: readonly EvidenceFailure[];
  /** Targets not preserved, and why. */
  readonly skipped: ReadonlyArray<{ readonly target: string; readonly reason: string }>;
  readonly records: {
    readonly wanted: number;
    readonly found: number;
    readonly missing: readonly string[];
    readonly files: number;
  };
  /** The playbook's Part 2 live checks (online only). */
  readonly liveChecks: readonly BucketLiveCheck[];
  readonly snapshots: readonly PreservedSnapshot[];
}

/**
 * Reads the investigation document and checks it belongs to the incident: its incidentId (or
 * its containment plan's) must be the one given. Throws IRKIT_INVALID_INPUT otherwise.
 */
export function readPlan(plan: PlanInput, incidentId: string): InvestigationResult {
  v.incidentId(incidentId);
  const doc = parseInvestigationResult(plan.bytes.toString('utf8'), plan.path);
  const named = doc.incidentId ?? doc.containmentPlan.incidentId;
  if (named !== undefined && named !== incidentId) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      `${plan.path} is the investigation of incident ${named}, not ${incidentId}`,
      {
        hint: `pass the investigation of ${incidentId} (irkit investigate --incident ${incidentId} --out FILE), or --incident ${named}; nothing was preserved`,
      },
    );
  }
  return doc;
}

function progressOf(common: PreserveCommon): (line: string) => void {
  return common.progress ?? (() => undefined);
}

async function start(
  store: EvidenceStore,
  common: PreserveCommon,
  operator: string,
): Promise<EvidenceWriter> {
  const manifest = await readManifest(store, common.incidentId);
  const listed = new Set((manifest?.items ?? []).map((i) => i.path));
  return new EvidenceWriter(store, common.incidentId, listed, operator, common.now ?? (() => new Date()));
}

async function putRecords(writer: EvidenceWriter, records: ActorRecords, source: string): Promise<void> {
  if (records.count === 0) return;
  await writer.put(
    'cloudtrail/actor-records.ndjson.gz',
    'cloudtrail-records',
    source,
    records.ndjsonGzip(),
    undefined,
    'application/gzip',
  );
  await writer.put(
    'cloudtrail/record-sources.json',
    'cloudtrail-records',
    source,
    jsonBytes(records.sources),
  );
}

async function finish(
  writer: EvidenceWriter,
  common: PreserveCommon,
  operator: string,
  startedAt: string,
  rest: Omit<
    PreserveReport,
    'incidentId' | 'location' | 'operator' | 'run' | 'added' | 'kept' | 'conflicts' | 'failed'
  >,
): Promise<PreserveReport> {
  const run = await appendManifestRun(
    writer.store,
    common.incidentId,
    { operator, tool: common.tool, startedAt, items: writer.added },
    common.now,
  );
  return {
    incidentId: common.incidentId,
    location: `${writer.store.location}${writer.keyOf('')}`,
    operator,
    run: run?.run ?? null,
    added: writer.added,
    kept: writer.kept,
    conflicts: writer.conflicts,
    failed: writer.failed,
    ...rest,
  };
}

/** The operator offline: the local account and host. */
export function localOperator(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (a container): the host still says where it ran.
  }
  return `local:${user}@${os.hostname()}`;
}

export interface OfflineOptions extends PreserveCommon {
  /** The exported logs the investigation read. */
  readonly logs: string;
  /** The evidence folder; `incidents/ID/` is made under it. */
  readonly out: string;
  /** @default localOperator() */
  readonly operator?: string;
}

/**
 * Offline preservation (`--logs DIR --out DIR`): the investigation document and the actor's
 * raw CloudTrail records into a local folder, with the same manifest as the evidence bucket.
 */
export async function preserveOffline(options: OfflineOptions): Promise<PreserveReport> {
  const doc = readPlan(options.plan, options.incidentId);
  const say = progressOf(options);
  const operator = options.operator ?? localOperator();
  const startedAt = (options.now?.() ?? new Date()).toISOString();
  const store = new LocalEvidenceStore(options.out);
  const writer = await start(store, options, operator);
  const targets = preserveTargets(doc);
  await writer.put(INVESTIGATION_PATH, 'investigation', options.plan.path, options.plan.bytes);
  say(`reading the actor's ${targets.eventIds.size} events from ${options.logs}`);
  const { records, files } = await recordsFromFolder(options.logs, doc.window, targets.eventIds);
  await putRecords(writer, records, options.logs);
  const skipped = [
    ...targets.principals.map((p) => ({
      target: `${p.kind} ${p.name}`,
      reason: 'offline: IAM state needs the account (run irkit preserve without --logs)',
    })),
    ...targets.buckets.map((b) => ({
      target: `bucket ${b.name}`,
      reason: 'offline: objects and configuration need the account',
    })),
    ...targets.instances.map((i) => ({
      target: `instance ${i.id}`,
      reason: 'offline: description and snapshots need the account',
    })),
  ];
  return finish(writer, options, operator, startedAt, {
    skipped,
    records: { wanted: targets.eventIds.size, found: records.count, missing: records.missing(), files },
    liveChecks: [],
    snapshots: [],
  });
}

/** The AWS clients preservation uses; EC2 per Region. Injected, so tests use the wire fakes. */
export interface PreserveClients {
  readonly cloudFormation: CloudFormationClient;
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly sts: STSClient;
  readonly ec2: (region: string) => EC2Client;
}

export interface OnlineOptions extends PreserveCommon {
  readonly clients: PreserveClients;
  /** Where the trail's files are; absent: the raw records are not preserved (said in the report). */
  readonly trail?: TrailLocation;
  /** @default 'IrKitEvidence' */
  readonly evidenceStackName?: string;
  /** The evidence bucket, when already resolved (tests, a second account). */
  readonly store?: S3EvidenceStore;
  /**
   * Another account's run (preserveAccounts): only that account's principals, buckets and
   * instances, under this folder of the incident's (`accounts/ACCOUNT/`); the document and the
   * raw records are the operator's own account's run. @default the whole incident, at the top
   */
  readonly accountFolder?: string;
  /** When an object version is copied in parts, and their size (tests make them tiny). @default DEFAULT_COPY_LIMITS */
  readonly copyLimits?: CopyLimits;
  /** Accounts another run of the same command preserves: their targets are not listed as skipped here. @default none */
  readonly elsewhere?: ReadonlySet<string>;
}

/** What a member's refused copy most often means, said with it. */
const MEMBER_COPY_DENIED =
  " (the evidence bucket admits a member's copies only under its own accounts/ACCOUNT/ folder, once IrKitEvidence is deployed with organizationId and members.organizationalUnits; its break-glass role must also read the object and its key)";

function objectPath(bucket: string, key: string, versionId: string): string {
  const seg = evidenceSegment(key);
  const keyPart = seg.length > 700 ? `sha256-${createHash('sha256').update(key).digest('hex')}` : seg;
  return `s3/${bucket}/objects/${keyPart}/${evidenceSegment(versionId)}`;
}

/**
 * Step 14 in the account: the document, the actor's raw records (and the log files holding
 * them, copied whole), each principal's IAM state, each bucket's configuration and every
 * object version (copied server-side), each instance's description and EBS snapshots, and
 * the Part 2 live checks. Re-running adds only what is missing.
 */
export async function preserveOnline(options: OnlineOptions): Promise<PreserveReport> {
  const doc = readPlan(options.plan, options.incidentId);
  const say = progressOf(options);
  const { clients } = options;
  const caller = await whoAmI(clients);
  const operator = caller.arn;
  const startedAt = (options.now?.() ?? new Date()).toISOString();
  const store = options.store ?? (await evidenceStoreFromStack(clients, options.evidenceStackName));
  const writer = await start(store, options, operator);
  const targets: PreserveTargets = preserveTargets(doc);
  const skipped: { target: string; reason: string }[] = [];
  const folder = options.accountFolder ?? '';
  const member = options.accountFolder !== undefined;
  // Targets of no known account are the operator's own account's (its run preserves them).
  const inAccount = (account: string | null) => account === caller.account || (account === null && !member);
  const skip = (target: string, account: string | null) => {
    // Another account's run says nothing of the others'.
    if (member || (account !== null && options.elsewhere?.has(account))) return;
    skipped.push({
      target,
      reason: `in account ${account}: run irkit preserve there (--account ${account})`,
    });
  };
  const aws = async <T>(doing: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof IrKitError) throw error;
      throw awsFailure(doing, error);
    }
  };

  /**
   * One server-side copy into the store, made with this account's own S3 client (in a member
   * account its break-glass role: the one principal that reads its contained buckets and that
   * the evidence bucket admits under `accounts/ACCOUNT/`). A copy already there, unlisted, is a
   * conflict left as it is; a copy S3 refuses fails alone (the next ones go on), while an
   * unreachable AWS stops the run.
   */
  const copyInto = async (
    path: string,
    kind: 's3-object-version' | 'cloudtrail-file',
    sourceArn: string,
    source: { bucket: string; key: string; versionId: string },
    size?: number,
  ): Promise<void> => {
    const key = writer.keyOf(path);
    const version = source.versionId === 'null' ? '' : ` version ${source.versionId}`;
    const doing = `copying s3://${source.bucket}/${source.key}${version}`;
    if (await aws(`checking ${key}`, () => evidenceObjectExists(store, key))) {
      writer.conflicts.push({
        path,
        detail: 'already in the store, unlisted (an interrupted run?); left as it is',
      });
      return;
    }
    let copy: { sha256: string; versionId?: string };
    try {
      copy = await copyVersion(store, source, key, { size, limits: options.copyLimits, via: clients.s3 });
    } catch (error) {
      if (error instanceof IrKitError) throw error;
      if (awsFailureKind(error) !== 'service') throw awsFailure(doing, error);
      writer.failed.push({
        path,
        detail: `${awsFailure(doing, error).message}${member ? MEMBER_COPY_DENIED : ''}`,
      });
      return;
    }
    const bytes = size ?? (await aws(`reading back ${key}`, () => store.digest(key)))?.size ?? 0;
    const sourceVersion = kind === 's3-object-version' ? source.versionId : undefined;
    writer.record(writer.item(path, kind, sourceArn, { ...copy, size: bytes }, sourceVersion));
  };

  if (!member) {
    await aws('writing the investigation document', () =>
      writer.put(INVESTIGATION_PATH, 'investigation', options.plan.path, options.plan.bytes),
    );
  }

  let records = { wanted: targets.eventIds.size, found: 0, missing: [...targets.eventIds].sort(), files: 0 };
  if (member) {
    records = { wanted: 0, found: 0, missing: [], files: 0 };
  } else if (!writer.has('cloudtrail/actor-records.ndjson.gz')) {
    if (options.trail) {
      const trail = options.trail;
      say(`reading the actor's ${targets.eventIds.size} events from s3://${trail.bucket}/`);
      const found = await aws(`reading the trail's files in s3://${trail.bucket}/`, () =>
        recordsFromTrail(clients.s3, trail, targets, caller.account),
      );
      await aws('writing the actor records', () =>
        putRecords(writer, found.records, `arn:aws:s3:::${trail.bucket}`),
      );
      for (const file of found.sourceFiles) {
        const path = `cloudtrail/files/${file.key.split('/').slice(-6).map(evidenceSegment).join('/')}`;
        if (writer.has(path)) continue;
        await copyInto(path, 'cloudtrail-file', `arn:aws:s3:::${trail.bucket}/${file.key}`, {
          bucket: trail.bucket,
          key: file.key,
          versionId: 'null',
        });
      }
      records = {
        wanted: targets.eventIds.size,
        found: found.records.count,
        missing: found.records.missing(),
        files: found.files,
      };
    } else {
      skipped.push({
        target: 'CloudTrail records',
        reason: 'the config names no logBucket: the raw records were not read',
      });
    }
  } else {
    writer.kept.push('cloudtrail/actor-records.ndjson.gz');
    records = { wanted: targets.eventIds.size, found: targets.eventIds.size, missing: [], files: 0 };
  }

  for (const p of targets.principals) {
    if (!inAccount(p.account)) {
      skip(`${p.kind} ${p.name}`, p.account);
      continue;
    }
    const path = `${folder}iam/${p.kind}s/${evidenceSegment(p.name)}.json`;
    if (writer.has(path)) {
      writer.kept.push(path);
      continue;
    }
    say(`reading the IAM state of ${p.kind} ${p.name}`);
    const state = await aws(`reading the IAM state of ${p.kind} ${p.name}`, () =>
      p.kind === 'user' ? userState(clients.iam, p.name) : roleState(clients.iam, p.name),
    );
    await aws(`writing ${path}`, () =>
      writer.put(
        path,
        p.kind === 'user' ? 'iam-user' : 'iam-role',
        `arn:${caller.partition}:iam::${caller.account}:${p.kind}/${p.name}`,
        jsonBytes(state),
      ),
    );
  }

  const liveChecks: BucketLiveCheck[] = [];
  for (const b of targets.buckets) {
    if (!inAccount(b.account)) {
      skip(`bucket ${b.name}`, b.account);
      continue;
    }
    if (b.name === store.bucket) continue;
    say(`reading bucket ${b.name}: policy, ACL, public access, versions`);
    const state = await aws(`reading bucket ${b.name}`, () => bucketState(clients.s3, b.name));
    liveChecks.push(state.check);
    await aws(`writing ${folder}s3/${b.name}/bucket.json`, () =>
      writer.put(
        `${folder}s3/${b.name}/bucket.json`,
        's3-bucket',
        `arn:${caller.partition}:s3:::${b.name}`,
        jsonBytes(state.document),
      ),
    );
    for (const o of state.check.objects) {
      const path = `${folder}${objectPath(b.name, o.key, o.versionId)}`;
      if (writer.has(path)) {
        writer.kept.push(path);
        continue;
      }
      await copyInto(
        path,
        's3-object-version',
        `arn:${caller.partition}:s3:::${b.name}/${o.key}`,
        { bucket: b.name, key: o.key, versionId: o.versionId },
        o.size,
      );
    }
  }

  const snapshots: PreservedSnapshot[] = [];
  for (const i of targets.instances) {
    if (!inAccount(i.account)) {
      skip(`instance ${i.id}`, i.account);
      continue;
    }
    const ec2 = clients.ec2(i.region);
    const instanceFolder = `${folder}ec2/${i.region}/${i.id}`;
    const arn = `arn:${caller.partition}:ec2:${i.region}:${caller.account}:instance/${i.id}`;
    say(`describing instance ${i.id} in ${i.region} and snapshotting its volumes`);
    const instance = await aws(`describing instance ${i.id}`, () => describeInstance(ec2, i.id));
    if (!writer.has(`${instanceFolder}/instance.json`)) {
      await aws(`writing ${instanceFolder}/instance.json`, () =>
        writer.put(
          `${instanceFolder}/instance.json`,
          'ec2-instance',
          arn,
          jsonBytes(instance ?? { instanceId: i.id, exists: false }),
        ),
      );
    } else writer.kept.push(`${instanceFolder}/instance.json`);
    if (!instance) {
      skipped.push({
        target: `instance ${i.id}`,
        reason: 'EC2 knows no such instance (terminated long ago?): no volume to snapshot',
      });
      continue;
    }
    const made = await aws(`snapshotting the volumes of ${i.id}`, () =>
      snapshotVolumes(ec2, instance, options.incidentId),
    );
    snapshots.push(...made);
    for (const s of made) {
      const path = `${instanceFolder}/snapshots/${evidenceSegment(s.volumeId)}.json`;
      await aws(`writing ${path}`, () =>
        writer.put(
          path,
          'ebs-snapshot',
          `arn:${caller.partition}:ec2:${i.region}:${caller.account}:volume/${s.volumeId}`,
          jsonBytes(s),
          s.snapshotId,
        ),
      );
    }
  }

  if (liveChecks.length > 0) {
    const at = startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    await aws('writing the live checks', () =>
      writer.put(
        `${folder}live-checks/${at}.json`,
        'live-checks',
        'irkit preserve (GetBucketPolicy, GetBucketAcl, GetBucketPolicyStatus, GetPublicAccessBlock, ListObjectVersions)',
        jsonBytes(liveChecks),
      ),
    );
  }
  return aws('writing the manifest', () =>
    finish(writer, options, operator, startedAt, { skipped, records, liveChecks, snapshots }),
  );
}
