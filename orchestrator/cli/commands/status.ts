import { Command } from 'commander';

import { invalidInput } from '../../../lib/errors';
import { runtimeConfig } from '../../config';
import { createAccountAccess, failIfAnyAccountFailed } from '../../contain/accounts';
import { createClients } from '../../contain/aws';
import { accountsStatusJson, formatAccountsStatus, statusAccounts } from '../../contain/contain-accounts';
import { containmentStatus, formatStatus, statusJson } from '../../contain/status';
import { collect } from '../../contain/terminal';
import { formatRemains, incidentRemains } from '../../eradicate/eradicate';
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
      'show what is contained (the irkit-contain-* stacks), since when, by whom and in which state',
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
      "this account's stacks, through its deploy role unless it is your credentials' own (repeatable)",
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
      if (flags.account?.length) {
        const access = createAccountAccess({
          region: flags.region,
          profile: flags.profile,
          deployRoleArnTemplate: runtimeConfig().deployRoleArnTemplate,
        });
        const { rows, accounts } = await statusAccounts(access, flags.account, flags.incident);
        process.stdout.write(
          flags.format === 'json' ? accountsStatusJson(rows) : formatAccountsStatus(rows, accounts),
        );
        failIfAnyAccountFailed(accounts, 'reading the containment stacks');
        return;
      }
      const clients = createClients({ region: flags.region, profile: flags.profile });
      const rows = await containmentStatus(clients, flags.incident);
      const part6 = flags.incident
        ? await incidentRemains(clients, {
            incidentId: flags.incident,
            ...(flags.plan ? { given: { result: readResult(flags.plan), from: flags.plan } } : {}),
            evidence: async () =>
              flags.evidence ? new LocalEvidenceStore(flags.evidence) : evidenceStoreFromStack(clients),
            required: flags.remains ?? false,
          })
        : undefined;
      if (part6 && 'notChecked' in part6) {
        process.stderr.write(
          `irkit: Part 6 (what the actor created that remains) not checked: ${part6.notChecked.describe()}\n`,
        );
      }
      const remains = part6 && 'rows' in part6 ? part6 : undefined;
      if (flags.format === 'json') {
        process.stdout.write(
          remains
            ? `${JSON.stringify({ contained: JSON.parse(statusJson(rows)), remains: remains.rows, remainsFrom: remains.from }, null, 2)}\n`
            : statusJson(rows),
        );
      } else {
        process.stdout.write(formatStatus(rows));
        if (remains && flags.incident)
          process.stdout.write(`\n${formatRemains(flags.incident, remains.rows, remains.from)}`);
      }
    });
};
