import { join, resolve } from 'node:path';

import { Command } from 'commander';

import { invalidInput } from '../../../lib/errors';
import { OUTPUT_FORMATS, OutputFormat, demoInvestigation, render } from '../../investigate';
import { SCENARIO } from '../../../simulation/synthetic';
import { progressPrinter } from './investigate';
import { StatusLine } from './progress';
import { interruptible } from './interrupt';
import { renderOptions, withRenderOptions } from './output';
import { terminalSafe } from '../../output/escape';
import type { RegisterCommand } from './index';

/**
 * `irkit demo`: the README's first command. Writes the playbook's incident, hidden in benign
 * activity, and runs the full investigation on the local engine: no AWS account, no network.
 * The blast radius and containment plan go to stdout, progress to stderr.
 */

interface DemoFlags {
  readonly events?: string;
  readonly seed?: string;
  readonly keep?: string;
  readonly format?: string;
  readonly wide?: boolean;
  readonly table?: string;
}

function whole(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.replace(/_/g, '');
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalidInput(flag, value, `${flag} takes a whole number, e.g. ${flag} 20000`);
  }
  return Number(text);
}

async function run(flags: DemoFlags): Promise<void> {
  const format = (flags.format ?? 'table') as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) {
    throw invalidInput('--format', flags.format, `use --format ${OUTPUT_FORMATS.join(', ')}`);
  }
  const options = renderOptions(flags, format);
  const backgroundEvents = whole('--events', flags.events);
  const seed = whole('--seed', flags.seed);
  const started = Date.now();
  const status = new StatusLine();
  const say = (text: string) => status.line(`irkit demo: ${text}`);
  const progress = progressPrinter(started, 'demo', status);
  // Ctrl-C cancels the queries and still deletes the temporary logs (exit 130).
  const { generated, result } = await interruptible('demo', (signal) =>
    demoInvestigation({
      ...(backgroundEvents !== undefined ? { backgroundEvents } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(flags.keep !== undefined ? { outDir: resolve(flags.keep) } : {}),
      onStep: say,
      onProgress: progress,
      signal,
    }).finally(() => progress.end()),
  );
  for (const warning of result.warnings) say(`warning: ${terminalSafe(warning)}`);
  process.stdout.write(render(result, format, options));
  say(`${terminalSafe(result.summary.headline)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (flags.keep === undefined) {
    say(
      'the generated logs were deleted; pass --keep DIR to keep them and go on with irkit investigate and contain',
    );
    return;
  }
  const plan = join(resolve(flags.keep), 'plan.json');
  say(
    [
      `the logs are kept in ${generated.outDir}. Next, as on a real incident:`,
      `  irkit investigate --access-key-id ${SCENARIO.actor.accessKeyId} --from ${result.window.from} --to ${result.window.to} --logs ${generated.outDir} --incident IR-DEMO --out ${plan}`,
      `  irkit contain --plan ${plan} --incident IR-DEMO --dry-run   (with credentials of the account the plan names)`,
    ].join('\n'),
  );
}

export const registerDemo: RegisterCommand = (program: Command) => {
  withRenderOptions(program.command('demo'))
    .description(
      'offline demo: write the playbook incident into synthetic CloudTrail logs and investigate it on the local engine',
    )
    .option('--events <n>', 'benign background events around the incident (default 20000)')
    .option('--seed <n>', 'generator seed; the same seed writes the same logs (default 1)')
    .option(
      '--keep <dir>',
      'keep the generated logs in DIR/logs (and the hints write DIR/plan.json) instead of deleting them',
    )
    .option('--format <format>', `output: ${OUTPUT_FORMATS.join(', ')} (default table)`)
    .action((flags: DemoFlags) => run(flags));
};
