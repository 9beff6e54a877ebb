// `stepcritic probe` against the scripted server: what it finds, and for each failure a message that
// says what to change.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { probeCommand } from '../../src/cli/commands/probe';
import type { ProbeResult } from '../../src/engine/llm/probe';
import { completion, hang, ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { runCommand } from './run-command';

describe('stepcritic probe', () => {
  let server: ScriptedLlmServer;
  let cacheDir: string;
  const critic = () => ruleBasedCriticHandler({ incorrectPatterns: ['12 − 5 = 8'] });
  before(async () => {
    server = await startScriptedLlmServer({ models: ['critic-a', 'critic-b'], handler: critic() });
    cacheDir = await mkdtemp(join(tmpdir(), 'stepcritic-probe-'));
  });
  after(async () => {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  const probe = (args: string[], env: NodeJS.ProcessEnv = {}) => runCommand(probeCommand, args, { STEPCRITIC_CACHE_DIR: cacheDir, ...env });

  it('has a two-step solution critiqued, reads both verdicts, and says where P(True) comes from and why', async (t) => {
    // Paced like a batching server (many slots, 150 tokens/s): its replies last long enough (0.4 s) to be
    // seen side by side on a loaded machine; an unpaced reply is written whole in one go.
    const batching = await startScriptedLlmServer({ models: ['critic-a', 'critic-b'], handler: critic(), pace: { slots: 64, tokensPerSecond: 150 } });
    t.after(() => batching.close());
    const run = await probe(['--base-url', batching.baseUrl, '--model', 'critic-a']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Models:\s+critic-a, critic-b/);
    assert.match(run.stdout, /Critique:\s+step 1 correct \(P\(True\) 0\.95, logprobs\); step 2 incorrect \(P\(True\) 0\.05, logprobs\)/);
    assert.match(run.stdout, /P\(True\):\s+from logprobs: the endpoint returns log-probabilities \(20 alternatives at the verdict token\)/);
    assert.match(run.stdout, /Structured:\s+a JSON schema shapes every reply/);
    assert.match(run.stdout, /Speed:\s+first token after \d+ ms/);
    assert.match(run.stdout, /Concurrency:\s+4 requests sent together were answered side by side/);
    assert.match(run.stdout, /The endpoint works for the critic\./);
    assert.match(run.stdout, /API key:\s+none sent/);
    const critique = batching.chatRequests().find((r) => r.userText.includes('<step number="2">'))!;
    assert.equal(critique.chat.stream, true);
    assert.equal(critique.chat.response_format?.type, 'json_schema');
    assert.equal((await readdir(join(cacheDir, 'endpoints'))).length, 1, 'what it learned is kept for the next check');
  });

  it('says when there are no log-probabilities, and that P(True) will be the vote of samples', async () => {
    server.setHandler(ruleBasedCriticHandler({ logprobs: false, incorrectPatterns: ['12 − 5 = 8'] }));
    const run = await probe(['--base-url', server.baseUrl, '--model', 'critic-a', '--json']);
    server.setHandler(critic());
    assert.equal(run.code, 0, run.stdout);
    const result = JSON.parse(run.stdout) as ProbeResult;
    assert.equal(result.logprobs, false);
    assert.equal(result.pTrueSource, 'samples');
    assert.match(result.pTrueReason ?? '', /no log-probabilities come back; the vote share of 5 sampled verdicts, from one request with n = 5/);
    assert.match(result.adaptations.join(' '), /no log-probabilities came back: P\(True\) from the vote of 5 samples/);
    assert.deepEqual(
      result.critique?.map((s) => [s.verdict, s.source]),
      [
        ['correct', 'samples'],
        ['incorrect', 'samples'],
      ],
    );
  });

  it('a model that does not write the JSON: the probe fails and says what to change', async () => {
    server.setHandler(() => completion('\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n'));
    const run = await probe(['--base-url', server.baseUrl, '--model', 'critic-a']);
    server.setHandler(critic());
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /Problem:\s+The critique came back, but step 1 could not be judged: the critic's reply could not be read, even after one repair request \(the reply held no JSON/,
    );
    assert.match(run.stdout, /Fix:\s+The model does not write the JSON the critic asks for: use a larger or instruction-tuned model/);
    assert.match(run.stdout, /The endpoint does not work for the critic yet\./);
  });

  it('a reply cut off at its token limit: the probe fails and says which setting to raise', async () => {
    server.setHandler(() => completion(`{"steps": [{"step": 1, "analysis": "${'very long analysis '.repeat(200)}`));
    const run = await probe(['--base-url', server.baseUrl, '--model', 'critic-a', '--max-tokens-per-step', '60']);
    server.setHandler(critic());
    assert.equal(run.code, 1);
    assert.match(run.stdout, /could not be judged: the reply was cut off at 160 tokens \(the limit for 2 steps\)/);
    assert.match(run.stdout, /Fix:\s+Raise --max-tokens-per-step \(now 60\)\./);
  });

  it('adds a missing /v1 and says so', async () => {
    const run = await probe(['--base-url', server.baseUrl.replace(/\/v1$/, '/'), '--model', 'critic-a']);
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /Endpoint:\s+http:\/\/127\.0\.0\.1:\d+\/v1\s+\(added \/v1\)/);
  });

  it('connection refused: start the server or fix the port', async () => {
    const gone = await startScriptedLlmServer();
    const url = gone.baseUrl;
    await gone.close();
    const run = await probe(['--base-url', url, '--model', 'critic-a']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /Problem:\s+Nothing is listening at 127\.0\.0\.1:\d+ \(connection refused\)\./);
    assert.match(run.stdout, /Fix:\s+Start the server, or fix the port in --base-url/);
  });

  it('401: the key is missing or wrong, and where to set it', async () => {
    const keyed = await startScriptedLlmServer({ apiKey: 'sk-right-0123456789abcdef' });
    try {
      const none = await probe(['--base-url', keyed.baseUrl, '--model', 'scripted-critic']);
      assert.equal(none.code, 1);
      assert.match(none.stdout, /unauthorised \(401\)/);
      assert.match(none.stdout, /No API key was sent: set STEPCRITIC_API_KEY/);
      const wrong = await probe(['--base-url', keyed.baseUrl, '--model', 'scripted-critic'], { STEPCRITIC_API_KEY: 'sk-wrong-0123456789abcdef' });
      assert.match(wrong.stdout, /The API key is wrong or has no access/);
      assert.match(wrong.stdout, /API key:\s+from STEPCRITIC_API_KEY/);
      assert.ok(!wrong.stdout.includes('sk-wrong-0123456789abcdef') && !wrong.stderr.includes('sk-wrong'));
      const right = await probe(['--base-url', keyed.baseUrl, '--model', 'scripted-critic'], { OPENAI_API_KEY: 'sk-right-0123456789abcdef' });
      assert.equal(right.code, 0, right.stdout);
      assert.match(right.stdout, /API key:\s+from OPENAI_API_KEY/);
    } finally {
      await keyed.close();
    }
  });

  it('404 from a wrong path: check the base URL path', async () => {
    const run = await probe(['--base-url', server.baseUrl.replace(/\/v1$/, '/api/v1'), '--model', 'critic-a']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /Problem:\s+There is no OpenAI-compatible API at http:\/\/127\.0\.0\.1:\d+\/api\/v1/);
    assert.match(run.stdout, /Fix:\s+Check the path of the base URL \(now \/api\/v1\): most servers serve the API under \/v1/);
  });

  it('unknown model: which models there are', async () => {
    const run = await probe(['--base-url', server.baseUrl, '--model', 'critic-z']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /Note:\s+The model "critic-z" is not in the endpoint's list \(critic-a, critic-b\)/);
    assert.match(run.stdout, /Problem:\s+The endpoint does not serve the model "critic-z"\./);
    assert.match(run.stdout, /Fix:\s+Set --model \/ STEPCRITIC_MODEL to one of the models it lists\. It lists: critic-a, critic-b\./);
  });

  it('timeout: the server may be loading the model', async () => {
    server.setHandler(() => hang());
    const run = await probe(['--base-url', server.baseUrl, '--model', 'critic-a', '--timeout', '150']);
    server.setHandler(critic());
    assert.equal(run.code, 1);
    assert.match(run.stdout, /Problem:\s+Nothing came back for 150 ms\./);
    assert.match(run.stdout, /Fix:\s+The server may still be loading the model/);
  });

  it('no endpoint configured: a usage error saying what to set', async () => {
    const run = await probe([]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no endpoint configured \(set --base-url or STEPCRITIC_BASE_URL/);
  });
});
