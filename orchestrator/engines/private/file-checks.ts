import { createReadStream, promises as fs } from 'node:fs';
import { createGunzip, gunzip } from 'node:zlib';
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

/** Uncompressed size of a single-member gzip file, from its trailer (ISIZE, RFC 1952). */
export async function uncompressedSize(file: string, size: number): Promise<number> {
  if (!isGzip(file) || size < 18) return size;
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(4);
    await handle.read(buffer, 0, 4, size - 4);
    // ISIZE is modulo 2^32, and a truncated file has garbage there: keep it within what
    // deflate can produce from `size` bytes (at most about 1032:1).
    return Math.min(Math.max(buffer.readUInt32LE(0), size), size * MAX_DEFLATE_RATIO + 1024);
  } finally {
    await handle.close();
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

/**
 * The header line of a flow log file: the field list of its format, or why it is not one.
 * A gzip file is read to its end, so that a truncated one is caught: flow records are lines,
 * and a cut that falls between two of them would otherwise go unnoticed.
 */
export async function readFlowHeader(file: string, size: number): Promise<FlowField[] | Verdict> {
  let line: string;
  if (size <= WHOLE_READ_BYTES) {
    // Small files (the usual hourly ones) are read whole: far cheaper than a stream each.
    const data = await content(file);
    if (!Buffer.isBuffer(data)) return data;
    const end = data.indexOf(10);
    line = data.subarray(0, end >= 0 ? Math.min(end, 65536) : 200).toString('utf8');
  } else {
    try {
      line = await firstLine(file);
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
  return names.map((n) => FLOW_LOG_FIELDS[n]);
}

/** The first line; for gzip, only after the whole stream (and its CRC) checked out. */
function firstLine(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const source = createReadStream(file);
    const gzip = isGzip(file);
    const stream = gzip ? source.pipe(createGunzip()) : source;
    let text = '';
    let line: string | undefined;
    const finish = (value: string) => {
      source.destroy();
      resolve(value);
    };
    stream.on('data', (chunk: Buffer) => {
      if (line !== undefined) return;
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end >= 0 || text.length > 65536) {
        line = end >= 0 ? text.slice(0, end) : text.slice(0, 200);
        if (!gzip) finish(line);
      }
    });
    stream.on('end', () => finish(line ?? text));
    stream.on('error', (error: Error) => {
      source.destroy();
      reject(error);
    });
    source.on('error', reject);
  });
}
