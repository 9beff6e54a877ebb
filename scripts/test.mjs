// Lints and type-checks the whole tree (tsx runs the tests without checking types), builds the bundles (the CLI
// and server tests start them as processes), then runs every test/**/*.test.ts with node's test runner
// through tsx. Extra arguments are test file filters (and skip the type check).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = findTests('test')
  .filter((f) => !f.startsWith(join('test', 'e2e')))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (filters.length === 0) {
  // The house rules as tools: ESLint (type-aware), Prettier and knip (unused files, exports, dependencies).
  for (const [tool, args] of [
    ['eslint', ['node_modules/eslint/bin/eslint.js', '.']],
    ['prettier', ['node_modules/prettier/bin/prettier.cjs', '--check', '--log-level', 'warn', '.']],
    ['knip', ['node_modules/knip/bin/knip.js']],
  ]) {
    const linted = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (linted.status !== 0) {
      console.error(`npm test: ${tool} found problems (see above; \`npm run format\` fixes formatting)`);
      process.exit(linted.status ?? 1);
    }
  }
  const checked = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.', '--noEmit'], { stdio: 'inherit' });
  if (checked.status !== 0) {
    console.error('npm test: the type check failed (see above)');
    process.exit(checked.status ?? 1);
  }
}

const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
