import { Command } from 'commander';

import { IrKitError } from '../../../lib/errors';
import * as v from '../../../lib/validation';
import { runtimeConfig } from '../../config';
import {
  IntelSources,
  RelatedFindingsClients,
  createRelatedFindingsClients,
  fetchRelatedFindings,
  loadIntelSources,
  relatedFindingsQuery,
} from '../../intel';
import { InvestigationResult, RelatedFindings } from '../../investigate';

/**
 * The flags of `irkit investigate` and `irkit report` that add what the logs alone cannot
 * say: the source addresses classified (playbook step 6) and, with credentials, GuardDuty
 * findings and AWS Health events on the actor's credentials (Part 3 Q1).
 */
export interface IntelFlags {
  readonly ipRanges?: string;
  readonly torExits?: string;
  readonly relatedFindings?: boolean;
  readonly findingsRegion?: string[];
  readonly profile?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function withIntelOptions(command: Command): Command {
  return command
    .option(
      '--ip-ranges <file>',
      "AWS's ip-ranges.json to name the AWS service and Region of each address (default: the copy irkit ip-ranges update cached)",
    )
    .option(
      '--tor-exits <file>',
      "a Tor exit list (the Tor Project's torbulkexitlist or exit-addresses) to flag Tor exits",
    )
    .option(
      '--related-findings',
      "read GuardDuty findings (every configured Region) and AWS Health AWS_RISK_CREDENTIALS_EXPOSED events on the actor's keys and principals, with the standard credentials (--profile)",
    )
    .option(
      '--findings-region <region>',
      'with --related-findings: read GuardDuty in this Region only (repeatable; default: the config regions)',
      collect,
    );
}

/** Checks the flags before any work; throws IRKIT_INVALID_INPUT naming the flag. */
export function checkIntelFlags(flags: IntelFlags): void {
  for (const region of flags.findingsRegion ?? []) v.region(region);
  if (flags.findingsRegion && !flags.relatedFindings) {
    throw new IrKitError('IRKIT_INVALID_INPUT', '--findings-region applies to --related-findings', {
      hint: 'add --related-findings, or drop --findings-region',
    });
  }
}

/**
 * The intelligence files, read before any query runs (an unreadable or malformed one is an
 * error, never skipped): those given, else the cached ip-ranges.json when `always`.
 */
export function intelSourcesFor(
  command: string,
  flags: IntelFlags,
  always: boolean,
): IntelSources | undefined {
  if (!always && flags.ipRanges === undefined && flags.torExits === undefined) return undefined;
  const intel = loadIntelSources(flags);
  if (intel.ipRanges) {
    process.stderr.write(
      `irkit ${command}: AWS ranges from ${intel.ipRanges.source} (published ${intel.ipRanges.createDate}, ${intel.ipRanges.entries} prefixes)\n`,
    );
  }
  return intel;
}

/** With --related-findings, GuardDuty and AWS Health read for the result's actor; says on stderr what was read. */
export async function relatedFindingsFor(
  command: string,
  result: InvestigationResult,
  flags: IntelFlags,
  clients: () => RelatedFindingsClients = () => createRelatedFindingsClients({ profile: flags.profile }),
): Promise<RelatedFindings | undefined> {
  if (!flags.relatedFindings) return undefined;
  const say = (text: string) => process.stderr.write(`irkit ${command}: ${text}\n`);
  if (!result.found) {
    say('nothing to look up in GuardDuty and AWS Health: the subject has no activity in the window');
    return undefined;
  }
  const regions = flags.findingsRegion ?? runtimeConfig().regions;
  const query = relatedFindingsQuery(result, regions);
  say(
    `reading GuardDuty in ${regions.length} Region(s) and AWS Health for ${query.accessKeyIds.length} key(s) and ${query.userNames.length} principal(s)`,
  );
  const related = await fetchRelatedFindings(clients(), query);
  for (const r of related.guardDuty.regions.filter((x) => x.status === 'denied' || x.status === 'failed')) {
    say(`warning: GuardDuty in ${r.region} not read (${r.status}): ${r.error ?? ''}`);
  }
  if (related.health.status !== 'checked') {
    say(`warning: AWS Health not read (${related.health.status}): ${related.health.error ?? ''}`);
  }
  say(
    `${related.guardDuty.findings.length} GuardDuty finding(s), ${related.health.events.length} AWS Health event(s)`,
  );
  return related;
}
