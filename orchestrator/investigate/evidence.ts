import { IrKitError } from '../../lib/errors';
import * as v from '../../lib/validation';
import { eradicationTargets } from '../eradicate/targets';
import type { PreservedEradication, RecordedCall, TargetOutcome } from '../eradicate/record';
import type { BucketLiveCheck } from '../preserve/collect/s3';
import type { EvidenceItem, EvidenceManifest, ManifestVerification } from '../preserve/manifest';
import type { EvidenceStore } from '../preserve/store';
import { InvestigationResult } from './types';

/*
 * The evidence and eradication modules load the AWS SDK clients they call: they are imported
 * when first used, so a report without evidence (every command's offline path) loads none.
 */

/**
 * What the report adds from beyond the investigation document: Part 5's eradication plan (what
 * `irkit eradicate --dry-run` would do, made offline) and, when the incident was preserved,
 * its evidence: the manifest and its verification, the Part 2 live checks and the eradication
 * record. Every value in them that came from AWS or the logs is the actor's.
 */
export interface ReportExtras {
  /** Part 5's plan: each target the actor created and the calls that delete it. */
  readonly eradicationPlan?: {
    readonly targets: readonly TargetOutcome[];
    readonly calls: readonly RecordedCall[];
  };
  /** The incident's evidence, when the report was given an evidence store. */
  readonly evidence?: IncidentEvidence;
}

export interface IncidentEvidence {
  readonly incidentId: string;
  /** `s3://bucket/incidents/ID/` or the folder's. */
  readonly location: string;
  readonly readAt: string;
  /** Absent when the incident was never preserved there, or its manifest cannot be read (see problems). */
  readonly manifest?: EvidenceManifest;
  /** Every item re-read and checked, when there is a manifest. */
  readonly verification?: ManifestVerification;
  /**
   * The latest Part 2 live checks the manifest lists for each account preserved (the incident's
   * own folder, `accounts/ACCOUNT/` for another account), in path order; preserved online only.
   */
  readonly liveChecks: readonly {
    readonly path: string;
    readonly collectedAt: string;
    readonly checks: readonly BucketLiveCheck[];
  }[];
  /** Every eradication run, as the manifest lists them. */
  readonly eradication: readonly PreservedEradication[];
  /** What could not be read or trusted (a broken manifest chain, a changed record): said in the report. */
  readonly problems: readonly string[];
}

/** The eradication plan of a result, made without AWS (every list a placeholder). */
export async function offlineEradicationPlan(
  result: InvestigationResult,
): Promise<NonNullable<ReportExtras['eradicationPlan']>> {
  if (!result.found) return { targets: [], calls: [] };
  const { plannedEradication } = await import('../eradicate/eradicate');
  return plannedEradication(eradicationTargets(result, { includeExposedUser: false }), undefined);
}

/** Runs a read; a tampered or malformed piece of evidence becomes a problem the report names. */
async function orProblem<T>(problems: string[], read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof IrKitError && error.code === 'IRKIT_EVIDENCE_INVALID') {
      problems.push(error.message);
      return undefined;
    }
    throw error;
  }
}

/**
 * The incident's evidence as the report shows it: the manifest (every item re-read and
 * verified), the latest live checks and every eradication run. Evidence that does not verify
 * is reported, not hidden: the report says what is wrong and shows what still reads.
 */
export async function readIncidentEvidence(
  store: EvidenceStore,
  incidentId: string,
  now: () => Date = () => new Date(),
): Promise<IncidentEvidence> {
  v.incidentId(incidentId);
  const { incidentPrefix, readManifest, verifyManifest } = await import('../preserve/manifest');
  const { sha256Hex } = await import('../preserve/store');
  const { parseLiveChecks } = await import('../preserve/live-checks');
  const { readEradication } = await import('../eradicate/record');
  const problems: string[] = [];
  const prefix = incidentPrefix(incidentId);
  const base = `${store.location.replace(/\/?$/, '/')}${prefix}`;
  const manifest = await orProblem(problems, () => readManifest(store, incidentId));
  const verification = manifest
    ? await orProblem(problems, () => verifyManifest(store, incidentId))
    : undefined;
  // The latest of each folder (an account's), by collection time.
  const latestOf = new Map<string, EvidenceItem>();
  for (const item of [...(manifest?.items ?? [])]
    .filter((i) => i.kind === 'live-checks')
    .sort((a, b) => a.collectedAt.localeCompare(b.collectedAt) || a.path.localeCompare(b.path))) {
    latestOf.set(item.path.slice(0, item.path.lastIndexOf('live-checks/')), item);
  }
  const liveChecks: IncidentEvidence['liveChecks'][number][] = [];
  for (const latest of [...latestOf.values()].sort((a, b) => a.path.localeCompare(b.path))) {
    const read = await orProblem(problems, async () => {
      const where = `${base}${latest.path}`;
      const body = await store.read(`${prefix}${latest.path}`);
      if (body === undefined || sha256Hex(body) !== latest.sha256) {
        throw new IrKitError(
          'IRKIT_EVIDENCE_INVALID',
          `${where}: missing, or not the bytes the manifest lists`,
          {
            hint: 'treat the evidence as tampered with (irkit preserve --verify)',
          },
        );
      }
      return {
        path: latest.path,
        collectedAt: latest.collectedAt,
        checks: parseLiveChecks(body.toString('utf8'), where),
      };
    });
    if (read) liveChecks.push(read);
  }
  const eradication = manifest
    ? ((await orProblem(problems, () => readEradication(store, incidentId))) ?? [])
    : [];
  return {
    incidentId,
    location: base,
    readAt: now().toISOString(),
    ...(manifest ? { manifest } : {}),
    ...(verification ? { verification } : {}),
    liveChecks,
    eradication,
    problems,
  };
}
