import { statSync } from 'node:fs';
import { resolve } from 'node:path';

import { Command } from 'commander';

import { IrKitError } from '../../../lib/errors';
import * as v from '../../../lib/validation';
import { createClients } from '../../contain/aws';
import {
  InvestigationResult,
  OutputFormat,
  ReportExtras,
  offlineEradicationPlan,
  readIncidentEvidence,
} from '../../investigate';
import type { EvidenceStore } from '../../preserve';

/**
 * `--evidence DIR|bucket` of the commands that render a report: the incident's evidence
 * (manifest verified, Part 2 live checks, eradication record) read from a local folder
 * (`irkit preserve --out DIR`) or the kit's evidence bucket (IrKitEvidence's outputs, with the
 * standard credentials), shown as sections of the report.
 */

export interface EvidenceFlags {
  readonly evidence?: string;
  readonly incident?: string;
  readonly profile?: string;
}

/** The word that names the kit's evidence bucket instead of a folder (a folder of that name: `./bucket`). */
export const EVIDENCE_BUCKET = 'bucket';

export function withEvidenceOption(command: Command): Command {
  return command.option(
    '--evidence <dir|bucket>',
    `add the incident's evidence (manifest, each item re-read and verified; Part 2 live checks; eradication record) from this folder (irkit preserve --out DIR), or "${EVIDENCE_BUCKET}" for the IrKitEvidence bucket with the standard credentials (--profile)`,
  );
}

/** Checks --evidence before any work; throws IRKIT_INVALID_INPUT naming the flag. */
export function checkEvidenceFlags(flags: EvidenceFlags, format: OutputFormat): void {
  if (flags.evidence === undefined) return;
  if (format === 'json') {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      '--evidence adds sections to the report; json is the investigation document',
      {
        hint: 'use --format table, markdown, html, csv or ndjson; for the manifest as JSON: irkit preserve --verify --format json',
      },
    );
  }
  if (flags.incident !== undefined) v.incidentId(flags.incident);
  if (
    flags.evidence !== EVIDENCE_BUCKET &&
    !statSync(resolve(flags.evidence), { throwIfNoEntry: false })?.isDirectory()
  ) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `--evidence ${resolve(flags.evidence)} is not a folder`, {
      hint: `give the folder irkit preserve --out DIR wrote, or --evidence ${EVIDENCE_BUCKET} for the IrKitEvidence bucket`,
    });
  }
}

/** The incident the evidence is read for: --incident, else the one the result names; they must agree. */
function incidentOf(result: InvestigationResult, flags: EvidenceFlags): string {
  const named = result.incidentId ?? result.containmentPlan.incidentId;
  if (flags.incident !== undefined && named !== undefined && named !== flags.incident) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `the result is of incident ${named}, not ${flags.incident}`, {
      hint: `drop --incident, or give the investigation of ${flags.incident}`,
    });
  }
  const incident = flags.incident ?? named;
  if (incident === undefined) {
    throw new IrKitError('IRKIT_INVALID_INPUT', '--evidence needs the incident: the result names none', {
      hint: 'add --incident ID (the id irkit preserve was given)',
    });
  }
  return v.incidentId(incident);
}

/** The kit's evidence bucket, from the IrKitEvidence stack's outputs, with the standard credentials. */
async function stackStore(flags: EvidenceFlags): Promise<EvidenceStore> {
  const { evidenceStoreFromStack } = await import('../../preserve');
  return evidenceStoreFromStack(createClients({ profile: flags.profile }));
}

/**
 * What the report adds to a result with --evidence: the incident's evidence, and Part 5's
 * eradication plan with each call (made offline; it loads the AWS SDK's clients, as reading
 * the evidence does, so a report without --evidence lists the targets and not their calls).
 * Says on stderr what it read.
 */
export async function reportExtrasFor(
  command: string,
  result: InvestigationResult,
  flags: EvidenceFlags,
  bucketStore: () => Promise<EvidenceStore> = () => stackStore(flags),
): Promise<ReportExtras> {
  if (flags.evidence === undefined) return {};
  const incident = incidentOf(result, flags);
  const { LocalEvidenceStore } = await import('../../preserve');
  const eradicationPlan = await offlineEradicationPlan(result);
  const store =
    flags.evidence === EVIDENCE_BUCKET ? await bucketStore() : new LocalEvidenceStore(flags.evidence);
  const say = (text: string) => process.stderr.write(`irkit ${command}: ${text}\n`);
  say(`reading the evidence of incident ${incident} in ${store.location} (every item re-read)`);
  const evidence = await readIncidentEvidence(store, incident);
  if (!evidence.manifest && evidence.problems.length === 0)
    say(`incident ${incident} is not preserved there`);
  else if (evidence.verification?.ok && evidence.problems.length === 0) {
    say(`evidence verified: ${evidence.verification.items} item(s), ${evidence.verification.bytes} bytes`);
  } else say('warning: the evidence does not verify: the report says what is wrong');
  return { eradicationPlan, evidence };
}
