import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  InvestigationResult,
  demoInvestigation,
  offlineEradicationPlan,
  readIncidentEvidence,
  renderTable,
} from '../../../orchestrator/investigate';
import {
  LocalEvidenceStore,
  appendManifestRun,
  incidentPrefix,
  sha256Hex,
} from '../../../orchestrator/preserve';
import { INCIDENT, LIVE_CHECKS, RECORD, preserveInto } from './render/report-result';

/** The report reads the incident's evidence back as preserve and eradicate wrote it, and says when it cannot be trusted. */

let dir: string;
let result: InvestigationResult;

beforeAll(async () => {
  result = (await demoInvestigation({ backgroundEvents: 20 })).result;
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'irkit-evidence-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a preserved incident: its manifest verified, the latest live checks, every eradication run', async () => {
  const { evidence } = await preserveInto(dir);
  expect(evidence.location).toBe(`${new LocalEvidenceStore(dir).location}/incidents/${INCIDENT}/`);
  expect(evidence.problems).toEqual([]);
  expect(evidence.manifest?.runs).toHaveLength(2);
  expect(evidence.manifest?.items.map((i) => i.kind)).toEqual([
    'investigation',
    'live-checks',
    'eradication-record',
  ]);
  expect(evidence.verification).toMatchObject({ ok: true, items: 3, problems: [] });
  expect(evidence.liveChecks.map((l) => l.checks)).toEqual([LIVE_CHECKS]);
  expect(evidence.eradication.map((e) => e.record)).toEqual([RECORD]);
});

test('the live checks of every account preserved: the latest of each account’s folder', async () => {
  const { store } = await preserveInto(dir);
  const other = [{ ...LIVE_CHECKS[0], bucket: 'DOC-EXAMPLE-BUCKET2' }];
  const body = Buffer.from(JSON.stringify(other));
  const path = 'accounts/888888888888/live-checks/20210725T093000Z.json';
  await store.write(`${incidentPrefix(INCIDENT)}${path}`, body, sha256Hex(body));
  await appendManifestRun(store, INCIDENT, {
    operator: 'arn:aws:sts::888888888888:assumed-role/SecurityBreakGlassRole/responder',
    tool: 'irkit test',
    startedAt: '2021-07-25T09:30:00.000Z',
    items: [
      {
        path,
        kind: 'live-checks',
        sha256: sha256Hex(body),
        size: body.length,
        source: 'irkit preserve (account 888888888888)',
        collectedBy: 'arn:aws:sts::888888888888:assumed-role/SecurityBreakGlassRole/responder',
        collectedAt: '2021-07-25T09:30:00.000Z',
      },
    ],
  });
  const evidence = await readIncidentEvidence(store, INCIDENT);
  expect(evidence.liveChecks.map((l) => [l.path, l.checks[0].bucket])).toEqual([
    [path, 'DOC-EXAMPLE-BUCKET2'],
    ['live-checks/20210725T090000Z.json', 'DOC-EXAMPLE-BUCKET'],
  ]);
  const table = renderTable(result, {}, { evidence });
  expect(table).toContain('DOC-EXAMPLE-BUCKET2');
});

test('an incident never preserved there: no manifest and no problem, and the report says how to preserve it', async () => {
  const evidence = await readIncidentEvidence(new LocalEvidenceStore(dir), INCIDENT);
  expect(evidence).toMatchObject({ eradication: [], problems: [] });
  expect(evidence.manifest).toBeUndefined();
  const table = renderTable(result, {}, { evidence });
  expect(table).toContain(`Not preserved: no manifest in ${evidence.location}`);
  expect(table).toContain(`irkit preserve --plan FILE --incident ${INCIDENT}`);
});

test('changed evidence is reported, not hidden: DOES NOT VERIFY and the live checks refused', async () => {
  await preserveInto(dir);
  const file = join(dir, 'incidents', INCIDENT, 'live-checks', '20210725T090000Z.json');
  chmodSync(file, 0o644);
  writeFileSync(file, JSON.stringify([{ ...LIVE_CHECKS[0], publicExposure: [] }]));
  const evidence = await readIncidentEvidence(new LocalEvidenceStore(dir), INCIDENT);
  expect(evidence.verification?.ok).toBe(false);
  expect(evidence.liveChecks).toEqual([]);
  expect(evidence.problems.join('\n')).toMatch(
    /live-checks\/20210725T090000Z\.json: missing, or not the bytes the manifest lists/,
  );
  const table = renderTable(result, {}, { evidence });
  expect(table).toContain('DOES NOT VERIFY');
  expect(table).toContain('CANNOT BE TRUSTED');
  expect(table).toMatch(/live-checks\/20210725T090000Z\.json\s+\|\s+changed/);
});

test('the eradication plan offline: each target the actor created and its calls, none sent', async () => {
  const plan = await offlineEradicationPlan(result);
  expect(plan.targets.map((t) => t.target)).toEqual(
    expect.arrayContaining(['user:JaneDoe', 'bucket:DOC-EXAMPLE-BUCKET']),
  );
  expect(
    plan.calls
      .filter((c) => c.target === 'user:JaneDoe')
      .map((c) => c.call)
      .join('\n'),
  ).toMatch(/DeleteUser|delete-user/);
});
