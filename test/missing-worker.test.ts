// An installation without the check-worker bundle (dist/worker/check.js): texts are still checked, on
// the main thread without a time limit, and the CLI and the server say so once, clearly.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CLI, REPO_ROOT } from './cli/run-cli';
import { ARITHMETIC_ERROR } from './server/support/fixtures';
import { LspSession } from './server/support/lsp-session';

const WARNING = /check worker \(dist\/worker\/check\.js\) is missing.*main thread, without the time limit/;
const root = mkdtempSync(join(tmpdir(), 'stepcritic-no-worker-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A copy of one bundle in an installation that has no dist/worker. */
function withoutWorker(bundle: 'cli' | 'server'): string {
  const dir = join(root, 'dist', bundle);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(REPO_ROOT, 'dist', bundle, 'main.js'), join(dir, 'main.js'));
  return join(dir, 'main.js');
}

const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(STEPCRITIC_|OPENAI_)/.test(key)));

describe('without the check-worker bundle', () => {
  const solution = join(root, 'pens.solution.md');
  writeFileSync(solution, ARITHMETIC_ERROR);

  it('the CLI warns once on stderr and still checks every file', () => {
    const second = join(root, 'again.solution.md');
    writeFileSync(second, ARITHMETIC_ERROR);
    const run = spawnSync(process.execPath, [withoutWorker('cli'), 'check', '--no-llm', solution, second], { cwd: root, env, encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stderr.split('\n').filter((l) => WARNING.test(l)).length, 1, run.stderr);
    assert.match(run.stdout, /2 solutions checked \(2 incorrect\)/);
    const installed = spawnSync(process.execPath, [CLI, 'check', '--no-llm', solution], { cwd: root, env, encoding: 'utf8' });
    assert.doesNotMatch(installed.stderr, WARNING, 'a whole installation says nothing');
  });

  it('the server shows one warning and still publishes diagnostics', async () => {
    const session = await LspSession.start({
      serverMain: withoutWorker('server'),
      workspaceFolder: root,
      initializationOptions: { settings: {}, trusted: true },
    });
    try {
      const uri = `file://${solution}`;
      await session.open(uri, ARITHMETIC_ERROR);
      const diagnostics = await session.diagnosticsFor(uri);
      assert.ok(diagnostics.length > 0);
      await session.open(`file://${join(root, 'other.solution.md')}`, ARITHMETIC_ERROR);
      await session.diagnosticsFor(`file://${join(root, 'other.solution.md')}`);
      const warnings = session.messages.filter((m) => WARNING.test(m.message));
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]!.type, 2, 'a warning');
    } finally {
      await session.stop();
    }
  });
});
