import { markdownCode, markdownText } from '../../output/escape';
import type { ReportExtras } from '../evidence';
import { InvestigationResult } from '../types';
import { Block, CellValue, Column, Inline, ReportDocument, Section, TableBlock, Text } from './document';
import { reportDocument } from './sections';

/**
 * The report a person reads and pastes into a ticket (`--format markdown`), from the section
 * definitions. Every value from the logs or the plan is a code span (a literal, never a link,
 * image or markup); the kit's own sentences are escaped as text, so a value inside them cannot
 * become markup or an autolink either.
 */

function inline(piece: Inline, inTable = false): string {
  if (typeof piece === 'string') return markdownText(piece);
  return markdownCode('code' in piece ? piece.code : piece.event, inTable);
}

const line = (value: Text) => value.map((p) => inline(p)).join('');

function cell(value: CellValue, column: Column): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'number') return String(value);
  return column.kind === 'text' ? markdownText(String(value)) : markdownCode(String(value), true);
}

function table(block: TableBlock): string[] {
  const title = block.title ? [`${markdownText(block.title)}:`, ''] : [];
  if (block.rows.length === 0) return [...title, `_${markdownText(block.empty ?? 'None.')}_`, ''];
  return [
    ...title,
    `| ${block.columns.map((c) => markdownText(c.header)).join(' | ')} |`,
    `| ${block.columns.map((c) => (c.kind === 'number' ? '---:' : '---')).join(' | ')} |`,
    ...block.rows.map((r) => `| ${block.columns.map((c, i) => cell(r[i], c)).join(' | ')} |`),
    '',
  ];
}

function blockLines(block: Block): string[] {
  switch (block.kind) {
    case 'paragraph':
      return [line(block.text), ''];
    case 'list':
      return [
        ...(block.title ? [`${markdownText(block.title)}:`, ''] : []),
        ...block.items.flatMap((item, i) => [
          `${block.ordered ? `${i + 1}.` : '-'} ${line(item.text)}`,
          ...(item.items ?? []).map((sub) => `${block.ordered ? '   ' : '  '}* ${line(sub)}`),
        ]),
        '',
      ];
    case 'table':
      return table(block);
  }
}

/** One section (and its sub-sections) as Markdown lines, its heading at `level`. */
export function sectionMarkdown(s: Section, level: number): string[] {
  return [
    `${'#'.repeat(level)} ${markdownText(s.title)}`,
    '',
    ...s.blocks.flatMap(blockLines),
    ...(s.sections ?? []).flatMap((sub) => sectionMarkdown(sub, level + 1)),
  ];
}

export function markdownOf(document: ReportDocument): string {
  const out = [
    `# ${markdownText(document.title)}`,
    '',
    markdownText(document.meta),
    '',
    `**${markdownText(document.headline)}.**`,
    '',
  ];
  if (document.warnings.length > 0) {
    out.push('> Warnings:', ...document.warnings.map((w) => `> - ${markdownText(w)}`), '');
  }
  out.push(...document.sections.flatMap((s) => sectionMarkdown(s, 2)));
  return `${out.join('\n').trimEnd()}\n`;
}

export function renderMarkdown(result: InvestigationResult, extras: ReportExtras = {}): string {
  return markdownOf(reportDocument(result, extras));
}
