/**
 * Benchmark of `irkit contain --plan` across an organization: a plan of 3 targets in each of 20
 * member accounts, each account a mocked CloudFormation/IAM (the real containment handler runs
 * inside) whose API calls answer after LATENCY ms and whose stack operations take STACK ms, and
 * STS AssumeRole in the security account answering after ASSUME ms. It measures one account's
 * containment alone, then all 20 accounts at once: the ratio says what concurrency buys.
 *
 *   npx tsx bench/contain-org.ts [--accounts 20] [--stack-ms 3000] [--latency-ms 80] [--assume-ms 150] [--record]
 *
 * --record writes bench/results/contain-org.json and bench/results/contain-org.md.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';

import { DEFAULT_NAMES } from '../lib/names';
import { AccountAccess } from '../orchestrator/contain/accounts';
import { ContainIo } from '../orchestrator/contain/contain';
import { containAccounts } from '../orchestrator/contain/contain-accounts';
import { createPlan } from '../orchestrator/contain/plan';
import { FakeAws } from '../test/orchestrator/contain/fake-aws';
import { machine } from './private/harness';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const ACCOUNTS = flag('--accounts', 20);
const STACK_MS = flag('--stack-ms', 3000);
const LATENCY_MS = flag('--latency-ms', 80);
const ASSUME_MS = flag('--assume-ms', 150);
const POLL_MS = flag('--poll-ms', 250);
const INCIDENT = 'IR-BENCH-ORG';
const SECURITY = '777777777777';
const OPERATOR = `arn:aws:sts::${SECURITY}:assumed-role/IncidentResponder/jane.doe@example.com`;

const member = (i: number) => String(111100000000 + i);
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each member account: the user the actor created there, its exposed key's owner, a role it assumed. */
function organization(): { fakes: Map<string, FakeAws>; access: AccountAccess; restore: () => void } {
  const fakes = new Map<string, FakeAws>();
  for (let i = 0; i < ACCOUNTS; i++) {
    const aws = new FakeAws({ operationMs: STACK_MS, latencyMs: LATENCY_MS, account: member(i) });
    aws.addUser('JorgeSouza', { AKIAIOSFODNN7EXAMPLE: 'Active' });
    aws.addUser('JaneDoe', { AKIAI44QH8DHBEXAMPLE: 'Active' });
    aws.addRole('AppRole');
    // A member has the baseline from the StackSet, not the IrKitAccess stack.
    aws.accessStack = false;
    aws.callerArn = `arn:aws:sts::${member(i)}:assumed-role/SecurityDeployRole/irkit-IncidentResponder-jane.doe@example.com`;
    fakes.set(member(i), aws);
  }
  const sts = new STSClient({ region: 'us-east-1' });
  const stsMock = mockClient(sts);
  stsMock.on(GetCallerIdentityCommand).resolves({ Arn: OPERATOR, Account: SECURITY, UserId: 'AROA:jane' });
  stsMock.on(AssumeRoleCommand).callsFake(async () => {
    await delay(ASSUME_MS);
    return {
      Credentials: {
        AccessKeyId: 'ASIAIOSFODNN7EXAMPLE',
        SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
        SessionToken: 'AQoDYXdzEPT//////////wEXAMPLE',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    };
  });
  const home = [...fakes.values()][0].clients;
  return {
    fakes,
    access: {
      home: { ...home, sts },
      clientsFor: (account) => (fakes.get(account) as FakeAws).clients,
      concurrency: ACCOUNTS,
    },
    restore: () => {
      stsMock.restore();
      for (const aws of fakes.values()) aws.restore();
    },
  };
}

const plans = Array.from({ length: ACCOUNTS }, (_, i) =>
  createPlan({
    incidentId: INCIDENT,
    accountId: member(i),
    steps: [
      { kind: 'user', name: 'JorgeSouza', accessKeyIds: ['AKIAIOSFODNN7EXAMPLE'] },
      { kind: 'user', name: 'JaneDoe', accessKeyIds: ['AKIAI44QH8DHBEXAMPLE'] },
      { kind: 'role', name: 'AppRole' },
    ],
  }),
);

function quietIo(): ContainIo {
  return {
    log: () => undefined,
    out: () => undefined,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

async function run(accounts: readonly string[] | undefined) {
  const org = organization();
  try {
    const start = process.hrtime.bigint();
    const result = await containAccounts(
      org.access,
      {
        incidentId: INCIDENT,
        plans,
        accounts,
        yes: true,
        pollIntervalMs: POLL_MS,
        verify: { attempts: 3, firstDelayMs: POLL_MS },
        names: DEFAULT_NAMES,
      },
      quietIo(),
    );
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const contained = result.accounts
      .flatMap((a) => a.result?.results ?? [])
      .filter((r) => r.outcome === 'contained');
    const failed = result.accounts
      .filter((a) => a.failures.length > 0)
      .map((a) => `${a.account}: ${a.failures.join('; ')}`);
    return { ms, accounts: result.accounts.length, contained: contained.length, failed };
  } finally {
    org.restore();
  }
}

async function main(): Promise<void> {
  const load = loadavg()[0];
  // Warm-up: the templates are synthesized once per process, which is not what is measured.
  await run([member(0)]);
  const one = await run([member(0)]);
  const all = await run(undefined);
  if (one.failed.length > 0 || all.failed.length > 0) {
    throw new Error(`the benchmark's containment failed: ${[...one.failed, ...all.failed].join(' | ')}`);
  }
  const figures = {
    date: new Date().toISOString(),
    accounts: ACCOUNTS,
    targetsPerAccount: plans[0].steps.length,
    stackOperationMs: STACK_MS,
    apiLatencyMs: LATENCY_MS,
    assumeRoleMs: ASSUME_MS,
    pollIntervalMs: POLL_MS,
    oneAccountMs: Math.round(one.ms),
    oneAccountContained: one.contained,
    allAccountsMs: Math.round(all.ms),
    allAccountsContained: all.contained,
    allOverOne: Math.round((all.ms / one.ms) * 100) / 100,
    oneAtATimeEstimateMs: Math.round(one.ms * ACCOUNTS),
    machine: machine(load),
  };
  console.log(JSON.stringify(figures, null, 2));

  if (process.argv.includes('--record')) {
    const dir = join(__dirname, 'results');
    writeFileSync(join(dir, 'contain-org.json'), `${JSON.stringify(figures, null, 2)}\n`);
    writeFileSync(
      join(dir, 'contain-org.md'),
      [
        `# irkit contain --plan across an organization (${ACCOUNTS} accounts)`,
        '',
        `Recorded ${figures.date} with \`npx tsx bench/contain-org.ts --record\` on ${figures.machine.cpus} x ${figures.machine.model}, Node ${figures.machine.node} (load average ${load.toFixed(2)} at start).`,
        '',
        `Each member account mocked (aws-sdk-client-mock over an in-memory account running the real containment handler): API calls answer after ${LATENCY_MS} ms, stack operations take ${STACK_MS} ms; STS AssumeRole in the security account answers after ${ASSUME_MS} ms; stacks polled every ${POLL_MS} ms. ${figures.targetsPerAccount} targets per account (two users with a key each, one role).`,
        '',
        '| measure | figure |',
        '|---|---|',
        `| one account (assume its deploy role, contain, verify) | ${figures.oneAccountMs} ms (${one.contained}/${figures.targetsPerAccount} contained) |`,
        `| **all ${ACCOUNTS} accounts at once** | **${figures.allAccountsMs} ms (${all.contained}/${ACCOUNTS * figures.targetsPerAccount} contained)** |`,
        `| all accounts / one account | ${figures.allOverOne}x |`,
        `| one account at a time (estimate: ${ACCOUNTS} x one) | ${figures.oneAtATimeEstimateMs} ms |`,
        '',
      ].join('\n'),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
