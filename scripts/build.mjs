// Bundles the extension client, the language server and the CLI into dist/ with esbuild.
// `--production` minifies; `--watch` rebuilds on change.
import { build, context } from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const entries = [
  { in: 'src/client/extension.ts', out: 'client/extension' },
  { in: 'src/server/main.ts', out: 'server/main' },
  { in: 'src/cli/main.ts', out: 'cli/main' },
  // The check worker (parse + verify under a deadline), shared by the server and the CLI.
  { in: 'src/engine/deadline/check-worker.ts', out: 'worker/check' },
].filter((e) => existsSync(e.in));

// The TypeScript compiler (used to segment JS/TS solutions) is ~9 MB of JavaScript whose start-up
// costs close to a second. It goes into one shared file, dist/vendor/typescript.js, loaded on first
// use: a CLI run or a server that never sees a JS/TS solution never pays for it.
const lazyTypeScript = {
  name: 'lazy-typescript',
  setup(b) {
    b.onResolve({ filter: /^typescript$/ }, () => ({ path: 'typescript', namespace: 'lazy-typescript' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-typescript' }, () => ({
      loader: 'js',
      contents: `
        const { join } = require('node:path');
        let api;
        const load = () => (api ??= require(join(__dirname, '..', 'vendor', 'typescript.js')));
        // esbuild's import interop asks for __esModule at start-up: answering it must not load.
        module.exports = new Proxy({}, { get: (_, key) => (key === '__esModule' ? undefined : load()[key]), has: (_, key) => key in load() });`,
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
};

const options = {
  ...common,
  entryPoints: entries,
  outdir: 'dist',
  // 'vscode' is provided by the extension host. better-sqlite3 is native: the CLI loads it from
  // node_modules when its cache is used; the language server never does (src/engine/cache/store.ts).
  external: ['vscode', 'better-sqlite3'],
  plugins: [lazyTypeScript],
  sourcemap: production ? false : 'linked',
  minify: production,
};

const vendorTypeScript = {
  ...common,
  stdin: { contents: "module.exports = require('typescript');", resolveDir: process.cwd(), loader: 'js' },
  outfile: 'dist/vendor/typescript.js',
  minify: true,
};

if (watch) {
  await build(vendorTypeScript);
  const ctx = await context(options);
  await ctx.watch();
} else {
  await Promise.all([build(options), build(vendorTypeScript)]);
}
