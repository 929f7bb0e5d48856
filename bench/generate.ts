/**
 * Benchmark of the synthetic incident generator: events per second and peak memory for N
 * background events.
 *
 *   npx tsx bench/generate.ts [EVENTS] [--days N] [--regions r1,r2] [--out DIR] [--keep] [--record]
 *
 * EVENTS defaults to 1,000,000. Without --out it writes into a temporary folder and deletes
 * it afterwards (unless --keep). --record adds the run to bench/results/generate.json.
 * Peak RSS is the process's high-water mark (getrusage maxrss), so it is exact, not sampled.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { GenerateProgress, generateIncident } from '../simulation/synthetic';

interface BenchRun {
  readonly date: string;
  readonly events: number;
  readonly days: number;
  readonly regions: readonly string[];
  readonly fileWindowMinutes: number;
  readonly files: number;
  readonly gzipMB: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly cpuSeconds: number;
  readonly peakRssMB: number;
  readonly machine: {
    readonly cpus: number;
    readonly model: string;
    readonly node: string;
    readonly loadAverageAtStart: number;
    readonly loadAverageAtEnd: number;
  };
}

const RESULTS = join(__dirname, 'results', 'generate.json');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const positional = process.argv
    .slice(2)
    .find((a, i, all) => /^\d+$/.test(a) && !all[i - 1]?.startsWith('--'));
  const events = Number(positional ?? 1_000_000);
  const days = Number(arg('--days') ?? 9);
  const regions = arg('--regions')?.split(',');
  const out = arg('--out') ?? mkdtempSync(join(tmpdir(), 'irkit-bench-generate-'));
  const load = loadavg()[0];
  const cpu0 = process.cpuUsage();
  const started = Date.now();
  let lastReport = 0;
  const summary = await generateIncident({
    outDir: out,
    backgroundEvents: events,
    days,
    regions,
    onProgress: (p: GenerateProgress) => {
      const now = Date.now();
      if (now - lastReport > 10_000) {
        lastReport = now;
        process.stderr.write(
          `  ${Math.floor((100 * p.eventsWritten) / p.totalEvents)}% ${p.eventsWritten} events\n`,
        );
      }
    },
  });
  const seconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const run: BenchRun = {
    date: new Date().toISOString(),
    events: summary.events.total,
    days,
    regions: summary.options.regions,
    fileWindowMinutes: summary.options.fileWindowMinutes,
    files: summary.files.cloudTrail + summary.files.flowLogs,
    gzipMB: Math.round(summary.bytesWritten / 1e5) / 10,
    seconds: Math.round(seconds * 10) / 10,
    eventsPerSecond: Math.round(summary.events.total / seconds),
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1e5) / 10,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverageAtStart: Math.round(load * 10) / 10,
      loadAverageAtEnd: Math.round(loadavg()[0] * 10) / 10,
    },
  };
  process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  if (process.argv.includes('--record')) {
    const runs: BenchRun[] = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : [];
    runs.push(run);
    writeFileSync(RESULTS, `${JSON.stringify(runs, null, 2)}\n`);
    process.stderr.write(`recorded in ${RESULTS}\n`);
  }
  if (!arg('--out') && !process.argv.includes('--keep')) rmSync(out, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
