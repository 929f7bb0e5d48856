import { Dirent, promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';

import { IrKitError } from '../../lib/errors';
import { LATE_DELIVERY_DAYS } from '../../lib/queries';
import { mapLimit } from './private/pool';

/**
 * Finds the log files of a date window under a folder of exported logs, without listing a
 * single file outside the window: in the S3 layout the window maps to day folders
 * (`.../CloudTrail/REGION/YYYY/MM/DD/`), so only those are read. CloudTrail's layout is not
 * Hive-style (`key=value`), which is why DuckDB cannot prune it by itself.
 *
 * The window is one of event days (lib/queries/window.ts); files are foldered by delivery
 * day, so the folders listed run from `from` to one day past `to`, as the queries' own
 * `date_partition` bound does.
 */

export type LogKind = 'cloudtrail' | 'vpcflow';

/** A window of event days, both ends included, as `yyyy/MM/dd`. */
export interface DateWindow {
  readonly from: string;
  readonly to: string;
}

/** Partition values as the Glue table's projection derives them from the object key. */
export interface PartitionValues {
  readonly date: string;
  readonly region: string;
  readonly account: string;
}

export interface LogFile {
  /** Absolute path. */
  readonly path: string;
  readonly kind: LogKind;
  readonly size: number;
  readonly mtimeMs: number;
  /**
   * From the S3 layout. Absent for a file outside the layout (a flat folder): its
   * partitions then come from its records (eventTime/awsRegion/recipientAccountId).
   */
  readonly partition?: PartitionValues;
}

export interface Discovery {
  readonly root: string;
  readonly window: DateWindow;
  readonly files: readonly LogFile[];
}

const SERVICE_DIR: Record<LogKind, string> = { cloudtrail: 'CloudTrail', vpcflow: 'vpcflowlogs' };
const EXTENSIONS: Record<LogKind, readonly string[]> = {
  cloudtrail: ['.json.gz', '.json'],
  vpcflow: ['.log.gz', '.log'],
};
const ACCOUNT_DIR = /^\d{12}$/;
const ORG_DIR = /^o-[a-z0-9]{10,32}$/;
const REGION_DIR = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** `777777777777_CloudTrail_us-east-1_20210724T0225Z_abc.json.gz`: the delivery time is in the name. */
const DELIVERY_TIME =
  /^\d{12}_(CloudTrail|vpcflowlogs)_[a-z0-9-]+_(?:fl-[0-9a-f]+_)?(\d{4})(\d{2})(\d{2})T\d{4}Z_/;
/** Day folders read at once. */
const IO_CONCURRENCY = 16;
/** Folders below the generic walk's start it still descends into, to find AWSLogs under a prefix. */
const MAX_DEPTH = 8;

export function kindOfName(name: string): LogKind | undefined {
  if (name.startsWith('.') || name.includes('_CloudTrail-Digest_') || name.includes('_CloudTrail-Insight_')) {
    return undefined;
  }
  return (Object.keys(EXTENSIONS) as LogKind[]).find((kind) =>
    EXTENSIONS[kind].some((e) => name.endsWith(e)),
  );
}

/** The days of a window, as [yyyy, MM, dd]. */
export function windowDays(window: DateWindow): [string, string, string][] {
  const days: [string, string, string][] = [];
  const end = toDate(window.to);
  for (let d = toDate(window.from); d <= end; d = new Date(d.getTime() + 86_400_000)) {
    const iso = d.toISOString();
    days.push([iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)]);
  }
  return days;
}

function toDate(partitionDate: string): Date {
  const [y, m, d] = partitionDate.split('/').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

/** The delivery days holding a window's events: `from` to LATE_DELIVERY_DAYS past `to`. */
export function deliveryWindow(window: DateWindow): DateWindow {
  return { from: window.from, to: shiftDate(window.to, LATE_DELIVERY_DAYS) };
}

function shiftDate(partitionDate: string, days: number): string {
  return new Date(toDate(partitionDate).getTime() + days * 86_400_000)
    .toISOString()
    .slice(0, 10)
    .replace(/-/g, '/');
}

async function readDir(dir: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new IrKitError('IRKIT_LOGS_MISSING', `cannot read log folder ${dir}: ${(error as Error).message}`, {
      hint: 'check that the folder exists and is readable',
      cause: error,
    });
  }
}

async function isDirectory(dir: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  return (await fs.stat(path.join(dir, entry.name)).catch(() => undefined))?.isDirectory() ?? false;
}

async function subdirs(dir: string, accept: (name: string) => boolean): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readDir(dir)) {
    if (accept(entry.name) && (await isDirectory(dir, entry))) names.push(entry.name);
  }
  return names.sort();
}

class Walker {
  public readonly files: LogFile[] = [];
  private readonly days: [string, string, string][];
  private readonly flatFrom: string;
  private readonly flatTo: string;

  constructor(
    window: DateWindow,
    private readonly kinds: readonly LogKind[],
    /** Only paths inside this one are kept (the root may sit inside the S3 layout). */
    private readonly scope: string,
  ) {
    // Events of a day are delivered up to ~15 minutes later, so a folder (or a file named)
    // for the next day may hold the window's last events.
    const delivery = deliveryWindow(window);
    this.days = windowDays(delivery);
    this.flatFrom = delivery.from;
    this.flatTo = delivery.to;
  }

  private inScope(p: string): boolean {
    return p === this.scope || p.startsWith(this.scope + path.sep) || this.scope.startsWith(p + path.sep);
  }

