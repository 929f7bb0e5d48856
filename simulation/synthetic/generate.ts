import { readFile, readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { IrKitError } from '../../lib/errors';
import { GroundTruth, buildIncident } from './incident';
import { GenerateOptions, GenerateProgress, ResolvedOptions, resolveOptions } from './options';
import { Background } from './private/background';
import { FLOW_LOG_HEADER, FlowLogs } from './private/flow-logs';
import { cloudTrailKey, flowLogKey } from './private/layout';
import { recordJson } from './private/records';
import { Rng, hash32 } from './private/rng';
import { DAY_MS, MINUTE_MS, datePath, eventTime, parseEventTime } from './private/time';
import { FileWriter } from './private/writer';
import { VARIANT_IDS, IncidentFlowRecord } from './variants';
import { ScenarioCall } from './types';

/** The last day of every generated window: the playbook's incident day. */
export const INCIDENT_DAY = '2021-07-24';

/** Written at the root of the output; marks the folder as simulate output (no .json/.gz suffix, so log readers skip it). */
export const MANIFEST_FILE = '.irkit-simulate';

export interface GenerateSummary {
  readonly outDir: string;
  readonly options: ResolvedOptions;
  /** date_partition values of the first and last day, and the exact time span. */
  readonly window: {
    readonly from: string;
    readonly to: string;
    readonly start: string;
    readonly end: string;
  };
  readonly files: { readonly cloudTrail: number; readonly flowLogs: number };
  readonly bytesWritten: number;
  readonly events: { readonly total: number; readonly incident: number; readonly background: number };
  readonly flowRecords: { readonly total: number; readonly incident: number; readonly background: number };
  /** Paths (relative to outDir) of the files holding incident records. */
  readonly incidentFiles: readonly string[];
  readonly groundTruth: GroundTruth;
}

interface Manifest {
  readonly tool: 'irkit simulate';
  readonly manifestVersion: 1;
  readonly status: 'writing' | 'complete';
  readonly options: ResolvedOptions;
  readonly summary?: Omit<GenerateSummary, 'outDir'>;
}

const MAX_FILES_IN_FLIGHT = 4;

/** Weight of a moment of the day: quiet nights, a working-day peak (UTC), calmer weekends. */
function timeWeight(ms: number): number {
  const d = new Date(ms);
  const h = d.getUTCHours() + d.getUTCMinutes() / 60;
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 0.55 : 1;
  return weekend * (0.3 + Math.exp(-((h - 17) ** 2) / (2 * 3.5 ** 2)));
}

/**
 * Spreads `total` items over consecutive weights exactly: items sit at (k + u) * W / total, and
 * a slot gets those falling inside its share of W. Deterministic, exact, no per-slot state.
 */
class Allocator {
  private cumulative = 0;
  private given = 0;
  private readonly step: number;

  constructor(
    private readonly total: number,
    totalWeight: number,
    private readonly u: number,
  ) {
    this.step = total > 0 ? totalWeight / total : Infinity;
  }

  public next(weight: number): number {
    if (this.total === 0) return 0;
    this.cumulative += weight;
    const upTo = Math.min(this.total, Math.max(0, Math.ceil(this.cumulative / this.step - this.u)));
    const n = upTo - this.given;
    this.given = upTo;
    return n;
  }

  /** Whatever floating-point rounding left over goes to the last slot. */
  public rest(): number {
    return this.total - this.given;
  }
}

async function prepareOutDir(outDir: string, options: ResolvedOptions): Promise<void> {
  const info = await stat(outDir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (!info) {
    await mkdir(outDir, { recursive: true });
    return;
  }
  if (!info.isDirectory()) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `output path ${outDir} exists and is not a directory`, {
      hint: 'give a new or empty folder',
    });
  }
  const entries = await readdir(outDir);
  if (entries.length === 0) return;
  const refuse = (why: string) =>
    new IrKitError('IRKIT_INVALID_INPUT', `output directory ${outDir} ${why}`, {
      hint: 'give a new or empty folder; irkit simulate never deletes or mixes files',
    });
  if (!entries.includes(MANIFEST_FILE)) throw refuse('is not empty and is not the output of irkit simulate');
  let previous: Manifest;
  try {
    previous = JSON.parse(await readFile(join(outDir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch {
    throw refuse(`has an unreadable ${MANIFEST_FILE} manifest`);
  }
  // Rewriting with the same options rewrites the same files byte for byte; other options
  // would leave the old files beside the new ones and double or mix the incident.
  if (JSON.stringify(previous.options) !== JSON.stringify(options)) {
    throw refuse('holds a previous irkit simulate run with other options');
  }
}

async function writeManifest(outDir: string, manifest: Manifest): Promise<void> {
  await writeFile(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

interface TimedCall {
  readonly t: number;
  readonly call: ScenarioCall;
}

interface TimedFlow {
  readonly t: number;
  readonly record: IncidentFlowRecord;
}

function incidentRecord(seed: number, c: ScenarioCall): string {
  const rng = new Rng(seed, 'incident', c.step);
  const requestID = c.eventSource === 's3.amazonaws.com' ? rng.hex(16).toUpperCase() : rng.uuid();
  return recordJson(
    c,
    JSON.stringify(c.userIdentity),
    c.eventType === 'AwsConsoleSignIn' ? undefined : requestID,
    rng.uuid(),
  );
}

function flowLine(f: IncidentFlowRecord): string {
  return `2 ${f.account} ${f.interfaceId} ${f.srcaddr} ${f.dstaddr} ${f.srcport} ${f.dstport} ${f.protocol} ${f.packets} ${f.bytes} ${f.start} ${f.end} ${f.action} OK`;
}

interface Part {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** Background items in the part. */
  readonly count: number;
}

/** A window's `n` background items in parts of at most `max`, each written as its own file. */
function* partsOf(windowStart: number, windowMs: number, n: number, max: number): Generator<Part> {
  const parts = Math.max(1, Math.ceil(n / max));
  for (let p = 0; p < parts; p++) {
    yield {
      index: p,
      start: windowStart + (p * windowMs) / parts,
      end: windowStart + ((p + 1) * windowMs) / parts,
      count: Math.floor(((p + 1) * n) / parts) - Math.floor((p * n) / parts),
    };
  }
}

/** The part's background items at sorted random times, with the incident's own (sorted) merged in by time. */
function merge<T extends { readonly t: number }>(
  rng: Rng,
  part: Part,
  own: readonly T[],
  background: (t: number) => string,
  incident: (item: T) => string,
): string[] {
  const times = Array.from({ length: part.count }, () =>
    Math.floor(part.start + rng.float() * (part.end - part.start)),
  );
  times.sort((x, y) => x - y);
  const out: string[] = [];
  let i = 0;
  for (const t of times) {
    while (i < own.length && own[i].t <= t) out.push(incident(own[i++]));
    out.push(background(t));
  }
  while (i < own.length) out.push(incident(own[i++]));
  return out;
}

/**
 * Writes the playbook's incident (and any variants) into benign background activity as
 * CloudTrail and VPC Flow Logs files in the S3 layout. Streams: files are produced in time
 * order, window by window, so memory does not grow with the number of events.
 */
export async function generateIncident(options: GenerateOptions): Promise<GenerateSummary> {
  const o = resolveOptions(options);
  const incident = buildIncident({
    accounts: o.accounts,
    regions: o.regions,
    flowLogs: o.flowLogs,
    variants: Object.fromEntries(o.variants.map((n) => [n, true])),
  });
  await prepareOutDir(options.outDir, o);
  await writeManifest(options.outDir, {
    tool: 'irkit simulate',
    manifestVersion: 1,
    status: 'writing',
    options: o,
  });

  const windowMs = o.fileWindowMinutes * MINUTE_MS;
  const end = Date.parse(`${INCIDENT_DAY}T00:00:00Z`) + DAY_MS;
  const start = end - o.days * DAY_MS;
  const windows = (o.days * DAY_MS) / windowMs;
  const nA = o.accounts.length;
  const nR = o.regions.length;
  const slotOf = (t: number, account: string, region: string) => {
    const a = o.accounts.indexOf(account);
    const r = o.regions.indexOf(region);
    if (a < 0 || r < 0 || t < start || t >= end)
      throw new Error(`incident event outside the generated logs: ${account} ${region} ${t}`);
    return (Math.floor((t - start) / windowMs) * nA + a) * nR + r;
  };

  // Incident records and flows, by slot.
  const calls = new Map<number, TimedCall[]>();
  // Records delivered late go to their own files, in the folder of their delivery day.
  const late = incident.calls.filter((c) => c.deliveredAt !== undefined);
  for (const c of incident.calls) {
    if (c.deliveredAt !== undefined) continue;
    const t = parseEventTime(c.eventTime);
    const slot = slotOf(t, c.recipientAccountId, c.awsRegion);
    calls.set(slot, [...(calls.get(slot) ?? []), { t, call: c }]);
  }
  const flows = new Map<number, TimedFlow[]>();
  for (const f of incident.flowRecords) {
    const t = f.start * 1000;
    const slot = slotOf(t, f.account, f.region);
    flows.set(slot, [...(flows.get(slot) ?? []), { t, record: f }]);
  }

  const background = new Background({
    seed: o.seed,
    accounts: o.accounts,
    incidentAccount: incident.scenario.accountId,
    devOpsRoleId: VARIANT_IDS.devOpsRole.roleId,
    forbiddenKeys: new Set(incident.groundTruth.accessKeyIds),
  });
  const flowLogs = new FlowLogs(o.seed, o.accounts);

  // Busier accounts and Regions: us-east-1 carries the global events.
  const accountWeight = o.accounts.map((a, i) => (i === 0 ? 1 : 0.5 + (hash32(o.seed, a) % 50) / 100));
  const regionWeight = o.regions.map((r) => (r === 'us-east-1' ? 4 : 1 + (hash32(o.seed, r) % 100) / 100));
  const flowRegionWeight = o.regions.map((r) => 1 + (hash32(o.seed, 'flow', r) % 100) / 100);
  let totalWeight = 0;
  let totalFlowWeight = 0;
  for (let w = 0; w < windows; w++) {
    const tw = timeWeight(start + w * windowMs);
    for (let a = 0; a < nA; a++) {
      for (let r = 0; r < nR; r++) {
        totalWeight += tw * accountWeight[a] * regionWeight[r];
        totalFlowWeight += (0.6 + tw) * accountWeight[a] * flowRegionWeight[r];
      }
    }
  }
  const seedRng = new Rng(o.seed, 'allocation');
  const events = new Allocator(o.backgroundEvents, totalWeight, 0.001 + 0.998 * seedRng.float());
  const flowAlloc = new Allocator(o.flowRecords, totalFlowWeight, 0.001 + 0.998 * seedRng.float());

  const totalEvents = o.backgroundEvents + incident.calls.length;
  const totalFlows = o.flowRecords + incident.flowRecords.length;
  let filesWritten = 0;
  let eventsWritten = 0;
  let flowsWritten = 0;
  let cloudTrailFiles = 0;
  let flowFiles = 0;
  const incidentFiles: string[] = [];
  const progress = (): GenerateProgress => ({
    filesWritten,
    eventsWritten: eventsOnDisk,
    totalEvents,
    flowRecordsWritten: flowsOnDisk,
    totalFlowRecords: totalFlows,
  });
  // Progress counts what is on disk; the summary counts what was generated (equal at the end).
  let eventsOnDisk = 0;
  let flowsOnDisk = 0;
  const writer = new FileWriter<{ events: number; flows: number }>(
    options.outDir,
    MAX_FILES_IN_FLIGHT,
    ({ events, flows }) => {
      filesWritten++;
      eventsOnDisk += events;
      flowsOnDisk += flows;
      options.onProgress?.(progress());
    },
  );

  const lastSlot = windows * nA * nR - 1;
  for (let w = 0; w < windows; w++) {
    const windowStart = start + w * windowMs;
    const tw = timeWeight(windowStart);
    for (let a = 0; a < nA; a++) {
      for (let r = 0; r < nR; r++) {
        const slot = (w * nA + a) * nR + r;
        const account = o.accounts[a];
        const region = o.regions[r];
        let n = events.next(tw * accountWeight[a] * regionWeight[r]);
        let nFlow = o.flowLogs ? flowAlloc.next((0.6 + tw) * accountWeight[a] * flowRegionWeight[r]) : 0;
        if (slot === lastSlot) {
          n += events.rest();
          nFlow += o.flowLogs ? flowAlloc.rest() : 0;
        }

        for (const part of partsOf(windowStart, windowMs, n, o.maxRecordsPerFile)) {
          const own = (calls.get(slot) ?? []).filter((x) => x.t >= part.start && x.t < part.end);
          if (part.count + own.length === 0) continue;
          const rng = new Rng(o.seed, 'cloudtrail', a, r, w, part.index);
          const records = merge(
            rng,
            part,
            own,
            (t) => background.record(rng, a, region, t),
            (x) => incidentRecord(o.seed, x.call),
          );
          const key = cloudTrailKey({
            prefix: o.prefix,
            organizationId: o.organizationId,
            account,
            region,
            time: Math.floor(part.start / MINUTE_MS) * MINUTE_MS,
            unique: rng.alnum(16),
            compress: o.compress,
          });
          if (own.length > 0) incidentFiles.push(key);
          cloudTrailFiles++;
          eventsWritten += records.length;
          await writer.add(key, `{"Records":[${records.join(',')}]}`, o.compress, {
            events: records.length,
            flows: 0,
          });
        }

        for (const part of partsOf(windowStart, windowMs, nFlow, o.maxRecordsPerFile)) {
          const own = (flows.get(slot) ?? []).filter((x) => x.t >= part.start && x.t < part.end);
          if (part.count + own.length === 0) continue;
          const rng = new Rng(o.seed, 'flow', a, r, w, part.index);
          const lines = merge(
            rng,
            part,
            own,
            (t) => flowLogs.line(rng, a, region, t),
            (x) => flowLine(x.record),
          );
          const key = flowLogKey({
            prefix: o.prefix,
            account,
            region,
            flowLogId: flowLogs.flowLogId(a, region),
            time: Math.floor(part.start / MINUTE_MS) * MINUTE_MS,
            hash: rng.hex(8),
            compress: o.compress,
          });
          if (own.length > 0) incidentFiles.push(key);
          flowFiles++;
          flowsWritten += lines.length;
          await writer.add(key, `${FLOW_LOG_HEADER}\n${lines.join('\n')}\n`, o.compress, {
            events: 0,
            flows: lines.length,
          });
        }
      }
    }
  }
  for (const c of late) {
    const delivered = parseEventTime(c.deliveredAt as string);
    if (delivered < parseEventTime(c.eventTime))
      throw new Error(`${c.eventName} delivered before it happened`);
    const rng = new Rng(o.seed, 'late', c.step);
    const key = cloudTrailKey({
      prefix: o.prefix,
      organizationId: o.organizationId,
      account: c.recipientAccountId,
      region: c.awsRegion,
      time: Math.floor(delivered / MINUTE_MS) * MINUTE_MS,
      unique: rng.alnum(16),
      compress: o.compress,
    });
    incidentFiles.push(key);
    cloudTrailFiles++;
    eventsWritten++;
    await writer.add(key, `{"Records":[${incidentRecord(o.seed, c)}]}`, o.compress, { events: 1, flows: 0 });
  }
  await writer.drain();

  const summary: Omit<GenerateSummary, 'outDir'> = {
    options: o,
    window: { from: datePath(start), to: datePath(end - 1), start: eventTime(start), end: eventTime(end) },
    files: { cloudTrail: cloudTrailFiles, flowLogs: flowFiles },
    bytesWritten: writer.bytesWritten,
    events: {
      total: eventsWritten,
      incident: incident.calls.length,
      background: eventsWritten - incident.calls.length,
    },
    flowRecords: {
      total: flowsWritten,
      incident: incident.flowRecords.length,
      background: flowsWritten - incident.flowRecords.length,
    },
    incidentFiles,
    groundTruth: incident.groundTruth,
  };
  await writeManifest(options.outDir, {
    tool: 'irkit simulate',
    manifestVersion: 1,
    status: 'complete',
    options: o,
    summary,
  });
  return { outDir: options.outDir, ...summary };
}
