import { IrKitError } from '../../lib/errors';
import { EVIDENCE_STACK } from '../../lib/names';
import * as v from '../../lib/validation';
import { checkEvidencePath, EvidenceStore, sha256Hex } from './store';

/**
 * The evidence manifest of one incident: what was preserved, with each item's SHA-256, size,
 * source, operator and time. It is append-only: each `irkit preserve` run writes one more file
 * `incidents/ID/manifest/run-NNNN.json` listing the items it added and the SHA-256 of the run
 * before it, so no manifest file is ever rewritten and an edit to an earlier one breaks the
 * chain. The manifest is the union of the runs. docs/evidence.md documents the layout.
 */
export const MANIFEST_FORMAT_VERSION = 1;

/** What an item is; docs/evidence.md lists each kind's path. */
export type EvidenceKind =
  | 'investigation'
  | 'cloudtrail-records'
  | 'cloudtrail-file'
  | 's3-object-version'
  | 's3-bucket'
  | 'iam-user'
  | 'iam-role'
  | 'ec2-instance'
  | 'ebs-snapshot'
  | 'live-checks'
  | 'eradication-record';

const KINDS: ReadonlySet<string> = new Set<EvidenceKind>([
  'investigation',
  'cloudtrail-records',
  'cloudtrail-file',
  's3-object-version',
  's3-bucket',
  'iam-user',
  'iam-role',
  'ec2-instance',
  'ebs-snapshot',
  'live-checks',
  'eradication-record',
]);

export interface EvidenceItem {
  /** Relative to the incident's folder (`investigation.json`, `s3/DOC-EXAMPLE-BUCKET/bucket.json`). */
  readonly path: string;
  readonly kind: EvidenceKind;
  /** SHA-256 of the stored bytes, lower-case hex. */
  readonly sha256: string;
  readonly size: number;
  /** Where it came from: an ARN (`arn:aws:s3:::DOC-EXAMPLE-BUCKET/stuff`, `arn:aws:iam::777777777777:user/JaneDoe`) or, offline, a file. */
  readonly source: string;
  /** The operator's identity: the caller's ARN, or `local:USER@HOST` offline. */
  readonly collectedBy: string;
  /** ISO 8601. */
  readonly collectedAt: string;
  /** The S3 version of the stored item, when the store is the evidence bucket. */
  readonly storeVersionId?: string;
  /** The source's own version (an S3 object version id) or id (an EBS snapshot id). */
  readonly sourceVersion?: string;
}

export interface ManifestRun {
  readonly formatVersion: typeof MANIFEST_FORMAT_VERSION;
  readonly incidentId: string;
  /** 1, 2, ...: the file is `manifest/run-NNNN.json`. */
  readonly run: number;
  /** The run before this one and the SHA-256 of its file; null for run 1. */
  readonly previous: { readonly path: string; readonly sha256: string } | null;
  readonly operator: string;
  /** `irkit VERSION`. */
  readonly tool: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly items: readonly EvidenceItem[];
}

export interface EvidenceManifest {
  readonly incidentId: string;
  /** Where it was read: `s3://bucket/incidents/ID/` or the folder. */
  readonly location: string;
  readonly runs: readonly ManifestRun[];
  /** Every item of every run, in order. */
  readonly items: readonly EvidenceItem[];
}

export type VerificationProblemKind = 'missing' | 'changed' | 'overwritten' | 'manifest';

export interface VerificationProblem {
  /** Relative to the incident's folder. */
  readonly path: string;
  readonly problem: VerificationProblemKind;
  readonly detail: string;
}

export interface ManifestVerification {
  readonly incidentId: string;
  readonly location: string;
  readonly ok: boolean;
  readonly runs: number;
  readonly items: number;
  readonly bytes: number;
  readonly problems: readonly VerificationProblem[];
  /** Files in the incident's folder that no run lists (e.g. left by an interrupted run); not a failure. */
  readonly unlisted: readonly string[];
}

/** `incidents/ID/`, the incident's folder in a store. */
export function incidentPrefix(incidentId: string): string {
  return `${EVIDENCE_STACK.incidentsPrefix}${v.incidentId(incidentId)}/`;
}

export const MANIFEST_FOLDER = 'manifest/';

/** `manifest/run-0001.json`, relative to the incident's folder. */
export function manifestRunPath(run: number): string {
  return `${MANIFEST_FOLDER}run-${String(run).padStart(4, '0')}.json`;
}

const RUN_FILE = /^manifest\/run-(\d{4,})\.json$/;
const SHA256 = /^[0-9a-f]{64}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function invalidManifest(where: string, problem: string): IrKitError {
  return new IrKitError('IRKIT_EVIDENCE_INVALID', `${where}: ${problem}`, {
    hint: 'the manifest was written by irkit and must not be edited: treat the evidence as tampered with and investigate how',
  });
}

