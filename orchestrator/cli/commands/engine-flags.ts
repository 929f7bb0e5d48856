import { Command } from 'commander';

import { IrKitError, invalidInput } from '../../../lib/errors';
import { EngineChoice } from '../../engines/open';

/** The flags choosing and configuring a query engine, shared by every command that runs queries. */
export interface EngineFlags {
  readonly engine?: string;
  readonly logs?: string;
  readonly cache?: string;
  readonly strict?: boolean;
  readonly workgroup?: string;
  readonly region?: string;
  readonly profile?: string;
}

/** Adds the engine flags to a command. */
export function withEngineOptions(command: Command): Command {
  return command
    .option('--engine <engine>', 'local or athena (default: local when --logs is given, else athena)')
    .option('--logs <dir>', 'folder of exported CloudTrail / VPC Flow Logs files (local engine)')
    .option('--cache <file>', 'DuckDB file keeping parsed logs between runs (local engine)')
    .option('--strict', 'fail on corrupt or foreign log files instead of skipping them (local engine)')
    .option(
      '--workgroup <name>',
      'Athena workgroup (default: workgroupName of cdk.json, else IRWorkshopWorkgroup)',
    )
    .option('--region <region>', 'AWS Region of the workgroup (default: the standard chain)')
    .option('--profile <profile>', 'AWS profile (default: the standard chain)');
}

/**
 * The engine the flags ask for: local when --logs is given, else Athena. A flag of the other
 * engine is refused rather than ignored, so a responder never runs on the engine they did
 * not mean. Throws IRKIT_INVALID_INPUT naming the flag; nothing has been opened yet.
 */
export function engineChoice(flags: EngineFlags): EngineChoice {
  const kind = flags.engine ?? (flags.logs ? 'local' : 'athena');
  if (kind !== 'local' && kind !== 'athena') {
    throw invalidInput('--engine', kind, 'use --engine local (with --logs DIR) or --engine athena');
  }
  const misplaced =
    kind === 'local'
      ? (['workgroup', 'region', 'profile'] as const).filter((f) => flags[f] !== undefined)
      : (['logs', 'cache', 'strict'] as const).filter((f) => flags[f] !== undefined);
  if (misplaced.length > 0) {
    throw invalidInput(
      `--${misplaced[0]}`,
      flags[misplaced[0]],
      kind === 'local'
        ? '--workgroup, --region and --profile apply to --engine athena'
        : '--logs, --cache and --strict apply to --engine local',
    );
  }
  if (kind === 'athena') {
    return { kind, workGroup: flags.workgroup, region: flags.region, profile: flags.profile };
  }
  if (!flags.logs) {
    throw new IrKitError('IRKIT_INVALID_INPUT', '--engine local needs --logs DIR', {
      hint: 'point --logs at the exported AWSLogs/ tree (or a folder of CloudTrail .json.gz files)',
    });
  }
  return { kind, logs: flags.logs, cachePath: flags.cache, strict: flags.strict };
}
