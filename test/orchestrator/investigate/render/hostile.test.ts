/* eslint-disable no-control-regex -- the control characters a terminal acts on are what is escaped here */
import MarkdownIt from 'markdown-it';

import {
  InvestigationResult,
  TABLE_IDS,
  demoInvestigation,
  renderCsv,
  renderJson,
  renderMarkdown,
  renderNdjson,
  renderTable,
} from '../../../../orchestrator/investigate';

/**
 * Every value that came from logs is the attacker's. The demo result with a hostile payload
 * appended to every string it holds (names, user agents, request parameters, error messages,
 * policies, reasons, warnings): no renderer lets one act.
 */

const PAYLOAD =
  ' ![x](https://attacker.example/b.png) [click](https://attacker.example/login) <img src=x onerror=alert(1)>' +
  ' </script><script>alert(1)</script> www.attacker.example evil@attacker.example https://attacker.example/x' +
  ' `tick`` a | b \u001b[2J\u0007\r\u202eevil\u2066 **bold** _em_\n# heading\n- item';

const TERMINAL_ACTIVE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

function poisoned<T>(value: T, key = ''): T {
  // Keep the document's shape where the renderers branch on it (enums, times, numbers).
  if (typeof value === 'string') {
    return (
      ['kind', 'how', 'origin', 'type', 'action', 'formatVersion', 'engine', 'target'].includes(key)
        ? value
        : `${value}${PAYLOAD}`
    ) as T;
  }
  if (Array.isArray(value)) return value.map((v) => poisoned(v, key)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poisoned(v, k)])) as T;
  }
  return value;
}

let result: InvestigationResult;

beforeAll(async () => {
  const demo = (await demoInvestigation({ backgroundEvents: 50 })).result;
  result = poisoned(demo);
  // The plan objects are shared between the two places that hold them.
  expect(result.principals.length).toBeGreaterThan(1);
});

test('Markdown: no link, image, script or HTML; every table row keeps its cells', () => {
  const md = new MarkdownIt({ html: true, linkify: true });
  md.linkify.set({ fuzzyLink: false, fuzzyEmail: true });
  const markdown = renderMarkdown(result);
  const html = md.render(markdown);
  expect(html).not.toMatch(/<a\b|<img\b|<script\b|<h1>\s*heading|<li>item/);
  expect(markdown).not.toMatch(TERMINAL_ACTIVE);
  for (const table of html.split('<table>').slice(1)) {
    const head = (table.split('</thead>')[0].match(/<th\b/g) ?? []).length;
    for (const row of table.split('</thead>')[1].split('<tr>').slice(1)) {
      expect((row.match(/<td\b/g) ?? []).length).toBe(head);
    }
  }
  expect(markdown).toContain('```JorgeSouza ![x](https://attacker.example/b.png)');
});

test('table: nothing a terminal acts on, at full width or fitted to 100 columns', () => {
  for (const text of [renderTable(result), renderTable(result, { maxWidth: 100 })]) {
    expect(text).not.toMatch(TERMINAL_ACTIVE);
    expect(text).toContain('\\x1b[2J\\x07\\x0d\\u202eevil\\u2066');
  }
});

test('CSV, NDJSON and JSON: controls escaped, values kept', () => {
  // CSV lines end in CRLF (RFC 4180); nothing else a terminal acts on.
  for (const id of TABLE_IDS)
    expect(renderCsv(result, id).replace(/\r\n/g, '\n')).not.toMatch(TERMINAL_ACTIVE);
  const ndjson = renderNdjson(result);
  expect(ndjson).not.toMatch(TERMINAL_ACTIVE);
  const rows = ndjson
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(rows.find((r) => r.table === 'timeline')?.principal).toContain('\u202eevil');
  expect(renderJson(result)).not.toMatch(TERMINAL_ACTIVE);
  expect(JSON.parse(renderJson(result))).toEqual(JSON.parse(JSON.stringify(result)));
});
