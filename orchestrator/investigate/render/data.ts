import { IrKitError } from '../../../lib/errors';
import { DataValue, csv, safeJson } from '../../output/data';
import type { ReportExtras } from '../evidence';
import { InvestigationResult } from '../types';
import { TableBlock, tablesOf } from './document';
import { TABLES, TABLE_IDS, reportDocument } from './sections';

/**
 * The report's tables as data (`--format csv|ndjson`), from the section definitions: the
 * same columns as the table, Markdown and HTML views, keyed by each column's key, with the
 * rows' context (the principal, the account) as leading fields.
 */

/** The table CSV writes when none is named. */
export const DEFAULT_DATA_TABLE = 'timeline';

function blocksOf(
  result: InvestigationResult,
  tableId: string | undefined,
  extras: ReportExtras,
): TableBlock[] {
  if (tableId !== undefined && !TABLE_IDS.includes(tableId)) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `--table ${tableId} is not a table of the report`, {
      hint: `use --table ${TABLE_IDS.join(', ')}`,
    });
  }
  const all = tablesOf(reportDocument(result, extras).sections);
  const blocks = all.filter((b) => tableId === undefined || b.id === tableId);
  // A table of the library is written (a header at least) even when this report has no rows
  // of it; an intel table exists only where the report holds its section.
  if (tableId !== undefined && blocks.length === 0 && !Object.values(TABLES).some((t) => t.id === tableId)) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `--table ${tableId}: this report holds no such table`, {
      hint: `this report's tables: ${[...new Set(all.map((b) => b.id))].join(', ')}`,
    });
  }
  return blocks;
}

function records(block: TableBlock): Record<string, DataValue>[] {
  return block.rows.map((row) => ({
    ...block.context,
    ...Object.fromEntries(block.columns.map((c, i) => [c.key, row[i] ?? null])),
  }));
}

/** One table as CSV: a header of column keys (context first), then every row of every block of it. */
export function renderCsv(
  result: InvestigationResult,
  tableId: string = DEFAULT_DATA_TABLE,
  extras: ReportExtras = {},
): string {
  const blocks = blocksOf(result, tableId, extras);
  const definition = Object.values(TABLES).find((t) => t.id === tableId);
  const contextKeys = [...new Set(blocks.flatMap((b) => Object.keys(b.context ?? {})))];
  // The intel tables (render/intel.ts) have no TABLES entry: their blocks say their columns.
  const keys = [...contextKeys, ...(definition?.columns ?? blocks[0]?.columns ?? []).map((c) => c.key)];
  return csv([keys, ...blocks.flatMap(records).map((r) => keys.map((k) => r[k]))]);
}

/** Every table (or one) as NDJSON: one object per row, with its table's id. */
export function renderNdjson(
  result: InvestigationResult,
  tableId?: string,
  extras: ReportExtras = {},
): string {
  return blocksOf(result, tableId, extras)
    .flatMap((b) => records(b).map((r) => `${safeJson({ table: b.id, ...r })}\n`))
    .join('');
}
