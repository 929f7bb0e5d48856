import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  InvestigationResult,
  demoInvestigation,
  renderJson,
  renderMarkdown,
} from '../../../orchestrator/investigate';
import { irkit } from '../../helpers/cli';
import { INCIDENT, preserveInto } from '../investigate/render/report-result';

let dir: string;
let result: InvestigationResult;
let saved: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'irkit-cli-report-'));
  result = (await demoInvestigation({ backgroundEvents: 200 })).result;
  saved = join(dir, 'result.json');
  writeFileSync(saved, renderJson(result));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function variant(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('irkit report', () => {
  test('renders a saved result as the impact report, exactly as the investigation would have', async () => {
    const run = await irkit('report', saved);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(renderMarkdown(result));
    expect(run.stdout).toContain('## Part 3: Analysis - Impact');
  });

  test('--format table and a .json --out give the tables and the same document back', async () => {
    const table = await irkit('report', saved, '--format', 'table');
    expect(table.stdout).toContain('Containment plan for account 777777777777');
    const out = join(dir, 'again.json');
    const json = await irkit('report', saved, '--out', out);
    expect(json.code).toBe(0);
    expect(json.stderr).toContain(`wrote ${out} (json)`);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(saved, 'utf8'));
  });

  test('an existing --out is left as it is unless --force', async () => {
    const out = variant('report.md', 'the responder’s own notes');
    const refused = await irkit('report', saved, '--out', out);
    expect(refused.code).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('the responder’s own notes');
    const forced = await irkit('report', saved, '--out', out, '--force');
    expect(forced.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(renderMarkdown(result));
  });

  test('--evidence DIR: the live checks, Part 5 with the eradication record, and the verified manifest', async () => {
    const evidence = join(dir, 'evidence');
    await preserveInto(evidence);
    const run = await irkit('report', saved, '--evidence', evidence, '--incident', INCIDENT);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`reading the evidence of incident ${INCIDENT}`);
    expect(run.stderr).toContain('evidence verified: 3 item(s)');
    for (const heading of [
      '### Live checks of the actor’s buckets (irkit preserve)',
      '## Part 5: Eradication',
      '### Eradication record',
      '## Evidence (playbook step 14)',
    ])
      expect(run.stdout).toContain(heading);
    expect(run.stdout).toMatch(
      /\| `bucket:DOC-EXAMPLE-BUCKET` \| `failed` \| `req-3333` \| `AccessDenied: not allowed` \|/,
    );
    expect(run.stdout).toContain('the ACL grants READ to everyone (AllUsers)');
    const csv = await irkit(
      'report',
      saved,
      '--evidence',
      evidence,
      '--incident',
      INCIDENT,
      '--format',
      'csv',
      '--table',
      'evidence-items',
    );
    expect(csv.stdout.split('\r\n')[0]).toBe('path,kind,sha256,size,source,collectedby,collectedat');
    expect(csv.stdout).toContain('eradication/run-2021-07-25T10-00-00-000Z.json,eradication-record,');
  });

  test.each([
    [['--evidence', join(tmpdir(), 'irkit-no-such-folder')], /is not a folder/],
    [['--evidence', 'bucket', '--format', 'json'], /json is the investigation document/],
    [['--evidence', tmpdir()], /--evidence needs the incident: the result names none/],
    [['--evidence', tmpdir(), '--incident', 'not an id!'], /incident/i],
  ])('--evidence refused before any read: %s', async (args, message) => {
    const run = await irkit('report', saved, ...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  test.each([
    ['a missing file', () => join(dir, 'missing.json'), /cannot read/],
    [
      'a truncated file',
      () => variant('cut.json', renderJson(result).slice(0, 500)),
      /not valid JSON .*cut short/,
    ],
    [
      'a plan document',
      () => variant('plan.json', JSON.stringify(result.containmentPlan)),
      /is a containment plan, not an investigation result/,
    ],
    [
      'a newer format',
      () => variant('v2.json', JSON.stringify({ ...result, formatVersion: 2 })),
      /formatVersion 2, newer than this irkit reads \(1\)/,
    ],
    [
      'a result missing a field',
      () => variant('partial.json', JSON.stringify({ ...result, timeline: undefined })),
      /field timeline is undefined, expected array/,
    ],
    [
      'a field of the wrong kind',
      () => variant('kinds.json', JSON.stringify({ ...result, principals: {} })),
      /field principals is object, expected array/,
    ],
    [
      'an edited plan',
      () =>
        variant(
          'edited.json',
          JSON.stringify({ ...result, containmentPlan: { ...result.containmentPlan, formatVersion: 'one' } }),
        ),
      /containmentPlan\.formatVersion/,
    ],
  ])('%s is refused with exit code 2 and nothing on stdout', async (_, file, message) => {
    const run = await irkit('report', file());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });
});
