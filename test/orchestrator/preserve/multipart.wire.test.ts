import { createHash } from 'node:crypto';

import { copyVersion } from '../../../orchestrator/preserve/collect/s3';
import { incidentPrefix, S3EvidenceStore } from '../../../orchestrator/preserve';
import { noContent, s3Error, s3Xml, WireCall } from '../../support/aws-wire';
import { WireEvidenceAccount } from '../../support/wire-evidence';

/**
 * An object version over CopyObject's 5 GB, copied into the evidence bucket server-side in
 * parts (CreateMultipartUpload, UploadPartCopy of each byte range, CompleteMultipartUpload), on
 * the wire with S3's REST-XML bodies; a part failing aborts the upload. The part size is made
 * tiny here (8 bytes over a 23-byte object) so that no test allocates gigabytes.
 */
const EVIDENCE_BUCKET = 'irkit-evidence-777777777777';
const SOURCE = {
  bucket: 'DOC-EXAMPLE-BUCKET',
  key: 'big/stuff.bin',
  versionId: '3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
};
const BODY = Buffer.from('the exfiltrated stuff!!');
const KEY = `${incidentPrefix('IR-2021-0724')}s3/DOC-EXAMPLE-BUCKET/objects/big%2Fstuff.bin/${SOURCE.versionId}`;
const LIMITS = { singleCopyBytes: 10, partBytes: 8 };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

let account: WireEvidenceAccount;
let store: S3EvidenceStore;
let uploads: Map<string, Map<number, Buffer>>;

beforeEach(async () => {
  account = await WireEvidenceAccount.start({
    evidenceBucket: EVIDENCE_BUCKET,
    logBucket: 'unused',
    logsRoot: '/nonexistent',
  });
  account.sourceBuckets.set(SOURCE.bucket, [
    { key: SOURCE.key, versionId: SOURCE.versionId, body: BODY, lastModified: '2021-07-24T02:23:10.000Z' },
  ]);
  store = new S3EvidenceStore({ s3: account.clients(1).s3, bucket: EVIDENCE_BUCKET });
  uploads = new Map();
  const w = account.wire;
  w.on('s3', 'HeadObject', (p) => {
    if (p.Bucket === SOURCE.bucket && p.versionId === SOURCE.versionId) {
      return noContent(200, {
        'content-length': String(BODY.length),
        'content-type': 'application/octet-stream',
        'x-amz-meta-origin': 'workshop',
        'x-amz-version-id': SOURCE.versionId,
      });
    }
    const stored = account.current(p.Key);
    return stored ? noContent(200, { 'content-length': String(stored.length) }) : { status: 404, body: '' };
  });
  w.on('s3', 'GetObjectTagging', () =>
    s3Xml('Tagging', '<TagSet><Tag><Key>team</Key><Value>data &amp; ml</Value></Tag></TagSet>'),
  );
  // S3 API Reference: InitiateMultipartUploadResult, CopyPartResult, CompleteMultipartUploadResult.
  w.on('s3', 'CreateMultipartUpload', (p) => {
    const id = `VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA-${uploads.size + 1}`;
    uploads.set(id, new Map());
    return s3Xml(
      'InitiateMultipartUploadResult',
      `<Bucket>${p.Bucket}</Bucket><Key>${p.Key}</Key><UploadId>${id}</UploadId>`,
    );
  });
  w.on('s3', 'UploadPart', (p, call) => {
    const parts = uploads.get(p.uploadId);
    if (!parts)
      return s3Error({ code: 'NoSuchUpload', message: 'The specified upload does not exist.', status: 404 });
    const range = /^bytes=(\d+)-(\d+)$/.exec(String(call.headers['x-amz-copy-source-range']));
    if (!range)
      return s3Error({ code: 'InvalidArgument', message: 'Range specified is not valid', status: 400 });
    const bytes = BODY.subarray(Number(range[1]), Number(range[2]) + 1);
    parts.set(Number(p.partNumber), bytes);
    return s3Xml(
      'CopyPartResult',
      `<LastModified>2021-07-24T03:00:00.000Z</LastModified><ETag>"etag-${p.partNumber}"</ETag>` +
        `<ChecksumSHA256>${sha256(bytes).toString('base64')}</ChecksumSHA256>`,
    );
  });
  w.on('s3', 'CompleteMultipartUpload', (p, call) => {
    const parts = uploads.get(p.uploadId);
    if (!parts)
      return s3Error({ code: 'NoSuchUpload', message: 'The specified upload does not exist.', status: 404 });
    if (call.headers['if-none-match'] === '*' && account.current(p.Key)) {
      return s3Error({
        code: 'PreconditionFailed',
        message: 'At least one of the pre-conditions you specified did not hold',
        status: 412,
      });
    }
    const listed = [
      ...call.rawBody.toString().matchAll(/<Part>.*?<PartNumber>(\d+)<\/PartNumber>.*?<\/Part>/g),
    ];
    const body = Buffer.concat(listed.map((m) => parts.get(Number(m[1])) as Buffer));
    account.overwrite(p.Key, body);
    uploads.delete(p.uploadId);
    const versions = account.evidence.get(p.Key) ?? [];
    return {
      ...s3Xml(
        'CompleteMultipartUploadResult',
        `<Location>https://${EVIDENCE_BUCKET}.s3.amazonaws.com/${p.Key}</Location><Bucket>${EVIDENCE_BUCKET}</Bucket><Key>${p.Key}</Key><ETag>"etag-${listed.length}"</ETag>`,
      ),
      headers: {
        'content-type': 'application/xml',
        'x-amz-version-id': versions[versions.length - 1].versionId,
      },
    };
  });
  w.on('s3', 'AbortMultipartUpload', (p) => {
    uploads.delete(p.uploadId);
    return noContent(204);
  });
});
afterEach(() => account.wire.close({ allowUnrouted: true }));

