import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { CopyObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

import { writeEradicationRecord } from '../../../orchestrator/eradicate';
import { copyVersion } from '../../../orchestrator/preserve/collect/s3';
import {
  checkIncidentKey,
  incidentPrefix,
  LocalEvidenceStore,
  S3EvidenceStore,
  sha256Hex,
} from '../../../orchestrator/preserve';

/** Keys no store may write: outside `incidents/`, of an invalid incident id, or escaping by `..`. */
const HOSTILE = [
  'investigation.json',
  'incidents/investigation.json',
  'incidents/IR-1',
  'incidents//x.json',
  'incidents/../x.json',
  'incidents/IR-1/../../x.json',
  'incidents/..%2F..%2Fx/y.json',
  'incidents/IR 1/x.json',
  'incidents/-IR/x.json',
  'other/IR-1/x.json',
  '/etc/passwd',
  'incidents/IR-1/a\\..\\..\\x',
];
const BODY = Buffer.from('{}\n');

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'irkit-store-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

describe('evidence is written only under incidents/ID/', () => {
  it.each(HOSTILE)('refuses the key %j', (key) => {
    expect(() => checkIncidentKey(key)).toThrow(expect.objectContaining({ code: 'IRKIT_INVALID_INPUT' }));
  });

  it('accepts an incident key', () => {
    expect(checkIncidentKey('incidents/IR-2021-0724/s3/DOC-EXAMPLE-BUCKET/bucket.json')).toBe(
      'incidents/IR-2021-0724/s3/DOC-EXAMPLE-BUCKET/bucket.json',
    );
  });

  it('a local store refuses every hostile key and writes nothing, in or beside its folder', async () => {
    const root = path.join(dir, 'evidence');
    const store = new LocalEvidenceStore(root);
    for (const key of HOSTILE) {
      await expect(store.write(key, BODY, sha256Hex(BODY))).rejects.toMatchObject({
        code: 'IRKIT_INVALID_INPUT',
      });
    }
    expect(await filesUnder(dir)).toEqual([]);
  });

  it('the S3 store refuses every hostile key before any request (PutObject, CopyObject)', async () => {
    const s3 = mockClient(S3Client);
    const store = new S3EvidenceStore({
      s3: new S3Client({ region: 'us-east-1' }),
      bucket: 'DOC-EXAMPLE-BUCKET',
    });
    for (const key of HOSTILE) {
      await expect(store.write(key, BODY, sha256Hex(BODY))).rejects.toMatchObject({
        code: 'IRKIT_INVALID_INPUT',
      });
      await expect(
        copyVersion(store, { bucket: 'amzn-s3-demo-bucket', key: 'stuff', versionId: 'null' }, key),
      ).rejects.toMatchObject({ code: 'IRKIT_INVALID_INPUT' });
    }
    expect(s3.commandCalls(PutObjectCommand)).toEqual([]);
    expect(s3.commandCalls(CopyObjectCommand)).toEqual([]);
    s3.restore();
  });

  it('an eradication record of a hostile incident id is refused and nothing is written', async () => {
    const store = new LocalEvidenceStore(dir);
    for (const incidentId of ['../x', 'IR-1/../../x', 'IR 1', '']) {
      await expect(
        writeEradicationRecord(
          store,
          {
            formatVersion: 1,
            incidentId,
            account: '777777777777',
            operator: 'arn:aws:sts::777777777777:assumed-role/SecurityBreakGlassRole/responder',
            startedAt: '2021-07-26T01:00:00.000Z',
            finishedAt: '2021-07-26T01:00:01.000Z',
            targets: [],
            calls: [],
          },
          { tool: 'irkit test', accountFolder: 'accounts/777777777777/' },
        ),
      ).rejects.toMatchObject({ code: 'IRKIT_INVALID_INPUT' });
    }
    expect(() => incidentPrefix('../x')).toThrow(expect.objectContaining({ code: 'IRKIT_INVALID_INPUT' }));
    expect(await filesUnder(dir)).toEqual([]);
  });
});
