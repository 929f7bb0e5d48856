import { Command } from 'commander';

import { invalidInput } from '../../../lib/errors';
import { createClients } from '../../contain/aws';
import { containmentStatus, formatStatus, statusJson } from '../../contain/status';
import type { RegisterCommand } from './index';

/** `irkit status`: what is contained, since when, by whom, in which state. */

interface StatusFlags {
  readonly incident?: string;
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
    .option('--format <format>', 'table or json', 'table')
    .option('--region <region>', 'AWS Region of the stacks')
    .option('--profile <profile>', 'AWS profile for the credentials')
    .action(async (flags: StatusFlags) => {
      if (flags.format !== 'table' && flags.format !== 'json') {
        throw invalidInput('--format', flags.format, 'use --format table or --format json');
      }
      const rows = await containmentStatus(
        createClients({ region: flags.region, profile: flags.profile }),
        flags.incident,
      );
      process.stdout.write(flags.format === 'json' ? statusJson(rows) : formatStatus(rows));
    });
};
