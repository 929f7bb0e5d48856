import { Command } from 'commander';

import { invalidInput } from '../../../lib/errors';
import { runtimeConfig } from '../../config';
import { AccountAccess, createAccountAccess, failIfAnyAccountFailed } from '../../contain/accounts';
import { containmentStatus, formatStatus, statusJson } from '../../contain/status';
import { collect } from '../../contain/terminal';
import {
  actorRemains,
  formatRemains,
  IncidentInvestigation,
  investigationForStatus,
} from '../../eradicate/eradicate';
import { accountsStatusJson, formatAccountsStatus, statusAccounts } from '../../eradicate/status-accounts';
import { accountPlans } from '../../preserve/accounts';
import { evidenceStoreFromStack, LocalEvidenceStore } from '../../preserve/store';
import { readResult } from './eradicate';
import type { RegisterCommand } from './index';

/** `irkit status`: what is contained, since when, by whom, in which state. */

interface StatusFlags {
  readonly incident?: string;
  readonly plan?: string;
  readonly evidence?: string;
  readonly remains?: boolean;
  readonly format: string;
  readonly region?: string;
  readonly profile?: string;
  readonly account?: string[];
}

export const registerStatus: RegisterCommand = (program: Command) => {
  program
    .command('status')
    .description(
      'show what is contained (the irkit-contain-* stacks), since when, by whom and in which state; with --incident, what the actor created that remains (playbook Part 6), in every account the investigation names',
    )
    .option('--incident <id>', 'only this incident')
    .option(
      '--plan <file>',
      "with --incident: the investigation (irkit investigate --out FILE) to check what the actor created against (playbook Part 6); default: the incident's preserved one",
    )
    .option(
      '--evidence <dir>',
      'with --incident: the evidence in a local folder (irkit preserve --out DIR) instead of the IrKitEvidence bucket',
    )
    .option(
      '--remains',
      'with --incident: fail (exit code 2) when there is no investigation to check Part 6 against, instead of a notice',
    )
    .option('--format <format>', 'table or json', 'table')
    .option('--region <region>', 'AWS Region of the stacks')
    .option('--profile <profile>', 'AWS profile for the credentials')
    .option(
      '--account <id>',
      "this account's stacks and, with --incident, Part 6 there, through its analyst role unless it is your credentials' own (repeatable); default with an investigation naming several accounts: each of them",
      collect,
    )
    .action(async (flags: StatusFlags) => {
      if (flags.format !== 'table' && flags.format !== 'json') {
        throw invalidInput('--format', flags.format, 'use --format table or --format json');
      }
      for (const [flag, given] of [
        ['--plan', flags.plan],
        ['--evidence', flags.evidence],
        ['--remains', flags.remains],
      ] as const) {
        if (given !== undefined && !flags.incident)
          throw invalidInput(flag, given, `give --incident with ${flag}`);
      }
      const access = createAccountAccess({ region: flags.region, profile: flags.profile });
      const clients = access.home;
      let investigation: IncidentInvestigation | undefined;
      if (flags.incident) {
        const found = await investigationForStatus({
          incidentId: flags.incident,
          ...(flags.plan ? { given: { result: readResult(flags.plan), from: flags.plan } } : {}),
          evidence: async () =>
            flags.evidence ? new LocalEvidenceStore(flags.evidence) : evidenceStoreFromStack(clients),
          required: flags.remains ?? false,
        });
        if ('notChecked' in found) {
          process.stderr.write(
            `irkit: Part 6 (what the actor created that remains) not checked: ${found.notChecked.describe()}\n`,
          );
        } else investigation = found;
      }
      // Every account the investigation names, or those asked for: each through its analyst role.
      if (flags.account?.length || (investigation && accountPlans(investigation.result).length > 1)) {
        await statusOfAccounts(access, flags, investigation);
        return;
      }
      // With an investigation to check, Part 6 runs whether or not a containment stack is left
      // (released, or never deployed); without one, an incident with no stack is an error.
      const rows =
        investigation && flags.incident
          ? (await containmentStatus(clients)).filter((r) => r.incidentId === flags.incident)
          : await containmentStatus(clients, flags.incident);
      const remains =
        investigation && flags.incident
          ? await actorRemains(clients, investigation.result, flags.incident)
          : undefined;
      if (flags.format === 'json') {
        process.stdout.write(
          remains && investigation
            ? `${JSON.stringify({ contained: JSON.parse(statusJson(rows)), remains, remainsFrom: investigation.from }, null, 2)}\n`
            : statusJson(rows),
        );
      } else {
        process.stdout.write(formatStatus(rows));
        if (remains && investigation && flags.incident)
          process.stdout.write(`\n${formatRemains(flags.incident, remains, investigation.from)}`);
      }
    });
};

/**
 * The status of several accounts: the containment stacks and Part 6 in each, the per-account
 * summary last (on stderr with --format json); exit code 4 naming each account not read
 * (IRKIT_STATUS_INCOMPLETE).
 */
async function statusOfAccounts(
  access: AccountAccess,
  flags: StatusFlags,
  investigation: IncidentInvestigation | undefined,
): Promise<void> {
  let summary = '';
  const outcomes = await statusAccounts(
    access,
    {
      ...(flags.incident ? { incidentId: flags.incident } : {}),
      ...(investigation ? { investigation } : {}),
      ...(flags.account?.length ? { accounts: flags.account } : {}),
      analystRoleName: runtimeConfig().names.analystRoleName,
    },
    { log: (line) => process.stderr.write(`${line}\n`), out: (text) => (summary += text) },
  );
  if (flags.format === 'json') {
    process.stdout.write(accountsStatusJson(outcomes, investigation?.from));
    process.stderr.write(summary);
  } else {
    process.stdout.write(formatAccountsStatus(outcomes, flags.incident, investigation?.from));
    process.stdout.write(summary);
  }
  failIfAnyAccountFailed(outcomes, 'reading the status', 'IRKIT_STATUS_INCOMPLETE');
}
