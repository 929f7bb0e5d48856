import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Test helpers: read back what the generator wrote, exactly as a log reader would. */

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `irkit-synthetic-${label}-`));
}

/** Every file under `root`, as paths relative to it, sorted. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort();
}

export function readText(root: string, file: string): string {
  const body = readFileSync(join(root, file));
  return file.endsWith('.gz') ? gunzipSync(body).toString('utf8') : body.toString('utf8');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRecord = Record<string, any>;

export interface CloudTrailFile {
  readonly file: string;
  readonly text: string;
  readonly records: AnyRecord[];
}

export function readCloudTrail(root: string): CloudTrailFile[] {
  return listFiles(root)
    .filter((f) => f.includes('/CloudTrail/'))
    .map((file) => {
      const text = readText(root, file);
      return { file, text, records: (JSON.parse(text) as { Records: AnyRecord[] }).Records };
    });
}

export interface FlowFile {
  readonly file: string;
  readonly header: string;
  readonly lines: string[];
}

export function readFlowLogs(root: string): FlowFile[] {
  return listFiles(root)
    .filter((f) => f.includes('/vpcflowlogs/'))
    .map((file) => {
      const [header, ...lines] = readText(root, file).trimEnd().split('\n');
      return { file, header, lines };
    });
}

/** GROUP BY + count, as the playbook's aggregate queries do, sorted by count then key. */
export function countBy(records: readonly AnyRecord[], key: (r: AnyRecord) => unknown[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of records) {
    const k = JSON.stringify(key(r));
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
