import { Command } from 'commander';

import { IrKitError, invalidInput } from '../../../lib/errors';
import {
  DEFAULTS,
  GenerateOptions,
  GenerateProgress,
  GenerateSummary,
  SCENARIO,
  VARIANT_NAMES,
  VariantName,
  generateIncident,
} from '../../../simulation/synthetic';
import { describeUndo, undoSimulationRun } from '../../simulation/undo';
import type { RegisterCommand } from './index';
import { irkitInvocation } from './invocation';

/**
 * `irkit simulate`: writes the playbook's incident, hidden in benign activity, as CloudTrail
 * and VPC Flow Logs files in the S3 layout, for the local engine or any other log reader.
 */

interface SimulateFlags {
  readonly out?: string;
  /** Undo a workshop attack run (simulation/undo_credential_exposure_activity.sh) instead. */
  readonly undo?: string;
  readonly withContainmentStacks?: boolean;
  readonly seed?: string;
  readonly events?: string;
  readonly days?: string;
  readonly accounts?: string;
  readonly regions?: string;
  readonly org?: string;
  readonly prefix?: string;
  readonly flowLogs: boolean;
  readonly flowRecords?: string;
  readonly plainJson?: boolean;
  readonly variant?: string[];
  readonly fileWindow?: string;
  readonly format: string;
}

const WHOLE = /^\d+$/;

function whole(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.replace(/_/g, '');
  if (!WHOLE.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalidInput(flag, value, `${flag} takes a whole number, e.g. ${flag} 20000`);
  }
  return Number(text);
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim());
}

/** Accepts `sessionToken`, `session-token` or `session_token`, repeated or comma-separated. */
function variants(values: readonly string[] | undefined): VariantName[] | undefined {
  if (values === undefined) return undefined;
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((v) => {
      const camel = v.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());
      const name = VARIANT_NAMES.find((n) => n === camel);
      if (!name) throw invalidInput('variant', v, `the variants are: ${VARIANT_NAMES.join(', ')}`);
      return name;
    });
}

/** Turns the command line into library options; the library validates the values themselves. */
export function optionsFromFlags(flags: SimulateFlags): Omit<GenerateOptions, 'onProgress'> {
  if (flags.out === undefined) {
    // Commander's own wording, from when --out was a required option.
    throw new IrKitError('IRKIT_INVALID_INPUT', "required option '--out <dir>' not specified", {
      hint: 'pass --out DIR (the folder to write), or --undo MANIFEST to undo a workshop attack run',
    });
  }
  if (flags.format !== 'text' && flags.format !== 'json') {
    throw invalidInput('--format', flags.format, 'use --format text or --format json');
  }
  return {
    outDir: flags.out,
    seed: whole('--seed', flags.seed),
    backgroundEvents: whole('--events', flags.events),
    days: whole('--days', flags.days),
    accounts: list(flags.accounts),
    regions: list(flags.regions),
    organizationId: flags.org,
    prefix: flags.prefix,
    flowLogs: flags.flowLogs,
    flowRecords: whole('--flow-records', flags.flowRecords),
    compress: !flags.plainJson,
    variants: variants(flags.variant),
    fileWindowMinutes: whole('--file-window', flags.fileWindow),
  };
}

const n = (x: number) => x.toLocaleString('en-US');

