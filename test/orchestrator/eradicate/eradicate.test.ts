import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { PLAYBOOK_PROTECTION } from '../../../lib/protection';
import {
  actorRemains,
  eradicate,
  EradicateIo,
  formatRemains,
  EradicateOptions,
  failIfAnyFailed,
} from '../../../orchestrator/eradicate/eradicate';
import { readEradication } from '../../../orchestrator/eradicate';
import { InvestigationResult } from '../../../orchestrator/investigate';
import {
  incidentPrefix,
  LocalEvidenceStore,
  readManifest,
  verifyManifest,
} from '../../../orchestrator/preserve';
import { awsQueryError, queryThrottling, s3Error } from '../../support/aws-wire';
import { WireAccount } from '../../support/wire-account';
import {
  ACTOR_KEY,
  attackedAccount,
  BUCKET,
  clientsOf,
  demoResult,
  EXPOSED_KEY,
  INCIDENT,
  preservedEvidence,
} from './fixture';

let result: InvestigationResult;
let account: WireAccount;
let store: LocalEvidenceStore;
let io: EradicateIo & { lines: string[]; text: string; slept: number[] };

beforeAll(async () => {
  result = await demoResult();
}, 60_000);

beforeEach(async () => {
  account = await WireAccount.start();
  attackedAccount(account);
  store = await preservedEvidence();
  const lines: string[] = [];
  const slept: number[] = [];
  io = {
    lines,
    slept,
    text: '',
    log: (line) => lines.push(line),
    out(text) {
      io.text += text;
    },
    sleep: async (ms) => {
      slept.push(ms);
    },
  };
});
afterEach(() => account.close());

const options = (extra: Partial<EradicateOptions> = {}): EradicateOptions => ({
  incidentId: INCIDENT,
  result,
  yes: true,
  evidence: async () => store,
  protection: PLAYBOOK_PROTECTION,
  ...extra,
});
const run = (extra: Partial<EradicateOptions> = {}) => eradicate(clientsOf(account), options(extra), io);
const deletes = () =>
  account.writes().filter((w) => /^(Delete|Detach|Remove|Deactivate|Terminate|Modify)/.test(w));

