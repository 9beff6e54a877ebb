// `stepcritic eval`, `check` and `probe` with `--critic prm`, run as a user runs them (the built CLI as
// a process), against a scripted vLLM PRM that knows the ProcessBench labels of the committed sample:
// F1 100%, step P(True) equal to the scripted probabilities, one request per solution, and a solution
// too long for the model reported as "could not judge" with vLLM's reason.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EvalReport } from '../../src/engine/eval/run';
import type { Report } from '../../src/engine/report/schema';
import { REPO_ROOT, runCli } from '../cli/run-cli';
import { PRM_MODEL, labelledScorer, scriptedProbability, startScriptedPrmServer, type ScriptedPrmServer } from '../support/scripted-prm-server';

const SAMPLE = join(REPO_ROOT, 'test', 'fixtures', 'processbench', 'gsm8k-sample.json');
const records = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { id: string; problem: string; steps: string[]; label: number }[];

function prmArgs(server: ScriptedPrmServer): string[] {
  return ['--critic', 'prm', '--prm-base-url', server.baseUrl, '--prm-model', PRM_MODEL, '--no-cache'];
}

describe('stepcritic --critic prm', () => {
  let server: ScriptedPrmServer;
  before(async () => {
    server = await startScriptedPrmServer({ scorer: labelledScorer(records) });
  });
  after(() => server.close());

  it('eval: ProcessBench F1 100% against a PRM that knows the labels, one request per solution', async () => {
    const before = server.poolingRequests().length;
    const run = await runCli(['eval', SAMPLE, '--format', 'json', ...prmArgs(server)], { cwd: REPO_ROOT });
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stderr,
      /PRM critic: Qwen\/Qwen2\.5-Math-PRM-7B \(PRM, qwen2\.5-math-prm-7b\) @ http:\/\/127\.0\.0\.1:\d+\/v1 \(POST http:\/\/127\.0\.0\.1:\d+\/pooling\)/,
    );
    const report = JSON.parse(run.stdout) as EvalReport;
    assert.equal(report.model, PRM_MODEL);
    assert.deepEqual(report.overall.erroneous, { total: 12, right: 12, accuracy: 1 });
    assert.deepEqual(report.overall.correct, { total: 12, right: 12, accuracy: 1 });
    assert.equal(report.overall.f1, 1);
    assert.equal(report.usage.requests, records.length);
    assert.equal(report.usage.completionTokens, 0);
    assert.equal(server.poolingRequests().length - before, records.length);
  });

  it('check --format json: every step the PRM scored has the scripted P(True) to 1e-6', async () => {
    const run = await runCli(['check', SAMPLE, '--format', 'json', '--fail-on', 'never', ...prmArgs(server)], { cwd: REPO_ROOT });
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    let scored = 0;
    for (const entry of report.files) {
      const record = records[entry.record!.index]!;
      for (const step of entry.steps.filter((s) => s.source === 'prm')) {
        const expected = scriptedProbability(record.problem, record.steps, step.index, record.label);
        assert.ok(Math.abs(step.pTrue! - expected) < 1e-6, `${record.id} step ${step.index}: ${step.pTrue} vs ${expected}`);
        assert.match(step.message, /\(prm\)\. Scored by the process reward model Qwen\/Qwen2\.5-Math-PRM-7B; a PRM gives no reasons\./);
        scored++;
      }
    }
    assert.ok(scored > 80, `${scored} steps scored by the PRM`);
    // The verifiers still decide what they can: gsm8k-134's step 3 is a refuted computation.
    const refuted = report.files.find((e) => records[e.record!.index]!.id === 'gsm8k-134')!.steps[2]!;
    assert.equal(refuted.source, 'verifier');
    assert.equal(refuted.verdict, 'downstream');
  });

  it('a solution longer than the model takes: "could not judge" with the reason, the others judged, no crash', async () => {
    const small = await startScriptedPrmServer({ scorer: labelledScorer(records), maxModelLen: 250 });
    try {
      const run = await runCli(['check', SAMPLE, '--format', 'json', '--fail-on', 'never', ...prmArgs(small)], { cwd: REPO_ROOT });
      assert.equal(run.status, 0, run.stderr);
      const report = JSON.parse(run.stdout) as Report;
      const tooLong = report.files.filter((e) => e.steps.some((s) => s.verdict === 'error'));
      const judged = report.files.filter((e) => e.steps.some((s) => s.source === 'prm'));
      assert.ok(tooLong.length > 0 && judged.length > 0, `${tooLong.length} too long, ${judged.length} judged`);
      assert.match(
        tooLong[0]!.steps.find((s) => s.verdict === 'error')!.message,
        /^Could not judge: the solution is longer than the PRM's context \(400 from http:\/\/127\.0\.0\.1:\d+\/pooling: This model's maximum context length is 250 tokens\. However, you requested \d+ tokens in the input for embedding generation\. Please reduce the length of the input\.\)$/,
      );
      assert.equal(small.poolingRequests().length, records.length, 'one request per solution, none retried');
    } finally {
      await small.close();
    }
  });

  it('probe --critic prm reports a pooling model and the API it speaks', async () => {
    const run = await runCli(['probe', '--critic', 'prm', '--prm-base-url', server.baseUrl, '--prm-model', PRM_MODEL], { cwd: REPO_ROOT });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Pooling: {3}POST http:\/\/127\.0\.0\.1:\d+\/pooling$/m);
    assert.match(run.stdout, /^Format: {4}a pooling model; `token_classify` task, 2 classes per step$/m);
    assert.match(run.stdout, /^The PRM works for the critic\.$/m);
  });

  it('probe (chat) on a PRM says it is a pooling model and how to use it', async () => {
    const run = await runCli(['probe', '--base-url', server.baseUrl, '--model', PRM_MODEL], { cwd: REPO_ROOT });
    assert.equal(run.status, 1);
    assert.match(run.stdout, /Note:\s+"Qwen\/Qwen2\.5-Math-PRM-7B" is a pooling model \(POST \/pooling answers\): use it with --critic prm/);
  });

  it('--critic prm without a model is a usage error that says what to set', async () => {
    const run = await runCli(['check', SAMPLE, '--critic', 'prm'], { cwd: REPO_ROOT });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--critic prm: no process reward model configured \(set --prm-model or STEPCRITIC_PRM_MODEL\)/);
  });
});
