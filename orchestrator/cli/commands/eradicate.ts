import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';

import { Command } from 'commander';

import { IrKitError } from '../../../lib/errors';
import { createAccountAccess, failIfAnyAccountFailed } from '../../contain/accounts';
import { protectionFromConfig } from '../../contain/config';
import { collect } from '../../contain/terminal';
import { eradicateAccounts } from '../../eradicate/accounts';
import { runtimeConfig } from '../../config';
import { EradicateIo, failIfAnyFailed } from '../../eradicate/eradicate';
import { parseInvestigationResult } from '../../investigate';
import { evidenceStoreFromStack, LocalEvidenceStore } from '../../preserve';
import type { RegisterCommand } from './index';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../../package.json') as { version: string };

/**
 * `irkit eradicate`: the playbook's Part 5, deleting what the actor created, as the break-glass
 * role, after the evidence verifies and containment holds (orchestrator/eradicate/eradicate.ts).
 */
interface EradicateFlags {
  readonly plan: string;
  readonly incident: string;
  readonly evidence?: string;
  readonly includeExposedUser?: boolean;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly region?: string;
  readonly profile?: string;
  readonly account?: string[];
}

/** The investigation result a command is given (`--plan FILE`). */
export function readResult(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `cannot read ${file}: ${(error as Error).message}`, {
      hint: 'pass the JSON irkit investigate --out FILE wrote (eradication needs the whole investigation, not only its plan)',
      cause: error,
    });
  }
  return parseInvestigationResult(text, file);
}

function terminal(): EradicateIo {
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY) && !process.env.CI;
  return {
    log: (line) => process.stderr.write(`${line}\n`),
    out: (text) => process.stdout.write(text),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ...(interactive
      ? {
          ask: async (question: string) => {
            const rl = createInterface({ input: process.stdin, output: process.stderr });
            try {
              return await rl.question(question);
            } finally {
              rl.close();
            }
          },
        }
      : {}),
  };
}

export const registerEradicate: RegisterCommand = (program: Command) => {
  program
    .command('eradicate')
    .description(
      'delete what the actor created (playbook Part 5: FINAL AND UNRECOVERABLE), as SecurityBreakGlassRole, once the evidence verifies and every target is contained',
    )
    .requiredOption('--plan <file>', 'the JSON irkit investigate --out FILE wrote')
    .requiredOption('--incident <id>', 'the incident id')
    .option(
      '--evidence <dir>',
      'the evidence in a local folder (irkit preserve --out DIR) instead of the IrKitEvidence bucket',
    )
    .option('--include-exposed-user', 'delete the exposed user too (the playbook does; its owner decides)')
    .option('--dry-run', 'print every call in order and change nothing (works without credentials)')
    .option('--yes', 'do not ask for the incident id to be typed (needed when not on a terminal)')
    .option('--region <region>', 'AWS Region (default: the AWS CLI configuration)')
    .option('--profile <profile>', 'AWS profile for the credentials (the break-glass role)')
    .option(
      '--account <id>',
      "only this account's plan (repeatable); another account is entered as its break-glass role. Default: every account's plan",
      collect,
    )
    .action(async (flags: EradicateFlags) => {
      const result = readResult(flags.plan);
      const config = runtimeConfig();
      const access = createAccountAccess({
        region: flags.region,
        profile: flags.profile,
        deployRoleArnTemplate: config.deployRoleArnTemplate,
      });
      const clients = access.home;
      const outcome = await eradicateAccounts(
        access,
        {
          incidentId: flags.incident,
          result,
          dryRun: flags.dryRun,
          yes: flags.yes,
          includeExposedUser: flags.includeExposedUser,
          evidence: async () =>
            flags.evidence ? new LocalEvidenceStore(flags.evidence) : evidenceStoreFromStack(clients),
          protection: protectionFromConfig(config),
          tool: `irkit ${version}`,
          accounts: flags.account,
          breakGlassRoleName: config.names.breakGlassRoleName,
        },
        terminal(),
      );
      const [only] = outcome.accounts;
      // One account of your own credentials: its failures name the targets; several: the accounts.
      if (outcome.accounts.length === 1 && only.roleArn === undefined && only.result)
        failIfAnyFailed(only.result);
      else failIfAnyAccountFailed(outcome.accounts, 'eradication', 'IRKIT_ERADICATION_FAILED');
    });
};
