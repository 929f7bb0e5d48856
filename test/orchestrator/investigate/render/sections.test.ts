import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  InvestigationResult,
  ReportExtras,
  SECTIONS,
  buildGraph,
  demoInvestigation,
  renderCsv,
  renderHtml,
  renderMarkdown,
  renderNdjson,
  renderTable,
  reportDocument,
} from '../../../../orchestrator/investigate';
import type { Section } from '../../../../orchestrator/investigate';
import { preservedExtras, withFlows } from './report-result';

/** One definition of the report: every renderer shows its sections in its order, and its tables' columns. */

let result: InvestigationResult;

const sectionIds = (sections: readonly Section[]): string[] =>
  sections.flatMap((s) => [s.id, ...sectionIds(s.sections ?? [])]);

beforeAll(async () => {
  result = (await demoInvestigation({ backgroundEvents: 50 })).result;
});

const PARTS = [
  'Part 1: Analysis - Validation',
  'Part 2: Analysis - Scope',
  'Part 3: Analysis - Impact',
  'Part 4: Containment',
  'Part 5: Eradication',
  'Queries run',
];

test('the sections follow the playbook: Part 1, 2, 3, 4, 5, the evidence when preserved, then the queries', () => {
  expect(SECTIONS.map((s) => s.title)).toEqual([
    ...PARTS.slice(0, 5),
    'Evidence (playbook step 14)',
    'Queries run',
  ]);
  expect(reportDocument(result).sections.map((s) => s.title)).toEqual(PARTS);
});

test.each([
  ['markdown', () => renderMarkdown(result)],
  ['table', () => renderTable(result)],
  ['html', () => renderHtml(result)],
])('%s shows every section in that order, each once', (name, render) => {
  const text = render();
  const at = PARTS.map((title) => text.indexOf(title));
  expect(at.every((i) => i >= 0)).toBe(true);
  expect([...at].sort((a, b) => a - b)).toEqual(at);
  // HTML names each section twice: its heading and the contents.
  for (const title of PARTS) expect(text.split(title).length - 1).toBe(name === 'html' ? 2 : 1);
});

test('the Markdown story says each thing once', () => {
  const markdown = renderMarkdown(result);
  const lines = markdown.split('\n').filter((l) => l.startsWith('`') && l.endsWith('.'));
  expect(new Set(lines).size).toBe(lines.length);
});

test('the timeline is in the table view, and CSV and NDJSON carry the same columns as every view', () => {
  const table = renderTable(result);
  expect(table).toContain('Timeline');
  for (const t of result.timeline) expect(table).toContain(t.eventId as string);
  const csv = renderCsv(result).split('\r\n');
  expect(csv[0]).toBe(
    'eventtime,principal,accesskeyid,eventsource,eventname,awsregion,action,resource,errorcode,eventid',
  );
  expect(csv).toHaveLength(result.timeline.length + 2);
  const apiCalls = renderCsv(result, 'api-calls').split('\r\n');
  expect(apiCalls[0]).toBe('principal,awsregion,eventsource,eventname,readonly,errorcode,errormessage,count');
  expect(apiCalls).toHaveLength(result.principals.reduce((n, p) => n + p.apiCalls.length, 0) + 2);
  const rows = renderNdjson(result)
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { table: string });
  expect(rows.filter((r) => r.table === 'timeline')).toHaveLength(result.timeline.length);
  expect(new Set(rows.map((r) => r.table))).toEqual(
    new Set([
      'principals',
      'api-calls',
      'principal-source-ips',
      'user-agents',
      'access-keys',
      'source-ips',
      'resources',
      'probes',
      'timeline',
      'plan',
      'eradication-plan',
      'queries',
    ]),
  );
});

