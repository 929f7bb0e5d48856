import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { Command } from 'commander';

import { IrKitError } from '../../../lib/errors';
import { OUTPUT_FORMATS, parseInvestigationResult, render } from '../../investigate';
import type { RegisterCommand } from './index';
import {
  RenderFlags,
  checkOutFile,
  outputFormat,
  renderOptions,
  withRenderOptions,
  writeOutput,
} from './output';

/**
 * `irkit report RESULT.json`: renders a saved investigation result again (the Part 3 impact
 * report in Markdown by default, or the terminal tables), without running a query: an
 * investigation on Athena costs time and money once, its report can be made any number of times.
 */

interface ReportFlags extends RenderFlags {
  readonly format?: string;
  readonly out?: string;
  readonly force?: boolean;
}

function run(file: string, flags: ReportFlags): void {
  const format = outputFormat(flags.format, flags.out, 'markdown');
  const options = renderOptions(flags, format);
  checkOutFile(flags.out, flags.force);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `cannot read ${resolve(file)}: ${(error as Error).message}`, {
      hint: 'give the file that irkit investigate --out FILE.json wrote',
      cause: error,
    });
  }
  const result = parseInvestigationResult(text, resolve(file));
  writeOutput('report', render(result, format, options), flags.out, format);
}

export const registerReport: RegisterCommand = (program: Command) => {
  withRenderOptions(program.command('report <result>'))
    .description(
      'render a saved investigation result (irkit investigate --out FILE.json) as the impact report or tables, without querying again',
    )
    .option(
      '--format <format>',
      `output: ${OUTPUT_FORMATS.join(', ')} (default: markdown, or from the --out extension)`,
    )
    .option('--out <file>', 'write the report to this file instead of stdout')
    .option('--force', 'replace an existing --out file')
    .action((file: string, flags: ReportFlags) => run(file, flags));
};
