import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { incidentRemains, formatRemains } from '../../../orchestrator/eradicate';
import { InvestigationResult } from '../../../orchestrator/investigate';
import { incidentPrefix, LocalEvidenceStore, manifestRunPath } from '../../../orchestrator/preserve';
import { WireAccount } from '../../support/wire-account';
import { attackedAccount, BUCKET, clientsOf, demoResult, INCIDENT, preservedEvidence } from './fixture';

/**
 * Part 6 (`irkit status --incident ID`) without --plan: the investigation preserved in the
 * incident's evidence, read only once its manifest checks; --plan overrides; neither is a typed error.
 */
let result: InvestigationResult;
let bytes: Buffer;
let account: WireAccount;

beforeAll(async () => {
  result = await demoResult();
  bytes = Buffer.from(`${JSON.stringify(result, null, 2)}\n`);
}, 60_000);
beforeEach(async () => {
  account = await WireAccount.start();
  attackedAccount(account);
});
afterEach(() => account.close());

const remains = (extra: Partial<Parameters<typeof incidentRemains>[1]>) =>
  incidentRemains(clientsOf(account), {
    incidentId: INCIDENT,
    evidence: async () => {
      throw new Error('no evidence in this test');
    },
    required: false,
    ...extra,
  });

describe('Part 6 against the preserved investigation', () => {
  it('reads the investigation from the evidence and checks what the actor created, live', async () => {
    const store = await preservedEvidence(bytes);
    const out = await remains({ evidence: async () => store });
    expect(out).toEqual({
      from: `${store.location}${incidentPrefix(INCIDENT)}investigation.json`,
      rows: [
        expect.objectContaining({ target: 'user:JaneDoe', remains: true }),
        expect.objectContaining({ target: `bucket:${BUCKET}`, remains: true }),
        expect.objectContaining({
          target: 'access-key:AKIAIOSFODNN7EXAMPLE (user JorgeSouza)',
          remains: true,
        }),
      ],
    });
    account.users.delete('janedoe');
    const after = await remains({ evidence: async () => store, required: true });
    expect('rows' in after && after.rows.map((r) => r.remains)).toEqual([false, true, true]);
    expect('rows' in after && formatRemains(INCIDENT, after.rows, after.from)).toMatch(
      /^Checked against the investigation .*incidents\/IR-DEMO\/investigation\.json:\n2 of 3 thing/,
    );
  });

  it('--plan overrides the evidence, which is then not read', async () => {
    const evidence = jest.fn();
    const out = await remains({ given: { result, from: 'plan.json' }, evidence, required: true });
    expect(out).toMatchObject({ from: 'plan.json' });
    expect(evidence).not.toHaveBeenCalled();
  });

  it('neither a plan nor a preserved investigation: IRKIT_EVIDENCE_MISSING when asked for, a notice otherwise', async () => {
    const empty = new LocalEvidenceStore(mkdtempSync(join(tmpdir(), 'irkit-remains-')));
    const asked = remains({ evidence: async () => empty, required: true });
    await expect(asked).rejects.toMatchObject({
      code: 'IRKIT_EVIDENCE_MISSING',
      message: expect.stringMatching(/no --plan, and no investigation of incident IR-DEMO preserved in/),
      hint: expect.stringMatching(/--plan FILE/),
    });
    const quiet = await remains({ evidence: async () => empty });
    expect(quiet).toMatchObject({ notChecked: { code: 'IRKIT_EVIDENCE_MISSING' } });
    // Evidence without the document (an eradication store of records only) is the same.
    const recordsOnly = await preservedEvidence();
    await expect(remains({ evidence: async () => recordsOnly, required: true })).rejects.toMatchObject({
      code: 'IRKIT_EVIDENCE_MISSING',
    });
    expect(account.wire.calls).toEqual([]);
  });

  it('refuses a preserved investigation that was changed, or whose manifest chain is broken, even unasked', async () => {
    const store = await preservedEvidence(bytes);
    const file = join(store.location, incidentPrefix(INCIDENT), 'investigation.json');
    chmodSync(file, 0o644);
    writeFileSync(file, bytes.toString().replace('JaneDoe', 'JaneDoF'));
    await expect(remains({ evidence: async () => store })).rejects.toMatchObject({
      code: 'IRKIT_EVIDENCE_INVALID',
      message: expect.stringMatching(/investigation\.json: its SHA-256 is .*, the manifest says/),
    });

    const other = await preservedEvidence(bytes);
    const run = join(other.location, incidentPrefix(INCIDENT), manifestRunPath(1));
    chmodSync(run, 0o644);
    writeFileSync(run, '{"formatVersion": 1}');
    await expect(remains({ evidence: async () => other })).rejects.toMatchObject({
      code: 'IRKIT_EVIDENCE_INVALID',
    });
    expect(account.wire.calls).toEqual([]);
  });
});
