import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';

import { parsePlan } from '../../../orchestrator/contain/plan';
import { KEY, LogTree, ctRecord, playbookKeyCalls } from '../engines/fixtures';
import { irkit } from '../../helpers/cli';
import { INCIDENT, preserveInto } from '../investigate/render/report-result';

const WINDOW = ['--from', '2021/07/16', '--to', '2021/07/24'];
const JANE_KEY = 'AKIAI44QH8DHBEXAMPLE';

let logs: LogTree;
let outDir: string;

beforeAll(() => {
  logs = new LogTree();
  logs.cloudTrail('2021/07/24', [
    ...playbookKeyCalls(),
    ctRecord({
      eventTime: '2021-07-24T02:22:56Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'CreateBucket',
      userName: 'JaneDoe',
      accessKeyId: JANE_KEY,
      requestParameters: { bucketName: 'DOC-EXAMPLE-BUCKET' },
    }),
  ]);
  outDir = mkdtempSync(path.join(os.tmpdir(), 'irkit-investigate-cli-'));
});

/** `irkit investigate` of the exposed key over the test logs' window, with further flags. */
const investigateKey = (...flags: string[]) =>
  irkit('investigate', '--access-key-id', KEY, ...WINDOW, '--logs', logs.root, ...flags);

afterAll(() => {
  logs.remove();
  rmSync(outDir, { recursive: true, force: true });
});

