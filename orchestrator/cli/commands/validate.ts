import { Command } from 'commander';

import { IrKitError, invalidInput } from '../../../lib/errors';
import { ValidationResult, createStsClient, validateAccessKey } from '../../validate';
import type { RegisterCommand } from './index';

/**
 * `irkit validate`: the playbook's Part 1. Says whose account an exposed key belongs to; a
 * key of another account exits with IRKIT_KEY_NOT_OURS (exit code 2) after printing what to
 * do about it, so a script stops there.
 */

interface ValidateFlags {
  readonly accessKeyId: string;
  readonly expectedAccount?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly format: string;
}

export function describeValidation(result: ValidationResult): string {
  return [
    result.verdict,
    `  access key:       ${result.accessKeyId}`,
    `  key's account:    ${result.keyAccount}`,
    `  expected account: ${result.expectedAccount} (${result.expectedFrom === 'option' ? '--expected-account' : `the caller, ${result.callerArn ?? 'unknown ARN'}`})`,
    '',
    'Next:',
    ...result.nextSteps.map((s) => `  - ${s}`),
    '',
  ].join('\n');
}

export const registerValidate: RegisterCommand = (program: Command) => {
  program
    .command('validate')
    .description("check an exposed access key's owner account (STS GetAccessKeyInfo), playbook Part 1")
    .requiredOption('--access-key-id <id>', 'the exposed access key id')
    .option('--expected-account <id>', 'the account the key should belong to (default: the caller’s)')
    .option('--region <region>', 'AWS Region for STS (default: the standard chain, else us-east-1)')
    .option('--profile <profile>', 'AWS profile (e.g. SecurityAnalystRole)')
    .option('--format <format>', 'text or json', 'text')
    .action(async (flags: ValidateFlags) => {
      if (flags.format !== 'text' && flags.format !== 'json') {
        throw invalidInput('--format', flags.format, 'use --format text or --format json');
      }
      const sts = createStsClient({ region: flags.region, profile: flags.profile });
      const result = await validateAccessKey(sts, {
        accessKeyId: flags.accessKeyId,
        expectedAccount: flags.expectedAccount,
      });
      process.stdout.write(
        flags.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : describeValidation(result),
      );
      if (!result.ours) {
        throw new IrKitError(
          'IRKIT_KEY_NOT_OURS',
          `${result.accessKeyId} belongs to account ${result.keyAccount}, not ${result.expectedAccount}`,
          { hint: result.nextSteps[result.nextSteps.length - 1] },
        );
      }
    });
};
