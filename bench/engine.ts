/**
 * Benchmark of the local engine against the physical limit (issue 12), every figure measured in
 * the same run over the same CloudTrail files, as a ratio to `zcat` of those files (one
 * decompressor process):
 *
 *  - `zcat` with two processes in parallel (each half of the files);
 *  - DuckDB by hand: key-api-activity's question straight over the gzip files (read_json, the
 *    fields it needs), in a fresh process: the limit for one query;
 *  - `zcat | jq` selecting the key's records: what responders do today;
 *  - irkit, through its command line as a responder runs it: one library query cold, the same
 *    with a new --cache, then warm; and the whole investigation cold.
 *
 * Each measured command's peak RSS comes from GNU time (/usr/bin/time), when present.
 *
 *   npx tsx bench/engine.ts --logs DIR [--repeat 3] [--skip zcatJq,...] [--record]
 *
 * DIR is a folder `irkit simulate --out DIR --events 1000000 --days 30` wrote (its manifest
 * gives the window). --record adds the run to bench/results/engine.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { arg, benchLogs, machine, report, seconds } from './private/harness';

const RESULTS = join(__dirname, 'results', 'engine.json');
const IRKIT = join(__dirname, '..', 'bin', 'irkit.js');
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const GNU_TIME = '/usr/bin/time';

interface Measure {
  readonly ms: number;
  readonly peakRssMB: number | null;
  /** User and system CPU of the command and its children: steadier than wall time on a busy machine. */
  readonly cpuMs: number | null;
}

/** Runs a shell command, timing it; its peak RSS and CPU time through GNU time when there is one. */
function measure(command: string): Measure {
  const timed = existsSync(GNU_TIME);
  const started = Date.now();
  const result = spawnSync(
    timed ? GNU_TIME : 'sh',
    timed ? ['-f', '%M %U %S', 'sh', '-c', command] : ['-c', command],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    },
  );
  const ms = Date.now() - started;
  if (result.status !== 0) throw new Error(`bench: failed (${result.status}): ${command}\n${result.stderr}`);
  const [rss, user, system] = timed ? result.stderr.trim().split('\n').pop()!.split(' ').map(Number) : [];
  return {
    ms,
    peakRssMB: Number.isFinite(rss) ? Math.round(rss / 1024) : null,
    cpuMs: Number.isFinite(user + system) ? Math.round((user + system) * 1000) : null,
  };
}

/** key-api-activity's question, by hand in DuckDB, straight over the files. */
function byHandScript(listFile: string): string {
  return `
const { DuckDBInstance } = require(${JSON.stringify(require.resolve('@duckdb/node-api'))});
const files = require('fs').readFileSync(${JSON.stringify(listFile)}, 'utf8').split('\\0').filter(Boolean);
(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const list = '[' + files.map((f) => "'" + f.replace(/'/g, "''") + "'").join(',') + ']';
  const type = 'STRUCT("eventName" VARCHAR, "eventSource" VARCHAR, "awsRegion" VARCHAR, "readOnly" VARCHAR, "errorCode" VARCHAR, "errorMessage" VARCHAR, "eventID" VARCHAR, "userIdentity" STRUCT("accessKeyId" VARCHAR))[]';
  const r = await c.runAndReadAll(\`SELECT r."awsRegion", r."eventSource", r."eventName", r."readOnly", r."errorCode", r."errorMessage", count(r."eventID")
    FROM (SELECT unnest("Records") AS r FROM read_json(\${list}, columns = {'Records': '\${type}'}, format = 'unstructured', maximum_object_size = 268435456))
    WHERE r."userIdentity"."accessKeyId" = '${KEY}' GROUP BY ALL\`);
  if (r.getRowsJS().length === 0) throw new Error('no rows');
})();`;
}

