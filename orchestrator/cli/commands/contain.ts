import { readFileSync } from 'node:fs';

import { Command } from 'commander';

import { IrKitError } from '../../../lib/errors';
import { createClients } from '../../contain/aws';
import { contain, ContainResult } from '../../contain/contain';
import { runtimeConfig } from '../../config';
import { protectionFromConfig } from '../../contain/config';
import { parsePlan } from '../../contain/plan';
import { collect, pollIntervalMs, terminalIo } from '../../contain/terminal';
import { targetsOfOptions } from '../../contain/targets';
import type { RegisterCommand } from './index';

/**
 * `irkit contain`: applies the playbook's Part 4 by deploying one containment stack per
 * target, from the investigation's plan or from targets named on the command line.
 */

interface ContainFlags {
  readonly plan?: string;
  readonly user?: string[];
  readonly accessKeyId?: string[];
  readonly role?: string[];
  readonly bucket?: string[];
  readonly incident: string;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly region?: string;
  readonly profile?: string;
  readonly pollInterval: string;
  readonly executionRoleArn?: string;
  readonly breakGlassRoleArn?: string;
}

function readPlanFile(path: string) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new IrKitError(
      'IRKIT_PLAN_INVALID',
      `cannot read the plan file ${path}: ${(error as Error).message}`,
      {
        hint: 'pass the file irkit investigate --format json --out FILE wrote',
        cause: error,
      },
    );
  }
  return parsePlan(text, path);
}

/** Fails the command (exit code 4) naming each target that was not contained and why. */
export function failIfAnyFailed(result: ContainResult): void {
  const failed = result.results.filter((r) => r.outcome === 'failed');
  if (failed.length === 0) return;
  throw new IrKitError(
    'IRKIT_CONTAINMENT_FAILED',
    `${failed.length} of ${result.results.length} target(s) not contained:\n${failed.map((f) => `  - ${f.label}: ${f.reason}`).join('\n')}`,
    {
      hint: 'the other targets are contained; fix the cause and run the same command again (it updates, never duplicates)',
    },
  );
}

export const registerContain: RegisterCommand = (program: Command) => {
  program
    .command('contain')
    .description(
      'contain an incident: deny-all on users (keys Inactive), revoke role sessions, lock buckets to break-glass',
    )
    .requiredOption('--incident <id>', 'incident id; names and tags the stacks')
    .option('--plan <file>', 'the JSON of irkit investigate (or a containment plan)')
    .option('--user <name>', 'an IAM user to contain (repeatable)', collect)
    .option('--access-key-id <id>', 'an access key of the --user to set Inactive (repeatable)', collect)
    .option('--role <name>', 'a role whose older sessions to revoke (repeatable)', collect)
    .option('--bucket <name>', 'a bucket to lock to the break-glass role (repeatable)', collect)
    .option(
      '--dry-run',
      'print the plan and the templates; change nothing (works without credentials, saying what it could not read)',
    )
    .option('--yes', 'act without asking')
    .option('--region <region>', 'AWS Region of the stacks (default: the AWS CLI configuration)')
    .option('--profile <profile>', 'AWS profile for the credentials')
    .option('--poll-interval <seconds>', 'how often to check the stacks while they deploy', '3')
    .option('--execution-role-arn <arn>', 'RoleARN for the stacks (default: the IrKitAccess output)')
    .option(
      '--break-glass-role-arn <arn>',
      'the role bucket containment spares (default: the IrKitAccess output)',
    )
    .action(async (flags: ContainFlags) => {
      const named = Boolean(
        flags.user?.length || flags.role?.length || flags.bucket?.length || flags.accessKeyId?.length,
      );
      if (flags.plan && named) {
        throw new IrKitError(
          'IRKIT_INVALID_INPUT',
          'give either --plan or --user/--role/--bucket, not both',
          {
            hint: 'contain the plan first, then name further targets in a second run; nothing was changed',
          },
        );
      }
      const plan = flags.plan ? readPlanFile(flags.plan) : undefined;
      const targets = plan
        ? undefined
        : targetsOfOptions({
            users: flags.user,
            accessKeyIds: flags.accessKeyId,
            roles: flags.role,
            buckets: flags.bucket,
          });
      const config = runtimeConfig();
      const result = await contain(
        createClients({ region: flags.region, profile: flags.profile }),
        {
          incidentId: flags.incident,
          plan,
          targets,
          dryRun: flags.dryRun,
          yes: flags.yes,
          pollIntervalMs: pollIntervalMs(flags.pollInterval),
          executionRoleArn: flags.executionRoleArn,
          breakGlassRoleArn: flags.breakGlassRoleArn,
          protection: protectionFromConfig(config),
          names: config.names,
        },
        terminalIo(),
      );
      failIfAnyFailed(result);
    });
};
