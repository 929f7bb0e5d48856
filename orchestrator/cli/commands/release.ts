import { Command } from 'commander';

import { IrKitError } from '../../../lib/errors';
import { createClients } from '../../contain/aws';
import { release } from '../../contain/release';
import { collect, pollIntervalMs, terminalIo } from '../../contain/terminal';
import type { RegisterCommand } from './index';

/** `irkit release`: deletes an incident's containment stacks, each undoing exactly what it did. */

interface ReleaseFlags {
  readonly incident: string;
  readonly target?: string[];
  readonly restoreKeys?: boolean;
  readonly retainFailed?: boolean;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly region?: string;
  readonly profile?: string;
  readonly pollInterval: string;
}

export const registerRelease: RegisterCommand = (program: Command) => {
  program
    .command('release')
    .description("release an incident's containment: lift the denies, restore bucket policies exactly")
    .requiredOption('--incident <id>', 'the incident whose containment to release')
    .option(
      '--target <target>',
      'only this one: user:NAME, role:NAME, bucket:NAME or a stack name (repeatable)',
      collect,
    )
    .option('--restore-keys', 'set the access keys containment deactivated Active again')
    .option(
      '--retain-failed',
      'for a stack whose delete failed: delete it, leaving the failed resources as they are',
    )
    .option('--dry-run', 'print what would be released; change nothing')
    .option('--yes', 'act without asking')
    .option('--region <region>', 'AWS Region of the stacks')
    .option('--profile <profile>', 'AWS profile for the credentials')
    .option('--poll-interval <seconds>', 'how often to check the stacks while they deploy', '3')
    .action(async (flags: ReleaseFlags) => {
      const summary = await release(
        createClients({ region: flags.region, profile: flags.profile }),
        {
          incidentId: flags.incident,
          targets: flags.target,
          restoreKeys: flags.restoreKeys,
          retainFailed: flags.retainFailed,
          dryRun: flags.dryRun,
          yes: flags.yes,
          pollIntervalMs: pollIntervalMs(flags.pollInterval),
        },
        terminalIo(),
      );
      const failed = summary.results.filter((r) => r.outcome === 'failed');
      if (failed.length > 0) {
        throw new IrKitError(
          'IRKIT_CONTAINMENT_FAILED',
          `${failed.length} of ${summary.results.length} containment(s) not released:\n${failed.map((f) => `  - ${f.label}: ${f.reason}`).join('\n')}`,
          { hint: 'the others are released; fix the cause and run release again for the rest' },
        );
      }
    });
};
