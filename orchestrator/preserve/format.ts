import { Section } from '../investigate/render/document';
import { sectionMarkdown } from '../investigate/render/markdown';
import { liveChecksBlocks } from '../investigate/render/sections';
import { sectionLines } from '../investigate/render/table';
import { terminalSafe } from '../output/escape';
import { ManifestVerification } from './manifest';
import { PreserveReport } from './preserve';

const plain = terminalSafe;

/** What `irkit preserve` did, for a terminal: the counts, each target skipped and why, conflicts, refused copies, the Part 2 checks. */
export function formatPreserveReport(report: PreserveReport, format: 'text' | 'markdown' = 'text'): string {
  const bytes = report.added.reduce((n, i) => n + i.size, 0);
  const lines = [
    `evidence of incident ${report.incidentId} in ${plain(report.location)}`,
    report.run === null
      ? `nothing new: everything was preserved already (${report.kept.length} item(s) kept as they were)`
      : `manifest run ${report.run}: ${report.added.length} item(s) added (${bytes} bytes), ${report.kept.length} kept as they were`,
    `operator ${plain(report.operator)}`,
    `CloudTrail records: ${report.records.found} of the actor's ${report.records.wanted} events found in ${report.records.files} file(s) read`,
  ];
  if (report.records.missing.length > 0 && report.records.found < report.records.wanted) {
    lines.push(
      `  not found (${report.records.missing.length}): ${report.records.missing.slice(0, 10).map(plain).join(', ')}${report.records.missing.length > 10 ? ', ...' : ''}`,
    );
  }
  for (const s of report.snapshots) {
    lines.push(
      `EBS snapshot ${s.snapshotId} of ${s.volumeId} (${s.instanceId})${s.created ? '' : ', made by an earlier run'}`,
    );
  }
  for (const s of report.skipped) lines.push(`not preserved: ${plain(s.target)}: ${s.reason}`);
  for (const c of report.conflicts) lines.push(`CONFLICT ${plain(c.path)}: ${c.detail}`);
  // AWS's message names the actor's object key: escaped like every value from the account.
  for (const f of report.failed) lines.push(`NOT COPIED ${plain(f.path)}: ${plain(f.detail)}`);
  lines.push(
    `check it at any time: irkit preserve --verify --incident ${report.incidentId}${report.location.startsWith('s3://') ? '' : ' --out DIR'}`,
  );
  // Part 2's live checks (online only), as the report's section shows them.
  const section: Section = {
    id: 'live-checks',
    title: 'Part 2: live checks of the actor’s buckets',
    blocks: liveChecksBlocks(report.liveChecks),
  };
  const checks = report.location.startsWith('s3://')
    ? `${(format === 'markdown' ? sectionMarkdown(section, 2) : sectionLines(section, 1)).join('\n').trimEnd()}\n`
    : '';
  return `${lines.join('\n')}\n${checks ? `\n${checks}` : ''}`;
}

/** `irkit preserve --verify`: OK with the counts, or each problem on its own line. */
export function formatVerification(v: ManifestVerification): string {
  const lines = [
    `${v.ok ? 'OK' : 'FAILED'}: evidence of incident ${v.incidentId} in ${plain(v.location)}: ${v.items} item(s) in ${v.runs} manifest run(s), ${v.bytes} bytes re-read`,
    ...v.problems.map((p) => `  ${p.problem.toUpperCase()} ${plain(p.path)}: ${p.detail}`),
    ...v.unlisted.map(
      (u) => `  unlisted (not in any run; run irkit preserve again to list or report it): ${plain(u)}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