function parseItem(raw: unknown, where: string): EvidenceItem {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalidManifest(where, 'is not an object');
  const r = raw as Record<string, unknown>;
  const str = (key: string): string => {
    if (typeof r[key] !== 'string' || r[key] === '')
      throw invalidManifest(where, `${key} is not a non-empty string`);
    return r[key] as string;
  };
  const path = str('path');
  try {
    checkEvidencePath(path);
  } catch {
    throw invalidManifest(where, `path ${JSON.stringify(path)} is not a relative evidence path`);
  }
  if (path.startsWith(MANIFEST_FOLDER))
    throw invalidManifest(where, `path ${JSON.stringify(path)} is inside manifest/`);
  const kind = str('kind');
  if (!KINDS.has(kind)) throw invalidManifest(where, `kind ${JSON.stringify(kind)} is not one irkit writes`);
  const sha256 = str('sha256');
  if (!SHA256.test(sha256)) throw invalidManifest(where, 'sha256 is not 64 lower-case hex digits');
  if (typeof r.size !== 'number' || !Number.isSafeInteger(r.size) || r.size < 0) {
    throw invalidManifest(where, 'size is not a whole number of bytes');
  }
  const collectedAt = str('collectedAt');
  if (!ISO.test(collectedAt)) throw invalidManifest(where, 'collectedAt is not an ISO 8601 UTC time');
  const optional = (key: string): string | undefined => (r[key] === undefined ? undefined : str(key));
  const storeVersionId = optional('storeVersionId');
  const sourceVersion = optional('sourceVersion');
  return {
    path,
    kind: kind as EvidenceKind,
    sha256,
    size: r.size,
    source: str('source'),
    collectedBy: str('collectedBy'),
    collectedAt,
    ...(storeVersionId !== undefined ? { storeVersionId } : {}),
    ...(sourceVersion !== undefined ? { sourceVersion } : {}),
  };
}

