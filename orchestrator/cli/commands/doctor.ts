import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { STSClient } from '@aws-sdk/client-sts';
import { Command } from 'commander';

import { checkedProfile } from '../../aws-profile';
import { describeChecks, doctor } from '../../doctor/doctor';
import type { RuntimeConfig } from '../../../lib/config';
import { runtimeConfig } from '../../config';
import type { RegisterCommand } from './index';

function membersOf(config: RuntimeConfig) {
  return {
    callAs: config.membersAdministrator === 'management' ? ('SELF' as const) : ('DELEGATED_ADMIN' as const),
    deployRoleArnTemplate: config.deployRoleArnTemplate,
  };
}

interface DoctorFlags {
  readonly logs?: string;
  readonly aws?: boolean;
  readonly profile?: string;
  readonly region?: string;
  readonly format: string;
  readonly members?: boolean;
}

/** `irkit doctor`: checks the machine, the config, a logs folder and (with --aws) the account. Exit 4 when a check fails. */
export const registerDoctor: RegisterCommand = (program: Command) => {
  program
    .command('doctor')
    .description(
      'check that this machine is ready to respond: config, Node, a logs folder, and with --aws the account',
    )
    .option('--logs <dir>', 'also check the layout of this folder of exported logs')
    .option('--aws', 'also check the credentials (caller) and the kit’s stacks')
    .option('--profile <name>', 'with --aws: the AWS profile')
    .option('--region <region>', 'with --aws: the AWS Region')
    .option(
      '--members',
      "with --aws, from the StackSets' administration account: each member account's baseline (StackSet instance status) and its deploy role assumable",
    )
    .option('--format <format>', 'text or json', 'text')
    .action(async (flags: DoctorFlags) => {
      const config = {
        ...(flags.region ? { region: flags.region } : {}),
        ...(flags.profile ? { profile: checkedProfile(flags.profile) } : {}),
      };
      const checks = await doctor({
        ...(flags.logs !== undefined ? { logs: flags.logs } : {}),
        ...(flags.aws || flags.profile || flags.region
          ? { aws: { sts: new STSClient(config), cloudFormation: new CloudFormationClient(config) } }
          : {}),
        ...(flags.members ? { members: membersOf(runtimeConfig()) } : {}),
      });
      process.stdout.write(
        flags.format === 'json' ? `${JSON.stringify(checks, null, 2)}\n` : describeChecks(checks),
      );
      // EXIT_CODES.partial: the report names each failed check and what to do.
      if (checks.some((c) => c.status === 'fail')) process.exitCode = 4;
    });
};