describe('irkit eradicate, on the wire', () => {
  it('deletes what the actor created in the order AWS requires, and the exposed key; the exposed user stays', async () => {
    const done = await run();
    expect(done.targets.map((t) => [t.target, t.outcome])).toEqual([
      ['user:JaneDoe', 'done'],
      [`bucket:${BUCKET}`, 'done'],
      [`access-key:${EXPOSED_KEY} (user JorgeSouza)`, 'done'],
    ]);
    expect(account.users.has('janedoe')).toBe(false);
    expect(account.buckets.has(BUCKET)).toBe(false);
    const jorge = account.users.get('jorgesouza');
    expect([...(jorge?.keys.keys() ?? [])]).toEqual(['AKIAJORGEOTHERKEY000']);
    expect(deletes()).toEqual([
      'DeleteLoginProfile JaneDoe',
      'DeleteAccessKey JaneDoe',
      'DeactivateMFADevice JaneDoe',
      'DeleteVirtualMFADevice',
      'DeleteUserPolicy JaneDoe',
      'DetachUserPolicy JaneDoe',
      'DetachUserPolicy JaneDoe',
      'RemoveUserFromGroup JaneDoe',
      'DeleteUser JaneDoe',
      `DeleteObjects ${BUCKET}`,
      `DeleteBucket ${BUCKET}`,
      'DeleteAccessKey JorgeSouza',
    ]);
    // The record, in the evidence store: each call with when, by whom and AWS's request id.
    expect(done.recordPath).toMatch(new RegExp(`${incidentPrefix(INCIDENT)}eradication/run-.*\\.json$`));
    const [preserved, ...more] = await readEradication(store, INCIDENT);
    expect(more).toEqual([]);
    expect(preserved.path).toMatch(/^eradication\/run-.*\.json$/);
    const { record } = preserved;
    expect(record.account).toBe('777777777777');
    expect(record.operator).toBe('arn:aws:sts::777777777777:assumed-role/SecurityBreakGlassRole/responder');
    expect(record.calls).toHaveLength(12);
    for (const call of record.calls)
      expect(call).toMatchObject({ outcome: 'done', requestId: expect.any(String), at: expect.any(String) });
    expect(record.calls[0].call).toBe('iam DeleteLoginProfile UserName=JaneDoe');
    expect(record.targets.map((t) => t.outcome)).toEqual(['done', 'done', 'done']);
  });

  it('lists the record in the evidence manifest, chained after the evidence, so --verify checks it', async () => {
    await run();
    const manifest = await readManifest(store, INCIDENT);
    expect(manifest?.runs.map((r) => r.items.map((i) => i.kind))).toEqual([
      ['cloudtrail-records'],
      ['eradication-record'],
    ]);
    expect(manifest?.runs[1]).toMatchObject({
      run: 2,
      previous: { path: 'manifest/run-0001.json' },
      operator: 'arn:aws:sts::777777777777:assumed-role/SecurityBreakGlassRole/responder',
    });
    expect(await verifyManifest(store, INCIDENT)).toMatchObject({ ok: true, items: 2, unlisted: [] });
    // A second run adds a second record, in a third manifest run; both read back in order.
    await run();
    const records = await readEradication(store, INCIDENT);
    expect(records.map((r) => r.record.targets.map((t) => t.outcome))).toEqual([
      ['done', 'done', 'done'],
      ['nothing left', 'nothing left', 'nothing left'],
    ]);
    expect((await readManifest(store, INCIDENT))?.runs).toHaveLength(3);
  });

  it('a record changed after the fact fails --verify, readEradication and the next eradication', async () => {
    await run();
    const [{ path }] = await readEradication(store, INCIDENT);
    const file = join(store.location, incidentPrefix(INCIDENT), path);
    const text = readFileSync(file, 'utf8');
    chmodSync(file, 0o644);
    writeFileSync(file, text.replace('"outcome": "done"', '"outcome": "failed"'));
    expect(await verifyManifest(store, INCIDENT)).toMatchObject({
      ok: false,
      problems: [{ path, problem: 'changed' }],
    });
    await expect(readEradication(store, INCIDENT)).rejects.toMatchObject({
      code: 'IRKIT_EVIDENCE_INVALID',
      message: expect.stringMatching(/the manifest says/),
    });
    expect(await run().catch((e: unknown) => e)).toMatchObject({ code: 'IRKIT_EVIDENCE_INVALID' });
  });

  it('no eradication yet: readEradication is empty', async () => {
    expect(await readEradication(store, INCIDENT)).toEqual([]);
    const empty = new LocalEvidenceStore(join(store.location, 'elsewhere'));
    expect(await readEradication(empty, INCIDENT)).toEqual([]);
  });

  it('afterwards nothing of the actor remains (Part 6, irkit status --incident ID --plan FILE)', async () => {
    const before = await actorRemains(clientsOf(account), result, INCIDENT);
    expect(before.map((r) => r.remains)).toEqual([true, true, true]);
    await run();
    const after = await actorRemains(clientsOf(account), result, INCIDENT);
    expect(after.map((r) => r.remains)).toEqual([false, false, false]);
    expect(formatRemains(INCIDENT, after)).toMatch(
      new RegExp(
        `^Nothing of what the actor created remains \\(incident ${INCIDENT}, 3 target\\(s\\) checked\\)\\.\n  user:JaneDoe: gone`,
      ),
    );
  });

  it('a second run finds nothing left and says so', async () => {
    await run();
    const again = await run();
    expect(again.targets.every((t) => t.outcome === 'nothing left')).toBe(true);
    expect(again.calls).toEqual([]);
    expect(io.text).toContain(`Nothing of the actor is left to eradicate in incident ${INCIDENT}.`);
  });

  it('deletes the exposed user too only with --include-exposed-user', async () => {
    const done = await run({ includeExposedUser: true });
    expect(done.targets.map((t) => t.target)).toEqual([
      'user:JaneDoe',
      `bucket:${BUCKET}`,
      'user:JorgeSouza',
    ]);
    expect(account.users.size).toBe(0);
  });

  it('waits out IAM eventual consistency (DeleteConflict after the last dependency) and retries throttling', async () => {
    account.lagging = 2;
    account.wire.once('iam', 'DeleteLoginProfile', () => queryThrottling('iam'));
    const done = await run();
    expect(done.targets[0]).toMatchObject({ target: 'user:JaneDoe', outcome: 'done' });
    expect(io.slept).toEqual([1000, 2000]);
    expect(account.wire.callsTo('iam', 'DeleteUser')).toHaveLength(3);
    expect(account.wire.callsTo('iam', 'DeleteLoginProfile')).toHaveLength(2);
  });

  it('treats NoSuchEntity on a delete (gone meanwhile) as done, and records it', async () => {
    // Someone deleted the key between the list and the delete.
    account.wire.once('iam', 'DeleteAccessKey', () => {
      account.users.get('janedoe')?.keys.delete(ACTOR_KEY);
      return awsQueryError({
        service: 'iam',
        code: 'NoSuchEntity',
        status: 404,
        message: `The Access Key with id ${ACTOR_KEY} cannot be found.`,
      });
    });
    const done = await run();
    expect(done.calls.find((c) => c.call.includes(`AccessKeyId=${ACTOR_KEY}`))?.outcome).toBe('already gone');
    expect(done.targets[0].outcome).toBe('done');
  });

  it('reports a target that fails and goes on with the others; exit code 4 names it', async () => {
    account.wire.on('s3', 'DeleteBucket', (params) =>
      s3Error({ code: 'AccessDenied', message: 'Access Denied', status: 403, bucket: params.Bucket }),
    );
    const done = await run();
    expect(done.targets.map((t) => t.outcome)).toEqual(['done', 'failed', 'done']);
    expect(() => failIfAnyFailed(done)).toThrow(
      expect.objectContaining({
        code: 'IRKIT_ERADICATION_FAILED',
        message: expect.stringMatching(/bucket:DOC-EXAMPLE-BUCKET: AccessDenied/),
      }),
    );
    const [{ record }] = await readEradication(store, INCIDENT);
    expect(record.targets.map((t) => t.outcome)).toEqual(['done', 'failed', 'done']);
    expect(record.calls.find((c) => c.outcome === 'failed')).toMatchObject({
      call: `s3 DeleteBucket Bucket=${BUCKET}`,
      error: expect.stringMatching(/^AccessDenied/),
    });
  });

  it('dry run with credentials reads what is there and prints the exact calls, changing nothing', async () => {
    const planned = await run({ dryRun: true, yes: false });
    expect(account.writes()).toEqual([]);
    expect(planned.calls.map((c) => c.call)).toContain(
      `iam DeleteAccessKey UserName=JaneDoe AccessKeyId=${ACTOR_KEY}`,
    );
    expect(planned.calls.map((c) => c.call)).toContain(
      `s3 DeleteObjects Bucket=${BUCKET} Objects=stuff@3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY,stuff@null`,
    );
    expect(await store.list(`${incidentPrefix(INCIDENT)}eradication/`)).toEqual([]);
  });
});