async function main(): Promise<void> {
  const repeat = Number(arg('--repeat') ?? 3);
  // Measures to leave out (zcatJq takes minutes at 10M events); zcat, the baseline, never is.
  const skip = (arg('--skip') ?? '').split(',').filter((name) => name && name !== 'zcat');
  const work = mkdtempSync(join(tmpdir(), 'irkit-bench-engine-'));
  const loadAtStart = loadavg()[0];
  try {
    const logs = await benchLogs(work, { days: 30 });
    const ct = logs.files.filter((f) => f.kind === 'cloudtrail');
    const list = join(work, 'cloudtrail.lst');
    writeFileSync(list, `${ct.map((f) => f.path).join('\0')}\0`);
    const halves = [0, 1].map((h) => {
      const file = join(work, `half-${h}.lst`);
      writeFileSync(
        file,
        `${ct
          .filter((_, i) => i % 2 === h)
          .map((f) => f.path)
          .join('\0')}\0`,
      );
      return file;
    });
    // The CLI's bundle (bin/launch.js) is built once per clone and source change: built here,
    // so that no measured run pays for it.
    spawnSync(process.execPath, [IRKIT, '--version'], { stdio: 'ignore' });
    const script = join(work, 'by-hand.js');
    writeFileSync(script, byHandScript(list));
    const window = ['--from', logs.window.from, '--to', logs.window.to];
    const q = (...args: string[]) => [IRKIT, ...args].map((a) => `'${a}'`).join(' ');
    const query = q(
      'queries',
      'run',
      'key-api-activity',
      '--param',
      `accessKeyId=${KEY}`,
      '--param',
      `from=${logs.window.from}`,
      '--param',
      `to=${logs.window.to}`,
      '--logs',
      logs.logs,
    );
    process.stderr.write(
      `bench: ${ct.length} CloudTrail files (${(ct.reduce((s, f) => s + f.size, 0) / 1e6).toFixed(0)} MB gzip), ${logs.files.length - ct.length} flow log files, window ${logs.window.from}..${logs.window.to}\n`,
    );

    const runs: Record<string, Measure | number>[] = [];
    for (let i = 0; i < repeat; i += 1) {
      const cache = join(work, `cache-${i}.duckdb`);
      const commands: [string, string][] = [
        ['zcat', `xargs -0 cat < '${list}' | zcat > /dev/null`],
        [
          'zcatParallel',
          halves.map((h) => `(xargs -0 cat < '${h}' | zcat > /dev/null) &`).join(' ') + ' wait',
        ],
        ['duckdbByHand', `cd '${join(__dirname, '..')}' && node '${script}'`],
        [
          'zcatJq',
          `xargs -0 cat < '${list}' | zcat | jq -c '.Records[] | select(.userIdentity.accessKeyId == "${KEY}") | [.awsRegion, .eventSource, .eventName]' > /dev/null`,
        ],
        ['queryCold', `node ${query}`],
        ['cacheFill', `node ${query} --cache '${cache}'`],
        ['queryWarm', `node ${query} --cache '${cache}'`],
        [
          'investigateCold',
          `node ${q('investigate', '--access-key-id', KEY, ...window, '--logs', logs.logs)}`,
        ],
      ];
      const run: Record<string, Measure | number> = {};
      for (const [name, command] of commands) if (!skip.includes(name)) run[name] = measure(command);
      if (existsSync(cache)) run.cacheMB = Math.round(statSync(cache).size / 1e6);
      rmSync(cache, { force: true });
      runs.push(run);
      const z = (run.zcat as Measure).ms;
      process.stderr.write(
        `bench: run ${i + 1}: ${Object.entries(run)
          .filter(([, m]) => typeof m !== 'number')
          .map(([k, m]) => `${k} ${((m as Measure).ms / z).toFixed(2)}x`)
          .join(', ')}\n`,
      );
    }
    const ratios = (name: string) =>
      runs.map((r) => Number(((r[name] as Measure).ms / (r.zcat as Measure).ms).toFixed(2)));
    const names = Object.keys(runs[0]).filter((k) => typeof runs[0][k] !== 'number');
    const record = {
      date: new Date().toISOString(),
      events: logs.events,
      days: logs.days,
      window: `${logs.window.from}..${logs.window.to}`,
      cloudTrailFiles: ct.length,
      files: logs.files.length,
      repeats: repeat,
      zcatSeconds: runs.map((r) => seconds((r.zcat as Measure).ms)),
      /** Per measure: its ratio to the zcat of the same repeat, every repeat, and its peak RSS. */
      measures: Object.fromEntries(
        names.map((n) => [
          n,
          {
            ratioToZcat: ratios(n),
            seconds: runs.map((r) => seconds((r[n] as Measure).ms)),
            cpuSeconds: runs.map((r) => {
              const cpu = (r[n] as Measure).cpuMs;
              return cpu === null ? null : seconds(cpu);
            }),
            peakRssMB: Math.max(...runs.map((r) => (r[n] as Measure).peakRssMB ?? 0)),
          },
        ]),
      ),
      cacheMB: runs.map((r) => r.cacheMB ?? null),
      machine: machine(loadAtStart),
    };
    report(RESULTS, record);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
