import { terminalSafe } from '../../output/escape';
import { textTable } from '../../output/text-table';
import type { ReportExtras } from '../evidence';
import { InvestigationResult } from '../types';
import { Block, ReportDocument, Section, plain } from './document';
import { reportDocument } from './sections';

/**
 * The terminal view (`--format table`), from the section definitions: every section and
 * table, the timeline too, each value made safe for a terminal. Given a width (the
 * terminal's columns), tables are fitted to it, long cells wrapped onto marked lines
 * (orchestrator/output/text-table.ts); `--wide` shows every row on one line.
 */

export interface TableOptions {
  /** The terminal's width. @default no limit (every cell in full) */
  readonly maxWidth?: number;
}

function blockLines(block: Block, options: TableOptions): string[] {
  switch (block.kind) {
    case 'paragraph':
      return [terminalSafe(plain(block.text)), ''];
    case 'list':
      return [
        ...(block.title ? [`${terminalSafe(block.title)}:`] : []),
        ...block.items.flatMap((item, i) => [
          `${block.ordered ? `${i + 1}.` : '-'} ${terminalSafe(plain(item.text))}`,
          ...(item.items ?? []).map((sub) => `   - ${terminalSafe(plain(sub))}`),
        ]),
        '',
      ];
    case 'table':
      return [
        ...(block.title ? [`${terminalSafe(block.title)}:`] : []),
        block.rows.length === 0
          ? terminalSafe(block.empty ?? 'None.')
          : textTable(
              block.columns.map((c) => c.header),
              block.rows,
              { maxWidth: options.maxWidth, rightAligned: block.columns.map((c) => c.kind === 'number') },
            ),
        '',
      ];
  }
}

/** One section (and its sub-sections) as terminal lines. */
export function sectionLines(s: Section, level: number, options: TableOptions = {}): string[] {
  const title = terminalSafe(s.title);
  return [
    title,
    (level === 1 ? '=' : '-').repeat(Math.min(title.length, options.maxWidth ?? title.length)),
    ...s.blocks.flatMap((b) => blockLines(b, options)),
    ...(s.sections ?? []).flatMap((sub) => sectionLines(sub, level + 1, options)),
  ];
}

export function tableOf(document: ReportDocument, options: TableOptions = {}): string {
  const out = [
    terminalSafe(document.title),
    terminalSafe(document.meta),
    `${terminalSafe(document.headline)}.`,
    '',
  ];
  if (document.warnings.length > 0)
    out.push('Warnings:', ...document.warnings.map((w) => `- ${terminalSafe(w)}`), '');
  out.push(...document.sections.flatMap((s) => sectionLines(s, 1, options)));
  return `${out.join('\n').trimEnd()}\n`;
}

export function renderTable(
  result: InvestigationResult,
  options: TableOptions = {},
  extras: ReportExtras = {},
): string {
  return tableOf(reportDocument(result, extras), options);
}
