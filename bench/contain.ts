/**
 * Benchmark of `irkit contain`'s own overhead on a plan of 10 targets, AWS excluded:
 *  - preparing: synthesizing the three templates (first use in the process) and the
 *    preflight + parameters for every target (reads answered at once by the fake);
 *  - deploying: the whole contain against a mocked CloudFormation whose API calls take
 *    LATENCY ms and whose stack operations take STACK ms (the real handler runs inside),
 *    concurrently and then one at a time, to show that 10 stacks cost about one stack's time.
 *
 *   npx tsx bench/contain.ts [--stack-ms 3000] [--latency-ms 80] [--poll-ms 250] [--record]
 *
 * --record writes bench/results/contain.json and bench/results/contain.md.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

import { PLAYBOOK_PROTECTION } from '../lib/protection';
import { containmentTemplates } from '../lib/stacks/containment/templates';
import { contain, ContainIo } from '../orchestrator/contain/contain';
import { resolveEnvironment } from '../orchestrator/contain/environment';
import { createPlan } from '../orchestrator/contain/plan';
import { prepareTargets } from '../orchestrator/contain/prepare';
import { listContainmentStacks } from '../orchestrator/contain/stacks';
import { targetsOfPlan } from '../orchestrator/contain/targets';
import { FakeAws } from '../test/orchestrator/contain/fake-aws';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const STACK_MS = flag('--stack-ms', 3000);
const LATENCY_MS = flag('--latency-ms', 80);
const POLL_MS = flag('--poll-ms', 250);
const INCIDENT = 'IR-BENCH-1';

/** Ten targets: six users with a key each, two roles, two buckets (one with a policy). */
function world(options: { operationMs: number; latencyMs: number }): FakeAws {
  const aws = new FakeAws(options);
  for (let i = 0; i < 6; i++) aws.addUser(`user${i}`, { [`AKIAI44QH8DHBEXAMPL${i}`]: 'Active' });
  aws.addRole('AppRole1');
  aws.addRole('AppRole2');
  aws.addBucket('doc-example-bucket-1', '{"Version":"2012-10-17","Statement":[]}');
  aws.addBucket('doc-example-bucket-2');
  return aws;
}

const plan = createPlan({
  incidentId: INCIDENT,
  steps: [
    ...Array.from({ length: 6 }, (_, i) => ({
      kind: 'user' as const,
      name: `user${i}`,
      accessKeyIds: [`AKIAI44QH8DHBEXAMPL${i}`],
    })),
    { kind: 'role', name: 'AppRole1' },
    { kind: 'role', name: 'AppRole2' },
    { kind: 'bucket', name: 'doc-example-bucket-1' },
    { kind: 'bucket', name: 'doc-example-bucket-2' },
  ],
});

function quietIo(): ContainIo {
  return {
    log: () => undefined,
    out: () => undefined,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

async function timed<T>(work: () => Promise<T> | T): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await work();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

async function main(): Promise<void> {
  const load = loadavg()[0];
  // Node start, tsx and loading the modules (the CDK library among them), before any work.
  const startupMs = process.uptime() * 1000;

  // 1. Preparation: synthesis (cold) and preflight, no stack operation.
  const prep = world({ operationMs: STACK_MS, latencyMs: 0 });
  const [, synthMs] = await timed(() => containmentTemplates());
  const [prepared, prepareMs] = await timed(async () => {
    const env = await resolveEnvironment(prep.clients);
    const existingStacks = await listContainmentStacks(prep.clients);
    return prepareTargets(prep.clients, {
      incidentId: INCIDENT,
      targets: targetsOfPlan(plan),
      env,
      existingStacks,
      protection: PLAYBOOK_PROTECTION,
      now: new Date(),
    });
  });
  prep.restore();

  // 2. The whole contain, concurrent, then one stack at a time.
  const run = async (concurrency: number) => {
    const aws = world({ operationMs: STACK_MS, latencyMs: LATENCY_MS });
    try {
      const [result, ms] = await timed(() =>
        contain(
          aws.clients,
          {
            incidentId: INCIDENT,
            plan,
            yes: true,
            concurrency,
            pollIntervalMs: POLL_MS,
            verify: { attempts: 3, firstDelayMs: POLL_MS },
          },
          quietIo(),
        ),
      );
      const contained = result.results.filter((r) => r.outcome === 'contained').length;
      return { ms, contained, maxConcurrentStacks: aws.maxConcurrent };
    } finally {
      aws.restore();
    }
  };
  const concurrent = await run(10);
  const sequential = await run(1);

  const figures = {
    date: new Date().toISOString(),
    targets: prepared.length,
    stackOperationMs: STACK_MS,
    apiLatencyMs: LATENCY_MS,
    pollIntervalMs: POLL_MS,
    processStartAndModuleLoadMs: Math.round(startupMs),
    synthesizeTemplatesMs: Math.round(synthMs),
    preflightAndParametersMs: Math.round(prepareMs),
    prepareTotalMs: Math.round(synthMs + prepareMs),
    containConcurrentMs: Math.round(concurrent.ms),
    containConcurrentContained: concurrent.contained,
    maxStacksInProgressAtOnce: concurrent.maxConcurrentStacks,
    containOneAtATimeMs: Math.round(sequential.ms),
    overheadBeyondOneStackMs: Math.round(concurrent.ms - STACK_MS),
    templateBytes: Object.fromEntries(
      Object.entries(containmentTemplates()).map(([k, t]) => [k, Buffer.byteLength(t.body)]),
    ),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? '?',
      node: process.version,
      loadAverageAtStart: load,
    },
  };
  console.log(JSON.stringify(figures, null, 2));

  if (process.argv.includes('--record')) {
    const dir = join(__dirname, 'results');
    writeFileSync(join(dir, 'contain.json'), `${JSON.stringify(figures, null, 2)}\n`);
    writeFileSync(
      join(dir, 'contain.md'),
      [
        '# irkit contain: orchestrator overhead (10 targets)',
        '',
        `Recorded ${figures.date} with \`npx tsx bench/contain.ts --record\` on ${figures.machine.cpus} x ${figures.machine.model}, Node ${figures.machine.node} (load average ${load.toFixed(2)} at start).`,
        '',
        'Mocked CloudFormation (aws-sdk-client-mock over an in-memory account that runs the real containment handler):',
        `each API call answers after ${LATENCY_MS} ms, each stack operation takes ${STACK_MS} ms; stacks polled every ${POLL_MS} ms.`,
        '',
        '| measure | figure |',
        '|---|---|',
        `| start Node + tsx and load the modules (CDK included), before any work | ${figures.processStartAndModuleLoadMs} ms |`,
        `| synthesize the three templates (cold, in process) | ${figures.synthesizeTemplatesMs} ms |`,
        `| preflight reads + names + parameters for 10 targets | ${figures.preflightAndParametersMs} ms |`,
        `| **prepared, total (budget 3 s)** | **${figures.prepareTotalMs} ms** |`,
        `| contain, 10 stacks concurrently | ${figures.containConcurrentMs} ms (${figures.containConcurrentContained}/10 contained, ${figures.maxStacksInProgressAtOnce} in progress at once) |`,
        `| contain, one stack at a time | ${figures.containOneAtATimeMs} ms |`,
        `| concurrent run beyond one stack's ${STACK_MS} ms | ${figures.overheadBeyondOneStackMs} ms |`,
        `| template bodies (limit 51,200 bytes) | user ${figures.templateBytes.user}, role ${figures.templateBytes.role}, bucket ${figures.templateBytes.bucket} bytes |`,
        '',
      ].join('\n'),
    );
  }
}

void main();