describe('irkit investigate on the local engine', () => {
  test('prints the blast radius and the plan to stdout, progress to stderr', async () => {
    const run = await investigateKey();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `Investigation: access key ${KEY}\nWindow 2021/07/16..2021/07/24, local engine, depth 5`,
    );
    expect(run.stdout).toMatch(
      /Containment plan for account 777777777777\n-+\n[^]*Steps \(irkit contain --plan FILE/,
    );
    expect(run.stdout).toMatch(/bucket\s+\|\s+DOC-EXAMPLE-BUCKET\s+\|\s+lock to break-glass/);
    expect(run.stderr).toContain(`depth 0: ${KEY}`);
    expect(run.stderr).toMatch(/key-api-activity \(AKIAIOSFODNN7EXAMPLE\): 4 row\(s\) in \d+ ms/);
    expect(run.stderr).toContain('depth 1: user JaneDoe');
    expect(run.stderr).not.toContain('Containment plan');
  });

  test('--out FILE.json writes the document contain --plan reads, and never replaces a file without --force', async () => {
    const file = path.join(outDir, 'result.json');
    const first = await investigateKey('--out', file, '--incident', 'IR-2021-0724');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain(`wrote ${file} (json)`);
    const plan = parsePlan(readFileSync(file, 'utf8'), file);
    expect(plan).toMatchObject({ incidentId: 'IR-2021-0724', accountId: '777777777777' });
    expect(plan.steps.map((s) => s.name)).toEqual(['JorgeSouza', 'JaneDoe', 'DOC-EXAMPLE-BUCKET']);

    writeFileSync(file, 'an earlier investigation');
    const again = await investigateKey('--out', file);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/IRKIT_INVALID_INPUT: .*result\.json exists; it is left as it is/);
    expect(readFileSync(file, 'utf8')).toBe('an earlier investigation');

    const forced = await investigateKey('--out', file, '--force');
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ formatVersion: 1, found: true });
  });

  test('--format markdown writes the Part 3 answers; --protect keeps a target out of the plan', async () => {
    const run = await irkit(
      'investigate',
      '--user',
      'JaneDoe',
      ...WINDOW,
      '--logs',
      logs.root,
      '--format',
      'markdown',
      '--protect',
      'DOC-EXAMPLE-BUCKET',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('## Part 3: Analysis - Impact');
    expect(run.stdout).toMatch(
      /\| `bucket` \| `DOC-EXAMPLE-BUCKET` \| `777777777777` \| protected: listed in protectedPrincipals \(config or --protect\)/,
    );
  });

  test('--incident with --evidence DIR: the preserved incident’s live checks, eradication record and manifest', async () => {
    const evidence = path.join(outDir, 'evidence');
    await preserveInto(evidence);
    const run = await investigateKey('--incident', INCIDENT, '--evidence', evidence, '--format', 'markdown');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('evidence verified: 3 item(s)');
    expect(run.stdout).toContain('### Live checks of the actor’s buckets (irkit preserve)');
    expect(run.stdout).toContain('## Evidence (playbook step 14)');
    expect(run.stdout).toMatch(/\| `user:JaneDoe` \| `done` \| `req-1111, req-2222` \|/);
    // Part 5's plan with each call, as irkit eradicate --dry-run prints them.
    expect(run.stdout).toContain('iam DeleteUser UserName=JaneDoe');
  });

  test('a user with no activity is an explicit empty result, exit code 0', async () => {
    const run = await irkit(
      'investigate',
      '--user',
      'NoSuchUser',
      ...WINDOW,
      '--logs',
      logs.root,
      '--format',
      'json',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      found: false,
      principals: [],
      containmentPlan: { steps: [] },
    });
  });

  test.each([
    [
      ['--from', '2021/07/16', '--to', '2021/07/24', '--logs', '.'],
      /exactly one of --access-key-id and --user/,
    ],
    [['--access-key-id', KEY, '--user', 'JaneDoe', ...WINDOW, '--logs', '.'], /exactly one of/],
    [['--access-key-id', 'AKIA-BAD', ...WINDOW, '--logs', '.'], /invalid access key id/],
    [
      ['--access-key-id', KEY, '--from', '2021/13/01', '--to', '2021/07/24', '--logs', '.'],
      /invalid --from: "2021\/13\/01"/,
    ],
    [['--access-key-id', KEY, ...WINDOW, '--logs', '.', '--depth', 'two'], /invalid --depth: "two"/],
    [['--access-key-id', KEY, ...WINDOW, '--logs', '.', '--format', 'pdf'], /invalid --format/],
    [['--access-key-id', KEY, ...WINDOW, '--engine', 'local'], /--engine local needs --logs DIR/],
    [['--access-key-id', KEY, ...WINDOW, '--logs', '.', '--workgroup', 'wg'], /invalid --workgroup/],
    [['--access-key-id', KEY, ...WINDOW, '--engine', 'athena', '--cache', 'c.duckdb'], /invalid --cache/],
    [['--access-key-id', KEY, ...WINDOW, '--logs', '.', '--protect', 'not a name!'], /invalid --protect/],
    [['--access-key-id', KEY, ...WINDOW, '--logs', '.', '--incident', 'IR 1'], /invalid incident id/],
    [['--access-key-id', KEY, ...WINDOW, '--logs', '.', '--evidence', '.'], /--evidence needs --incident ID/],
    [
      ['--access-key-id', KEY, ...WINDOW, '--logs', '.', '--out', '/nonexistent/dir/r.json'],
      /folder of --out/,
    ],
  ])('refuses %j with exit code 2 and no output', async (args, message) => {
    const run = await irkit('investigate', ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  test('a window without logs exits 2 naming the window', async () => {
    const run = await irkit(
      'investigate',
      '--access-key-id',
      KEY,
      '--from',
      '2020/01/01',
      '--to',
      '2020/01/02',
      '--logs',
      logs.root,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /IRKIT_LOGS_MISSING: no CloudTrail log files for 2020\/01\/01\.\.2020\/01\/02/,
    );
  });
});

describe('irkit investigate on Athena', () => {
  const athena = mockClient(AthenaClient);
  afterAll(() => athena.restore());

  test('runs every query in the workgroup with bound parameters', async () => {
    athena.reset();
    let n = 0;
    athena.on(StartQueryExecutionCommand).callsFake(() => ({ QueryExecutionId: `q-${++n}` }));
    athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => ({
      QueryExecution: { QueryExecutionId: input.QueryExecutionId, Status: { State: 'SUCCEEDED' } },
    }));
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] },
    });
    const run = await irkit(
      'investigate',
      '--access-key-id',
      KEY,
      ...WINDOW,
      '--engine',
      'athena',
      '--workgroup',
      'IRWorkshopWorkgroup',
      '--region',
      'us-east-1',
      '--format',
      'json',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ engine: 'athena', found: false });
    expect(athena).toHaveReceivedCommandWith(StartQueryExecutionCommand, {
      WorkGroup: 'IRWorkshopWorkgroup',
      ExecutionParameters: [`'${KEY}'`, "'2021/07/16'", "'2021/07/24'", "'2021/07/16'", "'2021/07/24'"],
    });
    expect(existsSync(path.join(outDir, 'never'))).toBe(false);
  });

  test('Ctrl-C cancels the running Athena queries and exits 130 with nothing on stdout', async () => {
    athena.reset();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-running' });
    athena.on(GetQueryExecutionCommand).callsFake(() => {
      process.emit('SIGINT');
      return { QueryExecution: { QueryExecutionId: 'q-running', Status: { State: 'RUNNING' } } };
    });
    athena.on(StopQueryExecutionCommand).resolves({});
    const run = await irkit(
      'investigate',
      '--access-key-id',
      KEY,
      ...WINDOW,
      '--engine',
      'athena',
      '--region',
      'us-east-1',
    );
    expect(run.code).toBe(130);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('irkit investigate: cancelling...');
    expect(run.stderr).toContain('IRKIT_INTERRUPTED');
    expect(athena).toHaveReceivedCommandWith(StopQueryExecutionCommand, { QueryExecutionId: 'q-running' });
    expect(process.listenerCount('SIGINT')).toBe(0);
  });
});
