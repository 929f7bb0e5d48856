import { gzipSync, gunzipSync } from 'node:zlib';

import { IrKitError } from '../../lib/errors';

/**
 * The actor's CloudTrail records exactly as logged: each record's own text, cut out of the
 * delivered file (`{"Records":[...]}`) byte for byte, never parsed and re-serialized.
 */

/** One record of a log file: its exact text and the eventID in it. */
export interface RawRecord {
  readonly text: string;
  readonly eventId: string | undefined;
  readonly eventTime: string | undefined;
}

/**
 * The text of each element of the top-level `Records` array, in file order. A small scanner
 * (strings, escapes, nesting), so the slices are the file's own characters.
 */
export function recordTexts(text: string, source: string): string[] {
  const found: string[] = [];
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let lastKey: string | undefined;
  let inRecords = false;
  let elementStart = -1;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') {
        inString = false;
        if (depth === 1) lastKey = text.slice(stringStart + 1, i);
      }
      continue;
    }
    switch (c) {
      case '"':
        inString = true;
        stringStart = i;
        break;
      case '{':
      case '[':
        if (depth === 1 && c === '[' && lastKey === 'Records') inRecords = true;
        else if (inRecords && depth === 2) elementStart = i;
        depth += 1;
        break;
      case '}':
      case ']':
        depth -= 1;
        if (inRecords && depth === 2 && elementStart >= 0) {
          found.push(text.slice(elementStart, i + 1));
          elementStart = -1;
        } else if (inRecords && depth === 1) inRecords = false;
        break;
      case ':':
        break;
      case ',':
        if (depth === 1) lastKey = undefined;
        break;
      default:
        break;
    }
  }
  if (depth !== 0 || inString) {
    throw new IrKitError('IRKIT_LOGS_CORRUPT', `${source} is not a whole CloudTrail file (cut short?)`, {
      hint: 'export the file again from the log bucket; nothing was preserved from it',
    });
  }
  return found;
}

/** Every record of one delivered file (gzip or plain), with its eventID. */
export function rawRecordsOf(body: Uint8Array, source: string): RawRecord[] {
  let bytes: Buffer = Buffer.from(body);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new IrKitError('IRKIT_LOGS_CORRUPT', `${source} is not a readable gzip file`, {
        hint: 'export the file again from the log bucket',
        cause: error,
      });
    }
  }
  return recordTexts(bytes.toString('utf8'), source).map((text) => {
    let parsed: { eventID?: unknown; eventTime?: unknown } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // Kept as logged; with no readable eventID it cannot be the actor's.
    }
    return {
      text,
      eventId: typeof parsed.eventID === 'string' ? parsed.eventID : undefined,
      eventTime: typeof parsed.eventTime === 'string' ? parsed.eventTime : undefined,
    };
  });
}

/** Where one preserved record came from. */
export interface RecordSource {
  readonly eventId: string;
  /** The log file: an S3 ARN or a local path. */
  readonly file: string;
  /** Position of the record in the file's `Records` array. */
  readonly index: number;
}

/** Collects the actor's records across files, each event once (CloudTrail may deliver one twice). */
export class ActorRecords {
  private readonly lines: string[] = [];
  private readonly seen = new Set<string>();
  public readonly sources: RecordSource[] = [];

  constructor(private readonly wanted: ReadonlySet<string>) {}

  /** Takes the wanted records of one file; returns how many. */
  public add(body: Uint8Array, file: string): number {
    let taken = 0;
    rawRecordsOf(body, file).forEach((record, index) => {
      if (!record.eventId || !this.wanted.has(record.eventId) || this.seen.has(record.eventId)) return;
      this.seen.add(record.eventId);
      // NDJSON needs one line per record; CloudTrail writes compact JSON, so this never changes a byte there.
      this.lines.push(/[\r\n]/.test(record.text) ? JSON.stringify(JSON.parse(record.text)) : record.text);
      this.sources.push({ eventId: record.eventId, file, index });
      taken += 1;
    });
    return taken;
  }

  public get count(): number {
    return this.lines.length;
  }

  /** Event ids wanted but found in no file. */
  public missing(): string[] {
    return [...this.wanted].filter((id) => !this.seen.has(id)).sort();
  }

  /** NDJSON, gzip. */
  public ndjsonGzip(): Buffer {
    return gzipSync(Buffer.from(this.lines.map((line) => `${line}\n`).join(''), 'utf8'), { level: 9 });
  }
}