const ops = () => account.wire.calls.filter((c) => c.service === 's3').map((c) => c.operation);
const header = (c: WireCall, name: string) => c.headers[name];

describe('a version over 5 GB is copied in parts, server-side', () => {
  it('CreateMultipartUpload, UploadPartCopy of each byte range, CompleteMultipartUpload; the copy hashed for the manifest', async () => {
    const copy = await copyVersion(store, SOURCE, KEY, { size: BODY.length, limits: LIMITS });
    expect(ops()).toEqual([
      'HeadObject',
      'GetObjectTagging',
      'CreateMultipartUpload',
      'UploadPart',
      'UploadPart',
      'UploadPart',
      'CompleteMultipartUpload',
      'GetObject',
    ]);
    const parts = account.wire.callsTo('s3', 'UploadPart');
    expect(parts.map((c) => [c.params.partNumber, header(c, 'x-amz-copy-source-range')])).toEqual([
      ['1', 'bytes=0-7'],
      ['2', 'bytes=8-15'],
      ['3', 'bytes=16-22'],
    ]);
    for (const c of parts) {
      expect(header(c, 'x-amz-copy-source')).toBe(
        `${SOURCE.bucket}/big%2Fstuff.bin?versionId=${SOURCE.versionId}`,
      );
    }
    const [created] = account.wire.callsTo('s3', 'CreateMultipartUpload');
    expect(header(created, 'x-amz-checksum-algorithm')).toBe('SHA256');
    expect(header(created, 'x-amz-meta-origin')).toBe('workshop');
    expect(header(created, 'x-amz-tagging')).toBe('team=data%20%26%20ml');
    const [completed] = account.wire.callsTo('s3', 'CompleteMultipartUpload');
    expect(header(completed, 'if-none-match')).toBe('*');
    expect(account.current(KEY)).toEqual(BODY);
    expect(copy).toEqual({ sha256: sha256(BODY).toString('hex'), versionId: 'ev000001' });
  });

  it('a version up to the limit is still one CopyObject', async () => {
    await copyVersion(store, SOURCE, KEY, {
      size: BODY.length,
      limits: { ...LIMITS, singleCopyBytes: BODY.length },
    });
    expect(ops()).toEqual(['PutObject']);
  });

  it('a part failing aborts the upload, names the failure and leaves no evidence behind', async () => {
    account.wire.reset();
    account.wire.on('s3', 'HeadObject', () =>
      noContent(200, { 'content-length': String(BODY.length), 'x-amz-version-id': SOURCE.versionId }),
    );
    account.wire.on('s3', 'GetObjectTagging', () => s3Xml('Tagging', '<TagSet></TagSet>'));
    account.wire.on('s3', 'CreateMultipartUpload', (p) =>
      s3Xml(
        'InitiateMultipartUploadResult',
        `<Bucket>${p.Bucket}</Bucket><Key>${p.Key}</Key><UploadId>upload-1</UploadId>`,
      ),
    );
    account.wire.on('s3', 'UploadPart', (p) =>
      p.partNumber === '2'
        ? s3Error({ code: 'AccessDenied', message: 'Access Denied', status: 403 })
        : s3Xml(
            'CopyPartResult',
            `<LastModified>2021-07-24T03:00:00.000Z</LastModified><ETag>"etag-${p.partNumber}"</ETag>`,
          ),
    );
    account.wire.on('s3', 'AbortMultipartUpload', () => noContent(204));
    await expect(
      copyVersion(store, SOURCE, KEY, { size: BODY.length, limits: LIMITS }),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    expect(ops()).toEqual([
      'HeadObject',
      'GetObjectTagging',
      'CreateMultipartUpload',
      'UploadPart',
      'UploadPart',
      'AbortMultipartUpload',
    ]);
    expect(account.wire.callsTo('s3', 'AbortMultipartUpload')[0].params.uploadId).toBe('upload-1');
    expect(account.current(KEY)).toBeUndefined();
  });
});
