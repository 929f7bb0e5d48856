import { StatusLine, progressPrinter } from '../../../orchestrator/cli/commands/progress';

/** Progress lines: in place on a terminal only, never glued onto the next line. */

function stream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = { isTTY, columns: 80, text: '', write: (chunk: string) => ((s.text += chunk), true) };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

const load = (message: string) => ({
  engine: 'local' as const,
  queryId: 'q',
  phase: 'load' as const,
  message,
});
const done = { engine: 'local' as const, queryId: 'q', phase: 'done' as const, message: 'q: 4 row(s)' };

test('on a terminal, load updates rewrite one line, cleared before the next line', () => {
  const out = stream(true);
  const print = progressPrinter('queries', new StatusLine(out, {}));
  print(load('indexing 3600 of 3600 log file(s)'));
  print(load('indexing 3600 log file(s): 10%'));
  print(load('indexing 3600 log file(s): 55%'));
  print(done);

  expect(out.text).toBe(
    'irkit queries: indexing 3600 of 3600 log file(s)\n' +
      '\rirkit queries: indexing 3600 log file(s): 10%\x1b[K' +
      '\rirkit queries: indexing 3600 log file(s): 55%\x1b[K' +
      '\r\x1b[K' +
      'irkit queries: q: 4 row(s)\n',
  );
});

test('end() clears a status line left open, so the command’s output starts on a clean line', () => {
  const out = stream(true);
  const print = progressPrinter('sql', new StatusLine(out, {}));
  print(load('parsing 2 of 2 log file(s)'));
  print(load('parsing 2 log file(s): 50%'));
  print.end();
  expect(out.text.endsWith('\r\x1b[K')).toBe(true);
});

test('in a pipe or under CI, only each phase’s first message, each on its own line', () => {
  for (const [out, env] of [
    [stream(false), {}],
    [stream(true), { CI: 'true' }],
  ] as const) {
    const print = progressPrinter('queries', new StatusLine(out, env));
    print(load('indexing 3600 of 3600 log file(s)'));
    print(load('indexing 3600 log file(s): 10%'));
    print(done);
    print.end();
    expect(out.text).toBe('irkit queries: indexing 3600 of 3600 log file(s)\nirkit queries: q: 4 row(s)\n');
  }
});

test('a long status is cut to the terminal width, so it never wraps', () => {
  const out = stream(true);
  const status = new StatusLine(out, {});
  status.update('x'.repeat(200));
  expect(out.text.length).toBeLessThan(90);
});
