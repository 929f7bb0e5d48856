import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { buildProgram } from '../orchestrator/cli/main';

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SCRIPTS = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

describe('README', () => {
  test('opens with the two set-up commands of a fresh machine, and CI runs the second', () => {
    const firstBlock = /```bash\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
    const commands = firstBlock
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean);
    expect(commands).toEqual(['npm ci && npm run demo', 'npm ci && npm test']);
    expect(SCRIPTS.demo).toBe('node bin/irkit.js demo');
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8').trim().split('\n');
    expect(ci).toContain('npm ci --no-audit --no-fund');
    expect(ci[ci.length - 1]).toBe('npm test');
  });

  test('every irkit command it shows exists, with every option it shows', () => {
    const program = buildProgram();
    const shown = [...README.matchAll(/(?:npx )?irkit ([a-z][a-z-]*[a-z])((?: [^\n`|]*)?)/g)];
    expect(shown.length).toBeGreaterThan(10);
    for (const [, name, rest] of shown) {
      const command = program.commands.find((c) => c.name() === name);
      expect(command).toBeDefined();
      const all = [command!, ...command!.commands];
      const known = new Set(all.flatMap((c) => c.options.map((o) => o.long)));
      for (const flag of rest.match(/--[a-z-]+/g) ?? []) {
        if (flag === '--help') continue;
        expect([name, flag, known.has(flag)]).toEqual([name, flag, true]);
      }
    }
  });

  test('every npm script and local link it names exists', () => {
    for (const [, script] of README.matchAll(/npm run ([a-z:]+)/g))
      expect(Object.keys(SCRIPTS)).toContain(script);
    for (const [, target] of README.matchAll(/\]\(([^)#][^)]*)\)/g)) {
      expect([target, existsSync(join(ROOT, target))]).toEqual([target, true]);
    }
  });
});
