import { Command } from 'commander';

import { invalidInput } from '../../../lib/errors';
import { createClients } from '../../contain/aws';
import { containmentStatus, formatStatus, statusJson } from '../../contain/status';
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
    .action(async (flags: StatusFlags) => {
      if (flags.format !== 'table' && flags.format !== 'json') {
        throw invalidInput('--format', flags.format, 'use --format table or --format json');
      }
      if (flags.plan && !flags.incident) {
        throw invalidInput('--plan', flags.plan, 'give --incident with --plan');
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