/** Reads one run file strictly; throws IRKIT_EVIDENCE_INVALID naming what is wrong. */
export function parseManifestRun(text: string, where: string): ManifestRun {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw invalidManifest(where, `is not valid JSON (${(error as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw invalidManifest(where, 'is not a JSON object');
  const r = doc as Record<string, unknown>;
  if (r.formatVersion !== MANIFEST_FORMAT_VERSION) {
    throw invalidManifest(
      where,
      `formatVersion is ${JSON.stringify(r.formatVersion)}, expected ${MANIFEST_FORMAT_VERSION}`,
    );
  }
  for (const key of ['incidentId', 'operator', 'tool', 'startedAt', 'finishedAt']) {
    if (typeof r[key] !== 'string') throw invalidManifest(where, `${key} is not a string`);
  }
  if (typeof r.run !== 'number' || !Number.isSafeInteger(r.run) || r.run < 1)
    throw invalidManifest(where, 'run is not a positive whole number');
  let previous: ManifestRun['previous'] = null;
  if (r.previous !== null) {
    const p = r.previous as Record<string, unknown> | undefined;
    if (
      typeof p !== 'object' ||
      typeof p?.path !== 'string' ||
      typeof p.sha256 !== 'string' ||
      !SHA256.test(p.sha256)
    ) {
      throw invalidManifest(where, 'previous is neither null nor { path, sha256 }');
    }
    previous = { path: p.path, sha256: p.sha256 };
  }
  if (!Array.isArray(r.items)) throw invalidManifest(where, 'items is not an array');
  const items = r.items.map((item, i) => parseItem(item, `${where} items[${i}]`));
  return {
    formatVersion: MANIFEST_FORMAT_VERSION,
    incidentId: r.incidentId as string,
    run: r.run,
    previous,
    operator: r.operator as string,
    tool: r.tool as string,
    startedAt: r.startedAt as string,
    finishedAt: r.finishedAt as string,
    items,
  };
}

interface LoadedRun {
  readonly run: ManifestRun;
  readonly path: string;
  readonly sha256: string;
}

async function loadRuns(store: EvidenceStore, incidentId: string): Promise<LoadedRun[]> {
  const prefix = incidentPrefix(incidentId);
  const files = (await store.list(`${prefix}${MANIFEST_FOLDER}`))
    .map((key) => key.slice(prefix.length))
    .filter((rel) => RUN_FILE.test(rel))
    .sort((a, b) => Number(RUN_FILE.exec(a)![1]) - Number(RUN_FILE.exec(b)![1]));
  const loaded: LoadedRun[] = [];
  for (const rel of files) {
    const body = await store.read(`${prefix}${rel}`);
    if (body === undefined)
      throw invalidManifest(`${store.location}${prefix}${rel}`, 'was listed but cannot be read');
    const where = `${store.location}${prefix}${rel}`;
    const run = parseManifestRun(body.toString('utf8'), where);
    const expected = loaded.length + 1;
    if (run.run !== expected || rel !== manifestRunPath(run.run)) {
      throw invalidManifest(
        where,
        `is run ${run.run} but run ${expected} was expected here (a run file is missing or renamed)`,
      );
    }
    if (run.incidentId !== incidentId) {
      throw invalidManifest(
        where,
        `belongs to incident ${JSON.stringify(run.incidentId)}, not ${incidentId}`,
      );
    }
    const before = loaded[loaded.length - 1];
    const chainOk = before
      ? run.previous?.path === before.path && run.previous.sha256 === before.sha256
      : run.previous === null;
    if (!chainOk) {
      throw invalidManifest(
        where,
        before
          ? `does not chain to ${before.path}: that file was changed after run ${run.run} was written`
          : 'is the first run but names a previous one',
      );
    }
    loaded.push({ run, path: rel, sha256: sha256Hex(body) });
  }
  return loaded;
}

/**
 * The incident's manifest, every run checked for shape, incident and chain; undefined when
 * no run was ever written. Throws IRKIT_EVIDENCE_INVALID when a run file is malformed or
 * the chain is broken.
 */
export async function readManifest(
  store: EvidenceStore,
  incidentId: string,
): Promise<EvidenceManifest | undefined> {
  const runs = await loadRuns(store, incidentId);
  if (runs.length === 0) return undefined;
  return {
    incidentId,
    location: `${store.location}${incidentPrefix(incidentId)}`,
    runs: runs.map((r) => r.run),
    items: runs.flatMap((r) => r.run.items),
  };
}

/** Where the investigation document is kept, relative to the incident's folder. */
export const INVESTIGATION_PATH = 'investigation.json';

/**
 * The bytes of an item the manifest lists, re-read and checked against the SHA-256 it lists:
 * IRKIT_EVIDENCE_INVALID when the item is gone or changed. (`verifyManifest` checks every item.)
 */
export async function readListedItem(
  store: EvidenceStore,
  incidentId: string,
  item: EvidenceItem,
): Promise<Buffer> {
  const key = `${incidentPrefix(incidentId)}${item.path}`;
  const body = await store.read(key);
  if (body === undefined) {
    throw invalidManifest(`${store.location}${key}`, 'the manifest lists it but it is not in the store');
  }
  const sha256 = sha256Hex(body);
  if (sha256 !== item.sha256) {
    throw invalidManifest(
      `${store.location}${key}`,
      `its SHA-256 is ${sha256}, the manifest says ${item.sha256}`,
    );
  }
  return body;
}

/**
 * The incident's preserved investigation document, its manifest's chain checked and its bytes
 * checked against the manifest; undefined when nothing (or no investigation) was preserved.
 */
export async function readPreservedInvestigation(
  store: EvidenceStore,
  incidentId: string,
): Promise<{ readonly location: string; readonly bytes: Buffer } | undefined> {
  const manifest = await readManifest(store, incidentId);
  const item = manifest?.items.find((i) => i.kind === 'investigation' && i.path === INVESTIGATION_PATH);
  if (!item) return undefined;
  return {
    location: `${store.location}${incidentPrefix(incidentId)}${item.path}`,
    bytes: await readListedItem(store, incidentId, item),
  };
}

function missingEvidence(store: EvidenceStore, incidentId: string): IrKitError {
  return new IrKitError(
    'IRKIT_EVIDENCE_MISSING',
    `no evidence manifest for incident ${incidentId} in ${store.location}${incidentPrefix(incidentId)}`,
    { hint: `preserve the evidence first: irkit preserve --plan FILE --incident ${incidentId}` },
  );
}

/**
 * Re-reads every item the manifest lists and checks its SHA-256 and size (and, in S3, that
 * the current version is the one preserved). Reports problems; throws only when there is no
 * manifest (IRKIT_EVIDENCE_MISSING) or it is malformed or its chain broken (IRKIT_EVIDENCE_INVALID).
 */
export async function verifyManifest(
  store: EvidenceStore,
  incidentId: string,
): Promise<ManifestVerification> {
  const manifest = await readManifest(store, incidentId);
  if (!manifest) throw missingEvidence(store, incidentId);
  const prefix = incidentPrefix(incidentId);
  const problems: VerificationProblem[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  for (const item of manifest.items) {
    if (seen.has(item.path)) {
      problems.push({ path: item.path, problem: 'manifest', detail: 'listed by more than one run' });
      continue;
    }
    seen.add(item.path);
    const found = await store.digest(`${prefix}${item.path}`);
    if (!found) {
      problems.push({
        path: item.path,
        problem: 'missing',
        detail: 'the manifest lists it but it is not in the store',
      });
      continue;
    }
    bytes += found.size;
    if (item.storeVersionId && found.versionId && found.versionId !== item.storeVersionId) {
      problems.push({
        path: item.path,
        problem: 'overwritten',
        detail: `its current version is ${found.versionId}, not the preserved ${item.storeVersionId}`,
      });
    } else if (found.sha256 !== item.sha256 || found.size !== item.size) {
      problems.push({
        path: item.path,
        problem: 'changed',
        detail: `SHA-256 ${found.sha256} (${found.size} bytes), the manifest says ${item.sha256} (${item.size} bytes)`,
      });
    }
  }
  const listed = new Set([...seen, ...manifest.runs.map((r) => manifestRunPath(r.run))]);
  const unlisted = (await store.list(prefix))
    .map((key) => key.slice(prefix.length))
    .filter((rel) => !listed.has(rel));
  return {
    incidentId,
    location: manifest.location,
    ok: problems.length === 0,
    runs: manifest.runs.length,
    items: manifest.items.length,
    bytes,
    problems,
    unlisted,
  };
}

/**
 * For commands that must not run without preserved evidence (eradication): the manifest
 * exists and every item verifies, else IRKIT_EVIDENCE_MISSING / IRKIT_EVIDENCE_INVALID
 * naming the first problems.
 */
export async function requireVerifiedEvidence(
  store: EvidenceStore,
  incidentId: string,
): Promise<ManifestVerification> {
  const result = await verifyManifest(store, incidentId);
  if (!result.ok) {
    const shown = result.problems.slice(0, 5).map((p) => `${p.path}: ${p.problem} (${p.detail})`);
    const more =
      result.problems.length > shown.length ? `; and ${result.problems.length - shown.length} more` : '';
    throw new IrKitError(
      'IRKIT_EVIDENCE_INVALID',
      `the evidence of incident ${incidentId} in ${result.location} does not verify: ${shown.join('; ')}${more}`,
      {
        hint: `nothing was changed; run irkit preserve --verify --incident ${incidentId} for every problem, and investigate before going on`,
      },
    );
  }
  return result;
}

export interface NewRun {
  readonly operator: string;
  readonly tool: string;
  readonly startedAt: string;
  readonly items: readonly EvidenceItem[];
}

/** The manifest writes in flight per store: the accounts of one command append one at a time. */
const appending = new WeakMap<EvidenceStore, Promise<unknown>>();

/**
 * Writes the next run file, chained to the last one. Refuses (IRKIT_EVIDENCE_INVALID) to
 * list a path an earlier run lists. Returns undefined when there is nothing new to list.
 * Calls on one store in this process take their turn (the accounts of a command run at once);
 * another process racing for the same run number fails (IRKIT_EVIDENCE_INVALID) and nothing
 * is overwritten.
 */
export function appendManifestRun(
  store: EvidenceStore,
  incidentId: string,
  next: NewRun,
  now: () => Date = () => new Date(),
): Promise<ManifestRun | undefined> {
  const before = appending.get(store) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(() => appendRun(store, incidentId, next, now));
  appending.set(store, mine);
  return mine;
}

async function appendRun(
  store: EvidenceStore,
  incidentId: string,
  next: NewRun,
  now: () => Date = () => new Date(),
): Promise<ManifestRun | undefined> {
  if (next.items.length === 0) return undefined;
  const runs = await loadRuns(store, incidentId);
  const listed = new Set(runs.flatMap((r) => r.run.items.map((i) => i.path)));
  for (const item of next.items) {
    if (listed.has(item.path))
      throw invalidManifest(item.path, 'is already in the manifest and is never listed twice');
  }
  const last = runs[runs.length - 1];
  const run: ManifestRun = {
    formatVersion: MANIFEST_FORMAT_VERSION,
    incidentId,
    run: runs.length + 1,
    previous: last ? { path: last.path, sha256: last.sha256 } : null,
    operator: next.operator,
    tool: next.tool,
    startedAt: next.startedAt,
    finishedAt: now().toISOString(),
    items: next.items.map((item) => parseItem(item, `new item ${item.path}`)),
  };
  const body = Buffer.from(`${JSON.stringify(run, null, 2)}\n`, 'utf8');
  const rel = manifestRunPath(run.run);
  const out = await store.write(
    `${incidentPrefix(incidentId)}${rel}`,
    body,
    sha256Hex(body),
    'application/json',
  );
  if (!out.written) {
    throw new IrKitError(
      'IRKIT_EVIDENCE_INVALID',
      `${store.location}${incidentPrefix(incidentId)}${rel} appeared while this run was writing`,
      {
        hint: 'another irkit preserve is running for this incident: let it finish, then run this one again (it adds only what is missing)',
      },
    );
  }
  return run;
}
