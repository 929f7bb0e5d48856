import { escapeHtml } from '../../output/escape';
import { InvestigationResult } from '../types';
import { kindLabel } from './text';

/**
 * Who created, assumed, minted or changed whom: principals, access keys (long-term and
 * session credentials), and the resources the actor created or changed, with one edge per
 * action, each carrying the CloudTrail event id that shows it. Drawn as SVG by plain code:
 * columns by distance from the exposed credential.
 */

export type GraphNodeKind = 'principal' | 'key' | 'session' | 'resource';

export interface GraphNode {
  /** Unique in the graph, stable for a result. */
  readonly id: string;
  readonly kind: GraphNodeKind;
  /** What it is (`IAM user`, `session key`, `AWS::S3::Bucket`). */
  readonly type: string;
  readonly label: string;
  readonly actor: boolean;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** The call (`CreateUser`, `AssumeRole`, `CreateBucket`) or `exposed key` / `key of`. */
  readonly label: string;
  /** The event that shows it; null where the logs hold none (an exposed key's ownership). */
  readonly eventId: string | null;
  readonly eventTime: string | null;
}

export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export function buildGraph(result: InvestigationResult): Graph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const principalByName = new Map<string, string>();
  const add = (node: GraphNode) => {
    if (!nodes.has(node.id)) nodes.set(node.id, node);
    return node.id;
  };
  for (const p of result.principals) {
    add({ id: `principal:${p.id}`, kind: 'principal', type: kindLabel(p), label: p.name, actor: p.actor });
    if (!principalByName.has(p.name)) principalByName.set(p.name, `principal:${p.id}`);
  }
  const keyNode = (accessKeyId: string) => `key:${accessKeyId}`;
  for (const p of result.principals) {
    for (const k of p.accessKeys) {
      add({
        id: keyNode(k.accessKeyId),
        kind: k.type === 'session' ? 'session' : 'key',
        type: k.type === 'session' ? 'session credentials' : 'access key',
        label: k.accessKeyId,
        actor: p.actor,
      });
    }
  }
  const nodeOf = (name: string | undefined) =>
    name === undefined ? undefined : nodes.has(keyNode(name)) ? keyNode(name) : principalByName.get(name);
  const edge = (
    from: string | undefined,
    to: string,
    label: string,
    eventId?: string | null,
    time?: string,
  ) => {
    if (from === undefined || from === to) return;
    if (
      edges.some(
        (e) => e.from === from && e.to === to && e.label === label && e.eventId === (eventId ?? null),
      )
    )
      return;
    edges.push({ from, to, label, eventId: eventId ?? null, eventTime: time ?? null });
  };
  for (const p of result.principals) {
    const self = `principal:${p.id}`;
    for (const r of p.reached) {
      // A key created for it is drawn as the key's own edges (created, then key of).
      if (['subject', 'exposed key', 'source IP', 'CreateAccessKey'].includes(r.how)) continue;
      edge(nodeOf(r.viaAccessKeyId) ?? nodeOf(r.from), self, r.how, r.event?.eventId, r.event?.eventTime);
    }
    for (const k of p.accessKeys) {
      const key = keyNode(k.accessKeyId);
      if (k.origin === 'subject' || k.origin === 'observed') {
        edge(
          key,
          self,
          k.origin === 'subject' ? 'exposed key of' : 'key of',
          k.event?.eventId,
          k.event?.eventTime,
        );
      } else {
        edge(nodeOf(k.mintedBy) ?? self, key, k.origin, k.event?.eventId, k.event?.eventTime);
        edge(key, self, k.type === 'session' ? 'session of' : 'key of', k.event?.eventId, k.event?.eventTime);
      }
    }
  }
  for (const r of result.resources) {
    if (r.action === 'probed') continue;
    // IAM users, roles and keys the actor created are already drawn as principals and keys.
    const drawn =
      r.type === 'AWS::IAM::AccessKey' && r.name && nodes.has(keyNode(r.name))
        ? keyNode(r.name)
        : (r.type === 'AWS::IAM::User' || r.type === 'AWS::IAM::Role') && r.name
          ? principalByName.get(r.name)
          : undefined;
    if (drawn && r.action === 'created') continue;
    const id =
      drawn ??
      add({
        id: `resource:${r.type}:${r.name ?? r.eventName}`,
        kind: 'resource',
        type: r.type,
        label: r.name ?? r.type,
        actor: true,
      });
    edge(
      (r.accessKeyId ? nodeOf(r.accessKeyId) : undefined) ?? principalByName.get(r.by),
      id,
      r.eventName,
      r.eventId,
      r.eventTime,
    );
  }
  return { nodes: [...nodes.values()], edges };
}

