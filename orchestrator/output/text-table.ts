import { terminalSafe } from './escape';

/**
 * The playbook's plain-text tables (`a  |  b`, a dashed rule) for a terminal: every cell made
 * safe first (controls shown, not acted on; whitespace runs as one space) and, given a width,
 * the table fitted to it by narrowing the widest columns and wrapping their cells onto more
 * lines, each continuation line starting with `↪`. A wrap never splits an escape (`\x1b`,
 * `\u202e`), a character or its combining marks; it breaks at a space when one is near.
 */

export type TextCell = string | number | boolean | null | undefined;

export interface TextTableOptions {
  /** The widest line allowed (e.g. the terminal's columns). @default no limit: every cell on one line */
  readonly maxWidth?: number;
  /** Columns to right-align (numbers). @default none */
  readonly rightAligned?: readonly boolean[];
}

/** The mark that starts each continuation line of a wrapped cell. */
export const CONTINUED = '↪';
const SEPARATOR = '  |  ';
/**
 * A column is not narrowed below this (or its widest cell, if narrower): the widest thing a
 * wrap keeps whole (`\u202e`) after the continuation mark. A table of more columns than the
 * width allows at this floor is as wide as they make it.
 */
const MIN_COLUMN = 7;

/**
 * What a wrap keeps whole: an escape terminalSafe wrote, or one character with the combining
 * marks after it.
 */
const ATOM = /\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\[tn]|[^]\p{M}*/gu;

/** East Asian wide and fullwidth characters and emoji: two columns in a terminal. */
const WIDE =
  /^[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;

const atomWidth = (atom: string) =>
  atom.length > 1 && atom.startsWith('\\') ? atom.length : WIDE.test(atom) ? 2 : 1;

/** Columns a safe text takes in a terminal. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const atom of text.match(ATOM) ?? []) width += atomWidth(atom);
  return width;
}

const cellText = (value: TextCell) =>
  value === null || value === undefined ? '' : terminalSafe(String(value)).replace(/\s+/g, ' ');

/**
 * A safe text as lines of at most `width` columns: the first as it is, the others after
 * CONTINUED. Breaks at the last space of a line when that keeps at least half of it.
 */
export function wrapCell(text: string, width: number): string[] {
  if (displayWidth(text) <= width) return [text];
  const atoms = text.match(ATOM) ?? [];
  const lines: string[] = [];
  let i = 0;
  while (i < atoms.length) {
    const limit = Math.max(1, lines.length === 0 ? width : width - CONTINUED.length);
    let j = i;
    let used = 0;
    let space = -1;
    while (j < atoms.length && used + atomWidth(atoms[j]) <= limit) {
      if (atoms[j] === ' ') space = j;
      used += atomWidth(atoms[j]);
      j++;
    }
    if (j === i) j = i + 1; // one atom wider than the column: on a line of its own
    let end = j;
    let next = j;
    if (j < atoms.length && atoms[j] === ' ') next = j + 1;
    else if (j < atoms.length && space > i && space - i >= limit / 2) {
      end = space;
      next = space + 1;
    }
    lines.push(`${lines.length === 0 ? '' : CONTINUED}${atoms.slice(i, end).join('').trimEnd()}`);
    i = next;
  }
  return lines;
}

/** Column widths that fit maxWidth: the widest column narrowed first, none below MIN_COLUMN. */
function fittedWidths(natural: readonly number[], maxWidth: number): number[] {
  const widths = [...natural];
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

/** Columns narrower than this (unless their cells are) make a table hard to read: it is shown as records instead. */
const READABLE_COLUMN = 12;

const pad = (text: string, width: number, right: boolean) => {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return right ? `${fill}${text}` : `${text}${fill}`;
};

/**
 * A table too wide for the width even with readable columns, one record per row (as psql's
 * expanded display): `-[ 3 ]---` then each column's header and its value, wrapped.
 */
function records(head: readonly string[], body: readonly (readonly string[])[], maxWidth: number): string {
  const keyWidth = Math.max(...head.map(displayWidth));
  const valueWidth = Math.max(MIN_COLUMN, maxWidth - keyWidth - 3);
  return body
    .flatMap((row, r) => {
      const title = `-[ ${r + 1} ]`;
      return [
        `${title}${'-'.repeat(Math.max(0, Math.min(maxWidth, keyWidth + 3 + valueWidth) - title.length))}`,
        ...row.flatMap((value, i) =>
          wrapCell(value, valueWidth).map((line, n) =>
            `${pad(n === 0 ? head[i] : '', keyWidth, false)} | ${line}`.trimEnd(),
          ),
        ),
      ];
    })
    .join('\n');
}

export function textTable(
  headers: readonly string[],
  rows: readonly (readonly TextCell[])[],
  options: TextTableOptions = {},
): string {
  const head = headers.map(cellText);
  const body = rows.map((r) => headers.map((_, i) => cellText(r[i])));
  const natural = head.map((h, i) => Math.max(displayWidth(h), ...body.map((r) => displayWidth(r[i]))));
  const { maxWidth } = options;
  if (maxWidth !== undefined) {
    const readable = natural.reduce((n, w) => n + Math.min(w, READABLE_COLUMN), 0);
    const keyWidth = Math.max(...head.map(displayWidth));
    if (
      natural.length > 1 &&
      readable + SEPARATOR.length * (natural.length - 1) > maxWidth &&
      keyWidth + 3 + READABLE_COLUMN <= maxWidth
    )
      return records(head, body, maxWidth);
  }
  const widths = maxWidth === undefined ? natural : fittedWidths(natural, maxWidth);
  const right = (i: number) => options.rightAligned?.[i] ?? false;
  const lines = (values: readonly string[]): string[] => {
    const cells = values.map((v, i) => wrapCell(v, widths[i]));
    const height = Math.max(...cells.map((c) => c.length));
    return Array.from({ length: height }, (_, n) =>
      cells
        .map((c, i) => pad(c[n] ?? '', widths[i], right(i)))
        .join(SEPARATOR)
        .trimEnd(),
    );
  };
  return [
    ...lines(head),
    widths.map((w, i) => '-'.repeat(w + (i === 0 || i === widths.length - 1 ? 2 : 4))).join('|'),
    ...body.flatMap(lines),
  ].join('\n');
}
