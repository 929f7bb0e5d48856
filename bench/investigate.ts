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
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { discoverLogFiles } from '../orchestrator/engines/discovery';
import { LocalEngine } from '../orchestrator/engines/local';
import { InvestigationResult, investigate } from '../orchestrator/investigate';
import { MANIFEST_FILE, generateIncident } from '../simulation/synthetic';

const RESULTS = join(__dirname, 'results', 'investigate.json');
const TSX = join(__dirname, '..', 'node_modules', '.bin', 'tsx');
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

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
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

function runChild(logs: string, from: string, to: string): Promise<{ wallMs: number; report: ChildReport }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const proc = spawn(TSX, [__filename, '--child', logs, from, to], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const wallMs = Date.now() - started;
      if (code !== 0) reject(new Error(`bench child exited with ${code}`));
      else resolve({ wallMs, report: JSON.parse(out.trim().split('\n').pop() as string) as ChildReport });
    });
  });
}

/** zcat over the same files, in one decompressor process (gzip members concatenate). */
function timeZcat(listFile: string): number {
  const started = Date.now();
  const result = spawnSync('sh', ['-c', `xargs -0 cat < '${listFile}' | zcat > /dev/null`], {
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('zcat failed');
  return Date.now() - started;
}

function manifestWindow(logs: string): { from: string; to: string; events: number; days: number } {
  const manifest = JSON.parse(readFileSync(join(logs, MANIFEST_FILE), 'utf8')) as {
    summary: { window: { from: string; to: string }; events: { total: number }; options: { days: number } };
  };
  return {
    ...manifest.summary.window,
    events: manifest.summary.events.total,
    days: manifest.summary.options.days,
  };
}

const seconds = (ms: number) => Math.round(ms / 10) / 100;

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await child(process.argv[3], process.argv[4], process.argv[5]);
    return;
  }
  const events = Number(
    /^\d[\d_]*$/.test(process.argv[2] ?? '') ? process.argv[2].replace(/_/g, '') : 1_000_000,
  );
  const days = Number(arg('--days') ?? 30);
  const repeat = Number(arg('--repeat') ?? 1);
  const work = mkdtempSync(join(tmpdir(), 'irkit-bench-investigate-'));
  let logs = arg('--logs');
  const loadAtStart = loadavg()[0];
  try {
    if (!logs) {
      logs = arg('--out') ?? join(work, 'logs');
      process.stderr.write(
        `bench: generating ${events.toLocaleString('en-US')} events over ${days} days into ${logs}\n`,
      );
      await generateIncident({ outDir: logs, backgroundEvents: events, days });
    }
    const window = manifestWindow(logs);
    const discovery = await discoverLogFiles(logs, window);
    const listFile = join(work, 'files.lst');
    writeFileSync(listFile, `${discovery.files.map((f) => f.path).join('\0')}\0`);
    const gzipBytes = discovery.files.reduce((sum, f) => sum + f.size, 0);
    process.stderr.write(
      `bench: ${discovery.files.length} files (${(gzipBytes / 1e6).toFixed(0)} MB gzip), window ${window.from}..${window.to}\n`,
    );
    const runs: { zcatMs: number; wallMs: number; report: ChildReport }[] = [];
    for (let i = 0; i < repeat; i += 1) {
      const zcatMs = timeZcat(listFile);
      const run = await runChild(logs, window.from, window.to);
      runs.push({ zcatMs, ...run });
      process.stderr.write(
        `bench: run ${i + 1}: zcat ${seconds(zcatMs)} s, investigation ${seconds(run.wallMs)} s ` +
          `(${(run.wallMs / zcatMs).toFixed(2)}x), ${run.report.queries} queries, peak RSS ${run.report.peakRssMB} MB\n`,
      );
    }
    const best = runs.reduce((a, b) => (b.wallMs / b.zcatMs < a.wallMs / a.zcatMs ? b : a));
    const record = {
      date: new Date().toISOString(),
      events: window.events,
      days: window.days,
      window: `${window.from}..${window.to}`,
      files: discovery.files.length,
      gzipMB: Math.round(gzipBytes / 1e6),
      repeats: repeat,
      zcatSeconds: seconds(best.zcatMs),
      investigationSeconds: seconds(best.wallMs),
      ratioToZcat: Number((best.wallMs / best.zcatMs).toFixed(2)),
      queries: best.report.queries,
      loadSeconds: seconds(best.report.loadMs),
      querySeconds: seconds(best.report.queryMs),
      cpuSeconds: Number(best.report.cpuSeconds.toFixed(1)),
      peakRssMB: best.report.peakRssMB,
      plan: best.report.plan,
      playbookFindings: `${best.report.found.length}/9`,
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadAverageAtStart: Math.round(loadAtStart * 10) / 10,
        loadAverageAtEnd: Math.round(loadavg()[0] * 10) / 10,
      },
    };
    process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    if (best.report.found.length !== 9)
      throw new Error(`the investigation missed playbook findings: ${best.report.found.join(', ')}`);
    if (process.argv.includes('--record')) {
      const all: unknown[] = existsSync(RESULTS)
        ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as unknown[])
        : [];
      all.push(record);
      writeFileSync(RESULTS, `${JSON.stringify(all, null, 2)}\n`);
      process.stderr.write(`recorded in ${RESULTS}\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
