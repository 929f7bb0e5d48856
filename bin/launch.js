'use strict';
/**
 * Starts the TypeScript CLI from a clone, with no build step to remember.
 *
 * The first run bundles orchestrator/cli/main.ts, the kit's modules it reaches and the pure
 * JavaScript packages every query loads into one CommonJS file with esbuild (a dependency
 * already: the containment handler is bundled the same way), kept in node_modules/.cache/irkit/.
 * Later runs load that file while every file it was built from keeps its size and modification
 * time (a few hundred stats, a few milliseconds). One minified file, with V8's code cache of it,
 * instead of some 400 modules transpiled through tsx and resolved one by one saves about a
 * quarter of a second on every run, most of a warm query's start.
 *
 * Where the bundle cannot be built or written (a read-only clone, a syntax error being edited),
 * or with IRKIT_BUNDLE=off, the CLI runs through tsx, which reports any error as before.
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/**
 * Packages are loaded from node_modules as they are (the AWS SDK and the CDK only by the
 * commands that use them), except the pure JavaScript ones every query run loads: DuckDB's
 * API (187 modules; its native binding stays outside) and commander.
 */
const BUNDLED_PACKAGES = ['@duckdb/node-api', 'commander'];
/** A replaced bundle is removed once no run can still be about to load it. */
const STALE_BUNDLE_MS = 60_000;

/** The launcher of the clone at `root` (the CLI at orchestrator/cli/main.ts). */
function launcher(root) {
  const entry = path.join(root, 'orchestrator', 'cli', 'main.ts');
  // One folder per clone: node_modules may be shared (a symbolic link) between work trees.
  const cache = path.join(
    root,
    'node_modules',
    '.cache',
    'irkit',
    createHash('sha256').update(root).digest('hex').slice(0, 16),
  );
  const stampPath = path.join(cache, 'stamp.json');

  /** The bundle's path if it was built from the files as they are now. */
  function current() {
    let stamp;
    try {
      stamp = JSON.parse(fs.readFileSync(stampPath, 'utf8'));
    } catch {
      return undefined;
    }
    for (const [file, size, mtimeMs] of stamp.inputs) {
      const stat = fs.statSync(path.resolve(root, file), { throwIfNoEntry: false });
      if (!stat || stat.size !== size || stat.mtimeMs !== mtimeMs) return undefined;
    }
    const bundle = path.join(cache, stamp.bundle);
    return fs.existsSync(bundle) ? bundle : undefined;
  }

  /**
   * Bundles the CLI and records what it was built from (this launcher and esbuild included).
   * The bundle is named by its content and the stamp replaced last, both by rename, so a run
   * starting meanwhile loads the old bundle or the new one, whole.
   */
  async function build() {
    const esbuild = require('esbuild');
    const result = await esbuild.build({
      entryPoints: [entry],
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node.split('.')[0]}`,
      minify: true,
      write: false,
      outfile: path.join(cache, 'cli.js'),
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
      plugins: [ownPaths, onlyPurePackages],
    });
    const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
    const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'));
    const name = `cli-${createHash('sha256').update(js.contents).digest('hex').slice(0, 16)}.js`;
    const text = js.text.replace(/\/\/# sourceMappingURL=\S+\s*$/, `//# sourceMappingURL=${name}.map\n`);
    fs.mkdirSync(cache, { recursive: true });
    replace(path.join(cache, `${name}.map`), map.contents);
    replace(path.join(cache, name), text);
    const sources = Object.keys(result.metafile.inputs).map((f) => path.resolve(root, f));
    const inputs = [__filename, require.resolve('esbuild/package.json'), ...sources].map((file) => {
      const stat = fs.statSync(file);
      return [path.relative(root, file), stat.size, stat.mtimeMs];
    });
    replace(stampPath, JSON.stringify({ bundle: name, inputs }));
    removeStale(name);
    return path.join(cache, name);
  }

  function removeStale(keep) {
    for (const name of fs.readdirSync(cache)) {
      if (!name.startsWith('cli-') || name.startsWith(keep)) continue;
      const file = path.join(cache, name);
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      if (stat && Date.now() - stat.mtimeMs > STALE_BUNDLE_MS) fs.rmSync(file, { force: true });
    }
  }

  /** The CLI's module: from the bundle when it is current or can be made, else through tsx. */
  async function cli() {
    let bundle;
    if (process.env.IRKIT_BUNDLE !== 'off') bundle = current() ?? (await build().catch(() => undefined));
    if (bundle) {
      if (!process.argv.includes('--debug')) return withCodeCache(bundle);
      // Stack traces name the TypeScript sources, from the bundle's source map.
      process.setSourceMapsEnabled(true);
      return require(bundle);
    }
    require('tsx/cjs');
    return require(entry);
  }

  return { cache, current, build, cli };
}

/**
 * Loads the bundle as require would, with V8's code cache of it (beside the bundle, named by
 * it): V8 then neither parses the bundle nor compiles the functions an earlier run compiled,
 * a tenth of a warm query's CPU. The cache is written when the process ends, so it holds what
 * the run compiled; a missing or rejected one (another Node) is written anew.
 */
function withCodeCache(bundle) {
  const Module = require('node:module');
  const vm = require('node:vm');
  const codeCache = `${bundle}.v8`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(codeCache);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), {
    filename: bundle,
    cachedData,
  });
  if (!cachedData || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        replace(codeCache, script.createCachedData());
      } catch {
        // A cache is an optimization: the next run compiles the bundle again.
      }
    });
  }
  const module = new Module(bundle);
  module.filename = bundle;
  script
    .runInThisContext()
    .call(module.exports, module.exports, Module.createRequire(bundle), module, bundle, path.dirname(bundle));
  module.loaded = true;
  return module.exports;
}

/**
 * A module's `__dirname` and `__filename` stay its source file's (undo.ts finds the workshop's
 * undo script beside the sources), not the bundle's.
 */
const ownPaths = {
  name: 'irkit-own-paths',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(text)) return undefined;
      const paths = `const __dirname = ${JSON.stringify(path.dirname(args.path))}; const __filename = ${JSON.stringify(args.path)};`;
      return { contents: `${paths}\n${text}`, loader: 'ts' };
    });
  },
};

const onlyPurePackages = {
  name: 'irkit-only-pure-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const named = (p) => args.path === p || args.path.startsWith(`${p}/`);
      const inside = BUNDLED_PACKAGES.some((p) =>
        args.importer.includes(`${path.sep}node_modules${path.sep}${p}${path.sep}`),
      );
      const native = args.path.startsWith('@duckdb/node-bindings');
      return BUNDLED_PACKAGES.some(named) || (inside && !native)
        ? undefined
        : { path: args.path, external: true };
    });
  },
};

function replace(file, contents) {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, contents);
  fs.renameSync(temp, file);
}

module.exports = { launcher, ...launcher(path.resolve(__dirname, '..')) };
