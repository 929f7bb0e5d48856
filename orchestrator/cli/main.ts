import { Command, CommanderError } from 'commander';

import { IrKitError } from '../../lib/errors';
import { CONFIG_ENV, describeConfigSource, findConfig } from '../config';
import { commandsFor } from './commands';
import { terminalSafeLines } from '../output/escape';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../package.json') as { version: string };

/**
 * irkit: parses the command line and dispatches to the typed library in orchestrator/.
 * Results go to stdout, progress and errors to stderr.
 *
 * Exit codes: 0 success; 1 unexpected failure (a bug: rerun with --debug and report it);
 * 2 bad input or usage, nothing was changed; 3 an AWS call or a query failed;
 * 4 some targets or accounts failed (the summary says which; for status, accounts not read); 130
 * interrupted with Ctrl-C.
 */
export const EXIT_CODES = { ok: 0, unexpected: 1, usage: 2, aws: 3, partial: 4, interrupted: 130 } as const;

function exitCodeOf(error: IrKitError): number {
  switch (error.code) {
    case 'IRKIT_INVALID_INPUT':
    case 'IRKIT_CONFIG':
    case 'IRKIT_UNKNOWN_QUERY':
    case 'IRKIT_PLAN_INVALID':
    case 'IRKIT_PROTECTED_PRINCIPAL':
    case 'IRKIT_UNKNOWN_INCIDENT':
    case 'IRKIT_LOGS_MISSING':
    case 'IRKIT_LOGS_CORRUPT':
    case 'IRKIT_KEY_NOT_OURS':
    case 'IRKIT_EVIDENCE_MISSING':
    case 'IRKIT_NOT_CONTAINED':
      return EXIT_CODES.usage;
    case 'IRKIT_CONTAINMENT_FAILED':
    case 'IRKIT_ERADICATION_FAILED':
    case 'IRKIT_PRESERVATION_FAILED':
    case 'IRKIT_STATUS_INCOMPLETE':
    case 'IRKIT_EVIDENCE_INVALID':
      return EXIT_CODES.partial;
    case 'IRKIT_INTERRUPTED':
      return EXIT_CODES.interrupted;
    default:
      return EXIT_CODES.aws;
  }
}

/** The program with the commands `argv` needs (every command when none is given). */
export function buildProgram(argv: readonly string[] = []): Command {
  const program = new Command('irkit')
    .description('IR Kit: the IAM credential exposure playbook as commands')
    .version(version, '-V, --version', 'print the irkit version')
    .option('--debug', 'print stack traces on failure')
    .option(
      '--config <file>',
      `the kit's config: a cdk.json or its irkit JSON (default: ${CONFIG_ENV}, else the nearest cdk.json upward)`,
    )
    // The error alone, and where the options are: the whole help would bury it.
    .showHelpAfterError('(irkit <command> --help lists its options)')
    .exitOverride()
    // One config for the whole command: --config is IRKIT_CONFIG for this run; say which is used.
    .hook('preAction', () => {
      const { config } = program.opts<{ config?: string }>();
      if (config !== undefined) process.env[CONFIG_ENV] = config;
      const told = describeConfigSource(findConfig());
      if (told) process.stderr.write(`irkit: ${told}\n`);
    });
  for (const command of commandsFor(argv)) command.load()(program);
  return program;
}

/**
 * The AWS SDK warns on every run under Node 20 that its releases after January 2027 need Node 22.
 * irkit says it once, where it belongs: `irkit doctor`'s Node check. So the SDK's own switch
 * (AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, documented by the SDK) is set for irkit's
 * process, unless the user set it; no other warning is touched.
 */
export function quietSdkNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

export async function main(argv: readonly string[]): Promise<number> {
  quietSdkNodeVersionWarning();
  const program = buildProgram(argv);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    if (error instanceof IrKitError) {
      process.stderr.write(`irkit: ${terminalSafeLines(error.describe())}\n`);
      if (debug) process.stderr.write(`${error.stack}\n`);
      return exitCodeOf(error);
    }
    process.stderr.write(
      `irkit: unexpected error: ${terminalSafeLines((error as Error).message ?? String(error))}\n`,
    );
    process.stderr.write(
      debug ? `${(error as Error).stack}\n` : '  -> rerun with --debug and report the trace\n',
    );
    return EXIT_CODES.unexpected;
  }
}

/**
 * A reader that stops early (`irkit ... | head -1`) closes the pipe: that is not a failure of
 * irkit's, so it ends quietly instead of dying with an EPIPE trace.
 */
export function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}

if (require.main === module) {
  endQuietlyOnClosedPipe();
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
