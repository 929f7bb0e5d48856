import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  DuckDBConnection,
  DuckDBInstance,
  DuckDBResultReader,
  DuckDBType,
  DuckDBTypeId,
  StatementType,
} from '@duckdb/node-api';

import { IrKitError } from '../../lib/errors';
import {
  DEFAULT_TABLE_NAMES,
  QueryDefinition,
  Seek,
  SeekKind,
  TableNames,
  bindParams,
  renderSql,
} from '../../lib/queries';
import { DEFAULT_FLOW_LOG_FORMAT, flowLogFields } from '../../lib/schema/vpc-flow';
import { dateWindow } from '../../lib/validation';
import { DateWindow, LogFile, LogKind, discoverLogFiles, surveyLayoutDays } from './discovery';
import { Cell, ColumnKind, ProgressEvent, QueryEngine, QueryResult, RunOptions } from './engine';
import { athenaText } from './private/athena-text';
import {
  ATHENA_MACROS,
  BATCH_DDL,
  STORE,
  STORE_VERSION,
  TEXT_SEEKS,
  ident,
  literal,
  seekSql,
  storeDdl,
  viewDdl,
} from './private/duckdb-sql';
import { CancelledError, Depth, Store, StoredFile } from './private/store';

export interface LocalEngineOptions {
  /**
   * Folder of exported logs: the S3 layout (`[PREFIX/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/...`
   * and `.../vpcflowlogs/...`) at any depth, or loose `.json[.gz]` / `.log[.gz]` files.
   */
  readonly logs: string;
  /** @default the playbook's Glue names */
  readonly names?: TableNames;
  /**
   * A DuckDB file keeping parsed records between runs, keyed by file path, size and mtime.
   * @default - records are parsed into a temporary DuckDB file, deleted by close()
   */
  readonly cachePath?: string;
  /** Fail with IRKIT_LOGS_CORRUPT instead of skipping corrupt or foreign files. @default false */
  readonly strict?: boolean;
  /** Fields of the VPC Flow Logs table, in log-format names. @default the version 2 format */
  readonly flowLogFormat?: readonly string[];
  /** @default the number of cores */
  readonly threads?: number;
  /** DuckDB's memory limit; beyond it DuckDB spills to a private temp folder. @default '640MB' */
  readonly memoryLimit?: string;
}

/** One statement to run: what it reads, and how to run it once the files are visible. */
interface Statement {
  readonly id: string;
  readonly seek?: QueryDefinition['seek'];
  /** The bound value of a parameter, if the statement has it. */
  readonly value: (param: string) => string | undefined;
  readonly kinds: readonly LogKind[];
  readonly window: DateWindow;
  readonly execute: () => Promise<DuckDBResultReader>;
  readonly hint: string;
}

/** Names printed in a warning before "and N more". */
const NAMED_FILES = 10;

/**
 * The local engine: the library's SQL, unchanged, on embedded DuckDB over exported log
 * files. The first query over a date window lists the window's files and parses those the
 * store (this session's temp file, or the --cache file) does not hold yet, in a few large
 * DuckDB statements; every later query of the session over that window reads the parsed
 * records only. The Glue-named views show the session's files and nothing else.
 */
export class LocalEngine implements QueryEngine {
  public readonly kind = 'local' as const;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private cancelled = false;
  private readonly store: Store;
  private readonly listings = new Map<string, Promise<readonly LogFile[]>>();

  private constructor(
    private readonly options: LocalEngineOptions,
    private readonly names: TableNames,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly tempDir: string,
    /** The store's DuckDB file: the --cache file, or the session's in the temp folder. */
    private readonly storePath: string,
  ) {
    this.store = new Store(connection, () => this.cancelled);
  }

