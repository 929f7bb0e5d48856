import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { Command } from 'commander';

import { IrKitError } from '../../../lib/errors';
import { OUTPUT_FORMATS, enrichResult, parseInvestigationResult, render } from '../../investigate';
import { EvidenceFlags, checkEvidenceFlags, reportExtrasFor, withEvidenceOption } from './evidence-flags';
import type { RegisterCommand } from './index';
import {
  IntelFlags,
  checkIntelFlags,
  intelSourcesFor,
  relatedFindingsFor,
  withIntelOptions,
} from './intel-flags';
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

interface ReportFlags extends RenderFlags, IntelFlags, EvidenceFlags {
  readonly format?: string;
  readonly out?: string;
  readonly force?: boolean;
}

async function run(file: string, flags: ReportFlags): Promise<void> {
  const format = outputFormat(flags.format, flags.out, 'markdown');
  const options = renderOptions(flags, format);
  checkIntelFlags(flags);
  checkEvidenceFlags(flags, format);
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
  const saved = parseInvestigationResult(text, resolve(file));
  // Only what the flags ask for is added: a saved result is evidence, rendered as it was.
  const intel = intelSourcesFor('report', flags, false);
  const related = await relatedFindingsFor('report', saved, flags);
  const result = enrichResult(saved, { ...(intel ? { intel } : {}), ...(related ? { related } : {}) });
  const extras = await reportExtrasFor('report', result, flags);
  writeOutput('report', render(result, format, { ...options, extras }), flags.out, format);
}

export const registerReport: RegisterCommand = (program: Command) => {
  withEvidenceOption(withIntelOptions(withRenderOptions(program.command('report <result>'))))
    .description(
      'render a saved investigation result (irkit investigate --out FILE.json) as the impact report or tables, without querying again',
    )
    .option(
      '--format <format>',
      `output: ${OUTPUT_FORMATS.join(', ')} (default: markdown, or from the --out extension)`,
    )
    .option('--out <file>', 'write the report to this file instead of stdout')
    .option('--force', 'replace an existing --out file')
    .option('--incident <id>', 'with --evidence: the incident (default: the one the result names)')
    .option(
      '--profile <profile>',
      'AWS profile for --related-findings and --evidence bucket (default: the standard chain)',
    )
    .action((file: string, flags: ReportFlags) => run(file, flags));
};
