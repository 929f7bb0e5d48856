/**
 * Benchmark of the local engine (issue 3): every playbook query, end to end from the log
 * files, against the time `zcat` takes merely to decompress the same files, in the same run.
 *
 *   npx tsx bench/queries.ts [EVENTS] [--days N] [--logs DIR | --out DIR] [--repeat N] [--record]
 *
 * EVENTS defaults to 1,000,000 and --days to 30. --logs reuses a folder `irkit simulate`
 * wrote (its manifest gives the window); otherwise the incident is generated into --out (or
 * a temporary folder, deleted afterwards). Each repeat times, in turn: zcat over every log
 * file of the window; a cold session (a fresh process: open the engine, parse the window,
 * run the eight queries, close); the same with a new persistent cache, then again with the
 * cache warm (three repeats by default). Times are the best of the repeats; peak RSS is the
 * highest of them (each child's getrusage high-water mark). --record adds the run to bench/results/queries.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { PLAYBOOK_QUERIES } from '../lib/queries/playbook';
import { LocalEngine } from '../orchestrator/engines/local';
import { uncompressedSize } from '../orchestrator/engines/private/file-checks';
import { arg, benchLogs, best, machine, report, runChild, seconds, timeZcat } from './private/harness';

const RESULTS = join(__dirname, 'results', 'queries.json');

/** Values of the playbook's Part 2 (the window is the generated one; API lists are each query's example). */
const VALUES: Record<string, string> = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  userName: 'JaneDoe',
};
/** Rows the playbook prints for each query: a run that differs is not a valid measurement. */
const PLAYBOOK_ROWS: Record<string, number> = {
  'key-api-activity': 4,
  'key-source-ips': 4,
  'key-network-activity': 0,
  'key-call-details': 3,
  'user-api-activity': 11,
  'user-source-ips': 11,
  'user-call-details': 2,
  'user-probe-details': 8,
};

interface ChildReport {
  readonly engineMs: number;
  readonly loadMs: number;
  readonly queriesMs: Record<string, number>;
  readonly rows: Record<string, number>;
  readonly peakRssMB: number;
  readonly cpuSeconds: number;
}

interface Timed {
  readonly wallMs: number;
  readonly report: ChildReport;
}

/** In the child: one session, end to end, reported as JSON on stdout. */
async function child(logs: string, from: string, to: string, cachePath?: string): Promise<void> {
  const started = Date.now();
  const engine = await LocalEngine.open({ logs, cachePath });
  const queriesMs: Record<string, number> = {};
  const rows: Record<string, number> = {};
  let loadMs = 0;
  for (const query of PLAYBOOK_QUERIES) {
    const values = Object.fromEntries(
      query.params.map((p) => [p.name, { ...VALUES, from, to }[p.name] ?? p.example]),
    );
    const result = await engine.run(query, values);
    queriesMs[query.id] = result.stats.elapsedMs;
    rows[query.id] = result.rows.length;
    loadMs += result.stats.loadMs ?? 0;
  }
  await engine.close();
  for (const [id, expected] of Object.entries(PLAYBOOK_ROWS)) {
    if (rows[id] !== expected)
      throw new Error(`${id} returned ${rows[id]} rows, the playbook prints ${expected}`);
  }
  const usage = process.resourceUsage();
  const report: ChildReport = {
    engineMs: Date.now() - started,
    loadMs,
    queriesMs,
    rows,
    peakRssMB: Math.round(usage.maxRSS / 1024),
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await child(process.argv[3], process.argv[4], process.argv[5], process.argv[6]);
    return;
  }
  const repeat = Number(arg('--repeat') ?? 3);
  const work = mkdtempSync(join(tmpdir(), 'irkit-bench-queries-'));
  const loadAtStart = loadavg()[0];
  try {
    const { logs, window, events, days, files, gzipBytes, listFile } = await benchLogs(work, { days: 30 });
    let rawBytes = 0;
    for (const f of files) rawBytes += await uncompressedSize(f.path, f.size);
    process.stderr.write(
      `bench: ${files.length} files (${(gzipBytes / 1e6).toFixed(0)} MB gzip, ${(rawBytes / 1e6).toFixed(0)} MB raw), window ${window.from}..${window.to}\n`,
    );

    const runs: { zcatMs: number; cold: Timed; cacheFill: Timed; warm: Timed }[] = [];
    for (let i = 0; i < repeat; i += 1) {
      const zcatMs = timeZcat(listFile);
      const cold = await runChild<ChildReport>(__filename, [logs, window.from, window.to]);
      const cache = join(work, `cache-${i}.duckdb`);
      const cacheFill = await runChild<ChildReport>(__filename, [logs, window.from, window.to, cache]);
      const warm = await runChild<ChildReport>(__filename, [logs, window.from, window.to, cache]);
      rmSync(cache, { force: true });
      runs.push({ zcatMs, cold, cacheFill, warm });
      process.stderr.write(
        `bench: run ${i + 1}: zcat ${seconds(zcatMs)} s, cold ${seconds(cold.wallMs)} s (${(cold.wallMs / zcatMs).toFixed(2)}x), ` +
          `warm cache ${seconds(warm.wallMs)} s, peak RSS ${cold.report.peakRssMB} MB\n`,
      );
    }
    const zcatMs = Math.min(...runs.map((r) => r.zcatMs));
    const cold = best(
      runs.map((r) => r.cold),
      (t) => t.wallMs,
    );
    const warm = best(
      runs.map((r) => r.warm),
      (t) => t.wallMs,
    );
    const cacheFill = best(
      runs.map((r) => r.cacheFill),
      (t) => t.wallMs,
    );
    const record = {
      date: new Date().toISOString(),
      events,
      days,
      window: `${window.from}..${window.to}`,
      files: files.length,
      gzipMB: Math.round(gzipBytes / 1e6),
      rawMB: Math.round(rawBytes / 1e6),
      repeats: repeat,
      zcatSeconds: seconds(zcatMs),
      cold: {
        seconds: seconds(cold.wallMs),
        ratioToZcat: Number((cold.wallMs / zcatMs).toFixed(2)),
        engineSeconds: seconds(cold.report.engineMs),
        loadSeconds: seconds(cold.report.loadMs),
        cpuSeconds: Number(cold.report.cpuSeconds.toFixed(1)),
        /** The highest of every cold run, not only the fastest one's. */
        peakRssMB: Math.max(...runs.map((r) => r.cold.report.peakRssMB)),
        queriesMs: cold.report.queriesMs,
      },
      cacheFill: {
        seconds: seconds(cacheFill.wallMs),
        peakRssMB: Math.max(...runs.map((r) => r.cacheFill.report.peakRssMB)),
      },
      warmCache: {
        seconds: seconds(warm.wallMs),
        ratioToZcat: Number((warm.wallMs / zcatMs).toFixed(2)),
        engineSeconds: seconds(warm.report.engineMs),
        peakRssMB: Math.max(...runs.map((r) => r.warm.report.peakRssMB)),
      },
      rows: cold.report.rows,
      allRuns: runs.map((r) => ({
        zcatSeconds: seconds(r.zcatMs),
        coldSeconds: seconds(r.cold.wallMs),
        coldRatio: Number((r.cold.wallMs / r.zcatMs).toFixed(2)),
        warmSeconds: seconds(r.warm.wallMs),
        coldPeakRssMB: r.cold.report.peakRssMB,
      })),
      machine: machine(loadAtStart),
    };
    report(RESULTS, record);
  } finally {
    // Generated logs live in `work` unless --out named a folder to keep.
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