  static async open(options: LocalEngineOptions): Promise<LocalEngine> {
    const names = options.names ?? DEFAULT_TABLE_NAMES;
    const flowFormat = flowLogFields(options.flowLogFormat ?? DEFAULT_FLOW_LOG_FORMAT);
    const logs = path.resolve(options.logs);
    if (!(await fs.stat(logs).catch(() => undefined))) {
      throw new IrKitError('IRKIT_INVALID_INPUT', `log folder ${logs} does not exist`, {
        hint: 'pass --logs the folder holding the exported AWSLogs/ tree (or a folder of .json.gz files)',
      });
    }
    const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'irkit-duckdb-'));
    let instance: DuckDBInstance | undefined;
    try {
      instance = await DuckDBInstance.create(':memory:', {
        threads: String(options.threads ?? os.availableParallelism()),
        memory_limit: options.memoryLimit ?? '640MB',
        temp_directory: tempDir,
        // Every library query orders its rows; unordered loading is faster.
        preserve_insertion_order: 'false',
      });
      const connection = await instance.connect();
      // Long statements tell their progress (polled by the store); DuckDB prints nothing itself.
      await connection.run(`SET enable_progress_bar = true`);
      await connection.run(`SET enable_progress_bar_print = false`);
      if (!options.cachePath) {
        // A session store lives only as long as the engine: skipping compression saves about
        // a fifth of the parsing CPU, at the price of a larger temp file.
        await connection.run(`SET force_compression = 'uncompressed'`);
      }
      const storePath = path.resolve(options.cachePath ?? path.join(tempDir, 'session.duckdb'));
      await attachStore(connection, storePath);
      for (const sql of [...ATHENA_MACROS, BATCH_DDL, ...viewDdl(names, flowFormat)])
        await connection.run(sql);
      const engine = new LocalEngine({ ...options, logs }, names, instance, connection, tempDir, storePath);
      await engine.store.init();
      return engine;
    } catch (error) {
      instance?.closeSync();
      await fs.rm(tempDir, { recursive: true, force: true });
      throw error;
    }
  }

  async run(
    query: QueryDefinition,
    values: Readonly<Record<string, string>>,
    options: RunOptions = {},
  ): Promise<QueryResult> {
    // Validate before queueing, so bad input is refused at once and nothing runs.
    const bound = bindParams(query, values);
    const window = windowOf(query, values);
    const sql = renderSql(query, this.names);
    return this.enqueue(
      {
        id: query.id,
        seek: query.seek,
        value: (param) => bound[query.placeholders.indexOf(param)],
        kinds: this.tablesOf(sql, (name) => sql.includes(ident(name))),
        window,
        execute: async () => {
          const prepared = await this.connection.prepare(sql);
          bound.forEach((value, i) => prepared.bindVarchar(i + 1, value));
          return prepared.runAndReadAll();
        },
        hint: 'rerun with --debug for the DuckDB error; the SQL is shown by `irkit queries show`',
      },
      options,
    );
  }

  /**
   * Runs one read-only SELECT written by hand (`irkit sql`) over the Glue-named views, with
   * every file of the window of each table it names. Anything else (a write, DDL, ATTACH,
   * COPY, INSTALL/LOAD, PRAGMA, SET, several statements) is refused before any file is read;
   * the SELECT itself runs with the store attached read-only.
   */
  async sql(text: string, window: DateWindow, options: RunOptions = {}): Promise<QueryResult> {
    const checked = dateWindow(window.from, window.to);
    await this.queue;
    await this.checkReadOnly(text);
    const mentions = (name: string) => text.toLowerCase().includes(name.toLowerCase());
    return this.enqueue(
      {
        id: 'sql',
        value: () => undefined,
        kinds: this.tablesOf(text, mentions),
        window: checked,
        execute: () =>
          this.readOnly(async () => {
            const extracted = await this.connection.extractStatements(text);
            const prepared = await extracted.prepare(0);
            return prepared.runAndReadAll();
          }),
        hint: 'check the SQL against the tables irkit sql describes (--help); DuckDB’s message says what failed',
      },
      options,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    this.connection.closeSync();
    this.instance.closeSync();
    await fs.rm(this.tempDir, { recursive: true, force: true });
  }

  /** The log tables a statement reads, by the names it contains. */
  private tablesOf(_sql: string, names: (table: string) => boolean): LogKind[] {
    const kinds: LogKind[] = [];
    if (names(this.names.cloudTrailTable)) kinds.push('cloudtrail');
    if (names(this.names.vpcFlowTable)) kinds.push('vpcflow');
    return kinds;
  }

  /**
   * Refuses anything but one SELECT. The text is first only parsed (json_serialize_sql accepts
   * SELECT statements alone, and runs nothing); only a single SELECT is then bound, since
   * binding some other statements acts (EXPORT DATABASE creates its folder).
   */
  private async checkReadOnly(text: string): Promise<void> {
    const refuse = (why: string) =>
      new IrKitError('IRKIT_INVALID_INPUT', `irkit sql runs one read-only SELECT: ${why}`, {
        hint: 'write one SELECT (or WITH ... SELECT) over the tables; nothing was run and nothing changed',
      });
    const parsed = await this.connection.runAndReadAll(`SELECT json_serialize_sql($1::VARCHAR)`, [text]);
    const tree = JSON.parse(String(parsed.getRowsJS()[0][0])) as {
      error?: boolean;
      error_message?: string;
      statements?: unknown[];
    };
    if (tree.error) {
      if (/only select/i.test(tree.error_message ?? '')) throw refuse('this is not a SELECT');
      throw new IrKitError('IRKIT_INVALID_INPUT', `the SQL does not parse: ${tree.error_message}`, {
        hint: 'write one SELECT in DuckDB’s SQL; nothing was run',
      });
    }
    if (tree.statements?.length !== 1)
      throw refuse(`the text holds ${tree.statements?.length ?? 0} statements`);
    try {
      const extracted = await this.connection.extractStatements(text);
      const type = (await extracted.prepare(0)).statementType;
      if (type !== StatementType.SELECT)
        throw refuse(`this is a ${StatementType[type] ?? String(type)} statement`);
    } catch (error) {
      if (error instanceof IrKitError) throw error;
      throw new IrKitError('IRKIT_INVALID_INPUT', `the SQL does not bind: ${firstLine(error)}`, {
        hint: 'check table and column names: irkit sql --help lists them; nothing was run',
        cause: error,
      });
    }
  }

  /** Runs `work` with the store attached read-only, then attaches it for writing again. */
  private async readOnly<T>(work: () => Promise<T>): Promise<T> {
    await this.connection.run(`CHECKPOINT ${STORE}`);
    await this.connection.run(`DETACH ${STORE}`);
    await this.connection.run(`ATTACH ${literal(this.storePath)} AS ${STORE} (READ_ONLY)`);
    try {
      return await work();
    } finally {
      await this.connection.run(`DETACH ${STORE}`);
      await this.connection.run(`ATTACH ${literal(this.storePath)} AS ${STORE}`);
    }
  }

  private enqueue(statement: Statement, options: RunOptions): Promise<QueryResult> {
    const next = this.queue.then(() => this.runNow(statement, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(statement: Statement, options: RunOptions): Promise<QueryResult> {
    if (this.closed) {
      throw new IrKitError('IRKIT_QUERY_FAILED', 'the local engine is closed', {
        hint: 'open a new engine for further queries',
      });
    }
    const { id, window, kinds } = statement;
    const started = Date.now();
    const progress = (phase: ProgressEvent['phase'], message: string) =>
      options.onProgress?.({ engine: 'local', queryId: id, phase, message });

    this.cancelled = false;
    const abort = () => {
      this.cancelled = true;
      this.connection.interrupt();
    };
    if (options.signal?.aborted) throw cancelled(id);
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      progress('discover', `looking for logs of ${window.from}..${window.to} under ${this.options.logs}`);
      const window_ = await this.prepareWindow(statement, window, kinds, progress);
      if (this.cancelled) throw cancelled(id);
      progress('submit', `running ${id}`);
      const reader = await statement.execute();
      const rows = reader.getRows().map((row) => row.map(athenaText) as Cell[]);
      progress('done', `${id}: ${rows.length} row(s)`);
      return {
        queryId: id,
        columns: reader.columnNames(),
        columnKinds: reader.columnTypes().map(columnKind),
        rows,
        warnings: window_.warnings,
        stats: {
          engine: 'local',
          elapsedMs: Date.now() - started,
          filesInWindow: window_.files,
          filesParsed: window_.parsed,
          loadMs: window_.loadMs,
        },
      };
    } catch (error) {
      if (this.cancelled || error instanceof CancelledError) throw cancelled(id);
      if (error instanceof IrKitError) throw error;
      throw new IrKitError(
        'IRKIT_QUERY_FAILED',
        `query ${id} failed on the local engine: ${firstLine(error)}`,
        {
          hint: statement.hint,
          cause: error,
        },
      );
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  }

  /**
   * Makes the log files the query can use visible to the views, reading what the store does
   * not hold yet: for a table the query seeks in, every file of the window is indexed and only
   * the files holding a matching record are loaded; any other table is loaded whole.
   */
  private async prepareWindow(
    query: Pick<Statement, 'id' | 'seek' | 'value'>,
    window: DateWindow,
    kinds: readonly LogKind[],
    progress: (phase: ProgressEvent['phase'], message: string) => void,
  ): Promise<{ files: number; parsed: number; loadMs: number; warnings: string[] }> {
    const listed = await Promise.all(kinds.map((kind) => this.listFiles(window, kind)));
    const files = listed.flat();
    const warnings: string[] = [];
    const byKind = (kind: LogKind) => files.filter((f) => f.kind === kind);
    if (kinds.includes('cloudtrail') && byKind('cloudtrail').length === 0) {
      throw await this.missing(window);
    }
    if (kinds.includes('vpcflow') && byKind('vpcflow').length === 0) {
      warnings.push(
        `no VPC Flow Logs files for ${window.from}..${window.to} under ${this.options.logs}: ` +
          `the flow log table is empty for ${query.id}`,
      );
    }
    const started = Date.now();
    const parsed = new Set<string>();
    const read = async (batch: readonly LogFile[], depth: Depth, what: string) => {
      const toRead = batch.filter((f) => this.store.needs(f, depth));
      if (toRead.length === 0) return;
      toRead.forEach((f) => parsed.add(f.path));
      progress('load', `${what} ${toRead.length} of ${batch.length} log file(s)`);
      await this.store.ensure(batch, depth, (done, all, percent) =>
        progress(
          'load',
          `${what} ${all} log file(s): ${percent === undefined ? `${done}/${all} done` : `${Math.floor(percent)}%`}`,
        ),
      );
    };
    // A seek on a parameter the query does not bind (a query built from another) cannot
    // choose files: that table is read whole.
    const seekKinds = kinds.filter((kind) => {
      const seek = query.seek?.[kind];
      return seek !== undefined && query.value(seek.param) !== undefined;
    });
    const seekOf = (kind: LogKind) => query.seek?.[kind] as Seek;
    const textKinds = seekKinds.filter((kind) => TEXT_SEEKS[seekOf(kind).kind]);
    const wholeKinds = kinds.filter((kind) => !seekKinds.includes(kind));
    await read(
      files.filter((f) => seekKinds.includes(f.kind) && !textKinds.includes(f.kind)),
      'scan',
      'indexing',
    );
    await read(
      files.filter((f) => wholeKinds.includes(f.kind)),
      'load',
      'parsing',
    );
    // A set: a file a search found and indexed on the way is also among the index's answers.
    const needed = new Set<LogFile>(files.filter((f) => wholeKinds.includes(f.kind)));
    for (const kind of seekKinds) {
      const seek = seekOf(kind);
      const value = query.value(seek.param) as string;
      const values = TEXT_SEEKS[seek.kind]?.(value);
      if (values) {
        // Files the store does not know yet are chosen by their text; known ones by the index.
        const unknown = byKind(kind).filter((f) => !this.store.current(f));
        if (unknown.length > 0) progress('load', `searching ${unknown.length} log file(s)`);
        const found = await this.store.searchFlowLogs(
          unknown,
          values,
          (done, all) => progress('load', `searching ${all} log file(s): ${done}/${all} done`),
          // A --cache outlives the session: index the files on the way, for the next seek.
          this.options.cachePath !== undefined,
        );
        found.forEach((f) => needed.add(f));
      }
      const ids = await this.seek(seek.kind, value);
      for (const f of byKind(kind)) {
        const stored = this.store.current(f);
        if (stored?.status === 'ok' && ids.has(stored.id)) needed.add(f);
      }
    }
    await read([...needed], 'load', 'parsing');
    const loadMs = Date.now() - started;

    const stored = files.map((f) => this.store.current(f)).filter((s): s is StoredFile => !!s);
    await this.activate(
      [...needed]
        .map((f) => this.store.current(f))
        .filter((s): s is StoredFile => s?.status === 'ok')
        .map((s) => s.id),
    );
    const skipped = stored.filter((s) => s.status !== 'ok');
    if (skipped.length > 0) {
      const text = describeSkipped(skipped, files.length);
      if (this.options.strict) {
        throw new IrKitError('IRKIT_LOGS_CORRUPT', text, {
          hint: 'remove or repair those files, or run without --strict to skip them',
        });
      }
      const usable = stored.filter((s) => s.status === 'ok' && s.kind === 'cloudtrail').length;
      if (kinds.includes('cloudtrail') && usable === 0) {
        throw new IrKitError(
          'IRKIT_LOGS_CORRUPT',
          `no readable CloudTrail file for ${window.from}..${window.to}: ${text}`,
          {
            hint: 'check that --logs points at CloudTrail log files (gzip of {"Records":[...]})',
          },
        );
      }
      warnings.push(text);
    }
    return { files: files.length, parsed: parsed.size, loadMs, warnings };
  }

  /**
   * The ids of the indexed files (of any window) holding a record the seek matches: the
   * caller keeps its window's. The files table is not consulted, so a seek costs the same
   * whatever the number of files in the window.
   */
  private async seek(kind: SeekKind, value: string): Promise<Set<number>> {
    const { sql, params } = seekSql(kind, value);
    const reader = await this.connection.runAndReadAll(sql, params);
    return new Set(reader.getRowsJS().map(([id]) => Number(id)));
  }

  /**
   * The log files of a window, listed once per session: later queries over the same window
   * reuse the list (and so answer from the same files), and skip thousands of stat calls.
   */
  private listFiles(window: DateWindow, kind: LogKind): Promise<readonly LogFile[]> {
    const key = `${window.from}..${window.to}/${kind}`;
    let listing = this.listings.get(key);
    if (!listing) {
      listing = discoverLogFiles(this.options.logs, window, [kind]).then((d) => d.files);
      this.listings.set(key, listing);
      listing.catch(() => this.listings.delete(key));
    }
    return listing;
  }

  /** Makes exactly these files visible to the views, for the query about to run. */
  private async activate(ids: readonly number[]): Promise<void> {
    await this.connection.run(`DELETE FROM temp.main.irkit_active`);
    if (ids.length === 0) return;
    const appender = await this.connection.createAppender('irkit_active', 'main', 'temp');
    try {
      for (const id of ids) {
        appender.appendInteger(id);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  private async missing(window: DateWindow): Promise<IrKitError> {
    const survey = await surveyLayoutDays(this.options.logs, 'cloudtrail');
    const where = survey
      ? `the CloudTrail day folders under it span ${survey.first}..${survey.last} (${survey.folders} folders)`
      : 'expected AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/*.json.gz (also under a prefix or an o-ORG folder) or a folder of .json[.gz] files';
    return new IrKitError(
      'IRKIT_LOGS_MISSING',
      `no CloudTrail log files for ${window.from}..${window.to} under ${this.options.logs}`,
      { hint: `${where}; choose a window with logs or the right folder` },
    );
  }
}

async function attachStore(connection: DuckDBConnection, cachePath: string): Promise<void> {
  const file = path.resolve(cachePath);
  try {
    await connection.run(`ATTACH ${literal(file)} AS ${STORE}`);
  } catch (error) {
    throw new IrKitError('IRKIT_CONFIG', `cannot open the cache ${file}: ${firstLine(error)}`, {
      hint: 'the cache must be a DuckDB file written by irkit and not in use by another irkit; choose another --cache path',
      cause: error,
    });
  }
  const foreign = await connection.runAndReadAll(
    `SELECT count(*) FROM duckdb_tables() WHERE database_name = '${STORE}' AND schema_name <> 'irkit'`,
  );
  const version = await connection
    .runAndReadAll(`SELECT value FROM ${STORE}.irkit.meta WHERE key = 'store_version'`)
    .then((r) => r.getRowsJS()[0]?.[0])
    .catch(() => undefined);
  const hasTables = Number(foreign.getRowsJS()[0][0]) > 0;
  if (hasTables || (version !== undefined && version !== STORE_VERSION)) {
    throw new IrKitError(
      'IRKIT_CONFIG',
      hasTables
        ? `${file} is a DuckDB database that irkit did not write; it is left untouched`
        : `the cache ${file} was written by another version of irkit`,
      { hint: 'choose another --cache path (or delete that cache file yourself if it is irkit’s)' },
    );
  }
  // A cache of this version is opened as it is: no write, so nothing to checkpoint at close.
  if (version === STORE_VERSION) return;
  for (const sql of storeDdl()) await connection.run(sql);
  await connection.run(
    `INSERT OR REPLACE INTO ${STORE}.irkit.meta VALUES ('store_version', '${STORE_VERSION}')`,
  );
}

function windowOf(query: QueryDefinition, values: Readonly<Record<string, string>>): DateWindow {
  const names = query.params.filter((p) => p.kind === 'date').map((p) => p.name);
  if (!names.includes('from') || !names.includes('to')) {
    throw new IrKitError('IRKIT_CONFIG', `query ${query.id} has no from/to date window`, {
      hint: 'every library query filters on date_partition between the from and to parameters',
    });
  }
  return dateWindow(values.from, values.to);
}

const INTEGER_TYPES = new Set([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.UHUGEINT,
]);

/** The JSON kind of a DuckDB column type, as athenaColumnKind gives it for Trino's. */
function columnKind(type: DuckDBType): ColumnKind {
  if (type.typeId === DuckDBTypeId.BOOLEAN) return 'boolean';
  if (INTEGER_TYPES.has(type.typeId)) return 'integer';
  if ([DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE, DuckDBTypeId.DECIMAL].includes(type.typeId)) return 'number';
  return 'string';
}

function describeSkipped(skipped: readonly StoredFile[], total: number): string {
  const named = skipped.slice(0, NAMED_FILES).map((s) => `${s.path} (${s.status}: ${s.error})`);
  const more = skipped.length > NAMED_FILES ? `; and ${skipped.length - NAMED_FILES} more` : '';
  return `skipped ${skipped.length} of ${total} log file(s) that could not be read: ${named.join('; ')}${more}`;
}

function cancelled(id: string): IrKitError {
  return new IrKitError('IRKIT_QUERY_CANCELLED', `query ${id} was cancelled`, {
    hint: 'nothing was changed; run it again when ready',
  });
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0];
}
