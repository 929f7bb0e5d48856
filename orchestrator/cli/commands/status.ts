import { Command } from 'commander';

import { invalidInput } from '../../../lib/errors';
import { runtimeConfig } from '../../config';
import { createAccountAccess, failIfAnyAccountFailed } from '../../contain/accounts';
import { createClients } from '../../contain/aws';
import { accountsStatusJson, formatAccountsStatus, statusAccounts } from '../../contain/contain-accounts';
import { containmentStatus, formatStatus, statusJson } from '../../contain/status';
import { collect } from '../../contain/terminal';
import { actorRemains, formatRemains } from '../../eradicate/eradicate';
import { readResult } from './eradicate';
import type { RegisterCommand } from './index';

/** `irkit status`: what is contained, since when, by whom, in which state. */

interface StatusFlags {
  readonly incident?: string;
  readonly plan?: string;
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
      'with --incident: the investigation (irkit investigate --out FILE); also shows what the actor created that remains (playbook Part 6)',
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
      if (flags.plan && !flags.incident) {
        throw invalidInput('--plan', flags.plan, 'give --incident with --plan');
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
      const remains =
        flags.plan && flags.incident
          ? await actorRemains(clients, readResult(flags.plan), flags.incident)
          : undefined;
      if (flags.format === 'json') {
        process.stdout.write(
          remains
            ? `${JSON.stringify({ contained: JSON.parse(statusJson(rows)), remains }, null, 2)}\n`
            : statusJson(rows),
        );
      } else {
        process.stdout.write(formatStatus(rows));
        if (remains && flags.incident) process.stdout.write(`\n${formatRemains(flags.incident, remains)}`);
      }
    });
};
