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
].filter((e) => existsSync(e.in));

const options = {
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // 'vscode' is provided by the extension host; nothing else is left external.
  external: ['vscode'],
  sourcemap: production ? false : 'linked',
  minify: production,
  legalComments: 'none',
  logLevel: 'warning',
};

if (watch) {
  const ctx = await context(options);
  await ctx.watch();
} else {
  await build(options);
}
