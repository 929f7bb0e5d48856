import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { irkit } from '../../helpers/cli';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'irkit-cli-demo-'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('irkit demo', () => {
  test('investigates the playbook incident offline: blast radius and plan on stdout, progress on stderr', async () => {
    const run = await irkit('demo', '--events', '300');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Investigation: access key AKIAIOSFODNN7EXAMPLE\nWindow 2021\/07\/16\.\.2021\/07\/24/,
    );
    for (const expected of [
      'JorgeSouza',
      'AKIAI44QH8DHBEXAMPLE',
      'arn:aws:iam::aws:policy/AdministratorAccess',
      'DOC-EXAMPLE-BUCKET/stuff',
      '198.51.100.77',
      '72.21.198.71',
      'Containment plan for account 777777777777',
    ]) {
      expect(run.stdout).toContain(expected);
    }
    expect(run.stdout).not.toContain('irkit demo:');
    expect(run.stderr).toMatch(
      /irkit demo: \[ *[\d.]+s\] key-api-activity \(AKIAIOSFODNN7EXAMPLE\): 4 row\(s\)/,
    );
    expect(run.stderr).toContain('the generated logs were deleted');
  });

  test('--keep leaves the logs and prints the commands that go on from them', async () => {
    const keep = join(root, 'kept');
    const run = await irkit('demo', '--events', '300', '--keep', keep, '--format', 'json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).containmentPlan.steps).toHaveLength(3);
    expect(readdirSync(join(keep, 'logs'))).toContain('AWSLogs');
    expect(run.stderr).toContain(
      `--logs ${join(keep, 'logs')} --incident IR-DEMO --out ${join(keep, 'plan.json')}`,
    );
  });

  test.each([
    [['--events', 'many'], '--events'],
    [['--seed', '-1'], '--seed'],
    [['--format', 'yaml'], '--format'],
  ])('%j is refused before anything is written', async (args, flag) => {
    const run = await irkit('demo', ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(flag);
    expect(run.stdout).toBe('');
  });

  test('a --keep folder whose logs/ holds something else is refused and left as it is', async () => {
    const busy = join(root, 'busy');
    mkdirSync(join(busy, 'logs'), { recursive: true });
    writeFileSync(join(busy, 'logs', 'evidence.txt'), 'keep me');
    const run = await irkit('demo', '--events', '10', '--keep', busy);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not empty and is not the output of irkit simulate');
    expect(readdirSync(join(busy, 'logs'))).toEqual(['evidence.txt']);
  });
});
