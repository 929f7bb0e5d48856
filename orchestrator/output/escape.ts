/* eslint-disable no-control-regex -- the control characters a terminal acts on are what is escaped here */
/**
 * Every value that comes from logs (user agents, names, request parameters, error messages,
 * policy documents) is the attacker's: these escape it for each place it is shown. One
 * function per output; renderers never build markup from a log value any other way.
 */

/** Text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}
const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * JSON for an HTML `<script type="application/json">` block: `<`, `>`, `&` and the line
 * separators written as `\u` escapes, so no value can close the element or open a comment.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Characters a terminal acts on or that change how text reads: C0 and C1 controls (ESC, BEL,
 * CR, backspace...), DEL, bidirectional overrides and isolates, the line and paragraph
 * separators, zero-width characters and the byte-order mark.
 */
const TERMINAL_UNSAFE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
const LINE_BREAKS = /[\t\n]/g;

const visible = (c: string) => {
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * A log value as one line of terminal text: every control, bidi and invisible character shown
 * as `\xNN` / `\uNNNN` (ESC is `\x1b`), tabs and newlines as `\t` and `\n`, and a backslash
 * as `\\`, so that no value can pass for an escape: the two characters `\n` in a value show as
 * `\\n`, a newline as `\n`. Nothing reaches the terminal that it would act on.
 */
export function terminalSafe(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(LINE_BREAKS, (c) => (c === '\t' ? '\\t' : '\\n'))
    .replace(TERMINAL_UNSAFE, visible);
}

/**
 * Terminal text that may span lines (a warning, a list): each line made safe, the newlines kept.
 */
export function terminalSafeLines(value: string): string {
  return value
    .split('\n')
    .map((line) => terminalSafe(line))
    .join('\n');
}

/**
 * A Markdown code span holding the value literally: fenced with one backtick more than the
 * longest run inside it, padded with a space when the value starts or ends with a backtick
 * (CommonMark strips one space from each side), on one line. In a table cell, `|` is escaped
 * as `\|` (GFM splits cells on it even inside code spans).
 */
export function markdownCode(value: string, inTable = false): string {
  const oneLine = terminalSafe(value);
  const runs = oneLine.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = /^`|`$|^ .* $/.test(oneLine) ? ' ' : '';
  const body = inTable ? oneLine.replace(/\|/g, '\\|') : oneLine;
  return `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * A value as plain Markdown text, inline (in a sentence, list item or table cell): every
 * character Markdown acts on backslash-escaped, so it can be no link, image, emphasis, HTML,
 * heading, list, quote or table cell break; and no URL, `www.` or e-mail address becomes a
 * live autolink (the escaped `:` of `://`, `.` of `www.` and `@` break GFM's patterns).
 * Controls are shown as in a terminal.
 */
export function markdownText(value: string): string {
  return terminalSafe(value)
    .replace(/[\\`*_[\]<>!|~&@$]/g, (c) => `\\${c}`)
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/(www)\./gi, '$1\\.')
    .replace(/^[#=+-]/, '\\$&')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}
