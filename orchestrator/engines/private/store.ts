import { DuckDBConnection } from '@duckdb/node-api';

import { FlowField } from '../../../lib/schema/vpc-flow';
import { LogFile, LogKind } from '../discovery';
import {
  BATCH_TABLE,
  FLOW_ADDRESS_TERM,
  RECORDS_TERM,
  STORE,
  cloudTrailInsert,
  cloudTrailScan,
  cloudTrailTermsOfRows,
  flowInsert,
  flowTermsOfRows,
} from './duckdb-sql';
import {
  Verdict,
  inspectEmptyCloudTrail,
  inspectEmptyFlowLog,
  readFlowLog,
  uncompressedSize,
} from './file-checks';
import { mapLimit } from './pool';

/**
 * The store of parsed logs: which files it knows (by path, size and mtime, so a changed file
 * is read again), their index (the terms queries select records by, per file) and, for the
 * files a query needed in full, their records. Files are read in large batches, where one
 * bad file is isolated and recorded instead of failing the batch.
 *
 * A CloudTrail file is first *scanned* (indexed: its status, record count and terms) or
 * directly *loaded* (its records stored, its terms taken from them); a scanned file is loaded
 * when a query first needs its records. A flow log file is only ever loaded: the files a
 * flow query seeks in are chosen by a text search (`searchFlowLogs`), far cheaper than
 * parsing thousands of small files to index them.
 */

export type FileStatus = 'ok' | 'corrupt' | 'foreign';

export interface StoredFile {
  readonly id: number;
  readonly path: string;
  readonly kind: LogKind;
  readonly size: number;
  readonly mtimeMs: number;
  readonly status: FileStatus;
  readonly records: number;
  readonly error: string | null;
  /** Its records are in the store (not only its terms). */
  readonly loaded: boolean;
}

/** How far a file must be read: indexed only, or its records stored too. */
export type Depth = 'scan' | 'load';

/** Told while files are read: files done of the total, and the running statement's percentage. */
export type LoadProgress = (done: number, total: number, percent: number | undefined) => void;

interface Pending {
  readonly id: number;
  readonly file: LogFile;
  /** Upper bound of one JSON document (the whole file, uncompressed). */
  readonly objectSize: number;
}

/** Default upper bound of DuckDB's read_json object size; raised for larger files. */
const MIN_OBJECT_SIZE = 16 * 1024 * 1024;
/**
 * Files per DuckDB statement. Each statement has a sizeable fixed cost (a 60-file statement
 * costs 1.7 times the CPU per file of a 360-file one), so batches are large; the bound keeps
 * the retry after a bad file affordable and the SQL text reasonable.
 */
const BATCH_FILES = 4096;
const BATCH_BYTES = 2 * 1024 * 1024 * 1024;
/** Parts a failed batch is retried in once its bad file is known (halves when it is not). */
const RETRY_PARTS = 4;
/** How often a long statement's progress is told. */
const PROGRESS_MS = 500;
/** A text search tells its progress every this many files, and yields to the event loop more often. */
const SEARCH_PROGRESS_FILES = 500;
const SEARCH_YIELD_FILES = 50;
/** Small file reads in flight at once. */
const IO_CONCURRENCY = 32;

export class CancelledError extends Error {}

type AppendValue = string | number | bigint | boolean | null;
const FILES_TABLE = `${STORE}.irkit.files`;
/** Fields per file in init's text. */
const FILE_FIELDS = 8;