// --- drawing -------------------------------------------------------------------------------

const NODE_W = 220;
const NODE_H = 46;
const COL_GAP = 110;
const ROW_GAP = 22;
const PAD = 16;

/** Each node's column: its longest path from a node nothing points to (cycles cut). */
function columns(graph: Graph): Map<string, number> {
  const column = new Map<string, number>(graph.nodes.map((n) => [n.id, 0]));
  for (let pass = 0; pass < graph.nodes.length; pass++) {
    let changed = false;
    for (const e of graph.edges) {
      const next = (column.get(e.from) ?? 0) + 1;
      if (next > (column.get(e.to) ?? 0) && next < graph.nodes.length) {
        column.set(e.to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return column;
}

/** A rectangle of the drawing: a node's box, or the extent of an edge label's text. */
interface Rect {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}
/** Edge labels are 10px text (the report's CSS): this tall above the baseline, and below it. */
const LABEL_ASCENT = 10;
const LABEL_DESCENT = 2;
const LABEL_CHAR_W = 6;

const apart = (a: Rect, b: Rect) =>
  a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;

/**
 * Where an edge label goes: at its place on the curve, or the nearest place above or below it
 * that no node and no earlier label covers, so that the labels of edges meeting at one node
 * (parallel ones among them) stay readable. `taken` gains the label's extent.
 */
function freeSpot(taken: Rect[], x: number, y: number, text: string): { x: number; y: number } {
  const half = (text.length * LABEL_CHAR_W + 4) / 2;
  const step = LABEL_ASCENT + LABEL_DESCENT;
  for (let n = 0; n < 16; n++) {
    const at = y + (n % 2 === 0 ? 1 : -1) * Math.ceil(n / 2) * step;
    const rect = { left: x - half, right: x + half, top: at - LABEL_ASCENT, bottom: at + LABEL_DESCENT };
    if (taken.every((t) => apart(t, rect))) {
      taken.push(rect);
      return { x, y: at };
    }
  }
  return { x, y };
}

const cut = (value: string, max: number) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

/** The graph as an SVG element: nodes as boxes, edges as arrows linked to their event's timeline row. */
export function graphSvg(graph: Graph, eventHref: (eventId: string) => string | undefined): string {
  if (graph.nodes.length === 0) return '';
  const column = columns(graph);
  const byColumn = new Map<number, GraphNode[]>();
  for (const n of graph.nodes)
    byColumn.set(column.get(n.id) ?? 0, [...(byColumn.get(column.get(n.id) ?? 0) ?? []), n]);
  const place = new Map<string, { x: number; y: number }>();
  for (const [c, members] of byColumn) {
    members.forEach((n, i) =>
      place.set(n.id, { x: PAD + c * (NODE_W + COL_GAP), y: PAD + i * (NODE_H + ROW_GAP) }),
    );
  }
  const width = PAD * 2 + (Math.max(...byColumn.keys()) + 1) * (NODE_W + COL_GAP) - COL_GAP;
  const height =
    PAD * 2 + Math.max(...[...byColumn.values()].map((m) => m.length)) * (NODE_H + ROW_GAP) - ROW_GAP;
  const parallel = new Map<string, number>();
  // Labels keep off the nodes and off each other.
  const taken: Rect[] = [...place.values()].map((p) => ({
    left: p.x - 2,
    top: p.y - 2,
    right: p.x + NODE_W + 2,
    bottom: p.y + NODE_H + 2,
  }));
  const edges = graph.edges.map((e, i) => {
    const a = place.get(e.from);
    const b = place.get(e.to);
    if (!a || !b) return '';
    // Edges between the same two nodes fan out; labels sit on the last third of the curve.
    const pair = `${e.from}\n${e.to}`;
    const nth = parallel.get(pair) ?? 0;
    parallel.set(pair, nth + 1);
    const spread = (nth % 2 === 0 ? 1 : -1) * Math.ceil(nth / 2) * 8;
    const forward = b.x > a.x;
    const [x1, y1] = forward
      ? [a.x + NODE_W, a.y + NODE_H / 2 + spread]
      : [a.x + NODE_W / 2 + spread, a.y + NODE_H];
    const [x2, y2] = [b.x, b.y + NODE_H / 2 + spread];
    const bend = forward ? Math.max(40, (x2 - x1) / 2) : 60;
    const [c1x, c1y, c2x, c2y] = forward ? [x1 + bend, y1, x2 - bend, y2] : [x1, y1 + bend, x2 - bend, y2];
    const path = `M${x1},${y1} C${c1x},${c1y} ${c2x},${c2y} ${x2},${y2}`;
    // On an edge that passes other columns, the label sits just before its target.
    const span = Math.max(1, Math.round(Math.abs(b.x - a.x) / (NODE_W + COL_GAP)));
    const t = 1 - 0.28 / span;
    const at = (p0: number, p1: number, p2: number, p3: number) =>
      (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3;
    const text = cut(e.label, 22);
    const { x: mx, y: my } = freeSpot(
      taken,
      Math.round(at(x1, c1x, c2x, x2)),
      Math.round(at(y1, c1y, c2y, y2)) - 3,
      text,
    );
    const title = `${e.label}${e.eventId ? ` (event ${e.eventId}${e.eventTime ? ` at ${e.eventTime}` : ''})` : ''}`;
    const body =
      `<path d="${path}" marker-end="url(#arrow)"/>` +
      `<text x="${mx}" y="${my}" text-anchor="middle">${escapeHtml(text)}</text>` +
      `<title>${escapeHtml(title)}</title>`;
    const href = e.eventId ? eventHref(e.eventId) : undefined;
    return (
      `<g class="edge" data-edge="${i}" data-from="${escapeHtml(e.from)}" data-to="${escapeHtml(e.to)}"` +
      ` data-event="${escapeHtml(e.eventId ?? '')}">` +
      (href ? `<a href="${escapeHtml(href)}">${body}</a>` : body) +
      `</g>`
    );
  });
  const nodes = graph.nodes.map((n) => {
    const p = place.get(n.id) as { x: number; y: number };
    return (
      `<g class="node ${n.kind}${n.actor ? ' actor' : ''}" data-node="${escapeHtml(n.id)}">` +
      `<rect x="${p.x}" y="${p.y}" width="${NODE_W}" height="${NODE_H}" rx="6"/>` +
      `<text x="${p.x + 10}" y="${p.y + 18}" class="type">${escapeHtml(cut(n.type, 30))}</text>` +
      `<text x="${p.x + 10}" y="${p.y + 36}" class="label">${escapeHtml(cut(n.label, 28))}</text>` +
      `<title>${escapeHtml(`${n.type} ${n.label}`)}</title></g>`
    );
  });
  // The drawing grows to hold a label moved above the first row or below the last.
  const top = Math.min(0, ...taken.map((t) => t.top - 2));
  const bottom = Math.max(height, ...taken.map((t) => t.bottom + 2));
  const left = Math.min(0, ...taken.map((t) => t.left - 2));
  const right = Math.max(width, ...taken.map((t) => t.right + 2));
  const [w, h] = [right - left, bottom - top];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="graph" viewBox="${left} ${top} ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Who created, assumed, minted or changed whom">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>` +
    edges.join('') +
    nodes.join('') +
    `</svg>`
  );
}
