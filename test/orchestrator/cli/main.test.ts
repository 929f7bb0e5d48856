import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { irkit } from '../../helpers/cli';

const ROOT = join(__dirname, '../../..');

describe('irkit, the program itself', () => {
  test('--version prints the package version', async () => {
    const run = await irkit('--version');
    expect(run.code).toBe(0);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(run.stdout.trim()).toBe(version);
  });

  test('a missing required option is named in one short message, not buried under the help', async () => {
    const run = await irkit('validate');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--access-key-id <id>' not specified");
    expect(run.stderr).toContain('irkit <command> --help lists its options');
    expect(run.stderr).not.toContain('Options:');
  });

  test('ends quietly when the reader closes the pipe early (irkit ... --help | head -1)', () => {
    const run = spawnSync(
      'bash',
      ['-c', 'node bin/irkit.js investigate --help | head -1; echo "status ${PIPESTATUS[0]}"'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.stderr).not.toMatch(/EPIPE|Error/);
    expect(run.stdout).toMatch(/^Usage: irkit investigate/);
    expect(run.stdout).toContain('status 0');
  });
});
