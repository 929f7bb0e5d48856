import { QueryDefinition } from '../../lib/queries';

/**
 * One cell as Athena's GetQueryResults renders it: text, or null for SQL NULL. Both engines
 * return this, so code that reads results never cares which engine ran the query.
 */
export type Cell = string | null;
export type Row = readonly Cell[];

export type EngineKind = 'local' | 'athena';

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