export class Store {
  private readonly files = new Map<string, StoredFile>();
  private nextId = 1;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly isCancelled: () => boolean,
  ) {}

  /**
   * Reads the store's list of files. It is read as one text of NUL-separated fields (no path
   * holds a NUL), which a warm cache of thousands of files reads several times faster than as
   * rows; the errors, free text, come apart as rows, for the few files that have one.
   */
  async init(): Promise<void> {
    const listed = await this.connection.runAndReadAll(
      `SELECT string_agg(concat_ws(chr(0), file_id, path, kind, size, mtime_ms, status, records, loaded), chr(0))
       FROM ${STORE}.irkit.files`,
    );
    const errors = await this.connection.runAndReadAll(
      `SELECT file_id, error FROM ${STORE}.irkit.files WHERE error IS NOT NULL`,
    );
    const errorOf = new Map(errors.getRowsJS().map(([id, error]) => [Number(id), String(error)]));
    const text = listed.getRowsJS()[0][0];
    const fields = typeof text === 'string' ? text.split('\0') : [];
    for (let i = 0; i + FILE_FIELDS <= fields.length; i += FILE_FIELDS) {
      const [id, path, kind, size, mtime, status, records, loaded] = fields.slice(i, i + FILE_FIELDS);
      const stored: StoredFile = {
        id: Number(id),
        path,
        kind: kind as LogKind,
        size: Number(size),
        mtimeMs: Number(mtime),
        status: status as FileStatus,
        records: Number(records),
        error: errorOf.get(Number(id)) ?? null,
        loaded: loaded === 'true',
      };
      this.files.set(stored.path, stored);
      this.nextId = Math.max(this.nextId, stored.id + 1);
    }
  }

  /** The stored entry of a file, if it was parsed in its current version (same size and mtime). */
  current(file: LogFile): StoredFile | undefined {
    const stored = this.files.get(file.path);
    return stored && stored.size === file.size && stored.mtimeMs === file.mtimeMs ? stored : undefined;
  }

  /** Whether `ensure` would read the file to reach that depth. */
  needs(file: LogFile, depth: Depth): boolean {
    const stored = this.current(file);
    return !stored || (depth === 'load' && stored.status === 'ok' && !stored.loaded);
  }

  /**
   * Reads the files to the depth asked: unknown files are scanned (or, for 'load', loaded
   * directly), scanned readable files are loaded for 'load'. Returns how many were read.
   */
  async ensure(files: readonly LogFile[], depth: Depth, onProgress: LoadProgress): Promise<number> {
    const fresh = files.filter((file) => !this.current(file));
    const scanned =
      depth === 'load' ? files.filter((file) => this.needs(file, 'load') && this.current(file)) : [];
    for (const file of fresh) {
      const stale = this.files.get(file.path);
      if (stale) await this.forget(stale);
    }
    const sizes = [...fresh, ...scanned].map((file) =>
      file.kind === 'cloudtrail' ? uncompressedSize(file.path, file.size) : 0,
    );
    const total = fresh.length + scanned.length;
    let done = 0;
    const progress = (percent: number | undefined) => onProgress(done, total, percent);
    const run = async (batch: readonly Pending[], read: (batch: readonly Pending[]) => Promise<void>) => {
      if (this.isCancelled()) throw new CancelledError('cancelled');
      await read(batch);
      done += batch.length;
      progress(undefined);
    };
    // Files the store has not seen: their ids are new, assigned in order.
    const pending: Pending[] = fresh.map((file, i) => ({ id: this.nextId++, file, objectSize: sizes[i] }));
    for (const batch of batches(pending.filter((p) => p.file.kind === 'cloudtrail'))) {
      await run(batch, (b) =>
        this.readNew(
          b,
          depth,
          (paths) =>
            depth === 'scan'
              ? cloudTrailScan(paths, objectSizeLimit(b))
              : [cloudTrailInsert(paths, objectSizeLimit(b)), cloudTrailTermsOfRows()],
          inspectEmptyCloudTrail,
          progress,
        ),
      );
    }
    // Flow log files are loaded whatever the depth asked (see the class comment).
    for (const [header, group] of await this.byFlowHeader(pending.filter((p) => p.file.kind === 'vpcflow'))) {
      for (const batch of batches(group)) {
        await run(batch, (b) =>
          this.readNew(
            b,
            'load',
            (paths) => [flowInsert(paths, header), flowTermsOfRows()],
            inspectEmptyFlowLog,
            progress,
          ),
        );
      }
    }
    // Files scanned before, now needed in full.
    const known: Pending[] = scanned.map((file, i) => ({
      id: (this.current(file) as StoredFile).id,
      file,
      objectSize: sizes[fresh.length + i],
    }));
    for (const batch of batches(known.filter((p) => p.file.kind === 'cloudtrail'))) {
      await run(batch, (b) =>
        this.loadKnown(b, (paths) => cloudTrailInsert(paths, objectSizeLimit(b)), progress),
      );
    }
    const flows = known.filter((p) => p.file.kind === 'vpcflow');
    const headers = await mapLimit(flows, IO_CONCURRENCY, (p) => readFlowLog(p.file.path, p.file.size));
    const byHeader = new Map<string, { header: FlowField[]; files: Pending[] }>();
    flows.forEach((p, i) => {
      const read = headers[i];
      // The file was read as a flow log before: a header it no longer has means it changed.
      if (!('header' in read)) return;
      const header = read.header;
      const key = header.map((f) => f.logName).join(' ');
      const group = byHeader.get(key) ?? { header, files: [] };
      group.files.push(p);
      byHeader.set(key, group);
    });
    for (const { header, files: group } of byHeader.values()) {
      for (const batch of batches(group)) {
        await run(batch, (b) => this.loadKnown(b, (paths) => flowInsert(paths, header), progress));
      }
    }
    return total;
  }

  /**
   * Of flow log files the store does not know, those whose text holds one of `values` (the
   * files a seek for those values must load). Files that cannot be read, or are not flow
   * logs, are recorded with their verdict, as loading them would. With `index` (a cache that
   * outlives the session), the files read whole are indexed on the way (their addresses), so
   * that a later seek asks the index instead of searching again; otherwise they are not
   * recorded, and a later search reads them again.
   */
  async searchFlowLogs(
    files: readonly LogFile[],
    values: readonly string[],
    onProgress: LoadProgress,
    index = false,
  ): Promise<LogFile[]> {
    const fresh = files.filter((file) => file.kind === 'vpcflow' && !this.current(file));
    for (const file of fresh) {
      const stale = this.files.get(file.path);
      if (stale) await this.forget(stale);
    }
    // One file after another: small files are read synchronously (see readFlowLog), so the
    // loop lets the event loop run (a Ctrl-C, a progress line) every few files.
    const reads: Awaited<ReturnType<typeof readFlowLog>>[] = [];
    for (const file of fresh) {
      if (reads.length % SEARCH_YIELD_FILES === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.isCancelled()) throw new CancelledError('cancelled');
      }
      reads.push(await readFlowLog(file.path, file.size, values, { index }));
      if (reads.length % SEARCH_PROGRESS_FILES === 0) onProgress(reads.length, fresh.length, undefined);
    }
    const rejected: [Pending, Verdict, number][] = [];
    const indexed: [Pending, Verdict, number][] = [];
    const terms: AppendValue[][] = [];
    const found: LogFile[] = [];
    fresh.forEach((file, i) => {
      const read = reads[i];
      if (!('header' in read)) {
        rejected.push([{ id: this.nextId++, file, objectSize: file.size }, read, 0]);
        return;
      }
      if (read.holds) found.push(file);
      if (read.index) {
        const id = this.nextId++;
        indexed.push([{ id, file, objectSize: file.size }, { status: 'ok' }, read.index.records]);
        terms.push([id, RECORDS_TERM, String(read.index.records)]);
        for (const address of read.index.addresses) terms.push([id, FLOW_ADDRESS_TERM, address]);
      }
    });
    if (rejected.length > 0) await this.record(rejected, false);
    if (indexed.length > 0) {
      // Sorted by kind and value, as every insert of terms is (see termsInsert).
      terms.sort(
        (a, b) =>
          compareTerms(a[1] as string, b[1] as string) || compareTerms(a[2] as string, b[2] as string),
      );
      await this.connection.run('BEGIN TRANSACTION');
      try {
        await this.append(`${STORE}.irkit.terms`, terms);
        await this.record(indexed, false);
        await this.connection.run('COMMIT');
      } catch (error) {
        await this.connection.run('ROLLBACK').catch(() => undefined);
        for (const [p] of indexed) this.files.delete(p.file.path);
        throw error;
      }
    }
    return found;
  }

  /**
   * Runs one long statement, telling its progress (DuckDB's own estimate) every few hundred
   * milliseconds.
   */
  private async runWatched(sql: string, progress: (percent: number | undefined) => void): Promise<void> {
    const timer = setInterval(() => {
      const p = this.connection.progress.percentage;
      if (p >= 0) progress(p);
    }, PROGRESS_MS);
    try {
      await this.connection.run(sql);
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Files the store has not seen, in one transaction: the statements (scan, or load then the
   * terms of the loaded rows), then each file's record count and verdict. When DuckDB rejects
   * the batch, the file its message names (or, when it names none, each half in turn) is
   * retried apart, until every bad file is isolated.
   */
  private async readNew(
    batch: readonly Pending[],
    depth: Depth,
    statements: (paths: readonly string[]) => string | readonly string[],
    inspectEmpty: (file: string, size: number) => Promise<Verdict>,
    progress: (percent: number | undefined) => void,
  ): Promise<void> {
    if (batch.length === 0) return;
    await this.stage(batch);
    // Ids of a batch are one ascending range, so zone maps skip every earlier batch's rows.
    const ids = batch.map((p) => p.id);
    const range = [Math.min(...ids), Math.max(...ids)];
    try {
      await this.connection.run('BEGIN TRANSACTION');
      const [first, ...rest] = [statements(batch.map((p) => p.file.path))].flat();
      await this.runWatched(first, progress);
      for (const sql of rest) await this.connection.run(sql, range);
      const reader = await this.connection.runAndReadAll(
        `SELECT file_id, value FROM ${STORE}.irkit.terms
         WHERE file_id BETWEEN $1 AND $2 AND kind = '${RECORDS_TERM}'`,
        range,
      );
      const counts = new Map(reader.getRowsJS().map(([id, n]) => [Number(id), Number(n)]));
      const verdicts: [Pending, Verdict, number][] = [];
      for (const p of batch) {
        const records = counts.get(p.id) ?? 0;
        const verdict =
          records > 0 ? { status: 'ok' as const } : await inspectEmpty(p.file.path, p.file.size);
        verdicts.push([p, verdict, records]);
      }
      await this.record(verdicts, depth === 'load');
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      for (const p of batch) this.files.delete(p.file.path);
      if (this.isCancelled()) throw new CancelledError('cancelled');
      const message = (error as Error).message;
      const named = batch.find((p) => message.includes(`"${p.file.path}"`));
      const bad = named ?? (batch.length === 1 ? batch[0] : undefined);
      if (bad) await this.record([[bad, { status: 'corrupt', reason: firstLine(message) }, 0]], false);
      // Retry the rest in parts, so that the next bad file costs a part, not the whole batch.
      const rest = batch.filter((p) => p !== bad);
      const parts = bad ? RETRY_PARTS : 2;
      const size = Math.ceil(rest.length / parts);
      for (let i = 0; i < rest.length; i += size) {
        await this.readNew(rest.slice(i, i + size), depth, statements, inspectEmpty, progress);
      }
    }
  }

  /**
   * Loads the records of files already scanned (and readable then). A file that no longer
   * loads (changed in place with the same size and mtime) is marked corrupt.
   */
  private async loadKnown(
    batch: readonly Pending[],
    insertSql: (paths: readonly string[]) => string,
    progress: (percent: number | undefined) => void,
  ): Promise<void> {
    if (batch.length === 0) return;
    await this.stage(batch);
    const ids = batch.map((p) => p.id);
    try {
      await this.connection.run('BEGIN TRANSACTION');
      await this.runWatched(insertSql(batch.map((p) => p.file.path)), progress);
      await this.connection.run(
        `UPDATE ${FILES_TABLE} SET loaded = true WHERE file_id BETWEEN $1 AND $2 AND file_id IN (${ids.map((id) => Math.trunc(id)).join(', ')})`,
        [Math.min(...ids), Math.max(...ids)],
      );
      await this.connection.run('COMMIT');
      for (const p of batch)
        this.files.set(p.file.path, { ...(this.files.get(p.file.path) as StoredFile), loaded: true });
    } catch (error) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      if (this.isCancelled()) throw new CancelledError('cancelled');
      if (batch.length === 1) {
        const reason = firstLine((error as Error).message);
        await this.connection.run(
          `UPDATE ${FILES_TABLE} SET status = 'corrupt', error = $2 WHERE file_id = $1`,
          [batch[0].id, reason],
        );
        const stored = this.files.get(batch[0].file.path) as StoredFile;
        this.files.set(stored.path, { ...stored, status: 'corrupt', error: reason });
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await this.loadKnown(batch.slice(0, half), insertSql, progress);
      await this.loadKnown(batch.slice(half), insertSql, progress);
    }
  }

  private async byFlowHeader(pending: readonly Pending[]): Promise<Map<readonly FlowField[], Pending[]>> {
    const groups = new Map<string, { header: FlowField[]; files: Pending[] }>();
    const headers = await mapLimit(pending, IO_CONCURRENCY, (p) => readFlowLog(p.file.path, p.file.size));
    const foreign: [Pending, Verdict, number][] = [];
    pending.forEach((p, i) => {
      const read = headers[i];
      if (!('header' in read)) {
        foreign.push([p, read, 0]);
        return;
      }
      const header = read.header;
      const key = header.map((f) => f.logName).join(' ');
      const group = groups.get(key) ?? { header, files: [] };
      group.files.push(p);
      groups.set(key, group);
    });
    if (foreign.length > 0) await this.record(foreign, false);
    return new Map([...groups.values()].map((g) => [g.header, g.files]));
  }

  private async stage(batch: readonly Pending[]): Promise<void> {
    await this.connection.run(`DELETE FROM ${BATCH_TABLE}`);
    await this.append(
      BATCH_TABLE,
      batch.map((p) => [
        p.file.path,
        p.id,
        p.file.partition?.date ?? null,
        p.file.partition?.region ?? null,
        p.file.partition?.account ?? null,
      ]),
    );
  }

  /** Appends rows through DuckDB's appender (thousands of bound parameters are slow). */
  private async append(table: string, rows: readonly (readonly AppendValue[])[]): Promise<void> {
    const [catalog, schema, name] = table.split('.');
    const appender = await this.connection.createAppender(name, schema, catalog);
    try {
      for (const row of rows) {
        for (const value of row) {
          if (value === null) appender.appendNull();
          else if (typeof value === 'string') appender.appendVarchar(value);
          else if (typeof value === 'bigint') appender.appendBigInt(value);
          else if (typeof value === 'boolean') appender.appendBoolean(value);
          else appender.appendInteger(value);
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** Notes files in the store's index. */
  private async record(
    entries: readonly (readonly [Pending, Verdict, number])[],
    loaded: boolean,
  ): Promise<void> {
    const stored = entries.map(([p, verdict, records]): StoredFile => ({
      id: p.id,
      path: p.file.path,
      kind: p.file.kind,
      size: p.file.size,
      mtimeMs: p.file.mtimeMs,
      status: verdict.status,
      records,
      error: verdict.status === 'ok' ? null : verdict.reason,
      loaded: loaded && verdict.status === 'ok',
    }));
    await this.append(
      FILES_TABLE,
      stored.map((s) => [
        s.id,
        s.path,
        s.kind,
        BigInt(s.size),
        BigInt(s.mtimeMs),
        s.status,
        BigInt(s.records),
        s.error,
        s.loaded,
      ]),
    );
    for (const s of stored) this.files.set(s.path, s);
  }

  /** Drops a file's old version (it changed on disk since it was parsed). */
  private async forget(stale: StoredFile): Promise<void> {
    await this.connection.run(`DELETE FROM ${STORE}.irkit.${stale.kind} WHERE file_id = $1`, [stale.id]);
    await this.connection.run(`DELETE FROM ${STORE}.irkit.terms WHERE file_id = $1`, [stale.id]);
    await this.connection.run(`DELETE FROM ${STORE}.irkit.files WHERE file_id = $1`, [stale.id]);
    this.files.delete(stale.path);
  }
}

function* batches(pending: readonly Pending[]): Generator<Pending[]> {
  let batch: Pending[] = [];
  let bytes = 0;
  for (const p of pending) {
    // DuckDB sizes its read buffers for the batch's largest document, per thread: a large
    // file goes alone, so it does not inflate the memory of a whole batch.
    if (p.objectSize > MIN_OBJECT_SIZE) {
      yield [p];
      continue;
    }
    if (batch.length > 0 && (batch.length >= BATCH_FILES || bytes + p.objectSize > BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(p);
    bytes += p.objectSize;
  }
  if (batch.length > 0) yield batch;
}

function objectSizeLimit(batch: readonly Pending[]): number {
  const largest = Math.max(...batch.map((p) => p.objectSize));
  return Math.max(MIN_OBJECT_SIZE, 2 ** Math.ceil(Math.log2(largest + 1024)));
}

/** Code unit order: DuckDB's VARCHAR order for the ASCII addresses sorted here (an optimization only). */
function compareTerms(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}
