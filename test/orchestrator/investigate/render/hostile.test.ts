/* eslint-disable no-control-regex -- the control characters a terminal acts on are what is escaped here */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import MarkdownIt from 'markdown-it';

import {
  CONTENT_SECURITY_POLICY,
  InvestigationResult,
  ReportExtras,
  TABLE_IDS,
  demoInvestigation,
  renderCsv,
  renderHtml,
  renderJson,
  renderMarkdown,
  renderNdjson,
  renderTable,
} from '../../../../orchestrator/investigate';
import { displayWidth } from '../../../../orchestrator/output/text-table';
import { poisoned } from './hostile-result';
import { preservedExtras, withFlows } from './report-result';

/**
 * Every value that came from logs is the attacker's. The demo result with a hostile payload
 * appended to every string it holds (names, user agents, request parameters, error messages,
 * policies, reasons, warnings): no renderer lets one act.
 */

const TERMINAL_ACTIVE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

/**
 * A line of escaped text made only of whole escapes and characters: no escape cut in two (a
 * backslash of the value's own, as in a policy's JSON, before any other character).
 */
const WHOLE_ESCAPES = /^(?:\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\[^xu]|[^\\])*$/;

let result: InvestigationResult;
/** The eradication plan and the evidence (live checks, record, manifest) poisoned the same way. */
let extras: ReportExtras;

beforeAll(async () => {
  const demo = withFlows((await demoInvestigation({ backgroundEvents: 50 })).result);
  const dir = mkdtempSync(join(tmpdir(), 'irkit-hostile-'));
  try {
    extras = poisoned(await preservedExtras(demo, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  result = poisoned(demo);
  expect(result.principals.length).toBeGreaterThan(1);
  expect(extras.evidence?.liveChecks[0].checks[0].bucket).toContain('<img src=x');
});

test('Markdown: no link, image, script or HTML; every table row keeps its cells', () => {
  const md = new MarkdownIt({ html: true, linkify: true });
  md.linkify.set({ fuzzyLink: false, fuzzyEmail: true });
  const markdown = renderMarkdown(result, extras);
  const html = md.render(markdown);
  expect(html).not.toMatch(/<a\b|<img\b|<script\b|<svg\b|<h1>\s*heading|<li>item/);
  expect(markdown).not.toMatch(TERMINAL_ACTIVE);
  for (const table of html.split('<table>').slice(1)) {
    const head = (table.split('</thead>')[0].match(/<th\b/g) ?? []).length;
    for (const row of table.split('</thead>')[1].split('<tr>').slice(1)) {
      expect((row.match(/<td\b/g) ?? []).length).toBe(head);
    }
  }
  expect(markdown).toContain('```JorgeSouza ![x](https://attacker.example/b.png)');
});

test('table: nothing a terminal acts on, at full width or wrapped to 100 or 60 columns, no escape split', () => {
  expect(renderTable(result, {}, extras)).toContain('\\x1b[2J\\x07\\x0d\\u202eevil\\u2066');
  for (const text of [
    renderTable(result, {}, extras),
    renderTable(result, { maxWidth: 100 }, extras),
    renderTable(result, { maxWidth: 60 }, extras),
  ]) {
    expect(text).not.toMatch(TERMINAL_ACTIVE);
    for (const line of text.split('\n')) expect(line).toMatch(WHOLE_ESCAPES);
  }
  // Wrapped, the timeline is there and every table line fits.
  const wrapped = renderTable(result, { maxWidth: 100 }, extras);
  expect(wrapped).toContain('\nTimeline\n');
  const tableLines = wrapped.split('\n').filter((l) => l.includes('  |  '));
  expect(tableLines.length).toBeGreaterThan(result.timeline.length);
  for (const line of tableLines) expect(displayWidth(line)).toBeLessThanOrEqual(100);
});

test('CSV, NDJSON and JSON: controls escaped, values kept', () => {
  // CSV lines end in CRLF (RFC 4180); nothing else a terminal acts on.
  for (const id of TABLE_IDS)
    expect(renderCsv(result, id, extras).replace(/\r\n/g, '\n')).not.toMatch(TERMINAL_ACTIVE);
  const ndjson = renderNdjson(result, undefined, extras);
  expect(ndjson).not.toMatch(TERMINAL_ACTIVE);
  const rows = ndjson
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(rows.find((r) => r.table === 'timeline')?.principal).toContain('\u202eevil');
  expect(renderJson(result)).not.toMatch(TERMINAL_ACTIVE);
  expect(JSON.parse(renderJson(result))).toEqual(JSON.parse(JSON.stringify(result)));
});

test('HTML: every value escaped, the one script and style those the policy hashes, nothing loaded', () => {
  const html = renderHtml(result, extras);
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  expect(scripts).toHaveLength(1);
  expect(html.match(/<script\b/g)).toHaveLength(1);
  expect(html).not.toMatch(/<img\b|<iframe\b|<object\b|<form\b/i);
  // No event handler among any element's attributes (values are double-quoted and escaped).
  expect(html).not.toMatch(/<[\w-]+(?:\s+[\w:-]+(?:="[^"]*")?)*\s+on\w+=/i);
  expect(html).toMatch(
    /<g class="node[^"]*" data-node="[^"]*&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;/,
  );
  expect(html).toContain('&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;');
  expect(html).not.toMatch(/<[\w-]+(?:\s+[\w:-]+(?:="[^"]*")?)*\s+src=/i);
  for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^#/);
  const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
  expect(CONTENT_SECURITY_POLICY).toContain(`script-src ${hash(scripts[0])};`);
  expect(CONTENT_SECURITY_POLICY).toContain(`style-src ${hash(style)};`);
  expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'none';/);
  expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`);
});
