// `stepcritic probe` against the scripted server: what it finds, and for each failure a message that
// says what to change.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { probeCommand } from '../../src/cli/commands/probe';
import { completion, hang, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { runCommand } from './run-command';

describe('stepcritic probe', () => {
  let server: ScriptedLlmServer;
  before(async () => {
    server = await startScriptedLlmServer({ models: ['critic-a', 'critic-b'] });
  });
  after(() => server.close());

  const probe = (args: string[], env: NodeJS.ProcessEnv = {}) => runCommand(probeCommand, args, env);

  it('works, finds the log-probabilities, reads a P(True)', async () => {
    const run = await probe(['--base-url', server.baseUrl, '--model', 'critic-a']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Models:\s+critic-a, critic-b/);
    assert.match(run.stdout, /P\(True\):\s+from log-probabilities of the verdict token \(test question: P\(True\) 0\.950\)/);
    assert.match(run.stdout, /The endpoint works for the critic\./);
    assert.match(run.stdout, /API key:\s+none sent/);
  });

  it('says when there are no log-probabilities and what P(True) will be instead', async () => {
    server.setHandler(() => completion('{"verdict": "True"}'));
    const run = await probe(['--base-url', server.baseUrl, '--model', 'critic-a', '--json']);
    server.setHandler((await import('../support/scripted-llm-server')).ruleBasedCriticHandler());
    assert.equal(run.code, 0);
    const result = JSON.parse(run.stdout) as { logprobs: boolean; pTrueSource: string; notes: string[] };
    assert.equal(result.logprobs, false);
    assert.equal(result.pTrueSource, 'samples');
    assert.match(result.notes.join(' '), /vote share of 5 sampled verdicts/);
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
    server.setHandler((await import('../support/scripted-llm-server')).ruleBasedCriticHandler());
    assert.equal(run.code, 1);
    assert.match(run.stdout, /Problem:\s+No reply within 150 ms\./);
    assert.match(run.stdout, /Fix:\s+The server may still be loading the model/);
  });

  it('no endpoint configured: a usage error saying what to set', async () => {
    const run = await probe([]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no endpoint configured \(set --base-url or STEPCRITIC_BASE_URL/);
  });
});
