import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MANIFEST_FILE } from '../../../simulation/synthetic';
import { irkit } from '../../helpers/cli';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'irkit-cli-simulate-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const small = ['--events', '200', '--days', '2', '--regions', 'us-east-1'];

describe('irkit simulate', () => {
  it('writes the incident, a summary to stdout and progress to stderr', async () => {
    const out = join(root, 'text');
    const run = await irkit('simulate', '--out', out, ...small);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Wrote the playbook incident (16 events) into 200 background events, 2021/07/23..2021/07/24',
    );
    expect(run.stdout).toContain('exposed key: AKIAIOSFODNN7EXAMPLE (JorgeSouza)');
    expect(run.stdout).toContain(`--engine local --logs ${out}`);
    expect(run.stderr).toContain(`irkit simulate: writing into ${out}`);
    expect(run.stderr).toMatch(/216 events in [\d.]+ s/);
    expect(readdirSync(out).sort()).toEqual([MANIFEST_FILE, 'AWSLogs']);
  });

  it('prints the whole summary, ground truth included, with --format json', async () => {
    const out = join(root, 'json');
    const run = await irkit(
      'simulate',
      '--out',
      out,
      ...small,
      '--seed',
      '42',
      '--accounts',
      '777777777777,111122223333',
      '--regions',
      'us-east-1,eu-west-1',
      '--variant',
      'session-token',
      'assume_role',
      '--variant',
      'spread,network',
      '--format',
      'json',
    );
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.options).toMatchObject({
      seed: 42,
      backgroundEvents: 200,
      days: 2,
      accounts: ['777777777777', '111122223333'],
      regions: ['us-east-1', 'eu-west-1'],
      variants: ['sessionToken', 'assumeRole', 'spread', 'network'],
    });
    expect(summary.groundTruth.network.flowRecords).toBe(5);
  });

  it('passes the layout options through: organization, prefix, plain JSON, no flow logs', async () => {
    const out = join(root, 'layout');
    const run = await irkit(
      'simulate',
      '--out',
      out,
      ...small,
      '--org',
      'o-exampleorgid',
      '--prefix',
      'cloudtrail',
      '--plain-json',
      '--no-flow-logs',
      '--file-window',
      '30',
      '--format',
      'json',
    );
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.options).toMatchObject({ flowLogs: false, compress: false, fileWindowMinutes: 30 });
    expect(summary.files.flowLogs).toBe(0);
    expect(readdirSync(join(out, 'cloudtrail', 'AWSLogs'))).toEqual(['o-exampleorgid']);
    expect(summary.incidentFiles[0]).toMatch(/^cloudtrail\/AWSLogs\/o-exampleorgid\/777777777777\/.*\.json$/);
  });

  it('refuses to write into a folder that is not a previous simulate output', async () => {
    const busy = mkdtempSync(join(root, 'busy-'));
    writeFileSync(join(busy, 'evidence.json'), '{}');
    const run = await irkit('simulate', '--out', busy, ...small);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('IRKIT_INVALID_INPUT');
    expect(run.stderr).toContain('is not empty and is not the output of irkit simulate');
    expect(readdirSync(busy)).toEqual(['evidence.json']);
  });

  it.each<[string, string[], string]>([
    ['a non-numeric event count', ['--events', 'lots'], 'invalid --events: "lots"'],
    ['an event count in exponent form', ['--events', '5e3'], 'invalid --events: "5e3"'],
    ['a negative seed', ['--seed', '-3'], 'invalid --seed: "-3"'],
    ['a fractional day count', ['--days', '1.5'], 'invalid --days: "1.5"'],
    ['zero days', ['--days', '0'], 'invalid number of days: 0'],
    ['a malformed account', ['--accounts', '777777777777,12345'], 'invalid AWS account id: "12345"'],
    ['an unknown Region', ['--regions', 'us-east-1,moon-1'], 'invalid AWS Region: "moon-1"'],
    ['Regions without us-east-1', ['--regions', 'eu-west-1'], 'leave out us-east-1'],
    ['a malformed organization id', ['--org', 'acme'], 'invalid organization id: "acme"'],
    ['a prefix with a trailing slash', ['--prefix', 'logs/'], 'invalid S3 prefix: "logs/"'],
    ['an unknown variant', ['--variant', 'teleport'], 'invalid variant: "teleport"'],
    ['spread with one account', ['--variant', 'spread'], 'variant spread needs a second account'],
    [
      'network without flow logs',
      ['--variant', 'network', '--no-flow-logs'],
      'variant network writes VPC Flow Logs',
    ],
    ['an unknown format', ['--format', 'xml'], 'invalid --format: "xml"'],
  ])('refuses %s with exit 2, a clear message and nothing written', async (_label, args, message) => {
    const out = join(root, `bad-${args.join('-').replace(/[^a-z0-9-]/gi, '')}`);
    const run = await irkit('simulate', '--out', out, '--events', '10', ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('->');
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('requires --out', async () => {
    const run = await irkit('simulate', '--events', '10');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--out <dir>'");
  });
});
