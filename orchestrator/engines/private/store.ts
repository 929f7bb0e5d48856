import { DuckDBConnection } from '@duckdb/node-api';

import { FlowField } from '../../../lib/schema/vpc-flow';
import { LogFile, LogKind } from '../discovery';
import { BATCH_TABLE, STORE, cloudTrailInsert, flowInsert } from './duckdb-sql';
import {
  Verdict,
  inspectEmptyCloudTrail,
  inspectEmptyFlowLog,
  readFlowHeader,
  uncompressedSize,
} from './file-checks';
import { mapLimit } from './pool';

/**
 * The store of parsed records: which files it holds (by path, size and mtime, so a changed
 * file is parsed again) and the loading of new ones in batches, where one bad file is
 * isolated and recorded instead of failing the batch.
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
}

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
/** Small file reads in flight at once. */
const IO_CONCURRENCY = 32;

export class CancelledError extends Error {}

type AppendValue = string | number | bigint | null;
const FILES_TABLE = `${STORE}.irkit.files`;

export class Store {
  private readonly files = new Map<string, StoredFile>();
  private nextId = 1;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly isCancelled: () => boolean,
  ) {}

  async init(): Promise<void> {
    const reader = await this.connection.runAndReadAll(
      `SELECT file_id, path, kind, size, mtime_ms, status, records, error FROM ${STORE}.irkit.files`,
    );
    for (const [id, path, kind, size, mtime, status, records, error] of reader.getRowsJS()) {
      const stored: StoredFile = {
        id: Number(id),
        path: String(path),
        kind: kind as LogKind,
        size: Number(size),
        mtimeMs: Number(mtime),
        status: status as FileStatus,
        records: Number(records),
        error: error === null ? null : String(error),
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

  /**
   * Parses the files not yet stored in their current version. Returns how many were parsed.
   * `onBatch` is told after each batch how many files are done.
   */
  async load(files: readonly LogFile[], onBatch: (done: number) => void): Promise<number> {
    const fresh = files.filter((file) => !this.current(file));
    for (const file of fresh) {
      const stale = this.files.get(file.path);
      if (stale) await this.forget(stale);
    }
    const sizes = await mapLimit(fresh, IO_CONCURRENCY, (file) =>
      file.kind === 'cloudtrail' ? uncompressedSize(file.path, file.size) : Promise.resolve(0),
    );
    const pending: Pending[] = fresh.map((file, i) => ({ id: this.nextId++, file, objectSize: sizes[i] }));
    let done = 0;
    const report = (n: number) => {
      done += n;
      onBatch(done);
    };
    const cloudTrail = pending.filter((p) => p.file.kind === 'cloudtrail');
    for (const batch of batches(cloudTrail)) {
      if (this.isCancelled()) throw new CancelledError('cancelled');
      await this.loadBatch(
        batch,
        (paths) => cloudTrailInsert(paths, objectSizeLimit(batch)),
        inspectEmptyCloudTrail,
      );
      report(batch.length);
    }
    for (const [header, group] of await this.byFlowHeader(pending.filter((p) => p.file.kind === 'vpcflow'))) {
      for (const batch of batches(group)) {
        if (this.isCancelled()) throw new CancelledError('cancelled');
        await this.loadBatch(batch, (paths) => flowInsert(paths, header), inspectEmptyFlowLog);
        report(batch.length);
      }
    }
    return pending.length;
  }

  private async byFlowHeader(pending: readonly Pending[]): Promise<Map<readonly FlowField[], Pending[]>> {
    const groups = new Map<string, { header: FlowField[]; files: Pending[] }>();
    const headers = await mapLimit(pending, IO_CONCURRENCY, (p) => readFlowHeader(p.file.path));
    const foreign: [Pending, Verdict, number][] = [];
    pending.forEach((p, i) => {
      const header = headers[i];
      if (!Array.isArray(header)) {
        foreign.push([p, header, 0]);
        return;
      }
      const key = header.map((f) => f.logName).join(' ');
      const group = groups.get(key) ?? { header, files: [] };
      group.files.push(p);
      groups.set(key, group);
    });
    if (foreign.length > 0) await this.record(foreign);
    return new Map([...groups.values()].map((g) => [g.header, g.files]));
  }

  /**
   * One INSERT for the batch. When DuckDB rejects it, the file its message names (or, when
   * it names none, each half in turn) is retried apart, until every bad file is isolated.
   */
  private async loadBatch(
    batch: readonly Pending[],
    insertSql: (paths: readonly string[]) => string,
    inspectEmpty: (file: string, size: number) => Promise<Verdict>,
  ): Promise<void> {
    if (batch.length === 0) return;
    await this.stage(batch);
    let counts: Map<number, number>;
    try {
      await this.connection.run('BEGIN TRANSACTION');
      await this.connection.run(insertSql(batch.map((p) => p.file.path)));
      // Ids of a batch are one ascending range, so zone maps skip every earlier batch's rows.
      const ids = batch.map((p) => p.id);
      const reader = await this.connection.runAndReadAll(
        `SELECT file_id, count(*) FROM ${STORE}.irkit.${batch[0].file.kind}
         WHERE file_id BETWEEN $1 AND $2 GROUP BY file_id`,
        [Math.min(...ids), Math.max(...ids)],
      );
      counts = new Map(reader.getRowsJS().map(([id, n]) => [Number(id), Number(n)]));
      const verdicts: [Pending, Verdict, number][] = [];
      for (const p of batch) {
        const records = counts.get(p.id) ?? 0;
        const verdict =
          records > 0 ? { status: 'ok' as const } : await inspectEmpty(p.file.path, p.file.size);
        verdicts.push([p, verdict, records]);
      }
      await this.record(verdicts);
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      for (const p of batch) this.files.delete(p.file.path);
      if (this.isCancelled()) throw new CancelledError('cancelled');
      const message = (error as Error).message;
      const named = batch.find((p) => message.includes(`"${p.file.path}"`));
      const bad = named ?? (batch.length === 1 ? batch[0] : undefined);
      if (bad) await this.record([[bad, { status: 'corrupt', reason: firstLine(message) }, 0]]);
      // Retry the rest in parts, so that the next bad file costs a part, not the whole batch.
      const rest = batch.filter((p) => p !== bad);
      const parts = bad ? RETRY_PARTS : 2;
      const size = Math.ceil(rest.length / parts);
      for (let i = 0; i < rest.length; i += size) {
        await this.loadBatch(rest.slice(i, i + size), insertSql, inspectEmpty);
      }
    }
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
  private async record(entries: readonly (readonly [Pending, Verdict, number])[]): Promise<void> {
    const stored = entries.map(([p, verdict, records]): StoredFile => ({
      id: p.id,
      path: p.file.path,
      kind: p.file.kind,
      size: p.file.size,
      mtimeMs: p.file.mtimeMs,
      status: verdict.status,
      records,
      error: verdict.status === 'ok' ? null : verdict.reason,
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
      ]),
    );
    for (const s of stored) this.files.set(s.path, s);
  }

  /** Drops a file's old version (it changed on disk since it was parsed). */
  private async forget(stale: StoredFile): Promise<void> {
    await this.connection.run(`DELETE FROM ${STORE}.irkit.${stale.kind} WHERE file_id = $1`, [stale.id]);
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

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}
