import { Command } from 'commander';

import { IrKitError } from '../../../lib/errors';
import { runtimeConfig } from '../../config';
import { createAccountAccess, failIfAnyAccountFailed } from '../../contain/accounts';
import { createClients } from '../../contain/aws';
import { releaseAccounts } from '../../contain/contain-accounts';
import { CONTAINMENT_KINDS } from '../../contain/kinds';
import { release } from '../../contain/release';
import { collect, pollIntervalMs, terminalIo } from '../../contain/terminal';
import type { RegisterCommand } from './index';

/** `irkit release`: deletes an incident's containment stacks, each undoing exactly what it did. */

interface ReleaseFlags {
  readonly incident: string;
  readonly target?: string[];
  readonly restoreKey?: string[];
  readonly restoreKeys?: boolean;
  readonly liftSessionRevoke?: boolean;
  readonly retainFailed?: boolean;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly region?: string;
  readonly profile?: string;
  readonly pollInterval: string;
  readonly account?: string[];
}

export const registerRelease: RegisterCommand = (program: Command) => {
  program
    .command('release')
    .description("release an incident's containment: lift the denies, restore bucket policies exactly")
    .requiredOption('--incident <id>', 'the incident whose containment to release')
    .option(
      '--target <target>',
      `only this one: ${CONTAINMENT_KINDS.map((m) => `${m.kind}:NAME`).join(', ')} or a stack name (repeatable)`,
      collect,
    )
    .option(
      '--restore-key <id>',
      'set this access key Active again (repeatable; only a key the containment deactivated; others stay Inactive)',
      collect,
    )
    .option('--restore-keys', 'removed: name each key with --restore-key ID')
    .option(
      '--lift-session-revoke',
      'also lift the revoke of sessions issued before containment (kept by default)',
    )
    .option(
      '--retain-failed',
      'for a stack whose delete failed: delete it, leaving the failed resources as they are',
    )
    .option('--dry-run', 'print what would be released; change nothing')
    .option('--yes', 'act without asking')
    .option('--region <region>', 'AWS Region of the stacks')
    .option('--profile <profile>', 'AWS profile for the credentials')
    .option('--poll-interval <seconds>', 'how often to check the stacks while they deploy', '3')
    .option(
      '--account <id>',
      'release in this account, through its deploy role unless it is your credentials’ own (repeatable)',
      collect,
    )
    .action(async (flags: ReleaseFlags) => {
      if (flags.restoreKeys) {
        throw new IrKitError(
          'IRKIT_INVALID_INPUT',
          '--restore-keys is no more: it would set the exposed key Active again too',
          {
            hint: 'name each key to set Active with --restore-key ID (e.g. a key you know is not exposed); the others stay Inactive. Nothing was changed',
          },
        );
      }
      const options = {
        incidentId: flags.incident,
        targets: flags.target,
        restoreKeyIds: flags.restoreKey,
        liftSessionRevoke: flags.liftSessionRevoke,
        retainFailed: flags.retainFailed,
        dryRun: flags.dryRun,
        yes: flags.yes,
        pollIntervalMs: pollIntervalMs(flags.pollInterval),
      };
      if (flags.account?.length) {
        const config = runtimeConfig();
        const access = createAccountAccess({
          region: flags.region,
          profile: flags.profile,
          deployRoleArnTemplate: config.deployRoleArnTemplate,
        });
        const outcomes = await releaseAccounts(
          access,
          { ...options, accounts: flags.account, names: config.names },
          terminalIo(),
        );
        failIfAnyAccountFailed(outcomes, 'release');
        return;
      }
      const summary = await release(
        createClients({ region: flags.region, profile: flags.profile }),
        options,
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
