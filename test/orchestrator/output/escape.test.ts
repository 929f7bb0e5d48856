/* eslint-disable no-control-regex -- the control characters a terminal acts on are what is escaped here */
import MarkdownIt from 'markdown-it';

import {
  escapeHtml,
  jsonForScript,
  markdownCode,
  markdownText,
  terminalSafe,
} from '../../../orchestrator/output/escape';
import { csv, safeJson } from '../../../orchestrator/output/data';

/** GitHub-like Markdown: GFM tables, autolinked URLs, www. and e-mail addresses, inline HTML allowed. */
const md = new MarkdownIt({ html: true, linkify: true });
md.linkify.set({ fuzzyLink: false, fuzzyEmail: true });
const html = (markdown: string) => md.render(markdown);

const TERMINAL_ACTIVE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

const HOSTILE = [
  '![x](https://attacker.example/b.png)',
  '[click](https://attacker.example/login)',
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  'https://attacker.example/beacon',
  'www.attacker.example',
  'evil@attacker.example',
  '`tick`` and ```',
  'a | b',
  '\u001b[2J\u0007clear\rover',
  'bidi \u202eevil\u202c and \u2066isolate\u2069',
  '**bold** _em_ ~~strike~~',
  '# heading',
  '1. list',
  '> quote',
  '&lt;entity&gt;',
];

describe('terminalSafe', () => {
  test.each(HOSTILE)('leaves nothing a terminal acts on in %j', (value) => {
    expect(terminalSafe(value)).not.toMatch(TERMINAL_ACTIVE);
    expect(terminalSafe(value)).not.toContain('\n');
  });

  test('shows what it escaped', () => {
    expect(terminalSafe('\u001b[2J\u0007a\rb\tc\nd\u202e')).toBe('\\x1b[2J\\x07a\\x0db\\tc\\nd\\u202e');
    expect(terminalSafe('aws-cli/2.2.1 Python/3.8.8 é ü 日本')).toBe('aws-cli/2.2.1 Python/3.8.8 é ü 日本');
  });

  test('no value passes for an escape: a written backslash shows doubled, so it reads apart from a real newline', () => {
    const written = 'JaneDoe\\nroot';
    const real = 'JaneDoe\nroot';

    expect(terminalSafe(written)).toBe('JaneDoe\\\\nroot');
    expect(terminalSafe(real)).toBe('JaneDoe\\nroot');
    expect(terminalSafe('C:\\x1b')).toBe('C:\\\\x1b');
  });
});

describe('markdownCode', () => {
  test.each(HOSTILE)('holds %j as one literal code span, never a link, image or markup', (value) => {
    const rendered = html(`Value: ${markdownCode(value)}`);
    expect(rendered).not.toMatch(/<(a|img|script|strong|em|h1|blockquote|ol|s)\b/);
    expect(rendered).toContain('<code>');
    expect((rendered.match(/<code>/g) ?? []).length).toBe(1);
  });

  test('keeps backticks inside: a fence longer than any run, padded where the value starts or ends with one', () => {
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('`x`')).toBe('`` `x` ``');
    expect(html(markdownCode('`tick`` and ```'))).toBe('<p><code>`tick`` and ```</code></p>\n');
  });

  test('in a table cell, a pipe stays in its cell', () => {
    const table = `| a | b |\n| --- | --- |\n| ${markdownCode('x | y', true)} | z |`;
    expect(html(table)).toContain('<td><code>x | y</code></td>');
    expect(html(table)).toContain('<td>z</td>');
  });
});

describe('markdownText', () => {
  test.each(HOSTILE)('keeps %j plain text: no link, autolink, image, markup or block', (value) => {
    const rendered = html(`- ${markdownText(value)}`);
    expect(rendered).not.toMatch(/<(a|img|script|strong|em|h1|blockquote|ol|s)\b/);
    expect(rendered).not.toMatch(TERMINAL_ACTIVE);
  });

  test('reads as the value once rendered', () => {
    expect(html(markdownText('JaneDoe created DOC-EXAMPLE-BUCKET (event 1) at 02:22'))).toBe(
      '<p>JaneDoe created DOC-EXAMPLE-BUCKET (event 1) at 02:22</p>\n',
    );
    expect(html(markdownText('see https://attacker.example and evil@attacker.example'))).toBe(
      '<p>see https://attacker.example and evil@attacker.example</p>\n',
    );
  });
});

describe('escapeHtml and jsonForScript', () => {
  test('escape markup and attribute quotes', () => {
    expect(escapeHtml(`<img src="x" onerror='a'>&`)).toBe(
      '&lt;img src=&quot;x&quot; onerror=&#39;a&#39;&gt;&amp;',
    );
  });

  test('JSON in a script element cannot close it or open a comment, and parses back the same', () => {
    const value = { ua: '</script><script>alert(1)</script><!--', sep: '\u2028' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/<|>|\u2028/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('data outputs', () => {
  test('CSV: quoted where needed, formulas defused, controls visible', () => {
    expect(csv([['=HYPERLINK("https://attacker.example")', 'a,b', '\u001b[2J', 3, null]])).toBe(
      `"'=HYPERLINK(""https://attacker.example"")","a,b",\\x1b[2J,3,\r\n`,
    );
  });

  test('JSON: bidi and C1 controls as \\u escapes, same value parsed back', () => {
    const value = { name: 'a\u202eb\u0085c\u001b' };
    expect(safeJson(value)).not.toMatch(TERMINAL_ACTIVE);
    expect(JSON.parse(safeJson(value))).toEqual(value);
  });
});
