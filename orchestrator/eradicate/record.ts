import { IrKitError } from '../../lib/errors';
import * as v from '../../lib/validation';
import {
  appendManifestRun,
  EvidenceStore,
  incidentPrefix,
  ManifestRun,
  readListedItem,
  readManifest,
  sha256Hex,
} from '../preserve';

/**
 * The eradication record: what each `irkit eradicate` run did (what, when, by whom, AWS's
 * request id), kept in the incident's evidence as an item of its manifest (kind
 * `eradication-record`), so it is in the same hash chain as the evidence and `irkit preserve
 * --verify` checks it. docs/evidence.md documents it.
 */

export interface RecordedCall {
  readonly target: string;
  readonly call: string;
  readonly at: string;
  readonly outcome: 'done' | 'already gone' | 'failed';
  readonly requestId?: string;
  readonly error?: string;
}

export interface TargetOutcome {
  readonly target: string;
  readonly why: string;
  readonly outcome: 'done' | 'nothing left' | 'failed' | 'planned';
  readonly reason?: string;
}

export interface EradicationRecord {
  readonly formatVersion: 1;
  readonly incidentId: string;
  /** The account whose resources were deleted. */
  readonly account: string;
  /** The caller's ARN (in a member account: the assumed deploy role's session, naming the operator). */
  readonly operator: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly targets: readonly TargetOutcome[];
  readonly calls: readonly RecordedCall[];
}

/** One eradication run as preserved: its record and where it is, relative to the incident's folder. */
export interface PreservedEradication {
  /** `eradication/run-TIME.json`, or `accounts/ACCOUNT/eradication/run-TIME.json` for a member account. */
  readonly path: string;
  /** The SHA-256 the manifest lists for it (verified when read). */
  readonly sha256: string;
  readonly record: EradicationRecord;
}

/** The folder of the records of one account, relative to the incident's folder. */
export function eradicationFolder(accountFolder = ''): string {
  return `${accountFolder}eradication/`;
}

function invalidRecord(where: string, problem: string): IrKitError {
  return new IrKitError('IRKIT_EVIDENCE_INVALID', `${where}: ${problem}`, {
    hint: 'eradication records are written by irkit and must not be edited: treat the evidence as tampered with (irkit preserve --verify)',
  });
}

const TARGET_OUTCOMES = new Set(['done', 'nothing left', 'failed', 'planned']);
const CALL_OUTCOMES = new Set(['done', 'already gone', 'failed']);

/** Reads a record strictly; throws IRKIT_EVIDENCE_INVALID naming what is wrong. */
export function parseEradicationRecord(text: string, where: string): EradicationRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw invalidRecord(where, `is not valid JSON (${(error as Error).message})`);
  }
  const obj = (value: unknown, at: string): Record<string, unknown> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw invalidRecord(where, `${at} is not an object`);
    return value as Record<string, unknown>;
  };
  const str = (r: Record<string, unknown>, key: string, at: string): string => {
    if (typeof r[key] !== 'string') throw invalidRecord(where, `${at}${key} is not a string`);
    return r[key] as string;
  };
  const opt = (r: Record<string, unknown>, key: string, at: string) =>
    r[key] === undefined ? {} : { [key]: str(r, key, at) };
  const r = obj(doc, 'the record');
  if (r.formatVersion !== 1)
    throw invalidRecord(where, `formatVersion is ${JSON.stringify(r.formatVersion)}, expected 1`);
  const list = (key: string) => {
    if (!Array.isArray(r[key])) throw invalidRecord(where, `${key} is not an array`);
    return r[key] as unknown[];
  };
  const targets = list('targets').map((raw, i): TargetOutcome => {
    const t = obj(raw, `targets[${i}]`);
    const outcome = str(t, 'outcome', `targets[${i}].`);
    if (!TARGET_OUTCOMES.has(outcome))
      throw invalidRecord(where, `targets[${i}].outcome ${JSON.stringify(outcome)} is unknown`);
    return {
      target: str(t, 'target', `targets[${i}].`),
      why: str(t, 'why', `targets[${i}].`),
      outcome: outcome as TargetOutcome['outcome'],
      ...opt(t, 'reason', `targets[${i}].`),
    };
  });
  const calls = list('calls').map((raw, i): RecordedCall => {
    const c = obj(raw, `calls[${i}]`);
    const outcome = str(c, 'outcome', `calls[${i}].`);
    if (!CALL_OUTCOMES.has(outcome))
      throw invalidRecord(where, `calls[${i}].outcome ${JSON.stringify(outcome)} is unknown`);
    return {
      target: str(c, 'target', `calls[${i}].`),
      call: str(c, 'call', `calls[${i}].`),
      at: str(c, 'at', `calls[${i}].`),
      outcome: outcome as RecordedCall['outcome'],
      ...opt(c, 'requestId', `calls[${i}].`),
      ...opt(c, 'error', `calls[${i}].`),
    };
  });
  return {
    formatVersion: 1,
    incidentId: str(r, 'incidentId', ''),
    account: str(r, 'account', ''),
    operator: str(r, 'operator', ''),
    startedAt: str(r, 'startedAt', ''),
    finishedAt: str(r, 'finishedAt', ''),
    targets,
    calls,
  };
}

