/**
 * Benchmark of the automated investigation (issue 4): the playbook incident hidden in N
 * events, investigated from the exposed key on the local engine, end to end from the log
 * files, against the time `zcat` takes merely to decompress the same files, in the same run.
 *
 *   npx tsx bench/investigate.ts [EVENTS] [--days N] [--logs DIR | --out DIR] [--repeat N] [--record]
 *
 * EVENTS defaults to 1,000,000 and --days to 30. --logs reuses a folder `irkit simulate`
 * wrote (its manifest gives the window); otherwise the incident is generated into --out (or
 * a temporary folder, deleted afterwards). Each repeat times zcat over every log file of the
 * window, then a fresh process that opens the engine, investigates the key over the whole
 * window and closes. The best repeat is reported, with the child's peak RSS (getrusage
 * high-water mark) and a check that the result names what the playbook finds. --record adds
 * the run to bench/results/investigate.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { LocalEngine } from '../orchestrator/engines/local';
import { InvestigationResult, investigate } from '../orchestrator/investigate';
import { arg, benchLogs, best, machine, report, runChild, seconds, timeZcat } from './private/harness';

const RESULTS = join(__dirname, 'results', 'investigate.json');
const KEY = 'AKIAIOSFODNN7EXAMPLE';

interface ChildReport {
  readonly investigateMs: number;
  readonly queries: number;
  readonly queryMs: number;
  readonly loadMs: number;
  readonly peakRssMB: number;
  readonly cpuSeconds: number;
  readonly plan: readonly string[];
  readonly found: readonly string[];
}

/** What the playbook finds by hand; the bench fails when the investigation misses any of it. */
function playbookFindings(r: InvestigationResult): string[] {
  const names = new Set([
    ...r.principals.flatMap((p) => [
      p.name,
      ...p.accessKeys.map((k) => k.accessKeyId),
      ...p.policies.map((c) => c.policy),
    ]),
    ...r.resources.map((x) => x.name ?? ''),
    ...r.sourceIps.map((s) => s.address),
  ]);
  return [
    'JorgeSouza',
    KEY,
    'JaneDoe',
    'AKIAI44QH8DHBEXAMPLE',
    'arn:aws:iam::aws:policy/AdministratorAccess',
    'DOC-EXAMPLE-BUCKET',
    'DOC-EXAMPLE-BUCKET/stuff',
    '198.51.100.77',
    '72.21.198.71',
  ].filter((n) => names.has(n));
}

async function child(logs: string, from: string, to: string): Promise<void> {
  const started = Date.now();
  const engine = await LocalEngine.open({ logs });
  let queryMs = 0;
  let loadMs = 0;
  const result = await investigate(
    engine,
    { kind: 'accessKey', accessKeyId: KEY },
    { from, to },
    {
      onProgress: (e) => {
        if (e.kind !== 'query') return;
        loadMs += e.loadMs ?? 0;
        queryMs += e.elapsedMs - (e.loadMs ?? 0);
      },
    },
  );
  await engine.close();
  const investigateMs = Date.now() - started;
  const usage = process.resourceUsage();
  const report: ChildReport = {
    investigateMs,
    queries: result.queries.length,
    queryMs,
    loadMs,
    peakRssMB: Math.round(usage.maxRSS / 1024),
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    plan: result.containmentPlan.steps.map((s) => `${s.kind}:${s.name}`),
    found: playbookFindings(result),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await child(process.argv[3], process.argv[4], process.argv[5]);
    return;
  }
  const repeat = Number(arg('--repeat') ?? 1);
  const work = mkdtempSync(join(tmpdir(), 'irkit-bench-investigate-'));
  const loadAtStart = loadavg()[0];
  try {
    const { logs, window, events, days, files, gzipBytes, listFile } = await benchLogs(work, { days: 30 });
    process.stderr.write(
      `bench: ${files.length} files (${(gzipBytes / 1e6).toFixed(0)} MB gzip), window ${window.from}..${window.to}\n`,
    );
    const runs: { zcatMs: number; wallMs: number; report: ChildReport }[] = [];
    for (let i = 0; i < repeat; i += 1) {
      const zcatMs = timeZcat(listFile);
      const run = await runChild<ChildReport>(__filename, [logs, window.from, window.to]);
      runs.push({ zcatMs, ...run });
      process.stderr.write(
        `bench: run ${i + 1}: zcat ${seconds(zcatMs)} s, investigation ${seconds(run.wallMs)} s ` +
          `(${(run.wallMs / zcatMs).toFixed(2)}x), ${run.report.queries} queries, peak RSS ${run.report.peakRssMB} MB\n`,
      );
    }
    const fastest = best(runs, (r) => r.wallMs / r.zcatMs);
    const record = {
      date: new Date().toISOString(),
      events,
      days,
      window: `${window.from}..${window.to}`,
      files: files.length,
      gzipMB: Math.round(gzipBytes / 1e6),
      repeats: repeat,
      zcatSeconds: seconds(fastest.zcatMs),
      investigationSeconds: seconds(fastest.wallMs),
      ratioToZcat: Number((fastest.wallMs / fastest.zcatMs).toFixed(2)),
      queries: fastest.report.queries,
      loadSeconds: seconds(fastest.report.loadMs),
      querySeconds: seconds(fastest.report.queryMs),
      cpuSeconds: Number(fastest.report.cpuSeconds.toFixed(1)),
      peakRssMB: fastest.report.peakRssMB,
      plan: fastest.report.plan,
      playbookFindings: `${fastest.report.found.length}/9`,
      machine: machine(loadAtStart),
    };
    if (fastest.report.found.length !== 9)
      throw new Error(`the investigation missed playbook findings: ${fastest.report.found.join(', ')}`);
    report(RESULTS, record);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