test('the graph: who created or minted whom, every action edge with its event', () => {
  const graph = buildGraph(result);
  const label = (id: string) => graph.nodes.find((n) => n.id === id)?.label;
  const edges = graph.edges.map((e) => `${label(e.from)} -${e.label}-> ${label(e.to)}`);
  expect(edges).toEqual(
    expect.arrayContaining([
      'AKIAIOSFODNN7EXAMPLE -exposed key of-> JorgeSouza',
      'AKIAIOSFODNN7EXAMPLE -CreateUser-> JaneDoe',
      'AKIAIOSFODNN7EXAMPLE -CreateAccessKey-> AKIAI44QH8DHBEXAMPLE',
      'AKIAI44QH8DHBEXAMPLE -key of-> JaneDoe',
      'AKIAI44QH8DHBEXAMPLE -CreateBucket-> DOC-EXAMPLE-BUCKET',
    ]),
  );
  for (const e of graph.edges.filter((x) => x.label !== 'exposed key of')) expect(e.eventId).toMatch(/\S/);
  const html = renderHtml(result);
  for (const n of graph.nodes) expect(html).toContain(`data-node="${n.id}"`);
});

test('the graph: every edge label is inside the drawing and covers no node and no other label', () => {
  const svg = renderHtml(result).match(/<svg[^>]*class="graph".*?<\/svg>/s)?.[0] ?? '';
  const [left, top, width, height] = (svg.match(/viewBox="([^"]+)"/)?.[1] ?? '').split(' ').map(Number);
  const labels = [
    ...svg.matchAll(/<g class="edge".*?<text x="(-?\d+)" y="(-?\d+)"[^>]*>([^<]*)<\/text>/g),
  ].map(([, x, y, text]) => {
    const half = (text.length * 6 + 4) / 2;
    return {
      text,
      left: Number(x) - half,
      right: Number(x) + half,
      top: Number(y) - 10,
      bottom: Number(y) + 2,
    };
  });
  const nodes = [...svg.matchAll(/<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"/g)].map(
    ([, x, y, w, h]) => ({ text: 'node', left: +x, top: +y, right: +x + +w, bottom: +y + +h }),
  );
  type Rect = (typeof labels)[number];
  const apart = (a: Rect, b: Rect) =>
    a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
  expect(labels.map((l) => l.text)).toEqual(
    expect.arrayContaining(['CreateUser', 'AttachUserPolicy', 'key of']),
  );
  for (const [i, a] of labels.entries()) {
    expect(a.left >= left && a.top >= top && a.right <= left + width && a.bottom <= top + height).toBe(true);
    for (const b of [...labels.slice(i + 1), ...nodes])
      expect({ a, b, apart: apart(a, b) }).toEqual({ a, b, apart: true });
  }
});

test('the flow-log addresses are classified as the source addresses are, in every format', () => {
  const flows = withFlows(result);
  const ids = sectionIds(reportDocument(flows).sections);
  expect(ids.indexOf('flow-ip-reputation')).toBe(ids.indexOf('network') + 1);
  const table = renderTable(flows);
  expect(table).toContain('Flow-log address reputation (playbook step 6)');
  expect(table).toMatch(
    /10\.0\.1\.25\s+\|\s+both\s+\|\s+private \(10\.0\.0\.0\/8: Private-Use \(RFC 1918\)\)\s+\|\s+no\s+\|\s+no/,
  );
  expect(table).toMatch(
    /52\.0\.0\.10\s+\|\s+destination\s+\|\s+public\s+\|\s+AMAZON, EC2 us-east-1 \(52\.0\.0\.0\/15\)/,
  );
  expect(table).toMatch(/203\.0\.113\.66\s+\|\s+source\s+\|\s+documentation .*\|\s+YES/);
  expect(table).toContain(
    '52.0.0.10: whois 52.0.0.10; ExoneraTor: https://metrics.torproject.org/exonerator.html?ip=52.0.0.10&timestamp=2021-07-24',
  );
  expect(renderMarkdown(flows)).toContain(
    '| `52.0.0.10` | `destination` | `public` | `AMAZON, EC2 us-east-1 (52.0.0.0/15)` | `no` |',
  );
  expect(renderHtml(flows)).toMatch(
    /<section id="flow-ip-reputation">.*<code>203\.0\.113\.66<\/code>.*<code>YES<\/code>/s,
  );
  const csv = renderCsv(flows, 'flow-ip-reputation').split('\r\n');
  expect(csv[0]).toBe('address,inflowsas,scope,awsservicesregionprefix,torexit');
  expect(csv).toContain('10.0.1.25,both,private (10.0.0.0/8: Private-Use (RFC 1918)),no,no');
  const rows = renderNdjson(flows, 'flow-ip-reputation')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string>);
  expect(rows.map((r) => r.address)).toEqual(['198.51.100.77', '10.0.1.25', '52.0.0.10', '203.0.113.66']);
});

