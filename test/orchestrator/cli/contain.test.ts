import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { irkit } from '../../helpers/cli';
import { FAST_FLAGS } from '../contain/cli-harness';
import { ACCOUNT, FakeAws } from '../contain/fake-aws';

let aws: FakeAws;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'irkit-cli-contain-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  aws = new FakeAws();
  aws.addUser('JorgeSouza', { AKIAIOSFODNN7EXAMPLE: 'Active' });
  aws.addUser('JaneDoe', { AKIAI44QH8DHBEXAMPLE: 'Active' }, {}, [
    'arn:aws:iam::aws:policy/AdministratorAccess',
  ]);
  aws.addBucket('DOC-EXAMPLE-BUCKET');
  aws.addRole('SecurityAnalystRole');
});
afterEach(() => aws.restore());

function planFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const PLAN = {
  formatVersion: 1,
  accountId: ACCOUNT,
  steps: [
    { kind: 'user', name: 'JorgeSouza', accessKeyIds: ['AKIAIOSFODNN7EXAMPLE'] },
    { kind: 'user', name: 'JaneDoe', accessKeyIds: ['AKIAI44QH8DHBEXAMPLE'] },
    { kind: 'bucket', name: 'DOC-EXAMPLE-BUCKET' },
  ],
};

describe('irkit contain', () => {
  it('contains a plan, printing the plan and a result per target; progress on stderr', async () => {
    const run = await irkit(
      'contain',
      '--plan',
      planFile('plan.json', { containmentPlan: PLAN }),
      '--incident',
      'IR-1',
      '--yes',
      ...FAST_FLAGS,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Containment plan for incident IR-1');
    expect(run.stdout).toMatch(/user:JaneDoe\s+CONTAINED\s+created\s+irkit-contain-IR-1-user-JaneDoe/);
    expect(run.stdout).toMatch(/bucket:DOC-EXAMPLE-BUCKET\s+CONTAINED/);
    expect(run.stderr).toMatch(/\[irkit-contain-IR-1-user-JorgeSouza\] .*CREATE_COMPLETE/);
  });

  it('contains a user and a key named on the command line', async () => {
    const run = await irkit(
      'contain',
      '--user',
      'JaneDoe',
      '--access-key-id',
      'AKIAI44QH8DHBEXAMPLE',
      '--incident',
      'IR-1',
      '--yes',
      ...FAST_FLAGS,
    );
    expect(run.code).toBe(0);
    expect(aws.user('JaneDoe').keys.get('AKIAI44QH8DHBEXAMPLE')).toBe('Inactive');
  });

  it('exits 4 naming the target that failed and why, the others contained', async () => {
    aws.failWhen = (stack, op) =>
      op === 'create' && stack.name.endsWith('bucket-DOC-EXAMPLE-BUCKET') ? 'Access Denied' : undefined;
    const run = await irkit(
      'contain',
      '--plan',
      planFile('plan.json', PLAN),
      '--incident',
      'IR-1',
      '--yes',
      ...FAST_FLAGS,
    );
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /IRKIT_CONTAINMENT_FAILED: 1 of 3 target\(s\) not contained:\n {2}- bucket:DOC-EXAMPLE-BUCKET: ROLLBACK_COMPLETE: .*Access Denied/,
    );
    expect(run.stdout).toMatch(/user:JaneDoe\s+CONTAINED/);
  });

  it.each([
    [
      'a plan from a newer format',
      () => ['--plan', planFile('new.json', { ...PLAN, formatVersion: 2 })],
      'IRKIT_PLAN_INVALID',
    ],
    [
      'a plan that does not parse',
      () => ['--plan', planFile('bad.json', '{"formatVersion": 1,')],
      'IRKIT_PLAN_INVALID',
    ],
    ['a missing plan file', () => ['--plan', join(dir, 'none.json')], 'IRKIT_PLAN_INVALID'],
    ['a malformed user name', () => ['--user', 'Jane Doe'], 'IRKIT_INVALID_INPUT'],
    ['a malformed key id', () => ['--user', 'JaneDoe', '--access-key-id', 'AKIA123'], 'IRKIT_INVALID_INPUT'],
    [
      'keys with two users',
      () => ['--user', 'JaneDoe', '--user', 'JorgeSouza', '--access-key-id', 'AKIAI44QH8DHBEXAMPLE'],
      'IRKIT_INVALID_INPUT',
    ],
    ['a malformed bucket', () => ['--bucket', 'a/b'], 'IRKIT_INVALID_INPUT'],
    [
      'a plan and targets together',
      () => ['--plan', planFile('p.json', PLAN), '--role', 'AppRole'],
      'IRKIT_INVALID_INPUT',
    ],
    ['nothing to contain', () => [], 'IRKIT_INVALID_INPUT'],
  ])('refuses %s with exit 2 and no AWS call', async (_what, args, code) => {
    const run = await irkit('contain', ...args(), '--incident', 'IR-1', '--yes', ...FAST_FLAGS);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(code);
    expect(aws.sts.calls()).toHaveLength(0);
    expect(aws.cfn.calls()).toHaveLength(0);
  });

  it('refuses a malformed incident id, and a protected role, changing nothing', async () => {
    expect((await irkit('contain', '--role', 'X', '--incident', 'IR 1', '--yes', ...FAST_FLAGS)).code).toBe(
      2,
    );
    const run = await irkit(
      'contain',
      '--role',
      'SecurityAnalystRole',
      '--incident',
      'IR-1',
      '--yes',
      ...FAST_FLAGS,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('IRKIT_PROTECTED_PRINCIPAL: refusing to contain protected principals');
    expect(aws.writes).toEqual([]);
  });

  it('without --yes and without a terminal, says to pass --yes and changes nothing', async () => {
    const run = await irkit('contain', '--user', 'JaneDoe', '--incident', 'IR-1', ...FAST_FLAGS);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('pass --yes');
    expect(aws.writes).toEqual([]);
  });

  it('--dry-run prints the plan and templates and changes nothing', async () => {
    const run = await irkit(
      'contain',
      '--plan',
      planFile('plan.json', PLAN),
      '--incident',
      'IR-1',
      '--dry-run',
      ...FAST_FLAGS,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dry run');
    expect(run.stdout).toContain('"Custom::IrKitUserDeny"');
    expect(aws.writes).toEqual([]);
  });
});
