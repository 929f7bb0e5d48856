import { readFileSync } from 'node:fs';

import { Command } from 'commander';

import { IrKitError, invalidInput } from '../../../lib/errors';
import { runtimeConfig, tableNamesOf } from '../../config';
import { QueryResult, typedRowObjects } from '../../engines/engine';
import { openLocalEngine } from '../../engines/open';
import { interruptible } from './interrupt';
import { progressPrinter } from './progress';
import { FORMATS, Format, formatCsv, formatTable } from './queries';
import { WindowFlags, resolveWindow } from './window-flags';
import type { RegisterCommand } from './index';

/**
 * `irkit sql`: one read-only SELECT written by hand, on the local engine, over the same
 * Glue-named tables the library queries (database.table as in Athena), with every log file of
 * the window. Anything that is not a read is refused before a file is read.
 */

interface SqlFlags extends WindowFlags {
  readonly logs?: string;
  readonly cache?: string;
  readonly strict?: boolean;
  readonly file?: string;
  readonly format: string;
}

/** The statement from the argument or --file (exactly one of them). */
function statementOf(text: string | undefined, file: string | undefined): string {
  if ((text === undefined) === (file === undefined)) {
    throw new IrKitError('IRKIT_INVALID_INPUT', 'give the SELECT as an argument or with --file, not both', {
      hint: `e.g. irkit sql "SELECT eventname, count(*) FROM irworkshopgluedatabase.irworkshopgluetablecloudtrail GROUP BY 1" --logs logs/ --since 15d`,
    });
  }
  if (file === undefined) return text as string;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw invalidInput(
      '--file',
      file,
      `give a readable file holding the SELECT (${(error as Error).message})`,
    );
  }
}

/** The result as JSON, in the shape `irkit queries run --format json` gives. */
export function formatSqlJson(
  sql: string,
  window: { from: string; to: string },
  result: QueryResult,
): string {
  return `${JSON.stringify(
    {
      sql,
      window: { from: window.from, to: window.to },
      engine: result.stats.engine,
      columns: result.columns,
      rows: typedRowObjects(result),
      warnings: result.warnings,
    },
    null,
    2,
  )}\n`;
}

async function run(text: string | undefined, flags: SqlFlags): Promise<void> {
  const sql = statementOf(text, flags.file);
  if (!(FORMATS as readonly string[]).includes(flags.format)) {
    throw invalidInput('--format', flags.format, `use --format ${FORMATS.join(', ')}`);
  }
  if (!flags.logs) {
    throw new IrKitError('IRKIT_INVALID_INPUT', 'irkit sql needs --logs DIR', {
      hint: 'point --logs at the exported AWSLogs/ tree (or a folder of CloudTrail .json.gz files)',
    });
  }
  const window = resolveWindow(flags);
  const config = runtimeConfig();
  process.stderr.write(`irkit sql: window ${window.described}\n`);
  await interruptible('sql', async (signal) => {
    const engine = await openLocalEngine(
      { kind: 'local', logs: flags.logs as string, cachePath: flags.cache, strict: flags.strict },
      config,
    );
    try {
      const progress = progressPrinter('sql');
      const result = await engine
        .sql(sql, window, { signal, onProgress: progress })
        .finally(() => progress.end());
      for (const warning of result.warnings) process.stderr.write(`irkit sql: warning: ${warning}\n`);
      const format = flags.format as Format;
      process.stdout.write(
        format === 'json'
          ? formatSqlJson(sql, window, result)
          : format === 'csv'
            ? formatCsv(result)
            : formatTable(result),
      );
      process.stderr.write(
        `irkit sql: ${result.rows.length} row(s) in ${(result.stats.elapsedMs / 1000).toFixed(1)} s on local\n`,
      );
    } finally {
      await engine.close();
    }
  });
}

export const registerSql: RegisterCommand = (program: Command) => {
  program
    .command('sql [select]')
    .description(
      'one read-only SELECT of your own over exported logs (local engine), on the tables the queries use',
    )
    .option('--file <file>', 'read the SELECT from this file instead of the argument')
    .option('--logs <dir>', 'folder of exported CloudTrail / VPC Flow Logs files')
    .option('--from <date>', 'first day of the window (YYYY/MM/DD, YYYY-MM-DD or an ISO time)')
    .option('--since <duration>', 'or the window back from --to: 15d, 90d, 36h')
    .option('--to <date>', 'last day of the window (default: today, UTC)')
    .option('--cache <file>', 'DuckDB file keeping parsed logs between runs')
    .option('--strict', 'fail on corrupt or foreign log files instead of skipping them')
    .option('--format <format>', `output: ${FORMATS.join(', ')}`, 'table')
    .addHelpText('after', () => {
      const t = tableNamesOf(runtimeConfig());
      return (
        `\nTables (DuckDB SQL; Athena's json_extract_scalar, from_iso8601_timestamp, date_parse, ... work too):\n` +
        `  ${t.database}.${t.cloudTrailTable}   every CloudTrail field, as Athena's table (lower-case names,\n` +
        `      useridentity.* as a struct, requestparameters/responseelements as JSON text), date_partition,\n` +
        `      region_partition, account_partition\n` +
        `  ${t.database}.${t.vpcFlowTable}   VPC Flow Logs (sourceaddress, destinationaddress, starttime, ...)\n` +
        `Every log file of the window of each table the SELECT names is read; nothing else runs: a write, DDL,\n` +
        `ATTACH, COPY, INSTALL/LOAD, PRAGMA, SET or a second statement is refused, and the SELECT runs with the\n` +
        `cache attached read-only. The --cache file is a DuckDB database (schema irkit): see the README.\n`
      );
    })
    .action((select: string | undefined, flags: SqlFlags) => run(select, flags));
};