test('--table of a table this report does not hold is refused by name, with the tables it holds (not an empty file)', () => {
  expect(result.network.flows).toEqual([]);
  for (const render of [renderCsv, renderNdjson]) {
    expect(() => render(result, 'flow-ip-reputation')).toThrow(
      expect.objectContaining({
        code: 'IRKIT_INVALID_INPUT',
        message: '--table flow-ip-reputation: this report holds no such table',
        hint: expect.stringMatching(/^this report's tables: principals, .*timeline/),
      }),
    );
  }
  // A library table is written with its header whatever its rows.
  const noFlows = renderCsv(result, 'network').split('\r\n');
  expect(noFlows[0]).toMatch(/^sourceaddress,destinationaddress,/);
  expect(noFlows.slice(1).join('')).toBe('');
});

describe('a preserved, partly eradicated incident', () => {
  let dir: string;
  let extras: ReportExtras;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'irkit-sections-'));
    extras = await preservedExtras(result, dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('Part 2 live checks, Part 5 plan and record, and the evidence manifest: in order, in every format', () => {
    const ids = sectionIds(reportDocument(result, extras).sections);
    expect(ids.indexOf('live-checks')).toBe(ids.indexOf('resources') + 1);
    expect(ids.slice(ids.indexOf('part-5-eradication'))).toEqual([
      'part-5-eradication',
      'eradication-record',
      'evidence',
      'queries',
    ]);
    const checks = [
      'DOC-EXAMPLE-BUCKET',
      'http://acs.amazonaws.com/groups/global/AllUsers READ',
      'the bucket policy is public (GetBucketPolicyStatus IsPublic)',
      'iam DeleteUser UserName=JaneDoe',
      'req-1111, req-2222',
      'AccessDenied: not allowed',
      'eradication/run-2021-07-25T10-00-00-000Z.json',
      extras.evidence!.manifest!.items[1].sha256,
    ];
    for (const text of [
      renderTable(result, {}, extras),
      renderMarkdown(result, extras),
      renderHtml(result, extras),
    ])
      for (const c of checks) expect(text).toContain(c);
    expect(renderTable(result, {}, extras)).toContain(
      'Verified at 2021-07-25T11:00:00.000Z: every item re-read',
    );
    const rows = renderNdjson(result, undefined, extras)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const of = (table: string) => rows.filter((r) => r.table === table);
    expect(of('bucket-checks')).toHaveLength(1);
    expect(of('bucket-objects')).toEqual([
      expect.objectContaining({ bucket: 'DOC-EXAMPLE-BUCKET', key: 'stuff', size: 5 }),
    ]);
    expect(of('eradication-targets').map((r) => [r.target, r.outcome, r.requestids])).toEqual([
      ['user:JaneDoe', 'done', 'req-1111, req-2222'],
      ['bucket:DOC-EXAMPLE-BUCKET', 'failed', 'req-3333'],
    ]);
    expect(of('eradication-calls')).toHaveLength(3);
    expect(of('evidence-items').map((r) => r.kind)).toEqual([
      'investigation',
      'live-checks',
      'eradication-record',
    ]);
    expect(of('evidence-runs')).toHaveLength(2);
    expect(of('eradication-plan').length).toBeGreaterThan(1);
  });
});
