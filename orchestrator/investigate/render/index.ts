import { InvestigationResult } from '../types';
import { renderMarkdown } from './markdown';
import { renderTable } from './table';

export { renderMarkdown } from './markdown';
export { renderTable } from './table';

export type OutputFormat = 'table' | 'json' | 'markdown';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'markdown'];

/** The result document as JSON text: two-space indent, fields in the documented order. */
export function renderJson(result: InvestigationResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

export function render(result: InvestigationResult, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return renderJson(result);
    case 'markdown':
      return renderMarkdown(result);
    case 'table':
      return `${renderTable(result).trimEnd()}\n`;
  }
}
