/* eslint-disable no-control-regex -- the control characters a terminal acts on are what is checked here */
import { CONTINUED, displayWidth, textTable, wrapCell } from '../../../orchestrator/output/text-table';

const TERMINAL_ACTIVE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
/** A line of escaped text made only of whole escapes and characters: no escape cut in two. */
const WHOLE_ESCAPES = /^(?:\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\[tn]|[^\\])*$/;

/** The lines of a one-column table's rows, without the header and rule. */
const rowLines = (table: string) => table.split('\n').slice(2);
/** A wrapped cell's text again: its lines without the continuation marks, joined. */
const unwrapped = (lines: readonly string[], joiner = '') =>
  lines.map((l, i) => (i === 0 ? l : l.slice(CONTINUED.length))).join(joiner);

describe('textTable', () => {
  const rows = [
    ['us-east-1', 'a'.repeat(120), 'AttachUserPolicy', 1],
    ['us-east-1', 'short', 'x\u001b[2J', 22],
  ];

  test('without a width, every cell in full on one line', () => {
    const table = textTable(['region', 'useragent', 'eventname', 'COUNT'], rows);
    expect(table).toContain('a'.repeat(120));
    expect(table).not.toContain(CONTINUED);
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toContain('x\\x1b[2J');
    expect(table).not.toMatch(TERMINAL_ACTIVE);
  });

  test.each([60, 80, 100])(
    'fits a %i-column terminal, wrapping the widest column onto marked lines, nothing lost',
    (width) => {
      const table = textTable(['region', 'useragent', 'eventname', 'COUNT'], rows, {
        maxWidth: width,
        rightAligned: [false, false, false, true],
      });
      const lines = table.split('\n');
      for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
      // The long cell's lines: the first row's, then its continuations (other cells blank).
      const useragent = lines
        .slice(2)
        .map((l) => l.split('  |  ')[1]?.trim() ?? '')
        .filter((cell) => /^↪?a+$/.test(cell));
      expect(useragent.length).toBeGreaterThan(1);
      expect(useragent.slice(1).every((l) => l.startsWith(CONTINUED))).toBe(true);
      expect(unwrapped(useragent)).toBe('a'.repeat(120));
      expect(table).toContain('AttachUserPolicy');
      expect(table).toMatch(/\|\s+22$/m);
      // A continuation line leaves the row's other cells blank.
      expect(lines[3]).toMatch(/^\s+\|\s+↪a+\s+\|\s+\|$/);
    },
  );

  test('a hostile value: escaped first, and no wrap splits an escape, at any width', () => {
    const value = `x${'\u202e\u001b[2J\u0007'.repeat(12)} ${'\u2066evil'.repeat(6)}`;
    for (let width = 8; width <= 70; width++) {
      const lines = rowLines(textTable(['value'], [[value]], { maxWidth: width }));
      for (const line of lines) {
        expect(line).not.toMatch(TERMINAL_ACTIVE);
        expect(displayWidth(line)).toBeLessThanOrEqual(width);
        expect(line.startsWith(CONTINUED) ? line.slice(CONTINUED.length) : line).toMatch(WHOLE_ESCAPES);
      }
      // Every escape is there, in order; only the space a line broke at is gone.
      expect(unwrapped(lines).replace(/ /g, '')).toBe(
        `x${'\\u202e\\x1b[2J\\x07'.repeat(12)}${'\\u2066evil'.repeat(6)}`,
      );
    }
  });
});

describe('wrapCell', () => {
  test('breaks at a space when one is near, else within a word', () => {
    expect(wrapCell('aws-cli/2.2.21 Python/3.8.8 Linux/5.10', 16)).toEqual([
      'aws-cli/2.2.21',
      `${CONTINUED}Python/3.8.8`,
      `${CONTINUED}Linux/5.10`,
    ]);
    expect(wrapCell('arn:aws:iam::777777777777:user/JaneDoe', 16)).toEqual([
      'arn:aws:iam::777',
      `${CONTINUED}777777777:user/`,
      `${CONTINUED}JaneDoe`,
    ]);
  });

  test('keeps a character with its combining marks, and counts wide characters as two columns', () => {
    const lines = wrapCell('e\u0301'.repeat(10), 8);
    expect(lines[0]).toBe('e\u0301'.repeat(8));
    expect(wrapCell('漢字漢字漢字漢字', 8)).toEqual(['漢字漢字', `${CONTINUED}漢字漢`, `${CONTINUED}字`]);
    for (const line of wrapCell('漢字漢字漢字漢字', 8)) expect(displayWidth(line)).toBeLessThanOrEqual(8);
  });

  test('a value that fits is left as it is', () => {
    expect(wrapCell('JaneDoe', 8)).toEqual(['JaneDoe']);
  });
});

describe('a table of more columns than the width can show readably', () => {
  const headers = [
    'eventtime',
    'principal',
    'access key',
    'eventsource',
    'eventname',
    'awsregion',
    'action',
    'resource',
    'errorcode',
    'eventid',
  ];
  const row = [
    '2021-07-24T02:22:32Z',
    'JorgeSouza',
    'AKIAIOSFODNN7EXAMPLE',
    'iam.amazonaws.com',
    'CreateUser',
    'us-east-1',
    'created',
    `arn:aws:iam::777777777777:user/JaneDoe\u001b[2J${'\u202e'.repeat(20)}`,
    null,
    '77d3b54c-37ed-437f-9fa9-1881e8890134',
  ];

  test('is shown one record per row, each value wrapped within the width', () => {
    const table = textTable(headers, [row, row], { maxWidth: 60 });
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^-\[ 1 \]-+$/);
    expect(lines).toContain('eventtime   | 2021-07-24T02:22:32Z');
    expect(lines).toContain('eventid     | 77d3b54c-37ed-437f-9fa9-1881e8890134');
    expect(lines.filter((l) => /^-\[ \d \]/.test(l))).toHaveLength(2);
    for (const line of lines) {
      expect(displayWidth(line)).toBeLessThanOrEqual(60);
      expect(line).not.toMatch(TERMINAL_ACTIVE);
      expect(line).toMatch(WHOLE_ESCAPES);
    }
    const resource = lines.slice(lines.findIndex((l) => l.startsWith('resource')));
    const value = resource
      .slice(
        0,
        resource.findIndex((l) => l.startsWith('errorcode')),
      )
      .map((l) => l.slice(14));
    expect(value.length).toBeGreaterThan(1);
    expect(unwrapped(value)).toBe(`arn:aws:iam::777777777777:user/JaneDoe\\x1b[2J${'\\u202e'.repeat(20)}`);
  });

  test('--wide (no width) keeps it one table, one line a row', () => {
    expect(textTable(headers, [row]).split('\n')).toHaveLength(3);
  });
});
