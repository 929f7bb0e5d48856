import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { IrKitError } from '../../../lib/errors';
import {
  appendManifestRun,
  EvidenceItem,
  incidentPrefix,
  LocalEvidenceStore,
  manifestRunPath,
  readManifest,
  requireVerifiedEvidence,
  sha256Hex,
  verifyManifest,
} from '../../../orchestrator/preserve';

const INCIDENT = 'IR-2021-0724';
const OPERATOR = 'arn:aws:sts::777777777777:assumed-role/SecurityAdminRole/responder';

let dir: string;
let store: LocalEvidenceStore;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'irkit-manifest-'));
  store = new LocalEvidenceStore(dir);
});
afterEach(async () => {
  await fs.chmod(dir, 0o755);
  await fs.rm(dir, { recursive: true, force: true });
});

async function put(rel: string, text: string): Promise<EvidenceItem> {
  const body = Buffer.from(text);
  const out = await store.write(`${incidentPrefix(INCIDENT)}${rel}`, body, sha256Hex(body));
  expect(out.written).toBe(true);
  return {
    path: rel,
    kind: 'investigation',
    sha256: sha256Hex(body),
    size: body.length,
    source: 'arn:aws:iam::777777777777:user/JaneDoe',
    collectedBy: OPERATOR,
    collectedAt: '2021-07-24T03:00:00.000Z',
  };
}

async function run(items: EvidenceItem[]) {
  return appendManifestRun(store, INCIDENT, {
    operator: OPERATOR,
    tool: 'irkit test',
    startedAt: '2021-07-24T03:00:00.000Z',
    items,
  });
}

function fileOf(rel: string): string {
  return path.join(dir, 'incidents', INCIDENT, ...rel.split('/'));
}

async function tamper(rel: string, text: string): Promise<void> {
  await fs.chmod(fileOf(rel), 0o644);
  await fs.writeFile(fileOf(rel), text);
}

describe('the evidence manifest', () => {
  it('verifies what a run preserved, and chains a second run to the first', async () => {
    await run([await put('investigation.json', '{"a":1}')]);
    const second = await run([await put('iam/users/JaneDoe.json', '{"user":"JaneDoe"}')]);
    expect(second?.previous?.path).toBe(manifestRunPath(1));

    const result = await requireVerifiedEvidence(store, INCIDENT);
    expect(result).toMatchObject({ ok: true, runs: 2, items: 2, bytes: 7 + 18, problems: [], unlisted: [] });
    const manifest = await readManifest(store, INCIDENT);
    expect(manifest?.items.map((i) => i.path)).toEqual(['investigation.json', 'iam/users/JaneDoe.json']);
  });

  it('never overwrites: a second write to a path leaves the first bytes and says so', async () => {
    await put('investigation.json', 'first');
    const again = await store.write(
      `${incidentPrefix(INCIDENT)}investigation.json`,
      Buffer.from('second'),
      sha256Hex(Buffer.from('second')),
    );
    expect(again.written).toBe(false);
    expect((await store.read(`${incidentPrefix(INCIDENT)}investigation.json`))?.toString()).toBe('first');
  });

  it('detects an item changed after it was preserved, naming it and both digests', async () => {
    await run([await put('investigation.json', '{"a":1}')]);
    await tamper('investigation.json', '{"a":2}');

    const result = await verifyManifest(store, INCIDENT);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.objectContaining({
        path: 'investigation.json',
        problem: 'changed',
        detail: expect.stringContaining(sha256Hex(Buffer.from('{"a":2}'))),
      }),
    ]);
    await expect(requireVerifiedEvidence(store, INCIDENT)).rejects.toMatchObject({
      code: 'IRKIT_EVIDENCE_INVALID',
      message: expect.stringContaining('investigation.json: changed'),
    });
  });

  it('detects an item deleted after it was preserved', async () => {
    await run([await put('investigation.json', '{"a":1}')]);
    await fs.rm(fileOf('investigation.json'), { force: true });
    const result = await verifyManifest(store, INCIDENT);
    expect(result.problems).toEqual([
      expect.objectContaining({ path: 'investigation.json', problem: 'missing' }),
    ]);
  });

  it('detects an earlier run file edited to match a tampered item (the chain breaks)', async () => {
    const item = await put('investigation.json', '{"a":1}');
    await run([item]);
    await run([await put('iam/users/JaneDoe.json', '{}')]);
    await tamper('investigation.json', '{"a":2}');
    const forged = JSON.parse(await fs.readFile(fileOf(manifestRunPath(1)), 'utf8'));
    forged.items[0].sha256 = sha256Hex(Buffer.from('{"a":2}'));
    await tamper(manifestRunPath(1), JSON.stringify(forged, null, 2));

    await expect(verifyManifest(store, INCIDENT)).rejects.toMatchObject({
      code: 'IRKIT_EVIDENCE_INVALID',
      message: expect.stringContaining('does not chain to manifest/run-0001.json'),
    });
  });

  it('refuses a run file of another incident, a malformed one, and a gap in the runs', async () => {
    await run([await put('investigation.json', '{}')]);
    const first = await fs.readFile(fileOf(manifestRunPath(1)), 'utf8');

    await tamper(manifestRunPath(1), first.replace(INCIDENT, 'IR-OTHER'));
    await expect(readManifest(store, INCIDENT)).rejects.toThrow(/belongs to incident "IR-OTHER"/);

    await tamper(manifestRunPath(1), first.replace(/"sha256": "[0-9a-f]+"/, '"sha256": "xyz"'));
    await expect(readManifest(store, INCIDENT)).rejects.toThrow(/sha256 is not 64 lower-case hex digits/);

    await tamper(manifestRunPath(1), first);
    await fs.rename(fileOf(manifestRunPath(1)), fileOf(manifestRunPath(2)));
    await expect(readManifest(store, INCIDENT)).rejects.toThrow(/run 1 was expected/);
  });

  it('says there is no manifest, with the command that makes one', async () => {
    const error = await verifyManifest(store, INCIDENT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IrKitError);
    expect(error).toMatchObject({
      code: 'IRKIT_EVIDENCE_MISSING',
      hint: expect.stringContaining(`irkit preserve --plan FILE --incident ${INCIDENT}`),
    });
  });

  it('lists files no run lists without failing, and refuses to list a path twice', async () => {
    const item = await put('investigation.json', '{}');
    await run([item]);
    await put('cloudtrail/actor-records.ndjson.gz', 'x');
    const result = await verifyManifest(store, INCIDENT);
    expect(result).toMatchObject({ ok: true, unlisted: ['cloudtrail/actor-records.ndjson.gz'] });
    await expect(run([item])).rejects.toMatchObject({ code: 'IRKIT_EVIDENCE_INVALID' });
  });

  it('refuses an invalid incident id before touching the store', async () => {
    await expect(verifyManifest(store, '../etc')).rejects.toMatchObject({ code: 'IRKIT_INVALID_INPUT' });
  });
});