describe('irkit eradicate refuses, changing nothing', () => {
  const refusal = async (extra: Partial<EradicateOptions>) => {
    const error = await run(extra).catch((e: unknown) => e);
    expect(deletes()).toEqual([]);
    return error;
  };

  it('without an evidence manifest', async () => {
    const empty = new LocalEvidenceStore(join(store.location, 'elsewhere'));
    expect(await refusal({ evidence: async () => empty })).toMatchObject({ code: 'IRKIT_EVIDENCE_MISSING' });
  });

  it('when the evidence was tampered with', async () => {
    writeFileSync(
      join(store.location, incidentPrefix(INCIDENT), 'cloudtrail', 'records.json'),
      '{"Records":[1]}\n',
    );
    expect(await refusal({})).toMatchObject({
      code: 'IRKIT_EVIDENCE_INVALID',
      message: expect.stringMatching(/cloudtrail\/records.json: changed/),
    });
  });

  it('when a target is not contained', async () => {
    account.stacks.splice(
      account.stacks.findIndex((s) => s.name.includes('bucket')),
      1,
    );
    expect(await refusal({})).toMatchObject({
      code: 'IRKIT_NOT_CONTAINED',
      message: `not contained under incident ${INCIDENT}: bucket:${BUCKET}`,
    });
  });

  it('for an incident with no containment (unknown incident)', async () => {
    const anonymous = {
      ...result,
      incidentId: undefined,
      containmentPlan: { ...result.containmentPlan, incidentId: undefined },
    } as InvestigationResult;
    expect(await refusal({ incidentId: 'IR-NOPE', result: anonymous })).toMatchObject({
      code: 'IRKIT_UNKNOWN_INCIDENT',
    });
  });

  it('for the plan of another incident', async () => {
    expect(await refusal({ incidentId: 'IR-OTHER' })).toMatchObject({
      code: 'IRKIT_INVALID_INPUT',
      message: 'the investigation is of incident IR-DEMO, not IR-OTHER',
    });
  });

  it('without --yes when not on a terminal, and when the typed id is wrong', async () => {
    expect(await refusal({ yes: false })).toMatchObject({ message: expect.stringMatching(/not a terminal/) });
    io.ask = async () => 'IR-DEM0';
    expect(await refusal({ yes: false })).toMatchObject({
      message: expect.stringMatching(/was not typed as it is/),
    });
  });
});

test('Part 6 shows names AWS returned with control and bidi characters escaped, never acted on', () => {
  const text = formatRemains('IR-2021-07-24', [
    { target: 'user:Jane\u202eoD\u001b[2J', why: 'created by the actor\u0007', remains: true },
  ]);

  const acting = [...text].filter((c) => {
    const code = c.codePointAt(0) as number;
    return (code < 0x20 && c !== '\n') || code === 0x7f || (code >= 0x202a && code <= 0x202e);
  });
  expect(acting).toEqual([]);
  expect(text).toContain('REMAINS');
});
