import { readFileSync } from 'node:fs';

import { Command, Option } from 'commander';

import { IrKitError } from '../../../lib/errors';
import { createAccountAccess, failIfAnyAccountFailed } from '../../contain/accounts';
import { createClients } from '../../contain/aws';
import { contain, ContainResult } from '../../contain/contain';
import { containAccounts } from '../../contain/contain-accounts';
import { runtimeConfig } from '../../config';
import { protectionFromConfig } from '../../contain/config';
import { parsePlans } from '../../contain/plan';
import { collect, pollIntervalMs, terminalIo } from '../../contain/terminal';
import { CONTAINMENT_KINDS } from '../../contain/kinds';
import { KIND_FLAGS, TargetOptions, targetsOfOptions } from '../../contain/targets';
import type { RegisterCommand } from './index';

/**
 * `irkit contain`: applies the playbook's Part 4 by deploying one containment stack per
 * target, from the investigation's plan or from targets named on the command line.
 */

interface ContainFlags {
  readonly plan?: string;
  readonly account?: string[];
  /** The kinds' target options, by commander's attribute names (`user`, `accessKeyId`, ...). */
  readonly [target: string]: unknown;
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
  return parsePlans(text, path);
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

/** Each kind's target options (fresh for each command), with the key its targets are read by (targets.ts). */
function targetOptionsOfKinds(): Array<{ key: string; option: Option }> {
  return CONTAINMENT_KINDS.flatMap((m) =>
    m.options.map((o) => ({ key: o.key, option: new Option(o.flag, o.description).argParser(collect) })),
  );
}

export const registerContain: RegisterCommand = (program: Command) => {
  const command = program
    .command('contain')
    .description(`contain an incident: ${CONTAINMENT_KINDS.map((m) => m.summary).join(', ')}`)
    .requiredOption('--incident <id>', 'incident id; names and tags the stacks')
    .option(
      '--plan <file>',
      "the JSON of irkit investigate (or a containment plan): every account's plan, other accounts through their deploy role",
    )
    .option('--account <id>', "only this account's plan (repeatable; with --plan)", collect);
  const targetOptions = targetOptionsOfKinds();
  for (const { option } of targetOptions) command.addOption(option);
  command
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
      // Commander keeps each option's values under its attribute name (`accessKeyId`).
      const named: TargetOptions = Object.fromEntries(
        targetOptions.map(({ key, option }) => [key, flags[option.attributeName()] as string[] | undefined]),
      );
      if (flags.plan && Object.values(named).some((values) => values?.length)) {
        throw new IrKitError('IRKIT_INVALID_INPUT', `give either --plan or ${KIND_FLAGS}, not both`, {
          hint: 'contain the plan first, then name further targets in a second run; nothing was changed',
        });
      }
      if (flags.account?.length && !flags.plan) {
        throw new IrKitError('IRKIT_INVALID_INPUT', '--account chooses among the accounts of a plan', {
          hint: 'give --plan FILE with --account ID; targets named on the command line are contained in your credentials’ account',
        });
      }
      const config = runtimeConfig();
      const common = {
        incidentId: flags.incident,
        dryRun: flags.dryRun,
        yes: flags.yes,
        pollIntervalMs: pollIntervalMs(flags.pollInterval),
        executionRoleArn: flags.executionRoleArn,
        breakGlassRoleArn: flags.breakGlassRoleArn,
        protection: protectionFromConfig(config),
        names: config.names,
      };
      if (flags.plan) {
        const result = await containAccounts(
          createAccountAccess({
            region: flags.region,
            profile: flags.profile,
            deployRoleArnTemplate: config.deployRoleArnTemplate,
          }),
          { ...common, plans: readPlanFile(flags.plan), accounts: flags.account },
          terminalIo(),
        );
        const [only] = result.accounts;
        if (result.accounts.length === 1 && only.roleArn === undefined && only.result)
          failIfAnyFailed(only.result);
        else failIfAnyAccountFailed(result.accounts, 'containment');
        return;
      }
      const result = await contain(
        createClients({ region: flags.region, profile: flags.profile }),
        { ...common, targets: targetsOfOptions(named) },
        terminalIo(),
      );
      failIfAnyFailed(result);
    });
};
