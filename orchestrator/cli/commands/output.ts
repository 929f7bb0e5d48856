import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';

import { IrKitError, invalidInput } from '../../../lib/errors';
import { Command } from 'commander';

import { OUTPUT_FORMATS, OutputFormat, RenderOptions, TABLE_IDS } from '../../investigate';
import { terminalWidth } from './terminal-width';

/**
 * How commands that render an investigation result choose their format and write --out:
 * the format from --format, else from the --out extension, else the command's default; an
 * --out in a missing folder, or over an existing file without --force, is refused before
 * any work starts, and the file is left as it is.
 */

const BY_EXTENSION: Record<string, OutputFormat> = {
  '.json': 'json',
  '.md': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.csv': 'csv',
  '.ndjson': 'ndjson',
};

export function outputFormat(
  format: string | undefined,
  out: string | undefined,
  fallback: OutputFormat,
): OutputFormat {
  const byExtension = out ? BY_EXTENSION[extname(out).toLowerCase()] : undefined;
  const chosen = (format ?? byExtension ?? fallback) as OutputFormat;
  if (!OUTPUT_FORMATS.includes(chosen)) {
    throw invalidInput('--format', format, `use --format ${OUTPUT_FORMATS.join(', ')}`);
  }
  if (byExtension !== undefined && chosen !== byExtension) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      `--out ${out} is a ${extname(out as string)} file, but --format is ${chosen}`,
      {
        hint: `name the file for its format (e.g. ${(out as string).replace(/\.[^.]+$/, chosen === 'markdown' ? '.md' : `.${chosen}`)}), or drop --format; nothing was written`,
      },
    );
  }
  return chosen;
}

export function checkOutFile(out: string | undefined, force: boolean | undefined): void {
  if (out === undefined) return;
  if (!statSync(dirname(resolve(out)), { throwIfNoEntry: false })?.isDirectory()) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `the folder of --out ${resolve(out)} does not exist`, {
      hint: 'create the folder first, or give a file in an existing folder',
    });
  }
  if (existsSync(out) && !force) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `${resolve(out)} exists; it is left as it is`, {
      hint: 'give another --out file, or add --force to replace it',
    });
  }
}

export interface RenderFlags {
  readonly wide?: boolean;
  readonly table?: string;
  readonly out?: string;
}

/** The --wide and --table options of every command that renders a result. */
export function withRenderOptions(command: Command): Command {
  return command
    .option('--wide', 'table format: every cell in full, not fitted to the terminal width')
    .option(
      '--table <id>',
      `csv and ndjson: the one table to write (${TABLE_IDS.join(', ')}); csv default: timeline`,
    );
}

/** The render options of the flags, checked before any work starts. */
export function renderOptions(flags: RenderFlags, format: OutputFormat): RenderOptions {
  if (flags.table !== undefined) {
    if (format !== 'csv' && format !== 'ndjson') {
      throw invalidInput('--table', flags.table, 'give --table with --format csv or ndjson');
    }
    if (!TABLE_IDS.includes(flags.table)) {
      throw invalidInput('--table', flags.table, `use --table ${TABLE_IDS.join(', ')}`);
    }
  }
  const maxWidth = terminalWidth(flags.wide, flags.out);
  return {
    ...(maxWidth !== undefined ? { maxWidth } : {}),
    ...(flags.table !== undefined ? { table: flags.table } : {}),
  };
}

/** Writes the text to --out (saying so on stderr) or to stdout. */
export function writeOutput(
  command: string,
  text: string,
  out: string | undefined,
  format: OutputFormat,
): void {
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  writeFileSync(out, text);
  process.stderr.write(`irkit ${command}: wrote ${resolve(out)} (${format})\n`);
}
