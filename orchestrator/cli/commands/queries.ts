import { Command } from 'commander';

import { invalidInput } from '../../../lib/errors';
import {
  DEFAULT_TABLE_NAMES,
  QUERIES,
  QueryDefinition,
  TableNames,
  bindParams,
  getQuery,
  consoleLiteral,
  renderForConsole,
} from '../../../lib/queries';
import { runtimeConfig, tableNamesOf } from '../../config';
import { QueryResult, typedRowObjects } from '../../engines/engine';
import { openEngine } from '../../engines/open';
import { EngineFlags, engineChoice, withEngineOptions } from './engine-flags';
import { interruptible } from './interrupt';
import { terminalWidth } from './terminal-width';
import { terminalSafe } from '../../output/escape';
import { csv } from '../../output/data';
import { textTable } from '../../output/text-table';
import { progressPrinter } from './progress';
import type { RegisterCommand } from './index';

/**
 * `irkit queries`: the query library at the command line. `list` and `show` print what the
 * Athena console needs; `run` runs one query on Athena or, over exported log files, on the
 * local engine, with the same SQL.
 */

interface RunFlags extends EngineFlags {
  readonly param: string[];
  readonly format: string;
  readonly wide?: boolean;
}

export const FORMATS = ['table', 'json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

/** `--param name=value`, repeatable; a name given twice is refused rather than guessed at. */
export function parseParams(pairs: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw invalidInput(
        '--param',
        pair,
        'write each parameter as --param name=value, e.g. --param from=2021/07/16',
      );
    }
    const name = pair.slice(0, at).trim();
    if (name in values) {
      throw invalidInput('--param', pair, `give ${name} once`);
    }
    values[name] = pair.slice(at + 1).trim();
  }
  return values;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** The SQL for the Athena console, with a comment header naming the query and its prompts. */
export function showText(
  query: QueryDefinition,
  values: Readonly<Record<string, string>>,
  names: TableNames = DEFAULT_TABLE_NAMES,
): string {
  const { sql, prompts } = renderForConsole(query, values, names);
  const lines = [
    `-- ${query.id}: ${query.title} (playbook part ${query.playbook.part}, step ${query.playbook.step})`,
    `-- ${query.description}`,
  ];
  if (prompts.length > 0) {
    lines.push('-- The console asks for each ? in this order; type each value with its single quotes:');
    prompts.forEach((name, i) => {
      const param = query.params.find((p) => p.name === name);
      lines.push(
        `--   ${i + 1}. ${name}: ${param?.description} (e.g. ${consoleLiteral(param?.example ?? '')})`,
      );
    });
  }
  return `${lines.join('\n')}\n${sql}\n`;
}

/** The queries in the playbook's order: by part, then step (numerically: 2 before 11), then id. */
export function inPlaybookOrder(queries: readonly QueryDefinition[]): QueryDefinition[] {
  const number = (step: string) => Number.parseFloat(step) || 0;
  return [...queries].sort(
    (a, b) =>
      a.playbook.part - b.playbook.part ||
      number(String(a.playbook.step)) - number(String(b.playbook.step)) ||
      String(a.playbook.step).localeCompare(String(b.playbook.step)) ||
      a.id.localeCompare(b.id),
  );
}

/**
 * Columns padded and separated as the playbook prints its tables, every value made safe for a
 * terminal and, given a width, fitted to it; no rows is said so.
 */
export function formatTable(result: Pick<QueryResult, 'columns' | 'rows'>, maxWidth?: number): string {
  if (result.rows.length === 0) return 'Zero records returned.\n';
  return `${textTable(result.columns, result.rows, { maxWidth })}\n`;
}

/** RFC 4180 CSV; controls written visibly and formulas defused (orchestrator/output/data.ts). */
export function formatCsv(result: Pick<QueryResult, 'columns' | 'rows'>): string {
  return csv([result.columns, ...result.rows]);
}

/**
 * Columns the CloudTrail table holds as the text `true`/`false` (CloudTrail's own readOnly is
 * a string column in AWS's table definition); JSON shows them as booleans.
 */
const BOOLEAN_TEXT_COLUMNS = new Set(['readonly']);

