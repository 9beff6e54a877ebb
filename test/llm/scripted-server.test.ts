// The scripted server itself (other engineers' tests rely on it): routes, faults, what it records,
// the rule-based critic, and its CLI mode.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readValues, VERDICT_WORDS } from '../../src/engine/llm/logprobs';
import { buildStepCritiqueMessages, parseStepCritiqueReply, VERDICT_KEY } from '../../src/engine/llm/protocol';
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
    const p = readValues(body.choices[0]!.logprobs.content, VERDICT_KEY, VERDICT_WORDS).map((r) => r.pTrue);
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

  it('streams server-sent events with a log-probability entry per token, the finish reason and usage', async () => {
    const res = await post(server.baseUrl, {
      model: 'scripted-critic',
      messages,
      logprobs: true,
      top_logprobs: 3,
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    assert.equal(events.at(-1), 'data: [DONE]');
    const chunks = events.slice(0, -1).map(
      (e) =>
        JSON.parse(e.replace(/^data: /, '')) as {
          choices: { delta: { content?: string }; logprobs: { content: { token: string }[] } | null; finish_reason: string | null }[];
          usage?: { completion_tokens: number };
        },
    );
    const content = chunks.flatMap((c) => c.choices.map((x) => x.delta.content ?? '')).join('');
    assert.ok(parseStepCritiqueReply(content, [1, 2]).ok);
    const tokens = chunks.flatMap((c) => c.choices.flatMap((x) => x.logprobs?.content ?? []));
    assert.equal(tokens.map((t) => t.token).join(''), content);
    assert.equal(chunks.flatMap((c) => c.choices).find((x) => x.finish_reason)?.finish_reason, 'stop');
    assert.ok((chunks.at(-1)!.usage?.completion_tokens ?? 0) > 0);
  });

  it('cuts a reply at max_tokens (hidden reasoning first) with finish_reason "length"', async () => {
    const cut = (await (await post(server.baseUrl, { model: 'scripted-critic', messages, max_tokens: 12 })).json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
    };
    assert.equal(cut.choices[0]!.finish_reason, 'length');
    assert.ok(cut.choices[0]!.message.content.length <= 48 && cut.choices[0]!.message.content.startsWith('{"steps"'));
    server.setHandler(ruleBasedCriticHandler({ reasoningTokens: 500 }));
    const spent = (await (await post(server.baseUrl, { model: 'scripted-critic', messages, max_completion_tokens: 400 })).json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
      usage: { completion_tokens: number; completion_tokens_details: { reasoning_tokens: number } };
    };
    assert.deepEqual([spent.choices[0]!.message.content, spent.choices[0]!.finish_reason], ['', 'length']);
    assert.equal(spent.usage.completion_tokens_details.reasoning_tokens, 400);
    server.setHandler(ruleBasedCriticHandler({ incorrectPatterns: ['7 - 1 = 5'] }));
  });

  it('with one slot, a second request waits until the first is written', async () => {
    const slow = await startScriptedLlmServer({ pace: { slots: 1, tokensPerSecond: 500 } });
    try {
      const timed = async () => {
        const res = await post(slow.baseUrl, { model: 'scripted-critic', messages, stream: true });
        const reader = res.body!.getReader();
        let first: number | undefined;
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
          if (/"content":"[^"]/.test(new TextDecoder().decode(chunk.value))) first ??= Date.now();
        }
        return { first: first!, end: Date.now() };
      };
      const [a, b] = (await Promise.all([timed(), timed()])).sort((x, y) => x.first - y.first);
      assert.ok(b!.first >= a!.end - 2, `the second began writing ${b!.first - a!.end} ms after the first ended`);
    } finally {
      await slow.close();
    }
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
      assert.match(reply.choices[0]!.message.content, /"correct": false/);
    } finally {
      child.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
