import { liveChecksMarkdown, liveChecksText } from '../../../../orchestrator/investigate/render/live-checks';
import type { BucketLiveCheck } from '../../../../orchestrator/preserve/collect/s3';

const CHECK: BucketLiveCheck = {
  bucket: 'DOC-EXAMPLE-BUCKET',
  exists: true,
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] },
  aclGrants: [{ grantee: 'http://acs.amazonaws.com/groups/global/AllUsers', permission: 'READ' }],
  publicExposure: ['the ACL grants READ to everyone (AllUsers)'],
  objects: [
    {
      key: 'stuff',
      versionId: 'null',
      size: 5,
      lastModified: '2021-07-24T02:23:10.000Z',
      isLatest: true,
      eTag: null,
    },
    {
      key: 'x\u001b[2J| <img src=y>\nforged line',
      versionId: 'v2',
      size: 1,
      lastModified: null,
      isLatest: true,
      eTag: null,
    },
  ],
  deleteMarkers: [],
};

describe('the Part 2 live checks section', () => {
  it('answers the playbook’s checks: policy, ACL grants, public exposure, objects', () => {
    const text = liveChecksText([CHECK]);
    expect(text).toContain('bucket DOC-EXAMPLE-BUCKET');
    expect(text).toContain('"Principal":"*"');
    expect(text).toContain('ACL grants: http://acs.amazonaws.com/groups/global/AllUsers READ');
    expect(text).toContain('public: the ACL grants READ to everyone (AllUsers)');
    expect(text).toMatch(/stuff\s+\|\s+null\s+\|\s+5/);
  });

  it('keeps the actor’s object keys from writing escape codes, lines or HTML into the report', () => {
    const text = liveChecksText([CHECK]);
    expect(text).not.toContain('\u001b');
    expect(text).not.toMatch(/^forged line/m);
    const md = liveChecksMarkdown([CHECK]);
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;img src=y&gt;');
    expect(md).not.toMatch(/^forged line/m);
  });

  it('says when a bucket is gone and when there is none', () => {
    expect(liveChecksText([{ ...CHECK, exists: false }])).toContain('does not exist any more (NoSuchBucket)');
    expect(liveChecksMarkdown([])).toContain('_None: the actor created or wrote no bucket._');
  });
});
