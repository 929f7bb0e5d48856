import type { BucketLiveCheck } from '../../preserve/collect/s3';
import { textTable } from './text';

/**
 * The playbook's Part 2 live checks of the buckets the actor created or wrote (its
 * `get-bucket-policy`, `get-bucket-acl`, public exposure and object list), as `irkit preserve`
 * ran them: a section of the report. Names, keys and policies are the actor's: control
 * characters are shown as `?`, Markdown's own characters escaped.
 */

const MAX_OBJECTS_SHOWN = 50;

/** A value of the actor's, printable: every control or line-breaking character becomes `?`. */
export function printable(value: string): string {
  return [...value].map((c) => (/[\p{Cc}\u2028\u2029]/u.test(c) ? '?' : c)).join('');
}
const plain = printable;
const md = (value: string) =>
  plain(value)
    .replace(/[\\`*_{}[\]()#|!~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');

function policyLine(policy: unknown): string {
  if (policy === null) return 'none (NoSuchBucketPolicy)';
  return typeof policy === 'string' ? policy : JSON.stringify(policy);
}

export function liveChecksText(checks: readonly BucketLiveCheck[]): string {
  const out = ['Part 2 live checks (the buckets the actor created or wrote)'];
  if (checks.length === 0) return `${out[0]}\n  none: the actor created or wrote no bucket\n`;
  for (const c of checks) {
    out.push('', `bucket ${plain(c.bucket)}`);
    if (!c.exists) {
      out.push('  does not exist any more (NoSuchBucket)');
      continue;
    }
    out.push(`  policy: ${plain(policyLine(c.policy))}`);
    out.push(
      `  ACL grants: ${c.aclGrants.map((g) => `${plain(g.grantee)} ${g.permission}`).join('; ') || 'none'}`,
    );
    out.push(`  public: ${c.publicExposure.length > 0 ? c.publicExposure.join('; ') : 'no'}`);
    out.push(`  objects: ${c.objects.length} version(s), ${c.deleteMarkers.length} delete marker(s)`);
    const shown = c.objects.slice(0, MAX_OBJECTS_SHOWN);
    if (shown.length > 0) {
      const table = textTable(
        ['key', 'version', 'size', 'last modified'],
        shown.map((o) => [plain(o.key), plain(o.versionId), o.size, o.lastModified]),
      );
      out.push(...table.split('\n').map((l) => `    ${l}`));
      if (c.objects.length > shown.length)
        out.push(`    ... and ${c.objects.length - shown.length} more (s3/BUCKET/bucket.json lists all)`);
    }
  }
  return `${out.join('\n')}\n`;
}

export function liveChecksMarkdown(checks: readonly BucketLiveCheck[]): string {
  const out = ['## Part 2: live checks of the actor’s buckets', ''];
  if (checks.length === 0) return `${out.join('\n')}_None: the actor created or wrote no bucket._\n`;
  for (const c of checks) {
    out.push(`### Bucket ${md(c.bucket)}`, '');
    if (!c.exists) {
      out.push('Does not exist any more (NoSuchBucket).', '');
      continue;
    }
    out.push(`- Policy: ${md(policyLine(c.policy))}`);
    out.push(
      `- ACL grants: ${c.aclGrants.map((g) => `${md(g.grantee)} ${md(g.permission)}`).join('; ') || 'none'}`,
    );
    out.push(`- Public: ${c.publicExposure.length > 0 ? c.publicExposure.map(md).join('; ') : 'no'}`);
    out.push(`- Objects: ${c.objects.length} version(s), ${c.deleteMarkers.length} delete marker(s)`, '');
    const shown = c.objects.slice(0, MAX_OBJECTS_SHOWN);
    if (shown.length > 0) {
      out.push('| key | version | size | last modified |', '| --- | --- | --- | --- |');
      for (const o of shown)
        out.push(`| ${md(o.key)} | ${md(o.versionId)} | ${o.size} | ${o.lastModified ?? ''} |`);
      if (c.objects.length > shown.length) out.push('', `… and ${c.objects.length - shown.length} more.`);
      out.push('');
    }
  }
  return `${out.join('\n')}\n`;
}