/**
 * The result as JSON: each cell in its column's type (counts are numbers, SQL NULL is null),
 * the rows in the query's total order, and nothing that changes from run to run (timings
 * and execution ids go to stderr), so two runs over the same logs give the same bytes.
 */
export function formatJson(
  query: QueryDefinition,
  values: Record<string, string>,
  result: QueryResult,
): string {
  return `${JSON.stringify(
    {
      query: query.id,
      params: Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      engine: result.stats.engine,
      columns: result.columns,
      rows: typedRowObjects({
        ...result,
        columnKinds: result.columns.map((c, i) =>
          BOOLEAN_TEXT_COLUMNS.has(c.toLowerCase()) ? 'boolean' : (result.columnKinds?.[i] ?? 'string'),
        ),
      }),
      warnings: result.warnings,
    },
    null,
    2,
  )}\n`;
}

async function runQuery(id: string, flags: RunFlags): Promise<void> {
  const query = getQuery(id);
  const values = parseParams(flags.param);
  if (!(FORMATS as readonly string[]).includes(flags.format)) {
    throw invalidInput('--format', flags.format, `use --format ${FORMATS.join(', ')}`);
  }
  // Refused here, before an engine (or AWS client) exists.
  bindParams(query, values);
  const choice = engineChoice(flags);

  await interruptible('queries', async (signal) => {
    const engine = await openEngine(choice);
    try {
      const progress = progressPrinter('queries');
      const result = await engine
        .run(query, values, { signal, onProgress: progress })
        .finally(() => progress.end());
      for (const warning of result.warnings)
        process.stderr.write(`irkit queries: warning: ${terminalSafe(warning)}\n`);
      const format = flags.format as Format;
      process.stdout.write(
        format === 'json'
          ? formatJson(query, values, result)
          : format === 'csv'
            ? formatCsv(result)
            : formatTable(result, terminalWidth(flags.wide, undefined)),
      );
      const scanned =
        result.stats.bytesScanned === undefined
          ? ''
          : `, ${(result.stats.bytesScanned / 1e6).toFixed(1)} MB scanned`;
      process.stderr.write(
        `irkit queries: ${result.rows.length} row(s) in ${(result.stats.elapsedMs / 1000).toFixed(1)} s on ${choice.kind}${scanned}\n`,
      );
    } finally {
      await engine.close();
    }
  });
}

export const registerQueries: RegisterCommand = (program: Command) => {
  const queries = program
    .command('queries')
    .description("the playbook's queries: list them, show the SQL for the Athena console, run one");

  queries
    .command('list')
    .description('every query of the library: id, playbook step, title')
    .option('--format <format>', 'table or json', 'table')
    .action((flags: { format: string }) => {
      if (flags.format === 'json') {
        const list = QUERIES.map((q) => ({
          id: q.id,
          playbook: q.playbook,
          title: q.title,
          description: q.description,
          params: q.params.map((p) => ({
            name: p.name,
            kind: p.kind,
            description: p.description,
            example: p.example,
          })),
        }));
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      if (flags.format !== 'table')
        throw invalidInput('--format', flags.format, 'use --format table or json');
      process.stdout.write(
        formatTable({
          columns: ['id', 'playbook', 'title'],
          rows: inPlaybookOrder(QUERIES).map((q) => [
            q.id,
            `part ${q.playbook.part}, step ${q.playbook.step}`,
            q.title,
          ]),
        }),
      );
    });

  queries
    .command('show <id>')
    .description('the SQL ready to paste into the Athena console; --param values are filled in')
    .option('--param <name=value>', 'a parameter value (repeatable)', collect, [])
    .action((id: string, flags: { param: string[] }) => {
      const query = getQuery(id);
      process.stdout.write(showText(query, parseParams(flags.param), tableNamesOf(runtimeConfig())));
    });

  withEngineOptions(
    queries
      .command('run <id>')
      .description('run one query on Athena, or with --logs on the local engine (same SQL)')
      .option('--param <name=value>', 'a parameter value (repeatable)', collect, []),
  )
    .option('--format <format>', `output: ${FORMATS.join(', ')}`, 'table')
    .option('--wide', 'table format: every cell in full, not fitted to the terminal width')
    .addHelpText('after', () => `\nParameters per query: irkit queries show ID\n`)
    .action((id: string, flags: RunFlags) => runQuery(id, flags));
};
