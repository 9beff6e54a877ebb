// The offline vLLM road as a user takes it: `stepcritic batch export` writes the critic requests,
// `vllm run-batch` (played by the scripted critic, results in scrambled order) answers them, and
// `stepcritic batch import` judges with those replies: the run log's verdicts equal a live run's
// against the same scripted critic. Failed and missing results are "could not judge" with the
// reason, and --resume --retry-errors with a complete results file judges those again.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { solutionOfCustomId } from '../../src/engine/llm/batch-request';
import { makeTree, runCli } from '../cli/run-cli';
import { runScriptedBatch } from '../support/scripted-batch';
import { ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { runLogVerdicts, slipDataset, SLIP_RULES } from './support/batch-fixture';

const RECORDS = 30;

const MODEL = ['--provider', 'vllm', '--model', 'scripted-critic'];

describe('stepcritic batch export / import (vllm run-batch)', () => {
  let server: ScriptedLlmServer;
  let tree: ReturnType<typeof makeTree>;
  const cwd = () => tree.dir;
  before(async () => {
    server = await startScriptedLlmServer({ handler: ruleBasedCriticHandler(SLIP_RULES) });
    tree = makeTree({ 'data.jsonl': slipDataset(RECORDS) });
  });
  after(async () => {
    await server.close();
    tree.remove();
  });

  it('export → run-batch → import gives the verdicts of a live run, joined by custom_id', async () => {
    const live = await runCli(['check', 'data.jsonl', '--base-url', server.baseUrl, '--model', 'scripted-critic', '--no-cache', '--run-log', 'live.jsonl'], {
      cwd: cwd(),
    });
    assert.equal(live.status, 1, live.stderr);

    const exported = await runCli(['batch', 'export', 'data.jsonl', ...MODEL, '--out', 'requests.jsonl'], { cwd: cwd() });
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(exported.stderr, /wrote [\d,]+ requests for 30 solutions to requests\.jsonl \([\d.]+ kB, model scripted-critic\)/);
    const lines = readFileSync(join(cwd(), 'requests.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const ids = lines.map((l) => l.custom_id as string);
    assert.equal(new Set(ids).size, ids.length, 'custom_ids are unique');
    for (const line of lines) {
      assert.equal(line.method, 'POST');
      assert.equal(line.url, '/v1/chat/completions');
      assert.equal((line.body as { model: string }).model, 'scripted-critic');
      assert.equal((line.body as { stream?: boolean }).stream, undefined);
    }
    assert.equal(new Set(ids.map((id) => solutionOfCustomId(id))).size, RECORDS, 'every solution has its requests');
    assert.ok(ids.includes(ids.find((id) => id.startsWith('steps-1-3:'))!.replace('steps-1-3:', 'steps-1-3.sample-2:')), 'samples have ids of their own');

    // Exported twice: the same ids (stable), and the file is never overwritten without --force.
    const again = await runCli(['batch', 'export', 'data.jsonl', ...MODEL, '--out', 'requests.jsonl'], { cwd: cwd() });
    assert.equal(again.status, 2);
    assert.match(again.stderr, /--force/);
    const forced = await runCli(['batch', 'export', 'data.jsonl', ...MODEL, '--out', 'requests.jsonl', '--force'], { cwd: cwd() });
    assert.equal(forced.status, 0, forced.stderr);
    assert.deepEqual(
      readFileSync(join(cwd(), 'requests.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { custom_id: string }).custom_id)
        .sort(),
      [...ids].sort(),
    );

    await runScriptedBatch(join(cwd(), 'requests.jsonl'), join(cwd(), 'results.jsonl'), { handler: ruleBasedCriticHandler(SLIP_RULES) });
    const requestsBefore = server.requests.length;
    const imported = await runCli(['batch', 'import', 'results.jsonl', ...MODEL, '--run-log', 'batch.jsonl', '--format', 'json', '--out', 'report.json'], {
      cwd: cwd(),
    });
    assert.equal(imported.status, 1, imported.stderr);
    assert.equal(server.requests.length, requestsBefore, 'an import sends nothing');
    const fromBatch = await runLogVerdicts(join(cwd(), 'batch.jsonl'));
    const fromLive = await runLogVerdicts(join(cwd(), 'live.jsonl'));
    assert.equal(fromBatch.size, RECORDS);
    assert.deepEqual(fromBatch, fromLive);
    const report = JSON.parse(readFileSync(join(cwd(), 'report.json'), 'utf8')) as { summary: { solutions: { incorrect: number } } };
    assert.equal(report.summary.solutions.incorrect, RECORDS / 5);
  });

  it('failed and missing results are "could not judge" with the reason; --resume --retry-errors judges them from a later file', async () => {
    const requests = join(cwd(), 'requests.jsonl');
    const failing: Record<string, 'error' | 'status' | 'missing'> = { 'data.jsonl#1': 'error', 'data.jsonl#2': 'status', 'data.jsonl#3': 'missing' };
    await runScriptedBatch(requests, join(cwd(), 'partial.jsonl'), {
      handler: ruleBasedCriticHandler(SLIP_RULES),
      fail: (id) => failing[solutionOfCustomId(id) ?? ''],
    });
    const first = await runCli(['batch', 'import', 'partial.jsonl', 'data.jsonl', ...MODEL, '--run-log', 'partial-run.jsonl', '--format', 'json'], {
      cwd: cwd(),
    });
    const report = JSON.parse(first.stdout) as { files: { uri: string; verdict: string; steps: { verdict: string; explanation?: string }[] }[] };
    const byId = new Map(report.files.map((f) => [f.uri, f]));
    const reasonOf = (id: string) => JSON.stringify(byId.get(id)!.steps.filter((s) => s.verdict === 'error'));
    assert.match(reasonOf('data.jsonl#1'), /the batch could not run this request \(server_error: The engine failed on this request\.\)/);
    assert.match(reasonOf('data.jsonl#2'), /failed with status 400: Too many tokens in the prompt/);
    assert.match(reasonOf('data.jsonl#3'), /the batch results have no reply to this request/);
    assert.equal(byId.get('data.jsonl#4')!.steps.filter((s) => s.verdict === 'error').length, 0);

    // A corrupt line is counted, not fatal.
    writeFileSync(join(cwd(), 'results.jsonl'), `${readFileSync(join(cwd(), 'results.jsonl'), 'utf8')}{"broken\n`);
    const retried = await runCli(['batch', 'import', 'results.jsonl', 'data.jsonl', ...MODEL, '--run-log', 'partial-run.jsonl', '--resume', '--retry-errors'], {
      cwd: cwd(),
    });
    assert.equal(retried.status, 1, retried.stderr);
    assert.match(retried.stderr, /1 line of results\.jsonl are not batch results/);
    assert.match(retried.stdout, /27 already in the run log/);
    assert.deepEqual(await runLogVerdicts(join(cwd(), 'partial-run.jsonl')), await runLogVerdicts(join(cwd(), 'live.jsonl')));
  });

  it('says how many results answered no request of the run, and judges with the others', async () => {
    const stray = { custom_id: 'steps-1-2:0123456789ab:other.jsonl#7', response: { status_code: 200, body: { choices: [] } }, error: null };
    writeFileSync(join(cwd(), 'stray.jsonl'), `${readFileSync(join(cwd(), 'results.jsonl'), 'utf8')}${JSON.stringify(stray)}\n`);
    const run = await runCli(['batch', 'import', 'stray.jsonl', 'data.jsonl', ...MODEL, '--run-log', 'stray-run.jsonl'], { cwd: cwd() });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /1 result answered no request of this run/);
    assert.deepEqual(await runLogVerdicts(join(cwd(), 'stray-run.jsonl')), await runLogVerdicts(join(cwd(), 'live.jsonl')));
  });

  it('refuses what cannot work: no --out, no model, no results file', async () => {
    const noOut = await runCli(['batch', 'export', 'data.jsonl', ...MODEL], { cwd: cwd() });
    assert.equal(noOut.status, 2);
    assert.match(noOut.stderr, /batch export needs --out FILE/);
    const noModel = await runCli(['batch', 'export', 'data.jsonl', '--out', 'none.jsonl'], { cwd: cwd() });
    assert.equal(noModel.status, 2);
    assert.match(noModel.stderr, /needs the LLM critic/);
    assert.throws(() => readFileSync(join(cwd(), 'none.jsonl')), 'no empty request file is left behind');
    const noFile = await runCli(['batch', 'import', 'nothing.jsonl', ...MODEL], { cwd: cwd() });
    assert.equal(noFile.status, 2);
    assert.match(noFile.stderr, /cannot read the results file nothing\.jsonl/);
    const what = await runCli(['batch'], { cwd: cwd() });
    assert.equal(what.status, 2);
  });
});
