import { terminalSafe } from './escape';

/**
 * The playbook's plain-text tables (`a  |  b`, a dashed rule) for a terminal: every cell made
 * safe (controls shown, not acted on; whitespace runs as one space) and, given a width, the
 * table fitted to it by narrowing the widest columns and cutting their cells with `…`.
 */

export type TextCell = string | number | boolean | null | undefined;

export interface TextTableOptions {
  /** The widest line allowed (e.g. the terminal's columns). @default no limit */
  readonly maxWidth?: number;
  /** Columns to right-align (numbers). @default none */
  readonly rightAligned?: readonly boolean[];
}

/** The marker at the end of a cut cell. */
export const CUT = '…';
const SEPARATOR = '  |  ';
/** A column is not narrowed below this (or its widest cell, if narrower). */
const MIN_COLUMN = 8;

const cellText = (value: TextCell) =>
  value === null || value === undefined ? '' : terminalSafe(String(value)).replace(/\s+/g, ' ');

function fit(value: string, width: number): string {
  return value.length <= width ? value : `${value.slice(0, Math.max(0, width - 1))}${CUT}`;
}

/** Column widths that fit maxWidth: the widest column narrowed first, none below MIN_COLUMN. */
function fittedWidths(natural: readonly number[], maxWidth: number | undefined): number[] {
  const widths = [...natural];
  if (maxWidth === undefined) return widths;
  const floor = natural.map((w) => Math.min(w, MIN_COLUMN));
  let excess = widths.reduce((a, b) => a + b, 0) + SEPARATOR.length * (widths.length - 1) - maxWidth;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (widths[i] > floor[i] && (widest < 0 || widths[i] > widths[widest])) widest = i;
    }
    if (widest < 0) break;
    const second = Math.max(floor[widest], ...widths.filter((_, i) => i !== widest));
    const step = Math.max(1, Math.min(excess, widths[widest] - second));
    widths[widest] -= step;
    excess -= step;
  }
  return widths;
}

export function textTable(
  headers: readonly string[],
  rows: readonly (readonly TextCell[])[],
  options: TextTableOptions = {},
): string {
  const body = rows.map((r) => headers.map((_, i) => cellText(r[i])));
  const natural = headers.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const widths = fittedWidths(natural, options.maxWidth);
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => {
        const cut = fit(v, widths[i]);
        if (i === values.length - 1 && !options.rightAligned?.[i]) return cut;
        return options.rightAligned?.[i] ? cut.padStart(widths[i]) : cut.padEnd(widths[i]);
      })
      .join(SEPARATOR)
      .trimEnd();
  return [
    line(headers),
    widths.map((w, i) => '-'.repeat(w + (i === 0 || i === widths.length - 1 ? 2 : 4))).join('|'),
    ...body.map(line),
  ].join('\n');
}
