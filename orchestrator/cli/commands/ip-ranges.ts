import { Command } from 'commander';

import { invalidInput } from '../../../lib/errors';
import { intelSummary } from '../../investigate';
import {
  IP_RANGES_URL,
  cachedIpRangesPath,
  classifyAddress,
  intelligenceRecord,
  updateIpRanges,
} from '../../intel';
import { intelSourcesFor } from './intel-flags';
import type { RegisterCommand } from './index';

/**
 * `irkit ip-ranges`: keeps a copy of AWS's ip-ranges.json for offline use (`update`, the
 * one command here that reaches the network) and classifies addresses by hand (`lookup`).
 */

interface UpdateFlags {
  readonly url?: string;
  readonly out?: string;
}

interface LookupFlags {
  readonly ipRanges?: string;
  readonly torExits?: string;
  readonly day?: string;
}

async function update(flags: UpdateFlags): Promise<void> {
  const result = await updateIpRanges({
    ...(flags.url ? { url: flags.url } : {}),
    ...(flags.out ? { file: flags.out } : {}),
  });
  const change =
    result.previousSyncToken === undefined
      ? ''
      : result.previousSyncToken === result.syncToken
        ? ' (unchanged)'
        : ` (replaced syncToken ${result.previousSyncToken})`;
  process.stdout.write(
    `irkit ip-ranges: wrote ${result.file}: ${result.prefixes} prefixes, syncToken ${result.syncToken}, published ${result.createDate}${change}\n`,
  );
}

function lookup(addresses: readonly string[], flags: LookupFlags): void {
  const day = flags.day ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw invalidInput('--day', day, 'give a date as YYYY-MM-DD');
  const sources = intelSourcesFor('ip-ranges', flags, true) ?? {};
  const lines: string[] = [];
  for (const address of addresses) {
    const intel = classifyAddress(address, day, sources);
    if (!intel)
      throw invalidInput('address', address, 'give an IPv4 address such as 198.51.100.77 or an IPv6 address');
    lines.push(
      `${address}: ${intelSummary(intel)}${intel.torExit === false ? '; not a listed Tor exit' : ''}`,
    );
    if (intel.lookups) {
      lines.push(
        `  ExoneraTor ${intel.lookups.exonerator}`,
        `  GreyNoise  ${intel.lookups.greynoise}`,
        `  RDAP       ${intel.lookups.rdap}`,
        `  whois      ${intel.lookups.whois}`,
      );
    }
  }
  for (const note of intelligenceRecord(sources).notes) lines.push(`note: ${note}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export const registerIpRanges: RegisterCommand = (program: Command) => {
  const command = program
    .command('ip-ranges')
    .description("AWS's published IP address ranges for offline address classification (playbook step 6)");
  command
    .command('update')
    .description(
      `download ${IP_RANGES_URL}, check it, and cache it (irkit investigate and report then use it)`,
    )
    .option(
      '--url <url>',
      `where to download it from (default ${IP_RANGES_URL}; https, or http to this machine)`,
    )
    .option(
      '--out <file>',
      `where to keep it (default ${cachedIpRangesPath()}; IRKIT_CACHE_DIR moves the cache)`,
    )
    .action((flags: UpdateFlags) => update(flags));
  command
    .command('lookup <address...>')
    .description(
      'classify addresses as irkit investigate does: special ranges, AWS service and Region, Tor exit, look-up links',
    )
    .option('--ip-ranges <file>', "AWS's ip-ranges.json (default: the cached copy)")
    .option('--tor-exits <file>', "a Tor exit list (the Tor Project's torbulkexitlist or exit-addresses)")
    .option('--day <YYYY-MM-DD>', 'the day for the ExoneraTor link (default: today, UTC)')
    .action((addresses: string[], flags: LookupFlags) => lookup(addresses, flags));
};
