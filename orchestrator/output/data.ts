import { terminalSafe } from './escape';

/**
 * Data outputs of log values: CSV for spreadsheets and NDJSON/JSON for programs. Controls,
 * bidi and invisible characters are written visibly (`\x1b`) in CSV and as `\u` escapes in
 * JSON, so neither acts on a terminal it is printed to; a CSV text cell that a spreadsheet
 * would take for a formula (`=`, `+`, `-`, `@`) is prefixed with `'`.
 */

export type DataValue = string | number | boolean | null | undefined;

export function csvField(value: DataValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = terminalSafe(value).replace(/^[=+\-@]/, "'$&");
  return /[",]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV lines (RFC 4180: CRLF, quoted where needed). */
export function csv(rows: readonly (readonly DataValue[])[]): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/**
 * JSON text with the characters a terminal acts on (C1 controls, bidi overrides, invisible
 * and line-separator characters; JSON.stringify escapes only C0) written as `\u` escapes.
 */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    /[\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