/**
 * Writes the record under the incident's folder (`eradication/run-TIME.json`, in `accountFolder`
 * when given) and lists it in the manifest as one more run chained to the others. Returns
 * where it is. A store never overwrites: a record already at that name is an error.
 */
export async function writeEradicationRecord(
  store: EvidenceStore,
  record: EradicationRecord,
  options: { readonly tool: string; readonly accountFolder?: string; readonly now?: () => Date },
): Promise<{ readonly location: string; readonly path: string; readonly run: ManifestRun | undefined }> {
  const incidentId = v.incidentId(record.incidentId);
  const body = Buffer.from(`${JSON.stringify(record, null, 2)}\n`, 'utf8');
  const sha256 = sha256Hex(body);
  const stamp = record.startedAt.replace(/[:.]/g, '-');
  const path = `${eradicationFolder(options.accountFolder)}run-${stamp}.json`;
  const key = `${incidentPrefix(incidentId)}${path}`;
  const out = await store.write(key, body, sha256, 'application/json');
  if (!out.written) {
    throw new IrKitError(
      'IRKIT_EVIDENCE_INVALID',
      `an eradication record is already at ${store.location}${key}`,
      {
        hint: 'a record is never overwritten; run again in a second (the name carries the start time)',
      },
    );
  }
  const item = {
    path,
    kind: 'eradication-record' as const,
    sha256,
    size: body.length,
    source: `irkit eradicate (account ${record.account})`,
    collectedBy: record.operator || 'unknown',
    collectedAt: record.finishedAt,
    ...(out.versionId ? { storeVersionId: out.versionId } : {}),
  };
  // Two writers of the incident's manifest at once (another account's eradication, a preserve):
  // the one that loses the run number reads the chain again and takes the next.
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const run = await appendManifestRun(
        store,
        incidentId,
        { operator: item.collectedBy, tool: options.tool, startedAt: record.startedAt, items: [item] },
        options.now,
      );
      return { location: `${store.location.replace(/\/?$/, '/')}${key}`, path, run };
    } catch (error) {
      lastError = error;
      if (!(error instanceof IrKitError) || !/appeared while this run was writing/.test(error.message)) break;
    }
  }
  throw new IrKitError(
    'IRKIT_EVIDENCE_INVALID',
    `the eradication record ${store.location}${key} is written but could not be listed in the manifest: ${(lastError as Error).message}`,
    {
      hint: 'the deletions are done and recorded in that file; keep it, and tell the incident lead: irkit preserve --verify lists it as unlisted',
      cause: lastError,
    },
  );
}

/**
 * Every eradication run of the incident, in the order the manifest lists them, each re-read
 * and checked against the SHA-256 the manifest holds for it. An empty list when nothing was
 * eradicated (or nothing preserved). Throws IRKIT_EVIDENCE_INVALID when the manifest's chain is
 * broken or a record was changed or is malformed.
 */
export async function readEradication(
  store: EvidenceStore,
  incidentId: string,
): Promise<PreservedEradication[]> {
  const manifest = await readManifest(store, v.incidentId(incidentId));
  const out: PreservedEradication[] = [];
  for (const item of manifest?.items ?? []) {
    if (item.kind !== 'eradication-record') continue;
    const where = `${store.location}${incidentPrefix(incidentId)}${item.path}`;
    const body = await readListedItem(store, incidentId, item);
    const record = parseEradicationRecord(body.toString('utf8'), where);
    if (record.incidentId !== incidentId) {
      throw invalidRecord(where, `is of incident ${JSON.stringify(record.incidentId)}, not ${incidentId}`);
    }
    out.push({ path: item.path, sha256: item.sha256, record });
  }
  return out;
}
