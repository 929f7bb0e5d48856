import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

import { LogKind, discoverLogFiles } from '../../orchestrator/engines/discovery';
import { MANIFEST_FILE, generateIncident } from '../../simulation/synthetic';

/**
 * What the log benchmarks share: the command line, the logs of a run (generated or reused)
 * and their zcat baseline, a child process per measured session, and the recorded figures.
 */

const TSX = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');

export function arg(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

export const seconds = (ms: number): number => Math.round(ms / 10) / 100;

export const best = <T>(items: readonly T[], by: (t: T) => number): T =>
  items.reduce((a, b) => (by(b) < by(a) ? b : a));

export interface BenchLogs {
  readonly logs: string;
  readonly window: { readonly from: string; readonly to: string };
  readonly events: number;
  readonly days: number;
  /** Every log file of the window, as DuckDB will read them. */
  readonly files: readonly { readonly path: string; readonly size: number; readonly kind: LogKind }[];
  readonly gzipBytes: number;
  /** NUL-separated list of the files, for the zcat baseline. */
  readonly listFile: string;
}

/**
 * The logs to measure: `--logs DIR` (a folder `irkit simulate` wrote; its manifest gives the
 * window), or EVENTS over `--days` generated into `--out` or a folder of `work`.
 */
export async function benchLogs(work: string, defaults: { readonly days: number }): Promise<BenchLogs> {
  let logs = arg('--logs');
  if (!logs) {
    const events = Number(
      /^\d[\d_]*$/.test(process.argv[2] ?? '') ? process.argv[2].replace(/_/g, '') : 1_000_000,
    );
    const days = Number(arg('--days') ?? defaults.days);
    logs = arg('--out') ?? join(work, 'logs');
    process.stderr.write(
      `bench: generating ${events.toLocaleString('en-US')} events over ${days} days into ${logs}\n`,
    );
    await generateIncident({ outDir: logs, backgroundEvents: events, days });
  }
  const manifest = JSON.parse(readFileSync(join(logs, MANIFEST_FILE), 'utf8')) as {
    summary: { window: { from: string; to: string }; events: { total: number }; options: { days: number } };
  };
  const window = manifest.summary.window;
  const discovery = await discoverLogFiles(logs, window);
  const listFile = join(work, 'files.lst');
  writeFileSync(listFile, `${discovery.files.map((f) => f.path).join('\0')}\0`);
  return {
    logs,
    window: { from: window.from, to: window.to },
    events: manifest.summary.events.total,
    days: manifest.summary.options.days,
    files: discovery.files,
    gzipBytes: discovery.files.reduce((sum, f) => sum + f.size, 0),
    listFile,
  };
}

/** The baseline: zcat over the same files, in one decompressor process (gzip members concatenate). */
export function timeZcat(listFile: string): number {
  const started = Date.now();
  const result = spawnSync('sh', ['-c', `xargs -0 cat < '${listFile}' | zcat > /dev/null`], {
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('zcat failed');
  return Date.now() - started;
}

/**
 * Runs `script --child ...args` in a fresh process (so each session starts cold and its peak
 * RSS is its own) and returns its wall time and the JSON report it printed last on stdout.
 */
export function runChild<T>(script: string, args: readonly string[]): Promise<{ wallMs: number; report: T }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const proc = spawn(TSX, [script, '--child', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const wallMs = Date.now() - started;
      if (code !== 0) reject(new Error(`bench child exited with ${code}`));
      else resolve({ wallMs, report: JSON.parse(out.trim().split('\n').pop() as string) as T });
    });
  });
}

/** The machine a figure was measured on. */
export interface Machine {
  readonly cpus: number;
  readonly model: string;
  readonly node: string;
  readonly loadAverageAtStart: number;
  readonly loadAverageAtEnd: number;
}

/** The machine a figure was measured on, with the load average around the run. */
export function machine(loadAtStart: number): Machine {
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverageAtStart: Math.round(loadAtStart * 10) / 10,
    loadAverageAtEnd: Math.round(loadavg()[0] * 10) / 10,
  };
}

/** Prints the record and, with --record, appends it to the results file. */
export function report(resultsFile: string, record: unknown): void {
  process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
  if (!process.argv.includes('--record')) return;
  const previous = existsSync(resultsFile)
    ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as unknown[])
    : [];
  writeFileSync(resultsFile, `${JSON.stringify([...previous, record], null, 2)}\n`);
  process.stderr.write(`bench: recorded in ${resultsFile}\n`);
}
