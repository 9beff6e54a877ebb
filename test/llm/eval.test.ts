// `stepcritic eval` over real ProcessBench records (the subsets in test/fixtures) against the scripted
// critic: the table, the JSON, split names that do not merge, a stratified sample, and a run stopped by
// the budget (or interrupted) that resumes from the cache.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { evalCommand } from '../../src/cli/commands/eval';
import type { EvalReport } from '../../src/engine/eval/run';
import { ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { DATASETS } from '../support/fixtures';
import { runCommand } from './run-command';

const PROCESSBENCH = join(DATASETS, 'processbench');
const DATASET = join(PROCESSBENCH, 'gsm8k.json');

describe('stepcritic eval', () => {
  let server: ScriptedLlmServer;
  let cacheDir: string;
  before(async () => {
    // "Incorrect" for steps that state a subtraction result: arbitrary, but not constant.
    server = await startScriptedLlmServer({ handler: ruleBasedCriticHandler({ incorrectPatterns: ['\\d+ - \\d+ = \\d+'] }) });
    cacheDir = await mkdtemp(join(tmpdir(), 'stepcritic-eval-'));
  });
  after(async () => {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  const env = () => ({ STEPCRITIC_BASE_URL: server.baseUrl, STEPCRITIC_MODEL: 'scripted-critic', STEPCRITIC_CACHE_DIR: cacheDir });

  it('prints ProcessBench scores and calibration per split, as Markdown', async () => {
    const run = await runCommand(evalCommand, [DATASET, '--limit', '6', '--no-cache'], env());
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /LLM critic: scripted-critic @ http:\/\/127\.0\.0\.1:\d+\/v1/);
    assert.match(run.stdout, /\| split \| solutions \| acc\. erroneous \(%\) \| acc\. correct \(%\) \| F1 \(%\) \| steps \| ECE \| Brier \| AUROC \|/);
    assert.match(run.stdout, /\| processbench\/gsm8k \| 6 \| /);
    assert.match(run.stdout, /Tokens: \d+ \(\d+ prompt \+ \d+ completion\) in 6 requests/);
  });

  it('stops at the budget, keeps what it judged, and resumes from the cache', async () => {
    const first = await runCommand(evalCommand, [DATASET, '--limit', '12', '--format', 'json', '--budget', '9000', '--concurrency', '1'], env());
    assert.equal(first.code, 0, first.stderr);
    const stopped = JSON.parse(first.stdout) as EvalReport;
    assert.match(stopped.stopped ?? '', /token budget reached: \d+ of 9000 tokens used/);
    assert.ok(stopped.overall.solutions > 0 && stopped.overall.solutions < 12, `${stopped.overall.solutions} judged`);
    assert.ok(stopped.usage.promptTokens + stopped.usage.completionTokens <= 9000);
    assert.match(first.stderr, /run the same command again to resume from the cache/);

    const before = server.chatRequests().length;
    const second = await runCommand(evalCommand, [DATASET, '--limit', '12', '--format', 'json', '--concurrency', '1'], env());
    const resumed = JSON.parse(second.stdout) as EvalReport;
    assert.equal(resumed.stopped, undefined);
    assert.equal(resumed.overall.solutions, 12);
    // The solutions judged before cost nothing now: one request for each of the others.
    assert.equal(server.chatRequests().length - before, 12 - stopped.overall.solutions);
    assert.equal(resumed.usage.requests, 12 - stopped.overall.solutions);
    assert.ok(resumed.usage.cachedSteps > 0);
  });

  it('an interrupted run reports what it judged and exits 130', async () => {
    const controller = new AbortController();
    server.setHandler(async (request, index) => {
      if (index === 2) controller.abort();
      return ruleBasedCriticHandler()(request, index);
    });
    try {
      const run = await runCommand(
        evalCommand,
        [join(PROCESSBENCH, 'math.json'), '--limit', '20', '--format', 'json', '--concurrency', '1', '--no-cache'],
        env(),
        controller.signal,
      );
      assert.equal(run.code, 130);
      const report = JSON.parse(run.stdout) as EvalReport;
      assert.match(report.stopped ?? '', /interrupted after \d+ solutions/);
      assert.ok(report.overall.solutions >= 2 && report.overall.solutions < 20);
    } finally {
      server.setHandler(ruleBasedCriticHandler({ incorrectPatterns: ['\\d+ - \\d+ = \\d+'] }));
    }
  });

  it('without an endpoint the verifiers alone are scored, and it says the critic is off', async () => {
    const run = await runCommand(evalCommand, [DATASET, '--limit', '3', '--format', 'json'], { STEPCRITIC_CACHE_DIR: cacheDir });
    assert.equal(run.code, 0);
    assert.match(run.stderr, /LLM critic off: no endpoint configured/);
    const report = JSON.parse(run.stdout) as EvalReport;
    assert.equal(report.overall.solutions, 3);
    assert.equal(report.usage.requests, 0);
  });

  it('usage errors: no dataset, unknown split, --seed without --sample', async () => {
    assert.equal((await runCommand(evalCommand, [], env())).code, 2);
    const run = await runCommand(evalCommand, [PROCESSBENCH, '--split', 'gsm9k'], env());
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no split gsm9k \(there are: processbench\/gsm8k, processbench\/math\)/);
    const seed = await runCommand(evalCommand, [DATASET, '--seed', '3'], env());
    assert.equal(seed.code, 2);
    assert.match(seed.stderr, /--seed goes with --sample N/);
  });

  it('names splits by folder and file, so that processbench/math and mr-ben/math stay apart', async () => {
    const run = await runCommand(evalCommand, [join(PROCESSBENCH, 'math.json'), join(DATASETS, 'mr-ben', 'math.json'), '--format', 'json', '--no-llm'], env());
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as EvalReport;
    assert.deepEqual(
      report.splits.map((s) => [s.split, s.solutions]),
      [
        ['processbench/math', 28],
        ['mr-ben/math', 24],
      ],
    );
    assert.equal(report.overall.solutions, 52);
    // --split takes the full name, or the file name when only one split has it.
    const only = await runCommand(
      evalCommand,
      [PROCESSBENCH, join(DATASETS, 'mr-ben'), '--split', 'mr-ben/math', '--split', 'gsm8k', '--format', 'json', '--no-llm'],
      env(),
    );
    assert.deepEqual(
      (JSON.parse(only.stdout) as EvalReport).splits.map((s) => s.split),
      ['processbench/gsm8k', 'mr-ben/math'],
    );
  });

  it('--sample N takes both labels of every split; --limit takes the file order', async () => {
    const limited = JSON.parse((await runCommand(evalCommand, [DATASET, '--limit', '8', '--format', 'json', '--no-llm'], env())).stdout) as EvalReport;
    assert.equal(limited.overall.correct.total, 0, 'the file lists its erroneous solutions first');
    assert.equal(limited.overall.f1, null);

    const run = await runCommand(evalCommand, [PROCESSBENCH, '--sample', '10', '--seed', '7', '--format', 'json', '--no-llm'], env());
    assert.equal(run.code, 0, run.stderr);
    const first = JSON.parse(run.stdout) as EvalReport;
    assert.equal(first.overall.solutions, 10);
    assert.deepEqual(first.sample, { size: 10, seed: 7 });
    for (const split of first.splits) {
      assert.ok(split.erroneous.total > 0 && split.correct.total > 0, `${split.split}: both labels (${split.erroneous.total}, ${split.correct.total})`);
    }
    assert.notEqual(first.overall.f1, null);
  });
});
