// `stepcritic check --batch-api` against the scripted server's Files and Batch APIs (statuses that move
// with time, results out of order, an error file, an expired batch): the run log's verdicts equal a live
// run's with the same scripted critic; request files are split by the limits; a run killed while it
// polls is resumed without a second upload; an expired batch keeps its answers and the rest are
// resubmitted; a failed request is "could not judge" until --resume --retry-errors resubmits it alone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { solutionOfCustomId } from '../../src/engine/llm/batch-request';
import { makeTree, runCli, startCli } from '../cli/run-cli';
import { scriptedBatchServer, type ScriptedBatchServerOptions } from '../support/scripted-batch-server';
import { ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { PERSONALITIES } from '../support/llm-personalities';
import { loadRunLog } from '../support/run-log';
import { runLogVerdicts, slipDataset, SLIP_RULES } from './support/batch-fixture';

const RECORDS = 40;

function logLines(path: string): { type: string; id?: string; status?: string; requests?: number }[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string });
}

async function batchServer(options: ScriptedBatchServerOptions): Promise<{ server: ScriptedLlmServer; batches: ReturnType<typeof scriptedBatchServer> }> {
  const batches = scriptedBatchServer({ handler: ruleBasedCriticHandler(SLIP_RULES), ...options });
  const server = await startScriptedLlmServer({ handler: ruleBasedCriticHandler(SLIP_RULES), routes: batches.routes, apiKey: 'sk-batch-test-key-1234' });
  return { server, batches };
}