export function describeSummary(s: GenerateSummary): string {
  const t = s.groundTruth;
  const o = s.options;
  const lines = [
    `Wrote the playbook incident (${n(s.events.incident)} events) into ${n(s.events.background)} background events, ${s.window.from}..${s.window.to}`,
    `  out:         ${s.outDir}`,
    `  accounts:    ${o.accounts.join(', ')}${o.organizationId ? ` (organization ${o.organizationId})` : ''}`,
    `  regions:     ${o.regions.join(', ')}`,
    `  files:       ${n(s.files.cloudTrail)} CloudTrail, ${n(s.files.flowLogs)} VPC Flow Logs (${(s.bytesWritten / 1e6).toFixed(1)} MB, ${o.fileWindowMinutes}-minute windows${o.compress ? '' : ', plain JSON'})`,
    `  flow records: ${n(s.flowRecords.total)} (${n(s.flowRecords.incident)} of the incident)`,
    `  variants:    ${t.variants.length > 0 ? t.variants.join(', ') : 'none (the playbook incident as printed)'}`,
    `  seed:        ${o.seed}`,
    `  exposed key: ${t.exposedAccessKeyId} (${SCENARIO.actor.userName}), actor IPs ${t.sourceIps.join(', ')}`,
    '',
    'Next:',
    `  ${irkitInvocation()} investigate --access-key-id ${t.exposedAccessKeyId} --from ${t.window.from} --to ${t.window.to} --logs ${s.outDir}`,
    `  ${irkitInvocation()} queries run key-api-activity --param accessKeyId=${t.exposedAccessKeyId} --param from=${t.window.from} --param to=${t.window.to} --engine local --logs ${s.outDir}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Progress on stderr: a live line on a terminal, a few milestones otherwise (CI logs stay short). */
function progressReporter(): { update: (p: GenerateProgress) => void; done: () => void } {
  const live = Boolean(process.stderr.isTTY) && !process.env.CI;
  let lastShown = 0;
  let lastDraw = 0;
  return {
    update: (p) => {
      const pct = p.totalEvents === 0 ? 100 : Math.floor((100 * p.eventsWritten) / p.totalEvents);
      if (live) {
        const now = Date.now();
        if (now - lastDraw < 200 && pct < 100) return;
        lastDraw = now;
        process.stderr.write(`\r  ${pct}%  ${n(p.eventsWritten)} events, ${n(p.filesWritten)} files`);
      } else if (pct >= lastShown + 25 && pct < 100) {
        lastShown = pct - (pct % 25);
        process.stderr.write(`irkit simulate: ${lastShown}% (${n(p.eventsWritten)} events)\n`);
      }
    },
    done: () => {
      if (live) process.stderr.write('\n');
    },
  };
}

export const registerSimulate: RegisterCommand = (program: Command) => {
  program
    .command('simulate')
    .description(
      'write the playbook incident, hidden in benign activity, as CloudTrail and VPC Flow Logs files (S3 layout)',
    )
    .option('--out <dir>', 'folder to write (new, empty, or a previous run with the same options)')
    .option('--undo <manifest>', 'instead: remove what a workshop attack run created (its run manifest)')
    .option('--with-containment-stacks', "with --undo: first delete the run's irkit-contain-* stacks")
    .option('--seed <n>', `random seed; equal seeds give byte-identical files (default ${DEFAULTS.seed})`)
    .option('--events <n>', `benign background events (default ${n(DEFAULTS.backgroundEvents)})`)
    .option('--days <n>', `days of logs ending 2021/07/24, the incident day (default ${DEFAULTS.days})`)
    .option(
      '--accounts <ids>',
      'comma-separated account ids; the incident happens in the first (default 777777777777)',
    )
    .option(
      '--regions <names>',
      `comma-separated Regions, including us-east-1 (default ${DEFAULTS.regions.join(',')})`,
    )
    .option('--org <id>', 'write the organization-trail layout AWSLogs/o-.../ACCOUNT/...')
    .option('--prefix <prefix>', 'S3 key prefix before AWSLogs/')
    .option('--no-flow-logs', 'write no VPC Flow Logs')
    .option('--flow-records <n>', 'benign VPC flow records (default a quarter of --events)')
    .option('--plain-json', 'write plain .json / .log files instead of gzip')
    .option('--variant <names...>', `add incident variants: ${VARIANT_NAMES.join(', ')}`)
    .option('--file-window <minutes>', 'minutes per log file (default: 5, longer for small volumes)')
    .option('--format <format>', 'summary on stdout: text or json', 'text')
    .action(async (flags: SimulateFlags) => {
      if (flags.withContainmentStacks && flags.undo === undefined) {
        throw new IrKitError('IRKIT_INVALID_INPUT', '--with-containment-stacks goes with --undo MANIFEST', {
          hint: 'irkit simulate --undo irkit-simulation-RUNID.json --with-containment-stacks; nothing was done',
        });
      }
      if (flags.undo !== undefined) {
        const undone = await undoSimulationRun({
          manifestPath: flags.undo,
          withContainmentStacks: flags.withContainmentStacks,
        });
        process.stdout.write(
          flags.format === 'json' ? `${JSON.stringify(undone, null, 2)}\n` : describeUndo(undone),
        );
        // EXIT_CODES.partial: something of the run is left (the summary says what and why).
        if (undone.notRemoved.length > 0) process.exitCode = 4;
        return;
      }
      const options = optionsFromFlags(flags);
      const reporter = progressReporter();
      const started = Date.now();
      process.stderr.write(`irkit simulate: writing into ${options.outDir}\n`);
      const summary = await generateIncident({ ...options, onProgress: reporter.update });
      reporter.done();
      const seconds = (Date.now() - started) / 1000;
      process.stderr.write(
        `irkit simulate: ${n(summary.events.total)} events in ${seconds.toFixed(1)} s (${n(Math.round(summary.events.total / Math.max(seconds, 0.001)))} events/s)\n`,
      );
      process.stdout.write(
        flags.format === 'json' ? `${JSON.stringify(summary, null, 2)}\n` : describeSummary(summary),
      );
    });
};
