import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GlueClient } from '@aws-sdk/client-glue';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { Command } from 'commander';

import type { RuntimeConfig } from '../../../lib/config';
import { IrKitError } from '../../../lib/errors';
import { GLOBAL_EVENTS_REGION } from '../../../lib/regions';
import { awsTarget } from '../../aws-profile';
import { runtimeConfig } from '../../config';
import { DoctorAws, describeChecks, doctor } from '../../doctor/doctor';
import type { RegisterCommand } from './index';
import { WindowFlags, resolveWindow } from './window-flags';

interface DoctorFlags extends WindowFlags {
  readonly logs?: string;
  readonly aws?: boolean;
  readonly members?: boolean;
  readonly profile?: string;
  readonly region?: string;
  readonly format: string;
}

/** `irkit doctor`: checks the machine, the config, a logs folder and (with --aws) the account. Exit 4 when a check fails. */
export const registerDoctor: RegisterCommand = (program: Command) => {
  program
    .command('doctor')
    .description(
      'check that this machine is ready to respond: config, Node, a logs folder, and with --aws the account',
    )
    .option('--logs <dir>', 'also check the layout of this folder of exported logs')
    .option(
      '--aws',
      'also check AWS: profile and Region, caller, stacks, workgroup, tables, log objects, alert subscriptions',
    )
    .option('--profile <name>', 'with --aws: the AWS profile')
    .option('--region <region>', 'with --aws: the AWS Region')
    .option(
      '--since <duration>',
      'with --aws: the window the tables and log objects must cover (default 15d)',
    )
    .option('--from <date>', 'with --aws: the window’s first day, instead of --since')
    .option('--to <date>', 'with --aws: the window’s last day (default: today, UTC)')
    .option(
      '--members',
      "with --aws, from the StackSets' administration account: each member account's baseline (StackSet instance status), its deploy and analyst roles assumable, and its break-glass role's trust admitting you with MFA only (read through the deploy role, never assumed)",
    )
    .option('--format <format>', 'text or json', 'text')
    .action(async (flags: DoctorFlags) => {
      const wantsAws = Boolean(flags.aws || flags.profile || flags.region);
      const window = wantsAws
        ? resolveWindow({ ...flags, since: flags.from === undefined ? (flags.since ?? '15d') : flags.since })
        : undefined;
      if (window) process.stderr.write(`window: ${window.described}\n`);
      const checks = await doctor({
        ...(flags.logs !== undefined ? { logs: flags.logs } : {}),
        ...(wantsAws ? { aws: awsClients(flags) } : {}),
        ...(window ? { window } : {}),
        ...(flags.members ? { members: membersOf(runtimeConfig()) } : {}),
      });
      process.stdout.write(
        flags.format === 'json' ? `${JSON.stringify(checks, null, 2)}\n` : describeChecks(checks),
      );
      // EXIT_CODES.partial: the report names each failed check and what to do.
      if (checks.some((c) => c.status === 'fail')) process.exitCode = 4;
    });
};

/** The clients of the AWS checks, in the Region of the one rule; a profile or Region problem is a failed check. */
function awsClients(flags: DoctorFlags): DoctorAws | IrKitError {
  let target;
  try {
    target = awsTarget(flags);
  } catch (error) {
    if (error instanceof IrKitError) return error;
    throw error;
  }
  const config = { region: target.region, ...(target.profile ? { profile: target.profile } : {}) };
  const alerts = { ...config, region: GLOBAL_EVENTS_REGION };
  return {
    target,
    sts: new STSClient(config),
    cloudFormation: new CloudFormationClient(config),
    athena: new AthenaClient(config),
    glue: new GlueClient(config),
    s3: new S3Client({ ...config, followRegionRedirects: true }),
    alerts: { cloudFormation: new CloudFormationClient(alerts), sns: new SNSClient(alerts) },
    iamWith: (credentials) => new IAMClient({ ...config, credentials }),
  };
}

/** How `irkit doctor --members` reads the member StackSet, from the config. */
function membersOf(config: RuntimeConfig) {
  return {
    callAs: config.membersAdministrator === 'management' ? ('SELF' as const) : ('DELEGATED_ADMIN' as const),
    deployRoleArnTemplate: config.deployRoleArnTemplate,
    analystRoleName: config.names.analystRoleName,
    breakGlassRoleName: config.names.breakGlassRoleName,
    breakGlassPrincipals: config.breakGlassPrincipals ?? config.trustedPrincipals,
  };
}
