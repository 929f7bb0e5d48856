import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { recordTexts } from '../../../orchestrator/preserve/raw-records';
import { irkit } from '../../helpers/cli';

/**
 * GIVEN the demo incident's logs and its investigation (irkit investigate --incident IR-DEMO
 * --out plan.json), WHEN irkit preserve runs offline, THEN the folder holds the document and
 * the actor's records exactly as logged, with a manifest that --verify checks.
 */

const INCIDENT = 'IR-DEMO';
let root: string;
let logs: string;
let plan: string;
let evidence: string;

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'irkit-preserve-offline-'));
  const demo = await irkit('demo', '--events', '300', '--keep', join(root, 'demo'), '--format', 'json');
  expect(demo.code).toBe(0);
  logs = join(root, 'demo', 'logs');
  plan = join(root, 'plan.json');
  const inv = await irkit(
    'investigate',
    '--access-key-id',
    'AKIAIOSFODNN7EXAMPLE',
    '--from',
    '2021/07/16',
    '--to',
    '2021/07/24',
    '--logs',
    logs,
    '--incident',
    INCIDENT,
    '--out',
    plan,
  );
  expect(inv.code).toBe(0);
  evidence = join(root, 'evidence');
}, 120_000);

afterAll(() => {
  for (const f of allFiles(root)) chmodSync(f, 0o644);
  rmSync(root, { recursive: true, force: true });
});

describe('irkit preserve offline on the demo incident', () => {
  test('preserves the document and every one of the actor’s records, byte for byte as logged', async () => {
    const run = await irkit(
      'preserve',
      '--plan',
      plan,
      '--incident',
      INCIDENT,
      '--logs',
      logs,
      '--out',
      evidence,
    );
    expect(run.stderr).toContain('reading the actor');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/manifest run 1: 3 item\(s\) added/);
    expect(run.stdout).toContain('not preserved: user JaneDoe: offline');

    const folder = join(evidence, 'incidents', INCIDENT);
    expect(readFileSync(join(folder, 'investigation.json'))).toEqual(readFileSync(plan));

    const doc = JSON.parse(readFileSync(plan, 'utf8'));
    const wanted = new Set<string>(doc.timeline.map((t: { eventId: string }) => t.eventId));
    const preserved = gunzipSync(readFileSync(join(folder, 'cloudtrail', 'actor-records.ndjson.gz')))
      .toString('utf8')
      .trimEnd()
      .split('\n');
    expect(preserved).toHaveLength(wanted.size);
    // Every line is the text of a record as it stands in a delivered file.
    const asLogged = new Set(
      allFiles(logs)
        .filter((f) => f.endsWith('.json.gz'))
        .flatMap((f) => recordTexts(gunzipSync(readFileSync(f)).toString('utf8'), f)),
    );
    for (const line of preserved) {
      expect(asLogged.has(line)).toBe(true);
      expect(wanted.has(JSON.parse(line).eventID)).toBe(true);
    }
    expect(run.stdout).toContain(
      `CloudTrail records: ${wanted.size} of the actor's ${wanted.size} events found`,
    );

    const manifest = JSON.parse(readFileSync(join(folder, 'manifest', 'run-0001.json'), 'utf8'));
    expect(manifest).toMatchObject({
      incidentId: INCIDENT,
      run: 1,
      previous: null,
      operator: expect.stringMatching(/^local:/),
    });
    expect(manifest.items.map((i: { path: string }) => i.path)).toEqual([
      'investigation.json',
      'cloudtrail/actor-records.ndjson.gz',
      'cloudtrail/record-sources.json',
    ]);
  });

  test('verifies, and a second run adds nothing and rewrites nothing', async () => {
    const verify = await irkit('preserve', '--verify', '--incident', INCIDENT, '--out', evidence);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^OK: evidence of incident IR-DEMO .*: 3 item\(s\) in 1 manifest run/);

    const again = await irkit(
      'preserve',
      '--plan',
      plan,
      '--incident',
      INCIDENT,
      '--logs',
      logs,
      '--out',
      evidence,
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      'nothing new: everything was preserved already (3 item(s) kept as they were)',
    );
    expect(readdirSync(join(evidence, 'incidents', INCIDENT, 'manifest'))).toEqual(['run-0001.json']);
  });

  test('refuses the investigation of another incident, and changes nothing', async () => {
    const run = await irkit(
      'preserve',
      '--plan',
      plan,
      '--incident',
      'IR-OTHER',
      '--logs',
      logs,
      '--out',
      evidence,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is the investigation of incident IR-DEMO, not IR-OTHER');
    expect(readdirSync(join(evidence, 'incidents'))).toEqual([INCIDENT]);
  });

  test('says an unknown incident has no evidence, with the command that preserves it', async () => {
    const run = await irkit('preserve', '--verify', '--incident', 'IR-UNKNOWN', '--out', evidence);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('IRKIT_EVIDENCE_MISSING: no evidence manifest for incident IR-UNKNOWN');
    expect(run.stderr).toContain('irkit preserve --plan FILE --incident IR-UNKNOWN');
  });

  test('refuses a document that is not an investigation', async () => {
    const bad = join(root, 'not-a-plan.json');
    writeFileSync(bad, '{"steps": []}');
    const run = await irkit(
      'preserve',
      '--plan',
      bad,
      '--incident',
      INCIDENT,
      '--logs',
      logs,
      '--out',
      evidence,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is a containment plan, not an investigation result');
  });

  test('detects the records file tampered with: exit 4, the item named', async () => {
    const file = join(evidence, 'incidents', INCIDENT, 'cloudtrail', 'actor-records.ndjson.gz');
    chmodSync(file, 0o644);
    writeFileSync(file, Buffer.from('tampered'));
    const run = await irkit('preserve', '--verify', '--incident', INCIDENT, '--out', evidence);
    expect(run.code).toBe(4);
    expect(run.stdout).toMatch(/^FAILED/);
    expect(run.stdout).toContain('CHANGED cloudtrail/actor-records.ndjson.gz');
    expect(run.stderr).toContain('IRKIT_EVIDENCE_INVALID');
  });
});
