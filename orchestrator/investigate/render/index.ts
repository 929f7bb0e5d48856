import { safeJson } from '../../output/data';
import type { ReportExtras } from '../evidence';
import { InvestigationResult } from '../types';
import { renderCsv, renderNdjson } from './data';
import { renderHtml } from './html';
import { renderMarkdown } from './markdown';
import { TableOptions, renderTable } from './table';

export { renderMarkdown } from './markdown';
export { renderTable } from './table';
export { renderHtml, CONTENT_SECURITY_POLICY } from './html';
export { buildGraph } from './graph';
export type { Graph, GraphEdge, GraphNode } from './graph';
export { renderCsv, renderNdjson, DEFAULT_DATA_TABLE } from './data';
export { reportDocument, SECTIONS, TABLES, TABLE_IDS } from './sections';
export type { ReportDocument, Section, Block, TableBlock } from './document';

export type OutputFormat = 'table' | 'json' | 'markdown' | 'html' | 'csv' | 'ndjson';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'markdown', 'html', 'csv', 'ndjson'];

export interface RenderOptions extends TableOptions {
  /** For csv and ndjson: the one table to write (csv: @default 'timeline'; ndjson: @default every table). */
  readonly table?: string;
  /** The eradication plan and the incident's evidence, shown in every format but json. @default none */
  readonly extras?: ReportExtras;
}

/** The result document as JSON text: two-space indent, fields in the documented order. */
export function renderJson(result: InvestigationResult): string {
  return `${safeJson(result, 2)}\n`;
}

export function render(
  result: InvestigationResult,
  format: OutputFormat,
  options: RenderOptions = {},
): string {
  switch (format) {
    case 'json':
      return renderJson(result);
    case 'markdown':
      return renderMarkdown(result, options.extras);
    case 'html':
      return renderHtml(result, options.extras);
    case 'table':
      return renderTable(result, options, options.extras);
    case 'csv':
      return renderCsv(result, options.table, options.extras);
    case 'ndjson':
      return renderNdjson(result, options.table, options.extras);
  }
}
