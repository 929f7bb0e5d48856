import { closeSync, createReadStream, openSync, promises as fs, readFileSync, readSync } from 'node:fs';
import { createGunzip, gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';

import { FLOW_LOG_FIELDS, FlowField } from '../../../lib/schema/vpc-flow';

/**
 * Cheap checks the local engine makes in Node around DuckDB's bulk parsing: the
 * uncompressed size of a gzip file (read_json needs an upper bound on one JSON document),
 * a flow log file's header, and the post-mortem of a file that yielded no records.
 */

const gunzipAsync = promisify(gunzip);
const MAX_DEFLATE_RATIO = 1032;
/** Flow log files up to this size are read into memory at once to check them. */
const WHOLE_READ_BYTES = 4 * 1024 * 1024;
/** A file that yields no records and is larger than this is not read again to explain why. */
const INSPECT_LIMIT_BYTES = 64 * 1024 * 1024;

export function isGzip(file: string): boolean {
  return file.endsWith('.gz');
}

/**
 * Uncompressed size of a single-member gzip file, from its trailer (ISIZE, RFC 1952). Read
 * synchronously: four bytes of each of thousands of files, where promises would cost more than
 * the reads.
 */
export function uncompressedSize(file: string, size: number): number {
  if (!isGzip(file) || size < 18) return size;
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(4);
    readSync(fd, buffer, 0, 4, size - 4);
    // ISIZE is modulo 2^32, and a truncated file has garbage there: keep it within what
    // deflate can produce from `size` bytes (at most about 1032:1).
    return Math.min(Math.max(buffer.readUInt32LE(0), size), size * MAX_DEFLATE_RATIO + 1024);
  } finally {
    closeSync(fd);
  }
}

export type Verdict =
  { readonly status: 'ok' } | { readonly status: 'corrupt' | 'foreign'; readonly reason: string };

async function content(file: string): Promise<Buffer | Verdict> {
  const raw = await fs.readFile(file);
  if (!isGzip(file)) return raw;
  try {
    return await gunzipAsync(raw);
  } catch (error) {
    return { status: 'corrupt', reason: `not a complete gzip file (${(error as Error).message})` };
  }
}

/**
 * The same for a small file, synchronously: flow log files are often a few hundred bytes, and
 * for those a promise and two thread-pool round trips cost several times the read itself
 * (measured: 2.6 s of CPU against 6.8 s over 43,200 files).
 */
function smallContent(file: string): Buffer | Verdict {
  const raw = readFileSync(file);
  if (!isGzip(file)) return raw;
  try {
    return gunzipSync(raw);
  } catch (error) {
    return { status: 'corrupt', reason: `not a complete gzip file (${(error as Error).message})` };
  }
}

/**
 * Why a CloudTrail file produced no records: an empty `{"Records": []}` is fine; a
 * truncated gzip stream (which DuckDB may read as empty) is corrupt; other JSON is foreign.
 */
export async function inspectEmptyCloudTrail(file: string, size: number): Promise<Verdict> {
  if (size > INSPECT_LIMIT_BYTES) {
    return { status: 'foreign', reason: 'yielded no CloudTrail records' };
  }
  const data = await content(file);
  if (!Buffer.isBuffer(data)) return data;
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch (error) {
    return { status: 'corrupt', reason: `not valid JSON (${(error as Error).message})` };
  }
  const records =
    typeof doc === 'object' && doc !== null ? (doc as { Records?: unknown }).Records : undefined;
  return Array.isArray(records)
    ? { status: 'ok' }
    : { status: 'foreign', reason: 'not a CloudTrail log file (no "Records" array)' };
}

/** A flow log file with no records is fine when it is a complete gzip (or plain) file. */
export async function inspectEmptyFlowLog(file: string, size: number): Promise<Verdict> {
  if (size > INSPECT_LIMIT_BYTES) return { status: 'ok' };
  const data = await content(file);
  return Buffer.isBuffer(data) ? { status: 'ok' } : data;
}

/** A flow log file's field list, and whether its text holds any of the values looked for. */
export interface FlowLogFile {
  readonly header: FlowField[];
  readonly holds: boolean;
  /** When asked for, and the file was read whole: its record count and every address in it. */
  readonly index?: FlowLogIndex;
}

export interface FlowLogIndex {
  readonly records: number;
  /** The source and destination addresses of its records, as the table's columns hold them. */
  readonly addresses: ReadonlySet<string>;
}

