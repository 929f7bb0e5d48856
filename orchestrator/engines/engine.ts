import { QueryDefinition } from '../../lib/queries';

/**
 * One cell as Athena's GetQueryResults renders it: text, or null for SQL NULL. Both engines
 * return this, so code that reads results never cares which engine ran the query.
 */
export type Cell = string | null;
export type Row = readonly Cell[];

export type EngineKind = 'local' | 'athena';

/**
 * What JSON type a column's cells are, from the column's SQL type: integers (count, bigint),
 * other numbers (double, decimal), booleans, and text for everything else (varchar,
 * timestamps, rows and arrays as Athena renders them).
 */
export type ColumnKind = 'string' | 'integer' | 'number' | 'boolean';

export interface QueryStats {
  readonly engine: EngineKind;
  /** Wall time of the whole run, including any log loading the local engine had to do. */
  readonly elapsedMs: number;
  /** Athena: bytes the query scanned (what the workgroup cutoff counts). */
  readonly bytesScanned?: number;
  /** Athena: the QueryExecutionId, to find the run in the console. */
  readonly executionId?: string;
  /** Local: log files of the query's window in the session, and how many this run had to parse. */
  readonly filesInWindow?: number;
  readonly filesParsed?: number;
  /** Local: milliseconds spent parsing log files in this run (0 when all were loaded or cached). */
  readonly loadMs?: number;
}

export interface QueryResult {
  readonly queryId: string;
  /** Column names as the SQL names them (aliases keep their case on both engines). */
  readonly columns: readonly string[];
  /** The JSON type of each column (by its SQL type). @default every column text */
  readonly columnKinds?: readonly ColumnKind[];
  readonly rows: readonly Row[];
  readonly stats: QueryStats;
  /** Things a responder must know about the answer, e.g. log files that were skipped. */
  readonly warnings: readonly string[];
}

/** What an engine reports while it works; the CLI prints it to stderr. */
export interface ProgressEvent {
  readonly engine: EngineKind;
  readonly queryId: string;
  readonly phase: 'discover' | 'load' | 'submit' | 'wait' | 'fetch' | 'done';
  readonly message: string;
}

export interface RunOptions {
  /** Aborting cancels the query (Athena: StopQueryExecution; local: interrupts DuckDB). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/**
 * Runs library queries. The SQL text is the same on every engine; named values are
 * validated by the query's parameter kinds and reach the engine only as bound parameters.
 */
export interface QueryEngine {
  readonly kind: EngineKind;
  run(
    query: QueryDefinition,
    values: Readonly<Record<string, string>>,
    options?: RunOptions,
  ): Promise<QueryResult>;
  /** Releases the engine's resources; the engine is unusable afterwards. */
  close(): Promise<void>;
}

/** Rows as objects keyed by column name, for code that reads results by name. */
export function rowObjects(result: Pick<QueryResult, 'columns' | 'rows'>): Record<string, Cell>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i] ?? null])));
}

/** A JSON value: a cell in its column's type (SQL NULL is null). */
export type TypedCell = string | number | boolean | null;

/**
 * A cell as its column's JSON type. An integer too large for a JavaScript number stays
 * text, so no digit is ever lost.
 */
export function typedCell(cell: Cell, kind: ColumnKind = 'string'): TypedCell {
  if (cell === null) return null;
  switch (kind) {
    case 'boolean':
      return cell === 'true' ? true : cell === 'false' ? false : cell;
    case 'integer': {
      const n = Number(cell);
      return /^-?\d+$/.test(cell) && Number.isSafeInteger(n) ? n : cell;
    }
    case 'number': {
      const n = Number(cell);
      return cell.trim() !== '' && Number.isFinite(n) ? n : cell;
    }
    default:
      return cell;
  }
}

/** Rows as objects keyed by column name, each cell in its column's JSON type. */
export function typedRowObjects(
  result: Pick<QueryResult, 'columns' | 'rows' | 'columnKinds'>,
): Record<string, TypedCell>[] {
  return result.rows.map((row) =>
    Object.fromEntries(result.columns.map((c, i) => [c, typedCell(row[i] ?? null, result.columnKinds?.[i])])),
  );
}

/** The kind of an Athena (Trino) column type, as GetQueryResults names it. */
export function athenaColumnKind(type: string | undefined): ColumnKind {
  const t = (type ?? '').toLowerCase();
  if (t === 'boolean') return 'boolean';
  if (['tinyint', 'smallint', 'integer', 'int', 'bigint'].includes(t)) return 'integer';
  if (['double', 'real', 'float'].includes(t) || t.startsWith('decimal')) return 'number';
  return 'string';
}
