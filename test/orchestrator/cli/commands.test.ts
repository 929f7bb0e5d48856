import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import { Command } from 'commander';

import { COMMANDS, commandsFor } from '../../../orchestrator/cli/commands';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('the command table', () => {
  test('each entry loads the command of its name, and only that one', () => {
    for (const { name, load } of COMMANDS) {
      const program = new Command('irkit');
      load()(program);
      expect(program.commands.map((c) => c.name())).toEqual([name]);
    }
  });

  test.each([
    [['investigate', '--access-key-id', 'AKIAIOSFODNN7EXAMPLE'], ['investigate']],
    [['--debug', 'queries', 'run', 'key-api-activity'], ['queries']],
    [['--config', 'sql', 'contain', '--plan', 'p.json'], ['contain']],
    [['ip-ranges', 'lookup', '198.51.100.7'], ['ip-ranges']],
  ])('a run of %j registers %j', (argv, names) => {
    expect(commandsFor(argv).map((c) => c.name)).toEqual(names);
  });

  test.each([[[]], [['--help']], [['investigat']], [['--', 'demo']]])(
    'a run of %j registers every command (help and "did you mean" need them)',
    (argv) => {
      expect(commandsFor(argv)).toBe(COMMANDS);
    },
  );
});

/**
 * Commands that can run with no AWS call load no AWS SDK client package: together they take
 * most of a second to load (orchestrator/aws-sdk.ts loads each when first used). One fresh
 * process registers them all, one after another.
 */
test('irkit investigate, report, queries and demo load no AWS SDK client until they call AWS', () => {
  const names = ['investigate', 'report', 'queries', 'demo'];
  const script = `
    require('tsx/cjs');
    const { buildProgram } = require('./orchestrator/cli/main.ts');
    const loaded = {};
    for (const name of ${JSON.stringify(names)}) {
      buildProgram([name]);
      loaded[name] = [...new Set(Object.keys(require.cache)
        .filter((f) => /@aws-sdk[\\/]client-/.test(f))
        .map((f) => f.replace(/.*@aws-sdk[\\/](client-[a-z0-9-]+).*/, '$1')))];
    }
    process.stdout.write(JSON.stringify(loaded));
  `;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual(Object.fromEntries(names.map((n) => [n, []])));
}, 30_000);