  async generic(dir: string, depth: number): Promise<void> {
    for (const entry of await readDir(dir)) {
      const p = path.join(dir, entry.name);
      if (await isDirectory(dir, entry)) {
        if (entry.name === 'AWSLogs') await this.awsLogs(p);
        else if (!entry.name.startsWith('.') && depth < MAX_DEPTH) await this.generic(p, depth + 1);
      } else {
        await this.flatFile(p);
      }
    }
  }

  async flatFile(p: string): Promise<void> {
    const name = path.basename(p);
    const kind = kindOfName(name);
    if (!kind || !this.kinds.includes(kind)) return;
    const delivered = DELIVERY_TIME.exec(name);
    if (delivered) {
      const date = `${delivered[2]}/${delivered[3]}/${delivered[4]}`;
      if (date < this.flatFrom || date > this.flatTo) return;
    }
    this.add(p, kind);
  }

  async awsLogs(dir: string): Promise<void> {
    for (const name of await subdirs(dir, (n) => ORG_DIR.test(n) || ACCOUNT_DIR.test(n))) {
      const p = path.join(dir, name);
      if (!this.inScope(p)) continue;
      if (ORG_DIR.test(name)) {
        for (const account of await subdirs(p, (n) => ACCOUNT_DIR.test(n))) {
          if (this.inScope(path.join(p, account))) await this.account(path.join(p, account), account);
        }
      } else {
        await this.account(p, name);
      }
    }
  }

  private async account(dir: string, account: string): Promise<void> {
    const days: { dir: string; kind: LogKind; partition: PartitionValues }[] = [];
    for (const kind of this.kinds) {
      const service = path.join(dir, SERVICE_DIR[kind]);
      if (!this.inScope(service)) continue;
      for (const region of await subdirs(service, (n) => REGION_DIR.test(n))) {
        for (const [y, m, d] of this.days) {
          const day = path.join(service, region, y, m, d);
          if (this.inScope(day))
            days.push({ dir: day, kind, partition: { date: `${y}/${m}/${d}`, region, account } });
        }
      }
    }
    await mapLimit(days, IO_CONCURRENCY, async ({ dir: day, kind, partition }) => {
      const names = (await readDir(day)).filter((e) => kindOfName(e.name) === kind && !e.isDirectory());
      for (const e of names) this.add(path.join(day, e.name), kind, partition);
    });
  }

  /**
   * Notes a file with its size and mtime (the store's key). The stat is synchronous: a local
   * stat takes microseconds, and a promise per file would cost more than the stat itself
   * across the thousands of files of a window.
   */
  private add(p: string, kind: LogKind, partition?: PartitionValues): void {
    if (!this.inScope(p)) return;
    let stat;
    try {
      stat = statSync(p);
    } catch {
      return; // gone since the folder was read, or not ours to read
    }
    if (!stat.isFile()) return;
    this.files.push({ path: p, kind, size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), partition });
  }
}

/**
 * Lists the CloudTrail and/or VPC Flow Logs files of the window under `root`: the S3 layout
 * (`[PREFIX/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail|vpcflowlogs/REGION/YYYY/MM/DD/`) found at
 * any depth, a root inside that layout (an account, a region, a day), and loose files
 * (`.json[.gz]` for CloudTrail, `.log[.gz]` for flow logs) in ordinary folders. Loose files
 * named as CloudTrail names them are kept only when their delivery day is in the window.
 */
export async function discoverLogFiles(
  root: string,
  window: DateWindow,
  kinds: readonly LogKind[] = ['cloudtrail', 'vpcflow'],
): Promise<Discovery> {
  const abs = path.resolve(root);
  const stat = await fs.stat(abs).catch(() => undefined);
  if (!stat) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `log folder ${abs} does not exist`, {
      hint: 'pass --logs the folder holding the exported AWSLogs/ tree (or a folder of .json.gz files)',
    });
  }
  const segments = abs.split(path.sep);
  const awsLogs = segments.lastIndexOf('AWSLogs');
  const walker = new Walker(window, kinds, abs);
  if (stat.isFile()) {
    await walker.flatFile(abs);
  } else if (awsLogs >= 0) {
    await walker.awsLogs(segments.slice(0, awsLogs + 1).join(path.sep) || path.sep);
  } else {
    await walker.generic(abs, 0);
  }
  const files = walker.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root: abs, window, files };
}

/**
 * The first and last day folders of the S3 layout under `root` (any window), to tell a
 * responder whose window found nothing where the logs actually are.
 */
export async function surveyLayoutDays(
  root: string,
  kind: LogKind,
): Promise<{ first: string; last: string; folders: number } | undefined> {
  const wide = await discoverDayFolders(path.resolve(root), kind, 0);
  if (wide.length === 0) return undefined;
  wide.sort();
  return { first: wide[0], last: wide[wide.length - 1], folders: wide.length };
}

async function discoverDayFolders(dir: string, kind: LogKind, depth: number): Promise<string[]> {
  const found: string[] = [];
  if (path.basename(dir) === SERVICE_DIR[kind]) {
    for (const region of await subdirs(dir, (n) => REGION_DIR.test(n))) {
      for (const y of await subdirs(path.join(dir, region), (n) => /^\d{4}$/.test(n))) {
        for (const m of await subdirs(path.join(dir, region, y), (n) => /^\d{2}$/.test(n))) {
          for (const d of await subdirs(path.join(dir, region, y, m), (n) => /^\d{2}$/.test(n))) {
            found.push(`${y}/${m}/${d}`);
          }
        }
      }
    }
    return found;
  }
  if (depth > MAX_DEPTH + 3) return found;
  for (const name of await subdirs(dir, (n) => !n.startsWith('.'))) {
    found.push(...(await discoverDayFolders(path.join(dir, name), kind, depth + 1)));
  }
  return found;
}
