import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { GroupSpec, KEYS, KeySpec, SECTIONS, Section } from './keys';

/**
 * The key tables of docs/configuration.md, rendered from the key table (./keys.ts), so the
 * documentation cannot drift from what the config accepts. A test compares the file with this;
 * `npm run docs:config` rewrites it.
 */
export const REFERENCE_PATH = join(__dirname, '..', '..', 'docs', 'configuration.md');
export const BEGIN = '<!-- config keys: generated from lib/config/keys.ts by `npm run docs:config` -->';
export const END = '<!-- end of config keys -->';

interface Row {
  readonly path: string;
  readonly spec: KeySpec<unknown>;
}

function rows(): Row[] {
  return Object.entries(
    KEYS as unknown as Record<string, KeySpec<unknown> | GroupSpec<Record<string, KeySpec<unknown>>>>,
  ).flatMap(([name, spec]) =>
    spec.kind === 'group'
      ? Object.entries(spec.keys).map(([k, s]) => ({ path: `${name}.${k}`, spec: s }))
      : [{ path: name, spec }],
  );
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function defaultOf(spec: KeySpec<unknown>): string {
  if (spec.doc.defaultText !== undefined) return spec.doc.defaultText;
  return spec.default === undefined ? 'none' : `\`${JSON.stringify(spec.default)}\``;
}

/** The generated part of docs/configuration.md: one table per section, then what irkit reads. */
export function renderKeyReference(): string {
  const all = rows();
  const parts = (Object.keys(SECTIONS) as Section[]).map((section) => {
    const { title, ...rest } = SECTIONS[section];
    const lines = [
      `### ${title}`,
      '',
      '| key | type | default | meaning |',
      '|---|---|---|---|',
      ...all
        .filter((r) => r.spec.doc.section === section)
        .map(
          (r) =>
            `| \`${r.path}\` | ${cell(r.spec.doc.type)} | ${cell(defaultOf(r.spec))} | ${cell(r.spec.doc.meaning)} |`,
        ),
    ];
    if ('after' in rest) lines.push('', rest.after);
    return lines.join('\n');
  });
  const runtime = all.filter((r) => r.spec.runtime).map((r) => `\`${r.path}\``);
  parts.push(
    `\`irkit\` itself reads only ${runtime.join(', ')} (see "What \`irkit\` reads at run time" below).`,
  );
  return `${BEGIN}\n\n${parts.join('\n\n')}\n\n${END}`;
}

/** The document with its generated part replaced by the current rendering. */
export function withKeyReference(doc: string): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin) {
    throw new Error(`docs/configuration.md lacks the markers ${BEGIN} ... ${END}`);
  }
  return doc.slice(0, begin) + renderKeyReference() + doc.slice(end + END.length);
}

if (require.main === module) {
  writeFileSync(REFERENCE_PATH, withKeyReference(readFileSync(REFERENCE_PATH, 'utf8')));
  console.log(`wrote ${REFERENCE_PATH}`);
}
