// `stepcritic eval --batch-api` against the scripted server's Files and Batch APIs: the scores equal a
// live eval's with the same scripted critic and nothing is sent live; --sample asks about the sampled
// solutions only; a run killed while it polls is resumed with --resume without a second upload.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { solutionOfCustomId } from '../../src/engine/llm/batch-request';
import { makeTree, runCli, startCli } from '../cli/run-cli';
import { scriptedBatchServer, type ScriptedBatchServerOptions } from '../support/scripted-batch-server';
import { ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { slipDataset, SLIP_RULES } from './support/batch-fixture';

const RECORDS = 30;
const env = { STEPCRITIC_API_KEY: 'sk-batch-test-key-1234' };

interface EvalScores {
  overall: { solutions: number; erroneous: unknown; correct: unknown; f1: number | null; calibration: unknown };
}

/** What two eval runs must agree on: the scores, not the time or the usage. */
function scores(stdout: string): unknown {
  const { overall } = JSON.parse(stdout) as EvalScores;
  return { solutions: overall.solutions, erroneous: overall.erroneous, correct: overall.correct, f1: overall.f1, calibration: overall.calibration };
}

async function batchServer(options: ScriptedBatchServerOptions = {}): Promise<{ server: ScriptedLlmServer; batches: ReturnType<typeof scriptedBatchServer> }> {
  const batches = scriptedBatchServer({ handler: ruleBasedCriticHandler(SLIP_RULES), ...options });
  const server = await startScriptedLlmServer({ handler: ruleBasedCriticHandler(SLIP_RULES), routes: batches.routes, apiKey: env.STEPCRITIC_API_KEY });
  return { server, batches };
}

describe('stepcritic eval --batch-api', () => {
  let tree: ReturnType<typeof makeTree>;
  let live: unknown;
  const servers: ScriptedLlmServer[] = [];
  const endpoint = (server: ScriptedLlmServer) => ['--base-url', server.baseUrl, '--model', 'scripted-critic', '--samples', '1', '--format', 'json'];
  const batchFlags = ['--batch-api', '--batch-poll', '0.02'];

  before(async () => {
    tree = makeTree({ 'data.jsonl': slipDataset(RECORDS) });
    const { server } = await batchServer();
    servers.push(server);
    const run = await runCli(['eval', 'data.jsonl', ...endpoint(server), '--no-cache'], { cwd: tree.dir, env });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(server.chatRequests().length > 0);
    live = scores(run.stdout);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    tree.remove();
  });

  it('scores from the batches as a live eval does, sending nothing live', async () => {
    const { server, batches } = await batchServer();
    servers.push(server);
    const run = await runCli(['eval', 'data.jsonl', ...endpoint(server), ...batchFlags, '--batch-max-requests', '20', '--run-log', 'eval-run.jsonl'], {
      cwd: tree.dir,
      env,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(server.chatRequests().length, 0, 'nothing is sent live');
    assert.deepEqual(
      batches.uploads().map((f) => f.content.trim().split('\n').length),
      [20, 10],
    );
    assert.match(run.stderr, /submitted 30 requests in 2 batches/);
    assert.deepEqual(scores(run.stdout), live);
  });

  it('asks only about the sampled solutions', async () => {
    const { server, batches } = await batchServer();
    servers.push(server);
    const run = await runCli(['eval', 'data.jsonl', ...endpoint(server), ...batchFlags, '--sample', '8', '--run-log', 'sampled.jsonl'], { cwd: tree.dir, env });
    assert.equal(run.status, 0, run.stderr);
    const asked = new Set(
      batches
        .uploads()
        .flatMap((f) => f.content.trim().split('\n'))
        .map((line) => solutionOfCustomId((JSON.parse(line) as { custom_id: string }).custom_id)),
    );
    assert.equal(asked.size, 8);
    assert.equal((JSON.parse(run.stdout) as EvalScores).overall.solutions, 8);
  });

  it('killed while it polls, --resume re-attaches without uploading again and scores the same', async () => {
    const { server, batches } = await batchServer({ msPerRequest: 40 });
    servers.push(server);
    const args = ['eval', 'data.jsonl', ...endpoint(server), ...batchFlags, '--run-log', 'killed.jsonl'];
    const first = startCli(args, { cwd: tree.dir, env });
    await server.waitFor(() => batches.batches().length === 1 && server.requests.filter((r) => r.path.startsWith('/v1/batches/')).length >= 3, 20_000);
    first.child.kill('SIGKILL');
    await first.done;
    assert.equal(batches.batches()[0]!.ended, undefined, 'killed while the batch ran');

    const again = await runCli(args, { cwd: tree.dir, env });
    assert.equal(again.status, 2, 'the log is not continued without --resume');
    assert.match(again.stderr, /--resume/);

    const resumed = await runCli([...args, '--resume'], { cwd: tree.dir, env, timeoutMs: 60_000 });
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, /re-attached to batch batch_\d+ \(nothing uploaded again\)/);
    assert.equal(batches.uploads().length, 1, 'one upload in all');
    assert.deepEqual(scores(resumed.stdout), live);
  });

  it('needs a run log; --resume needs one too', async () => {
    const noLog = await runCli(['eval', 'data.jsonl', '--base-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--batch-api'], { cwd: tree.dir });
    assert.equal(noLog.status, 2);
    assert.match(noLog.stderr, /--batch-api needs --run-log FILE/);
    const stray = await runCli(['eval', 'data.jsonl', '--no-llm', '--resume'], { cwd: tree.dir });
    assert.equal(stray.status, 2);
    assert.match(stray.stderr, /--resume continues the run in --run-log FILE/);
  });
});
