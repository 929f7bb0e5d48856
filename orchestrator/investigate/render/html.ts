import { createHash } from 'node:crypto';

import { escapeHtml } from '../../output/escape';
import type { ReportExtras } from '../evidence';
import { InvestigationResult } from '../types';
import {
  Block,
  CellValue,
  Column,
  Inline,
  ReportDocument,
  Section,
  TableBlock,
  Text,
  tablesOf,
} from './document';
import { buildGraph, graphSvg } from './graph';
import { reportDocument } from './sections';

/**
 * The report as one self-contained HTML file (`--format html`): the section definitions'
 * sections and tables, a graph of who created, assumed, minted or changed whom, and the
 * timeline of every call of the actor's identities with filters. Nothing is loaded from
 * anywhere: the Content-Security-Policy allows no source but the file's own style and script,
 * by hash; every value is escaped; every event id links to its timeline row.
 */

const STYLE = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--head:#f6f8fa;--accent:#0b5cad;--bad:#b42318}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:1400px;margin:0 auto;padding:0 24px}
header{padding-top:20px;border-bottom:3px solid var(--accent)}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:19px;margin:32px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:16px;margin:22px 0 6px}
h4{font-size:14px;margin:16px 0 4px}
.meta{color:var(--muted);margin:0 0 6px}
.headline{font-weight:600;margin:6px 0 12px}
.warnings{border-left:4px solid var(--bad);background:#fff5f5;padding:6px 12px;margin:8px 0 12px}
nav ol{columns:2;margin:6px 0 14px;padding-left:20px}
nav a,a{color:var(--accent)}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f3f4f6;padding:0 3px;border-radius:3px;overflow-wrap:anywhere}
.scroll{overflow-x:auto;margin:4px 0 12px}
table{border-collapse:collapse;font-size:12.5px;min-width:40%}
th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
th{background:var(--head);position:sticky;top:0}
td.number{text-align:right}
tbody tr:nth-child(even){background:#fafbfc}
tr.error td{background:#fff1f0}
tr:target td{background:#fff8c5}
.empty{color:var(--muted);font-style:italic}
.list-title{margin:10px 0 2px;font-weight:600}
.controls{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin:6px 0;padding:8px;background:var(--head);border:1px solid var(--line)}
.controls label{display:flex;gap:4px;align-items:center}
.graph-box{overflow:auto;border:1px solid var(--line);margin:6px 0 12px;background:#fcfcfd}
svg.graph text{font:11px system-ui,sans-serif;fill:var(--fg)}
svg.graph .node rect{fill:#eef4fb;stroke:#0b5cad;stroke-width:1.2}
svg.graph .node.key rect{fill:#fff6e5;stroke:#b26b00}
svg.graph .node.session rect{fill:#f4efff;stroke:#6f42c1}
svg.graph .node.resource rect{fill:#ecf8ef;stroke:#1a7f37}
svg.graph .node:not(.actor) rect{stroke-dasharray:4 3;fill:#f6f8fa}
svg.graph .node text.type{fill:var(--muted);font-size:10px}
svg.graph .node text.label{font:600 12px ui-monospace,Menlo,Consolas,monospace}
svg.graph .edge path{fill:none;stroke:#57606a;stroke-width:1.3}
svg.graph marker path{fill:#57606a}
svg.graph .edge text{font-size:10px;fill:var(--accent);paint-order:stroke;stroke:#fcfcfd;stroke-width:3px}
svg.graph .edge a:hover path{stroke:var(--accent);stroke-width:2.5}
.legend{color:var(--muted);font-size:12px}
footer{max-width:1400px;margin:30px auto;padding:0 24px;color:var(--muted);font-size:12px}
@media print{
  @page{margin:14mm}
  body{font-size:10.5pt}
  header,main{max-width:none;padding:0}
  nav,.controls{display:none}
  tr[hidden]{display:table-row}
  .scroll,.graph-box{overflow:visible}
  th{position:static}
  h2{break-before:page}
  h2:first-of-type{break-before:avoid}
  table,svg{break-inside:auto}
  tr{break-inside:avoid}
  a{color:inherit;text-decoration:none}
  svg.graph{max-width:100%;height:auto}
}
`;

/** The timeline filters: principal, service, region, errors only; counts what is shown. */
const SCRIPT = `
(function () {
  var table = document.getElementById('timeline-table');
  if (!table) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var get = function (id) { return document.getElementById(id); };
  var principal = get('filter-principal'), service = get('filter-service'), region = get('filter-region');
  var errors = get('filter-errors'), shown = get('timeline-shown');
  function apply() {
    var n = 0;
    rows.forEach(function (row) {
      var d = row.dataset;
      var visible = (!principal.value || d.principal === principal.value) &&
        (!service.value || d.service === service.value) &&
        (!region.value || d.region === region.value) &&
        (!errors.checked || d.error === '1');
      row.hidden = !visible;
      if (visible) n++;
    });
    shown.textContent = n + ' of ' + rows.length + ' calls shown';
  }
  [principal, service, region, errors].forEach(function (el) { el.addEventListener('change', apply); });
  apply();
})();
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The policy the report's meta element sets: nothing but its own style and script. */
export const CONTENT_SECURITY_POLICY =
  `default-src 'none'; script-src ${sha256(SCRIPT)}; style-src ${sha256(STYLE)}; ` +
  `img-src 'none'; connect-src 'none'; font-src 'none'; object-src 'none'; frame-src 'none'; ` +
  `base-uri 'none'; form-action 'none'`;

/** The timeline row an event id links to. */
export const eventAnchor = (eventId: string) => `ev-${eventId}`;

class HtmlWriter {
  constructor(private readonly events: ReadonlySet<string>) {}

  href(eventId: string): string | undefined {
    return this.events.has(eventId) ? `#${encodeURIComponent(eventAnchor(eventId))}` : undefined;
  }

  eventLink(eventId: string): string {
    const href = this.href(eventId);
    const body = `<code>${escapeHtml(eventId)}</code>`;
    return href ? `<a href="${escapeHtml(href)}" class="event">${body}</a>` : body;
  }

  /** Text of the kit with values in it: escaped, every event id of the timeline linked. */
  sentence(value: string): string {
    if (this.events.size === 0) return escapeHtml(value);
    return value
      .split(/([A-Za-z0-9][A-Za-z0-9-]{7,})/)
      .map((part, i) => (i % 2 === 1 && this.events.has(part) ? this.eventLink(part) : escapeHtml(part)))
      .join('');
  }

  inline(piece: Inline): string {
    if (typeof piece === 'string') return this.sentence(piece);
    if ('event' in piece) return this.eventLink(piece.event);
    return `<code>${escapeHtml(piece.code)}</code>`;
  }

  text(value: Text): string {
    return value.map((p) => this.inline(p)).join('');
  }

  cell(value: CellValue, column: Column): string {
    if (value === null || value === undefined || value === '') return '<td></td>';
    if (column.kind === 'number') return `<td class="number">${escapeHtml(String(value))}</td>`;
    if (column.kind === 'event') return `<td>${this.eventLink(String(value))}</td>`;
    if (column.kind === 'text') return `<td>${this.sentence(String(value))}</td>`;
    return `<td><code>${escapeHtml(String(value))}</code></td>`;
  }

  block(block: Block): string {
    switch (block.kind) {
      case 'paragraph':
        return `<p>${this.text(block.text)}</p>`;
      case 'list': {
        const tag = block.ordered ? 'ol' : 'ul';
        return (
          (block.title ? `<p class="list-title">${escapeHtml(block.title)}:</p>` : '') +
          `<${tag}>${block.items
            .map(
              (item) =>
                `<li>${this.text(item.text)}${
                  item.items && item.items.length > 0
                    ? `<ul>${item.items.map((sub) => `<li>${this.text(sub)}</li>`).join('')}</ul>`
                    : ''
                }</li>`,
            )
            .join('')}</${tag}>`
        );
      }
      case 'table': {
        const title = block.title ? `<p class="list-title">${escapeHtml(block.title)}:</p>` : '';
        if (block.rows.length === 0)
          return `${title}<p class="empty">${escapeHtml(block.empty ?? 'None.')}</p>`;
        return (
          `${title}<div class="scroll"><table data-table="${escapeHtml(block.id)}"><thead><tr>` +
          block.columns.map((c) => `<th>${escapeHtml(c.header)}</th>`).join('') +
          `</tr></thead><tbody>` +
          block.rows
            .map((r) => `<tr>${block.columns.map((c, i) => this.cell(r[i], c)).join('')}</tr>`)
            .join('') +
          `</tbody></table></div>`
        );
      }
    }
  }
}

function options(values: readonly string[], all: string): string {
  return (
    `<option value="">${escapeHtml(all)}</option>` +
    [...new Set(values)]
      .sort()
      .map((v) => `<option value="${escapeHtml(v)}">${escapeHtml(v)}</option>`)
      .join('')
  );
}

/**
 * The interactive timeline: the timeline table of the section definitions, every row its
 * event's anchor and carrying what the filters (principal, service, region, errors) match.
 */
function timeline(block: TableBlock | undefined, w: HtmlWriter): string {
  if (!block || block.rows.length === 0)
    return `<p class="empty">${escapeHtml(block?.empty ?? 'No calls.')}</p>`;
  const at = (key: string) => block.columns.findIndex((c) => c.key === key);
  const value = (row: readonly CellValue[], key: string) => {
    const v = row[at(key)];
    return v === null || v === undefined ? '' : String(v);
  };
  const select = (id: string, label: string, key: string) =>
    `<label>${label} <select id="${id}">${options(
      block.rows.map((r) => value(r, key)),
      'all',
    )}</select></label>`;
  const controls =
    `<div class="controls" role="search">` +
    select('filter-principal', 'Principal', 'principal') +
    select('filter-service', 'Service', 'eventsource') +
    select('filter-region', 'Region', 'awsregion') +
    `<label><input type="checkbox" id="filter-errors"> errors only</label>` +
    `<span id="timeline-shown">${block.rows.length} of ${block.rows.length} calls shown</span></div>`;
  const rows = block.rows
    .map((r) => {
      const eventId = value(r, 'eventid');
      const error = value(r, 'errorcode') !== '';
      return (
        `<tr${eventId ? ` id="${escapeHtml(eventAnchor(eventId))}"` : ''}${error ? ' class="error"' : ''}` +
        ` data-principal="${escapeHtml(value(r, 'principal'))}" data-service="${escapeHtml(value(r, 'eventsource'))}"` +
        ` data-region="${escapeHtml(value(r, 'awsregion'))}" data-error="${error ? '1' : '0'}">` +
        block.columns
          .map((c, i) =>
            c.kind === 'event' ? `<td><code>${escapeHtml(eventId)}</code></td>` : w.cell(r[i], c),
          )
          .join('') +
        `</tr>`
      );
    })
    .join('');
  return (
    controls +
    `<div class="scroll"><table id="timeline-table" data-table="timeline"><thead><tr>` +
    block.columns.map((c) => `<th>${escapeHtml(c.header)}</th>`).join('') +
    `</tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

function section(s: Section, level: number, w: HtmlWriter, special: ReadonlyMap<string, string>): string {
  const h = `h${Math.min(level, 6)}`;
  const body = special.get(s.id) ?? s.blocks.map((b) => w.block(b)).join('');
  return (
    `<section id="${escapeHtml(s.id)}"><${h}>${escapeHtml(s.title)}</${h}>${body}` +
    (s.sections ?? []).map((sub) => section(sub, level + 1, w, special)).join('') +
    `</section>`
  );
}

function toc(sections: readonly Section[]): string {
  return `<nav aria-label="Contents"><ol>${sections
    .map((s) => `<li><a href="#${escapeHtml(encodeURIComponent(s.id))}">${escapeHtml(s.title)}</a></li>`)
    .join('')}</ol></nav>`;
}

export function htmlOf(document: ReportDocument, result: InvestigationResult): string {
  const events = new Set(result.timeline.map((t) => t.eventId).filter((id): id is string => !!id));
  const w = new HtmlWriter(events);
  const graph = buildGraph(result);
  const svg = graphSvg(graph, (id) => w.href(id));
  const graphSection: Section = {
    id: 'graph',
    title: 'Who created, assumed, minted or changed whom',
    blocks: [],
  };
  const sections = document.sections.map((s) =>
    s.id === 'part-2-scope' && svg ? { ...s, sections: [graphSection, ...(s.sections ?? [])] } : s,
  );
  const special = new Map<string, string>([
    [
      'graph',
      `<p class="legend">Blue: principals; amber: access keys; purple: session credentials; green: resources the actor created or changed; dashed: not the actor. Each arrow is one call: hover for its event, click for its timeline row.</p>` +
        `<div class="graph-box">${svg}</div>`,
    ],
    [
      'timeline',
      timeline(
        tablesOf(document.sections).find((t) => t.id === 'timeline'),
        w,
      ),
    ],
  ]);
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">` +
    `<meta name="referrer" content="no-referrer">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(document.title)}</title><style>${STYLE}</style></head><body>` +
    `<header><h1>${escapeHtml(document.title)}</h1><p class="meta">${escapeHtml(document.meta)}</p>` +
    `<p class="headline">${w.sentence(document.headline)}.</p>` +
    (document.warnings.length > 0
      ? `<div class="warnings"><strong>Warnings</strong><ul>${document.warnings
          .map((x) => `<li>${w.sentence(x)}</li>`)
          .join('')}</ul></div>`
      : '') +
    `${toc(sections)}</header><main>` +
    sections.map((s) => section(s, 2, w, special)).join('') +
    `</main><footer>IR Kit report, self-contained: it loads nothing from anywhere. Generated ${escapeHtml(
      result.generatedAt,
    )} by ${escapeHtml(result.generatedBy)}.</footer><script>${SCRIPT}</script></body></html>\n`
  );
}

export function renderHtml(result: InvestigationResult, extras: ReportExtras = {}): string {
  return htmlOf(reportDocument(result, extras), result);
}
