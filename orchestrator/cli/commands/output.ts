import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';

import { IrKitError, invalidInput } from '../../../lib/errors';
import { OUTPUT_FORMATS, OutputFormat } from '../../investigate';

/**
 * How commands that render an investigation result choose their format and write --out:
 * the format from --format, else from the --out extension, else the command's default; an
 * --out in a missing folder, or over an existing file without --force, is refused before
 * any work starts, and the file is left as it is.
 */

const BY_EXTENSION: Record<string, OutputFormat> = { '.json': 'json', '.md': 'markdown' };

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
