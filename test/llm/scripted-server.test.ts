// The scripted server itself (other engineers' tests rely on it): routes, faults, what it records,
// the rule-based critic, and its CLI mode.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pTrueForValues, STEP_WORDS } from '../../src/engine/llm/logprobs';
import { buildStepCritiqueMessages, parseStepCritiqueReply } from '../../src/engine/llm/protocol';
import { dropConnection, rateLimited, ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';

const messages = buildStepCritiqueMessages({
  kind: 'math',
  problem: 'What is 3 + 4 - 1?',
  context: [{ index: 0, text: 'We add first: 3 + 4 = 7.' }],
  judged: [
    { index: 1, text: 'Then 7 - 1 = 5.' },
    { index: 2, text: 'So the answer is 5.' },
  ],
});

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(`${url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('scripted LLM server', () => {
  let server: ScriptedLlmServer;
  before(async () => {
    server = await startScriptedLlmServer({ handler: ruleBasedCriticHandler({ incorrectPatterns: ['7 - 1 = 5'] }) });
  });
  after(() => server.close());

  it('the rule-based critic judges the tagged steps, with log-probabilities and usage', async () => {
    const res = await post(server.baseUrl, { model: 'scripted-critic', messages, logprobs: true, top_logprobs: 5 });
    const body = (await res.json()) as {
      choices: {
        message: { content: string };
        logprobs: { content: { token: string; logprob: number; top_logprobs: { token: string; logprob: number }[] }[] };
      }[];
      usage: { prompt_tokens: number };
    };
    const content = body.choices[0]!.message.content;
    const parsed = parseStepCritiqueReply(content, [1, 2]);
    assert.ok(parsed.ok);
    assert.deepEqual(
      [...parsed.entries.values()].map((e) => e.verdict),
      ['incorrect', 'correct'],
    );
    const p = pTrueForValues(body.choices[0]!.logprobs.content, 'verdict', STEP_WORDS);
    assert.ok(Math.abs(p[0]! - 0.05) < 1e-9 && Math.abs(p[1]! - 0.95) < 1e-9);
    assert.ok(body.usage.prompt_tokens > 50);
  });

  it('honours n without logprobs: vote shares', async () => {
    const res = await post(server.baseUrl, { model: 'scripted-critic', messages, n: 4, temperature: 0.7 });
    const body = (await res.json()) as { choices: { message: { content: string }; logprobs: unknown }[] };
    assert.equal(body.choices.length, 4);
    assert.equal(body.choices[0]!.logprobs, null);
  });

  it('records requests, 429 with Retry-After, dropped connections, unknown routes', async () => {
    server.setHandler((_r, i) => (i === 0 ? rateLimited(7) : dropConnection()));
    const limited = await post(server.baseUrl, { model: 'scripted-critic', messages });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    await assert.rejects(post(server.baseUrl, { model: 'scripted-critic', messages }));
    const last = server.requests.at(-1)!;
    assert.equal(last.dropped, true);
    assert.equal(last.aborted, false);
    assert.deepEqual((last.body as { model: string }).model, 'scripted-critic');
    const missing = await fetch(`${server.baseUrl.replace('/v1', '')}/chat/completions`, { method: 'POST', body: '{}' });
    assert.equal(missing.status, 404);
    server.setHandler(ruleBasedCriticHandler());
  });

  it('CLI mode prints its base URL and serves the script until killed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scripted-cli-'));
    const script = join(dir, 'script.json');
    await writeFile(script, JSON.stringify({ models: ['cli-model'], incorrectPatterns: ['7 - 1'], logprobs: false }));
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/scripted-llm-server.ts', '--port', '0', '--script', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const baseUrl = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const models = (await (await fetch(`${baseUrl}/models`)).json()) as { data: { id: string }[] };
      assert.deepEqual(
        models.data.map((m) => m.id),
        ['cli-model'],
      );
      const reply = (await (await post(baseUrl, { model: 'cli-model', messages, logprobs: true })).json()) as {
        choices: { message: { content: string }; logprobs: unknown }[];
      };
      assert.equal(reply.choices[0]!.logprobs, null, 'the script says: no log-probabilities');
      assert.match(reply.choices[0]!.message.content, /"incorrect"/);
    } finally {
      child.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
