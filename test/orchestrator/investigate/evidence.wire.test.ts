import { InvestigationResult, demoInvestigation, renderTable } from '../../../orchestrator/investigate';
import { S3EvidenceStore, incidentPrefix } from '../../../orchestrator/preserve';
import { reportExtrasFor } from '../../../orchestrator/cli/commands/evidence-flags';
import { WireEvidenceAccount } from '../../support/wire-evidence';
import { INCIDENT, RECORD, preserveInto } from './render/report-result';

/**
 * The report reads the incident's evidence from the kit's evidence bucket through the real S3
 * client (test/support/wire-evidence.ts): the manifest verified version by version, the live
 * checks and the eradication record; an item written over is reported.
 */

const EVIDENCE_BUCKET = 'doc-example-bucket-evidence';

let account: WireEvidenceAccount;
let result: InvestigationResult;

beforeAll(async () => {
  result = (await demoInvestigation({ backgroundEvents: 20 })).result;
  account = await WireEvidenceAccount.start({
    evidenceBucket: EVIDENCE_BUCKET,
    logBucket: 'unused',
    logsRoot: '/nonexistent',
  });
}, 60_000);

afterAll(async () => {
  await account.wire.close();
});

const store = () => new S3EvidenceStore({ s3: account.clients().s3, bucket: EVIDENCE_BUCKET });

test('--evidence bucket: the evidence read from S3, verified, and shown in the report', async () => {
  await preserveInto(store());
  const extras = await reportExtrasFor(
    'report',
    result,
    { evidence: 'bucket', incident: INCIDENT },
    async () => store(),
  );
  const evidence = extras.evidence!;
  expect(evidence.location).toBe(`s3://${EVIDENCE_BUCKET}/incidents/${INCIDENT}/`);
  expect(evidence.problems).toEqual([]);
  expect(evidence.verification).toMatchObject({ ok: true, items: 3 });
  expect(evidence.manifest!.items.every((i) => i.storeVersionId)).toBe(true);
  expect(evidence.eradication.map((e) => e.record)).toEqual([RECORD]);
  expect(renderTable(result, {}, extras)).toContain('req-1111, req-2222');

  // Someone with s3:PutObject writes a new version over the live checks.
  account.overwrite(`${incidentPrefix(INCIDENT)}live-checks/20210725T090000Z.json`, Buffer.from('[]'));
  const again = (
    await reportExtrasFor('report', result, { evidence: 'bucket', incident: INCIDENT }, async () => store())
  ).evidence!;
  expect(again.verification?.problems).toEqual([
    expect.objectContaining({ path: 'live-checks/20210725T090000Z.json', problem: 'overwritten' }),
  ]);
  expect(again.liveChecks).toEqual([]);
  expect(renderTable(result, {}, { evidence: again })).toContain('DOES NOT VERIFY');
});
