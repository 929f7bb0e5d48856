import MarkdownIt from 'markdown-it';

import { formatPreserveReport } from '../../../orchestrator/preserve/format';
import type { PreserveReport } from '../../../orchestrator/preserve/preserve';
import { LIVE_CHECKS } from '../investigate/render/report-result';

/** `irkit preserve` prints the Part 2 live checks as the report's section does, the actor's names made harmless. */

const HOSTILE_KEY = 'x\u001b[2J| <img src=y>\nforged line';

const report = (liveChecks: PreserveReport['liveChecks']): PreserveReport => ({
  incidentId: 'IR-2021-0724',
  location: 's3://DOC-EXAMPLE-BUCKET-EVIDENCE/incidents/IR-2021-0724/',
  operator: 'arn:aws:sts::777777777777:assumed-role/SecurityBreakGlassRole/responder',
  run: 1,
  added: [],
  kept: [],
  conflicts: [],
  failed: [],
  skipped: [],
  records: { wanted: 1, found: 1, missing: [], files: 1 },
  liveChecks,
  snapshots: [],
});

const hostile = [
  {
    ...LIVE_CHECKS[0],
    objects: [
      ...LIVE_CHECKS[0].objects,
      { key: HOSTILE_KEY, versionId: 'v2', size: 1, lastModified: null, isLatest: true, eTag: null },
    ],
  },
];

describe('the live checks in irkit preserve’s output', () => {
  it('answers the playbook’s checks: policy, ACL grants, public exposure, objects', () => {
    const text = formatPreserveReport(report(LIVE_CHECKS));
    expect(text).toContain('Part 2: live checks of the actor’s buckets');
    expect(text).toContain('"Principal":"*"');
    expect(text).toContain('http://acs.amazonaws.com/groups/global/AllUsers READ');
    expect(text).toContain('the ACL grants READ to everyone (AllUsers)');
    expect(text).toMatch(/stuff\s+\|\s+null\s+\|\s+5/);
  });

  it('keeps the actor’s object keys from writing escape codes, lines or HTML into it', () => {
    const text = formatPreserveReport(report(hostile));
    expect(text).not.toContain('\u001b');
    expect(text).toContain('x\\x1b[2J| <img src=y>\\nforged line');
    expect(text).not.toMatch(/^forged line/m);
    const md = formatPreserveReport(report(hostile), 'markdown');
    const html = new MarkdownIt({ html: true, linkify: true }).render(md);
    expect(html).not.toContain('<img');
    expect(md).not.toMatch(/^forged line/m);
    // The key stays one cell, literal.
    expect(html).toContain('<td><code>x\\x1b[2J| &lt;img src=y&gt;\\nforged line</code></td>');
  });

  it('names each copy AWS refused, its key made harmless', () => {
    const text = formatPreserveReport({
      ...report([]),
      failed: [
        {
          path: 'accounts/111122223333/s3/amzn-s3-demo-bucket2/objects/x%1B/v2',
          detail: `copying s3://amzn-s3-demo-bucket2/${HOSTILE_KEY} version v2 failed: AccessDenied: Access Denied`,
        },
      ],
    });
    expect(text).toContain(
      'NOT COPIED accounts/111122223333/s3/amzn-s3-demo-bucket2/objects/x%1B/v2: copying s3://amzn-s3-demo-bucket2/x\\x1b[2J| <img src=y>\\nforged line version v2 failed: AccessDenied: Access Denied',
    );
    expect(text).not.toMatch(/^forged line/m);
  });

  it('says when a bucket is gone and when there is none', () => {
    expect(formatPreserveReport(report([{ ...LIVE_CHECKS[0], exists: false }]))).toContain(
      'no (NoSuchBucket)',
    );
    expect(formatPreserveReport(report([]), 'markdown')).toContain('_The actor created or wrote no bucket._');
  });
});
