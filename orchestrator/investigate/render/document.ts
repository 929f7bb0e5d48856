/**
 * The report as data: sections of blocks (paragraphs, lists, tables) whose text keeps apart
 * what the kit wrote from the values that came from logs. Section definitions (sections.ts)
 * build it once; each renderer (table, Markdown, HTML, CSV/NDJSON) only decides how a block
 * looks, and escapes every value for its output (orchestrator/output/escape.ts).
 */

/**
 * One piece of text: a plain string (a sentence; escaped as text), a `code` value (a name,
 * id, ARN or command from the logs or the plan, shown literally: a code span in Markdown) or
 * an `event` id (a link to the event's timeline row in HTML).
 */
export type Inline = string | { readonly code: string } | { readonly event: string };
export type Text = readonly Inline[];

export type CellValue = string | number | boolean | null | undefined;

/** A column: its key (CSV/NDJSON field), its header, and how to show its values. */
export interface Column {
  readonly key: string;
  readonly header: string;
  /**
   * `event`: a CloudTrail event id (linked in HTML); `number`: right-aligned; `text`: the
   * kit's sentence about values (escaped as text, not a code span in Markdown); default: a value.
   */
  readonly kind?: 'event' | 'number' | 'text' | 'value';
}

export interface TableBlock {
  readonly kind: 'table';
  /** The table's id: the same for every block of one definition (`--table ID` picks it). */
  readonly id: string;
  readonly title?: string;
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly CellValue[])[];
  /** What the rows belong to (e.g. `{ principal: 'JaneDoe' }`): leading CSV/NDJSON fields. */
  readonly context?: Readonly<Record<string, string>>;
  /** Said instead of an empty table. @default 'None.' */
  readonly empty?: string;
}

export interface ListItem {
  readonly text: Text;
  readonly items?: readonly Text[];
}

export type Block =
  | { readonly kind: 'paragraph'; readonly text: Text }
  | {
      readonly kind: 'list';
      readonly ordered?: boolean;
      readonly title?: string;
      readonly items: readonly ListItem[];
    }
  | TableBlock;

export interface Section {
  /** Anchor and test handle (`part-2-scope`); unique in a report. */
  readonly id: string;
  readonly title: string;
  readonly blocks: readonly Block[];
  readonly sections?: readonly Section[];
}

export interface ReportDocument {
  readonly title: string;
  /** Window, engine, depth, incident, when and by what. */
  readonly meta: string;
  readonly headline: string;
  readonly warnings: readonly string[];
  readonly sections: readonly Section[];
}

/** A text of one string. */
export const text = (value: string): Text => [value];
export const code = (value: string): Inline => ({ code: value });
export const event = (eventId: string): Inline => ({ event: eventId });

const OPEN = '\ue000';
const CLOSE = '\ue001';

/**
 * Text from a line builder that marks its values with a `code` callback (the containment
 * kinds' `resourceLine`, manualLine, approvalLine): the marked values become code pieces.
 */
export function textFrom(build: (code: (value: string) => string) => string): Text {
  const marked = build((value) => `${OPEN}${value.replace(/[\ue000\ue001]/g, '')}${CLOSE}`);
  const out: Inline[] = [];
  for (const [i, part] of marked.split(new RegExp(`[${OPEN}${CLOSE}]`)).entries()) {
    if (part === '' && i % 2 === 0) continue;
    out.push(i % 2 === 1 ? { code: part } : part);
  }
  return out;
}

/** Every table block of a report, depth first, in order. */
export function tablesOf(sections: readonly Section[]): TableBlock[] {
  return sections.flatMap((s) => [
    ...s.blocks.filter((b): b is TableBlock => b.kind === 'table'),
    ...tablesOf(s.sections ?? []),
  ]);
}

/** Plain text of a text (for terminals and titles), values as they are: escape it for its output. */
export function plain(value: Text): string {
  return value.map((p) => (typeof p === 'string' ? p : 'code' in p ? p.code : p.event)).join('');
}