describe('stepcritic check --batch-api', () => {
  let tree: ReturnType<typeof makeTree>;
  let live: Map<string, string>;
  const cwd = () => tree.dir;
  const servers: ScriptedLlmServer[] = [];
  const flags = (server: ScriptedLlmServer) => ['--base-url', server.baseUrl, '--model', 'scripted-critic', '--batch-api', '--batch-poll', '0.02'];
  const env = { STEPCRITIC_API_KEY: 'sk-batch-test-key-1234' };

  before(async () => {
    tree = makeTree({ 'data.jsonl': slipDataset(RECORDS) });
    const { server } = await batchServer({});
    servers.push(server);
    const run = await runCli(['check', 'data.jsonl', '--base-url', server.baseUrl, '--model', 'scripted-critic', '--no-cache', '--run-log', 'live.jsonl'], {
      cwd: cwd(),
      env,
    });
    assert.equal(run.status, 1, run.stderr);
    live = await runLogVerdicts(join(cwd(), 'live.jsonl'));
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    tree.remove();
  });

  it('judges through batches split by the limits, with the verdicts of a live run and the batch price', async () => {
    const { server, batches } = await batchServer({});
    servers.push(server);
    const run = await runCli(['check', 'data.jsonl', ...flags(server), '--batch-max-requests', '50', '--price', '2/8', '--run-log', 'api.jsonl'], {
      cwd: cwd(),
      env,
    });
    assert.equal(run.status, 1, run.stderr);
    assert.equal(server.chatRequests().length, 0, 'nothing is sent live');
    // 40 solutions, each its request and 4 samples: 200 requests, 50 a file.
    assert.deepEqual(
      batches.uploads().map((f) => f.content.trim().split('\n').length),
      [50, 50, 50, 50],
    );
    assert.match(run.stderr, /submitted 200 requests in 4 batches/);
    assert.match(run.stderr, /at most 200 requests .* about \$[\d.]+ at the batch price \(half the live one\)/);
    assert.deepEqual(await runLogVerdicts(join(cwd(), 'api.jsonl')), live);
    const lines = logLines(join(cwd(), 'api.jsonl'));
    assert.equal(lines.filter((l) => l.type === 'batch').length, 4);
    assert.deepEqual(
      lines.filter((l) => l.type === 'batch-end').map((l) => l.status),
      ['completed', 'completed', 'completed', 'completed'],
    );
    assert.ok(!(run.stdout + run.stderr + readFileSync(join(cwd(), 'api.jsonl'), 'utf8')).includes('test-key-1234'));
  });

  it('killed while it polls, --resume re-attaches to the batch without uploading again', async () => {
    const { server, batches } = await batchServer({ msPerRequest: 40 });
    servers.push(server);
    const args = ['check', 'data.jsonl', ...flags(server), '--samples', '1', '--run-log', 'killed.jsonl'];
    const first = startCli(args, { cwd: cwd(), env });
    await server.waitFor(() => batches.batches().length === 1 && server.requests.filter((r) => r.path.startsWith('/v1/batches/')).length >= 3, 20_000);
    first.child.kill('SIGKILL');
    await first.done;
    assert.equal(batches.batches()[0]!.ended, undefined, 'killed while the batch ran');
    assert.equal(logLines(join(cwd(), 'killed.jsonl')).filter((l) => l.type === 'batch').length, 1);

    const resumed = await runCli([...args, '--resume'], { cwd: cwd(), env, timeoutMs: 60_000 });
    assert.equal(resumed.status, 1, resumed.stderr);
    assert.match(resumed.stderr, /re-attached to batch batch_\d+ \(nothing uploaded again\)/);
    assert.equal(batches.uploads().length, 1, 'one upload in all');
    assert.equal(batches.batches().length, 1);
    assert.deepEqual(await runLogVerdicts(join(cwd(), 'killed.jsonl')), live);
  });

  it('an expired batch keeps its answers and the rest is resubmitted; a failed request waits for --retry-errors', async () => {
    let failing = true;
    const { server, batches } = await batchServer({
      expire: { batch: 0, after: 15 },
      fail: (id) => (failing && solutionOfCustomId(id) === 'data.jsonl#7' ? 'error' : undefined),
    });
    servers.push(server);
    const args = ['check', 'data.jsonl', ...flags(server), '--samples', '1', '--run-log', 'expired.jsonl'];
    const run = await runCli(args, { cwd: cwd(), env });
    assert.match(run.stderr, /batch batch_\d+ expired: its \d+ answers are kept/);
    // The 25 it never ran, and the one that failed (it fails again).
    assert.match(run.stderr, /resubmitted the unanswered: 26 requests in 1 batch/);
    assert.deepEqual(
      batches.uploads().map((f) => f.content.trim().split('\n').length),
      [40, 26],
    );
    const afterFirst = await runLogVerdicts(join(cwd(), 'expired.jsonl'));
    assert.equal(afterFirst.size, RECORDS);
    for (const [id, verdict] of afterFirst) if (id !== 'data.jsonl#7') assert.equal(verdict, live.get(id), id);
    const { items } = await loadRunLog(join(cwd(), 'expired.jsonl'));
    const seven = items.find((i) => i.id === 'data.jsonl#7')!;
    assert.match(JSON.stringify(seven.entry.steps), /the batch could not run this request \(server_error: The engine failed on this request\.\)/);

    failing = false;
    const retried = await runCli([...args, '--resume', '--retry-errors'], { cwd: cwd(), env });
    assert.equal(retried.status, 1, retried.stderr);
    assert.equal(batches.uploads().length, 3);
    assert.equal(batches.uploads()[2]!.content.trim().split('\n').length, 1, 'only the failed request is resubmitted');
    assert.deepEqual(await runLogVerdicts(join(cwd(), 'expired.jsonl')), live);
  });

  it('a reasoning model refuses the first batch as sent: the critic learns from the refusals and asks again, adapted', async () => {
    const reasoning = PERSONALITIES['openai-reasoning'];
    const critic = ruleBasedCriticHandler(SLIP_RULES);
    const { server, batches } = await batchServer({ handler: (request, index) => reasoning.refuse!(request.chat) ?? critic(request, index) });
    servers.push(server);
    const args = ['check', 'data.jsonl', ...flags(server), '--samples', '1', '--cache-dir', 'reasoning-cache', '--run-log', 'reasoning.jsonl'];
    const run = await runCli(args, { cwd: cwd(), env });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /the endpoint refused requests as they were sent: asking the refused ones again, adapted/);
    assert.match(run.stderr, /max_completion_tokens.*default temperature/s);
    const [refused, adapted] = batches.uploads().map((f) =>
      f.content
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { body: Record<string, unknown> }).body),
    );
    assert.equal(batches.uploads().length, 2, 'one round to learn, one to answer');
    assert.equal(refused!.length, RECORDS);
    assert.equal(adapted!.length, RECORDS);
    for (const body of adapted!) {
      assert.equal(body.max_tokens, undefined);
      assert.equal(typeof body.max_completion_tokens, 'number');
      assert.equal(body.temperature, undefined);
      assert.ok(!body.logprobs);
    }
    // P(True) cannot come from log-probabilities now; the verdicts are the live run's.
    const verdictsOnly = (log: Map<string, string>) =>
      new Map(
        [...log].map(([id, v]) => [
          id,
          JSON.stringify((JSON.parse(v) as [string, [string][]]).flatMap((x) => (typeof x === 'string' ? [x] : x.map((s) => s[0])))),
        ]),
      );
    assert.deepEqual(
      verdictsOnly(await runLogVerdicts(join(cwd(), 'reasoning.jsonl'))),
      verdictsOnly(live),
      'every solution judged, with the verdicts of a live run',
    );
    // What was learned is kept for the endpoint: the next batch is asked right the first time.
    const again = await runCli(
      ['check', 'data.jsonl', ...flags(server), '--samples', '1', '--cache-dir', 'reasoning-cache', '--run-log', 'reasoning-2.jsonl'],
      {
        cwd: cwd(),
        env,
      },
    );
    assert.equal(again.status, 1, again.stderr);
    assert.equal(batches.uploads().length, 3);
    assert.equal(batches.batches()[2]!.ended?.failed, 0);
  });

  it('needs a run log, and an endpoint', async () => {
    const noLog = await runCli(['check', 'data.jsonl', '--base-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--batch-api'], { cwd: cwd() });
    assert.equal(noLog.status, 2);
    assert.match(noLog.stderr, /--batch-api needs --run-log FILE/);
    const stray = await runCli(['check', 'data.jsonl', '--batch-poll', '1'], { cwd: cwd() });
    assert.equal(stray.status, 2);
    assert.match(stray.stderr, /go with --batch-api/);
  });
});
