// The sandbox's limits, seen from outside: a hanging test, a memory hog, a flood of output, a child
// that ignores SIGTERM, a fork bomb and a look at the environment all end at the limits, the
// temporary directory goes away, and the other tests' results survive.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { createCodeChecker } from '../../src/engine/code/checker';
import { parseCodeSolution } from '../../src/engine/code/parse';
import { runInSandbox } from '../../src/engine/code/sandbox';
import type { TestEvidence } from '../../src/engine/types';

const py = (text: string) => parseCodeSolution({ uri: 'limits.py', text, language: 'python' });
const statuses = (tests: readonly unknown[]) => (tests as TestEvidence[]).map((t) => [t.name.replace(/^line \d+: /, ''), t.status]);

describe('sandbox limits', () => {
  it('a test that loops forever times out; the others still run', async () => {
    const checker = createCodeChecker({ allowRun: true, timeoutMs: 6_000, perTestTimeoutMs: 700 });
    const doc = await py('def spin(n):\n    while n > 0:\n        pass\n    return n\n\nassert spin(0) == 0\nassert spin(1) == 1\nassert spin(-1) == -1\n');
    const t0 = Date.now();
    const result = await checker.check(doc);
    assert.ok(Date.now() - t0 < 7_500, 'ends near the 6 s wall-clock limit');
    assert.deepEqual(statuses(result.tests), [
      ['assert spin(0) == 0', 'passed'],
      ['assert spin(1) == 1', 'timeout'],
      ['assert spin(-1) == -1', 'passed'],
    ]);
  });

  it('stops a whole run at the wall-clock limit and kills its process group, even a child that ignores SIGTERM', async () => {
    const marker = `stepcritic-orphan-${process.pid}-${Date.now()}`;
    const result = await runInSandbox({
      command: '/bin/bash',
      args: ['-c', `pwd; trap '' TERM; (trap '' TERM; exec -a ${marker} sleep 60) & exec -a ${marker} sleep 60`],
      files: {},
      timeoutMs: 500,
      memoryMb: 0,
      outputCapBytes: 1024,
    });
    assert.equal(result.timedOut, true);
    assert.ok(result.durationMs < 3_000, `took ${result.durationMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.startsWith(marker));
    assert.deepEqual(left, [], 'no process of the run survives');
    // Its own directory (other test files run code at the same time: counting directories would race them).
    const dir = result.stdout.trim();
    assert.ok(basename(dir).startsWith('stepcritic-run-'), dir);
    assert.equal(existsSync(dir), false, 'the temporary directory is removed');
  });

  it('caps the output and stops a run that floods it', async () => {
    const result = await runInSandbox({
      command: '/bin/sh',
      args: ['-c', 'yes stepcritic'],
      files: {},
      timeoutMs: 5_000,
      memoryMb: 0,
      outputCapBytes: 10_000,
    });
    assert.equal(result.outputLimited, true);
    assert.equal(result.timedOut, false);
    assert.equal(result.stdout.length, 10_000);
  });

  it('gives the solution a minimal environment: no keys or tokens of ours', async () => {
    process.env.STEPCRITIC_API_KEY = 'sk-secret-should-not-leak';
    process.env.GITHUB_TOKEN = 'ghp-should-not-leak';
    try {
      const result = await runInSandbox({ command: '/usr/bin/env', args: [], files: {}, timeoutMs: 5_000, memoryMb: 0, outputCapBytes: 100_000 });
      assert.doesNotMatch(result.stdout, /should-not-leak|STEPCRITIC_API_KEY|GITHUB_TOKEN|OPENAI/);
      const names = result.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('=')[0])
        .sort();
      assert.deepEqual(names, ['HOME', 'LANG', 'LC_ALL', 'PATH', 'TMPDIR']);
    } finally {
      delete process.env.STEPCRITIC_API_KEY;
      delete process.env.GITHUB_TOKEN;
    }
  });

  it('a Python test that takes too much memory fails at the limit without harming the others', async () => {
    const checker = createCodeChecker({ allowRun: true, memoryMb: 256 });
    const doc = await py('def grow():\n    return bytearray(1024 * 1024 * 1024)\n\ndef ok():\n    return 1\n\nassert len(grow()) > 0\nassert ok() == 1\n');
    const result = await checker.check(doc);
    const [big, small] = result.tests as TestEvidence[];
    assert.equal(big!.status, 'error');
    assert.match(big!.output ?? '', /MemoryError/);
    assert.equal(small!.status, 'passed');
  });

  it('a JavaScript test that fills the heap dies at the V8 heap limit, not at the time limit', async () => {
    const checker = createCodeChecker({ allowRun: true, memoryMb: 64, timeoutMs: 20_000 });
    const doc = await parseCodeSolution({
      uri: 'hog.js',
      text: 'function hog() {\n  const kept = [];\n  for (;;) kept.push(new Array(100000).fill(7));\n}\nconsole.assert(hog() === 1);\n',
      language: 'javascript',
    });
    const t0 = Date.now();
    const [hog] = (await checker.check(doc)).tests as TestEvidence[];
    assert.equal(hog!.status, 'error');
    assert.match(hog!.output ?? '', /heap|memory/i);
    assert.ok(Date.now() - t0 < 15_000);
  });

  it('refuses to start processes from Python (a fork bomb ends at once) and from Node', async () => {
    const checker = createCodeChecker({ allowRun: true, timeoutMs: 5_000 });
    const bomb = await py('import os\n\ndef bomb():\n    while True:\n        os.fork()\n\nassert bomb() is None\n');
    const [forked] = (await checker.check(bomb)).tests as TestEvidence[];
    assert.equal(forked!.status, 'error');
    assert.match(forked!.output ?? '', /os\.fork is not allowed/);
    const shell = await py('import subprocess\n\nassert subprocess.run(["true"]).returncode == 0\n');
    assert.match(((await checker.check(shell)).tests[0] as TestEvidence).output ?? '', /subprocess\.Popen is not allowed/);
    const node = await parseCodeSolution({
      uri: 'spawn.js',
      text: "const { execSync } = require('node:child_process');\nconsole.assert(String(execSync('echo hi')).trim() === 'hi');\n",
      language: 'javascript',
    });
    const [spawned] = (await checker.check(node)).tests as TestEvidence[];
    assert.equal(spawned!.status, 'error');
    assert.match(spawned!.output ?? '', /ERR_ACCESS_DENIED|restricted/);
  });

  it('says once, clearly, when python3 is missing, and goes on without tests', async () => {
    const { resetInterpreterCache } = await import('../../src/engine/code/interpreters');
    const saved = process.env.STEPCRITIC_PYTHON;
    process.env.STEPCRITIC_PYTHON = '/nonexistent/python3';
    resetInterpreterCache();
    try {
      const first = await py('x = 1\nassert x == 1\n');
      const second = await py('y = 2\n');
      assert.ok(
        first.warnings.some((w) => /Python 3\.8\+ was not found/.test(w)),
        first.warnings.join('|'),
      );
      assert.ok(!second.warnings.some((w) => /not found/.test(w)), 'said once');
      assert.deepEqual(
        second.steps.map((s) => s.text),
        ['y = 2'],
      );
      const result = await createCodeChecker({ allowRun: true }).check(first);
      assert.equal(result.ran, false);
    } finally {
      if (saved === undefined) delete process.env.STEPCRITIC_PYTHON;
      else process.env.STEPCRITIC_PYTHON = saved;
      resetInterpreterCache();
    }
  });
});
