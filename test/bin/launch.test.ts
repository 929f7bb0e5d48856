import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const LAUNCH = join(ROOT, 'bin', 'launch.js');

interface Stamp {
  readonly bundle: string;
  readonly inputs: readonly [string, number, number][];
}

/** What the launcher of a clone at `root` knows: its cache folder. */
function cacheOf(root: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { launcher } = require(LAUNCH) as { launcher: (root: string) => { cache: string } };
  return launcher(root).cache;
}

function stampOf(root: string): Stamp {
  return JSON.parse(readFileSync(join(cacheOf(root), 'stamp.json'), 'utf8')) as Stamp;
}

describe('bin/launch.js: the CLI bundled on first use', () => {
  let project: string;
  /** A clone of a two-module CLI whose main prints where its module is and how it was loaded. */
  const writeProject = (version: string) =>
    writeFileSync(
      join(project, 'orchestrator', 'cli', 'where.ts'),
      `export const where: string = __dirname;\nexport const version = ${version};\n`,
    );
  const run = (env: NodeJS.ProcessEnv = {}) => {
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(LAUNCH)}).launcher(${JSON.stringify(project)}).cli()` +
          '.then((m) => m.main(["a", "b"])).then((code) => { process.exitCode = code; })',
      ],
      { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 },
    );
    return { code: child.status, out: child.stdout, err: child.stderr };
  };

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'irkit-launch-'));
    mkdirSync(join(project, 'orchestrator', 'cli'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
    writeFileSync(
      join(project, 'orchestrator', 'cli', 'main.ts'),
      [
        "import { version, where } from './where';",
        'export function endQuietlyOnClosedPipe(): void {}',
        'export async function main(args: string[]): Promise<number> {',
        "  const bundled = (new Error().stack ?? '').includes('/cli-');",
        '  process.stdout.write(JSON.stringify({ where, version, args, bundled }));',
        '  return 3;',
        '}',
        '',
      ].join('\n'),
    );
    writeProject('1');
  });

  afterEach(() => {
    rmSync(cacheOf(project), { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  });

  test('builds the bundle once and loads it, with its code cache, while no source changes; a changed source is bundled again', () => {
    const first = run();
    const built = stampOf(project);
    const stampTime = statSync(join(cacheOf(project), 'stamp.json')).mtimeMs;
    const codeCache = join(cacheOf(project), `${built.bundle}.v8`);
    const codeCacheTime = statSync(codeCache).mtimeMs;
    const second = run();

    expect(first.code).toBe(3);
    expect(JSON.parse(first.out)).toEqual({
      where: join(project, 'orchestrator', 'cli'),
      version: 1,
      args: ['a', 'b'],
      bundled: true,
    });
    expect(built.inputs.map(([file]) => file)).toEqual(
      expect.arrayContaining([
        join('orchestrator', 'cli', 'main.ts'),
        join('orchestrator', 'cli', 'where.ts'),
      ]),
    );
    expect(second.out).toBe(first.out);
    expect(statSync(join(cacheOf(project), 'stamp.json')).mtimeMs).toBe(stampTime);
    // V8 took the code cache the first run wrote (a rejected one would be written again).
    expect(statSync(codeCache).mtimeMs).toBe(codeCacheTime);

    writeProject('2');
    const changed = run();

    expect(JSON.parse(changed.out)).toMatchObject({ version: 2, bundled: true });
    expect(stampOf(project).bundle).not.toBe(built.bundle);
  });

  test('a source that does not build runs through tsx, which names the error; the old bundle is not used', () => {
    run();
    writeFileSync(join(project, 'orchestrator', 'cli', 'where.ts'), 'export const where = ;\n');

    const broken = run();

    expect(broken.code).not.toBe(0);
    expect(broken.out).toBe('');
    expect(broken.err).toContain('where.ts');
  });

  test('IRKIT_BUNDLE=off runs the sources through tsx, with the same result', () => {
    const bundled = JSON.parse(run().out) as Record<string, unknown>;
    const direct = JSON.parse(run({ IRKIT_BUNDLE: 'off' }).out) as Record<string, unknown>;

    expect(direct).toEqual({ ...bundled, bundled: false });
  });
});

describe('bin/irkit.js', () => {
  test('runs the demo, the README main command, through the bundle of this clone', () => {
    const child = spawnSync(process.execPath, [join(ROOT, 'bin', 'irkit.js'), 'demo', '--events', '300'], {
      encoding: 'utf8',
      timeout: 120_000,
    });

    expect(child.stderr).not.toMatch(/Error:|at .*cli-/);
    expect(child.status).toBe(0);
    expect(child.stdout).toContain('Containment plan for account 777777777777');
    const stamp = stampOf(ROOT);
    expect(stamp.inputs.map(([file]) => file)).toEqual(
      expect.arrayContaining([join('bin', 'launch.js'), join('orchestrator', 'cli', 'main.ts')]),
    );
  });
});