/**
 * The header line of a flow log file (the field list of its format, or why it is not one),
 * and whether any of `needles` occurs in its text. A gzip file is read to its end, so that a
 * truncated one is caught: flow records are lines, and a cut that falls between two of them
 * would otherwise go unnoticed. The search is on bytes: a value written in a field is found,
 * and a file that holds none of the values cannot hold a record with one in a field.
 */
export async function readFlowLog(
  file: string,
  size: number,
  needles: readonly string[] = [],
  options: { readonly index?: boolean } = {},
): Promise<FlowLogFile | Verdict> {
  const search = needles.map((n) => Buffer.from(n, 'utf8')).filter((n) => n.length > 0);
  let line: string;
  let holds: boolean;
  let text: string | undefined;
  if (size <= WHOLE_READ_BYTES) {
    // Small files (the usual hourly ones) are read whole: far cheaper than a stream each.
    const data = smallContent(file);
    if (!Buffer.isBuffer(data)) return data;
    const end = data.indexOf(10);
    line = data.subarray(0, end >= 0 ? Math.min(end, 65536) : 200).toString('utf8');
    holds = search.some((n) => data.includes(n));
    if (options.index) text = data.toString('utf8');
  } else {
    try {
      ({ line, holds } = await streamFlowLog(file, search));
    } catch (error) {
      return { status: 'corrupt', reason: `not a complete gzip file (${(error as Error).message})` };
    }
  }
  const names = line.trim().split(/\s+/);
  const unknown = names.filter((n) => !FLOW_LOG_FIELDS[n]);
  if (line.trim() === '' || unknown.length > 0) {
    return {
      status: 'foreign',
      reason: `not a VPC Flow Logs file (header ${JSON.stringify(line.slice(0, 80))} names no flow log fields)`,
    };
  }
  const header = names.map((n) => FLOW_LOG_FIELDS[n]);
  return { header, holds, ...(text === undefined ? {} : { index: indexFlowText(text, header) }) };
}

/**
 * The records and addresses of a flow log's text, as the engine's table reads them: one record
 * a non-empty line after the header, fields split on single spaces, `-` for none.
 */
function indexFlowText(text: string, header: readonly FlowField[]): FlowLogIndex {
  const columns = ['sourceaddress', 'destinationaddress']
    .map((column) => header.findIndex((f) => f.column === column))
    .filter((i) => i >= 0);
  const addresses = new Set<string>();
  let records = 0;
  let start = text.indexOf('\n') + 1;
  while (start > 0 && start < text.length) {
    const next = text.indexOf('\n', start);
    const end = next < 0 ? text.length : next;
    if (end > start) {
      records += 1;
      const fields = text.slice(start, end).split(' ');
      for (const i of columns) {
        const value = fields[i];
        if (value !== undefined && value !== '' && value !== '-') addresses.add(value);
      }
    }
    start = end + 1;
  }
  return { records, addresses };
}

/**
 * The first line and the search, streaming a large file; for gzip, answered only after the
 * whole stream (and its CRC) checked out. A needle cut by a chunk boundary is found in the
 * previous chunk's tail joined to the next chunk.
 */
function streamFlowLog(file: string, needles: readonly Buffer[]): Promise<{ line: string; holds: boolean }> {
  return new Promise((resolve, reject) => {
    const source = createReadStream(file);
    const gzip = isGzip(file);
    const stream = gzip ? source.pipe(createGunzip()) : source;
    const overlap = Math.max(0, ...needles.map((n) => n.length - 1));
    let head = '';
    let line: string | undefined;
    let tail = Buffer.alloc(0);
    let holds = false;
    const finish = () => {
      source.destroy();
      resolve({ line: line ?? head, holds });
    };
    stream.on('data', (chunk: Buffer) => {
      if (line === undefined) {
        head += chunk.toString('utf8');
        const end = head.indexOf('\n');
        if (end >= 0 || head.length > 65536) line = end >= 0 ? head.slice(0, end) : head.slice(0, 200);
      }
      if (!holds && needles.length > 0) {
        const window = Buffer.concat([tail, chunk]);
        holds = needles.some((n) => window.includes(n));
        tail = window.subarray(Math.max(0, window.length - overlap));
      }
      // A plain file needs no end-to-end check: stop once both answers are known.
      if (!gzip && line !== undefined && (holds || needles.length === 0)) finish();
    });
    stream.on('end', finish);
    stream.on('error', (error: Error) => {
      source.destroy();
      reject(error);
    });
    source.on('error', reject);
  });
}
