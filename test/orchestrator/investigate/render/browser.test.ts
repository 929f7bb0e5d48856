import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { Browser, chromium } from 'playwright-core';

import {
  InvestigationResult,
  ReportExtras,
  Section,
  buildGraph,
  demoInvestigation,
  renderHtml,
  reportDocument,
} from '../../../../orchestrator/investigate';
import { systemTool } from '../../../support/system-tools';
import { poisoned } from './hostile-result';
import { preservedExtras, withFlows } from './report-result';

/**
 * The HTML report in a real browser (Debian's chromium, one launch): the demo report loads
 * with no console error and no request leaving the page, every section and graph node is
 * there, the timeline filters work, and a hostile report runs nothing and loads nothing.
 * The screenshot goes to IRKIT_REPORT_SCREENSHOT (the README's docs/report-screenshot.png),
 * else to the temporary folder.
 */

const CHROMIUM = '/usr/bin/chromium';
const browserTool = systemTool(CHROMIUM, ['--version'], 'Debian: apt-get install chromium');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
];

let dir: string;
let browser: Browser | undefined;
let result: InvestigationResult;
/** The incident preserved and partly eradicated: Part 5's record and the evidence sections too. */
let extras: ReportExtras;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'irkit-html-'));
  result = withFlows((await demoInvestigation({ backgroundEvents: 200 })).result);
  extras = await preservedExtras(result, join(dir, 'evidence'));
  if (browserTool.available) {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ARGS,
      ignoreDefaultArgs: ['--enable-automation'],
    });
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sectionIds = (sections: readonly Section[]): string[] =>
  sections.flatMap((s) => [s.id, ...sectionIds(s.sections ?? [])]);

/** Opens a report; collects console errors, page errors and every request but the file itself. */
async function open(name: string, html: string) {
  const file = join(dir, name);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const context = await (browser as Browser).newContext({ viewport: { width: 1360, height: 1000 } });
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, context, problems, requests };
}

describe('the HTML report in Chromium', () => {
  browserTool.it(
    'loads the demo report: no console error, no request leaves it, every section and graph node, working filters',
    async () => {
      const { page, context, problems, requests } = await open('demo.html', renderHtml(result, extras));
      try {
        expect(problems).toEqual([]);
        expect(requests).toEqual([]);
        const ids = sectionIds(reportDocument(result, extras).sections);
        expect(ids).toEqual(
          expect.arrayContaining([
            'flow-ip-reputation',
            'live-checks',
            'part-5-eradication',
            'eradication-record',
            'evidence',
          ]),
        );
        for (const id of [...ids, 'graph']) {
          expect(await page.locator(`section[id="${id}"]`).count()).toBe(1);
        }
        const graph = buildGraph(result);
        for (const node of graph.nodes) {
          expect(await page.locator(`svg.graph g.node[data-node="${node.id}"]`).count()).toBe(1);
        }
        const edgesWithEvents = graph.edges.filter((e) => e.eventId);
        expect(await page.locator('svg.graph g.edge a').count()).toBe(edgesWithEvents.length);

        // The filters: JaneDoe's calls only, then errors only.
        const rows = page.locator('#timeline-table tbody tr');
        expect(await rows.count()).toBe(result.timeline.length);
        await page.selectOption('#filter-principal', 'JaneDoe');
        const jane = result.timeline.filter((t) => t.principal === 'JaneDoe').length;
        expect(jane).toBeGreaterThan(0);
        expect(await page.locator('#timeline-table tbody tr:not([hidden])').count()).toBe(jane);
        expect(await page.textContent('#timeline-shown')).toBe(
          `${jane} of ${result.timeline.length} calls shown`,
        );
        await page.selectOption('#filter-principal', '');
        await page.check('#filter-errors');
        expect(await page.locator('#timeline-table tbody tr:not([hidden])').count()).toBe(
          result.timeline.filter((t) => t.errorCode).length,
        );
        await page.uncheck('#filter-errors');

        // A claim's event link lands on its timeline row.
        const link = page.locator('#part-4-containment a.event').first();
        const href = await link.getAttribute('href');
        expect(href).toMatch(/^#ev-/);
        await link.click();
        expect(await page.evaluate('location.hash')).toBe(href);
        await page.evaluate('window.scrollTo(0, 0)');

        const screenshot = resolve(process.env.IRKIT_REPORT_SCREENSHOT ?? join(dir, 'report-screenshot.png'));
        await page.screenshot({ path: screenshot });
        process.stderr.write(`the HTML report's screenshot: ${screenshot}\n`);
        expect(problems).toEqual([]);
        expect(requests).toEqual([]);
      } finally {
        await context.close();
      }
    },
    60_000,
  );

  browserTool.it(
    'a report of hostile logs runs nothing and loads nothing',
    async () => {
      const { page, context, problems, requests } = await open(
        'hostile.html',
        renderHtml(poisoned(result), poisoned(extras)),
      );
      try {
        expect(requests).toEqual([]);
        expect(problems).toEqual([]);
        expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
        expect(await page.locator('img, iframe, object, embed, form').count()).toBe(0);
        expect(await page.locator('script').count()).toBe(1);
        expect(await page.locator('#timeline-table tbody tr').count()).toBe(result.timeline.length);
      } finally {
        await context.close();
      }
    },
    60_000,
  );
});
