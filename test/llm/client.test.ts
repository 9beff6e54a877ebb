// The shared LLM client against the scripted server: retries, Retry-After, timeouts, aborts, the
// concurrency cap, usage counting and the budget.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TokenBudget } from '../../src/engine/llm/budget';
import { LlmClient, parseRetryAfter } from '../../src/engine/llm/client';
import { Semaphore } from '../../src/engine/llm/concurrency';
import { BudgetExceededError, EndpointUnreachableError, LlmError } from '../../src/engine/llm/errors';
import { freePort } from '../support/free-port';
import {
  completion,
  dropConnection,
  hang,
  loadingModel,
  malformedJson,
  rateLimited,
  serverError,
  startScriptedLlmServer,
  statusReply,
  type ScriptedLlmServer,
} from '../support/scripted-llm-server';

const messages = [{ role: 'user' as const, content: 'Say hello.' }];

describe('LlmClient', () => {
  let server: ScriptedLlmServer;
  before(async () => {
    server = await startScriptedLlmServer();
  });
  after(() => server.close());

  const client = (extra: Partial<ConstructorParameters<typeof LlmClient>[0]> = {}) =>
    new LlmClient({ baseUrl: server.baseUrl, retryBaseMs: 5, timeoutMs: 2000, semaphore: new Semaphore(4), ...extra });

  it('counts usage from the reply', async () => {
    server.setHandler(() => completion('hello', { usage: { prompt_tokens: 11, completion_tokens: 3 } }));
    const c = client();
    const reply = await c.chat({ model: 'scripted-critic', messages, maxTokens: 10 });
    assert.equal(reply.choices[0]!.content, 'hello');
    assert.deepEqual(c.usage, { requests: 1, promptTokens: 11, completionTokens: 3 });
    assert.equal(reply.usageEstimated, false);
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    server.setHandler((_r, i) => (i === 0 ? rateLimited(1) : completion('ok')));
    const before = server.chatRequests().length;
    const slept: number[] = [];
    const c = client({ sleep: async (ms) => void slept.push(ms) });
    const reply = await c.chat({ model: 'scripted-critic', messages, maxTokens: 10 });
    assert.equal(reply.choices[0]!.content, 'ok');
    assert.equal(reply.attempts, 2);
    assert.deepEqual(slept, [1000]);
    assert.equal(server.chatRequests().length - before, 2);
  });

  it('really waits for a short Retry-After', async () => {
    const base = server.chatRequests().length;
    server.setHandler((_r, i) => (i === 0 ? statusReply(429, 'slow down', { headers: { 'retry-after-ms': '150' } }) : completion('ok')));
    const started = Date.now();
    await client().chat({ model: 'scripted-critic', messages, maxTokens: 10 });
    assert.ok(Date.now() - started >= 140, `retried after ${Date.now() - started} ms`);
    const [first, second] = server.chatRequests().slice(base);
    assert.ok(second!.receivedAt - first!.receivedAt >= 140);
  });

  it('refuses a Retry-After longer than it will wait, with a clear error', async () => {
    server.setHandler(() => rateLimited(3600));
    await assert.rejects(client().chat({ model: 'scripted-critic', messages, maxTokens: 10 }), (e: unknown) => {
      assert.ok(e instanceof LlmError);
      assert.equal(e.kind, 'rate-limit');
      assert.match(e.message, /429/);
      assert.match(e.message, /wait 3600 s/);
      return true;
    });
  });

  it('retries 500 and dropped connections and broken bodies, then gives up with a clear error', async () => {
    for (const fault of [serverError(), serverError(503), dropConnection(), malformedJson()]) {
      server.setHandler((_r, i) => (i < 2 ? fault : completion('recovered')));
      const reply = await client({ maxRetries: 3 }).chat({ model: 'scripted-critic', messages, maxTokens: 10 });
      assert.equal(reply.choices[0]!.content, 'recovered');
      assert.equal(reply.attempts, 3);
    }
    server.setHandler(() => serverError());
    await assert.rejects(client({ maxRetries: 2 }).chat({ model: 'scripted-critic', messages, maxTokens: 10 }), /500 from http:\/\/127\.0\.0\.1:\d+\/v1/);
    server.setHandler(() => dropConnection());
    await assert.rejects(client({ maxRetries: 1 }).chat({ model: 'scripted-critic', messages, maxTokens: 10 }), /connection .* was dropped/);
    server.setHandler(() => malformedJson());
    await assert.rejects(client({ maxRetries: 1 }).chat({ model: 'scripted-critic', messages, maxTokens: 10 }), /broken JSON|not JSON/);
  });

  it('waits for a server that is still loading its model (llama.cpp), beyond the retries, up to the timeout', async () => {
    server.setHandler((_r, i) => (i < 6 ? loadingModel() : completion('loaded')));
    const slept: number[] = [];
    const reply = await client({ maxRetries: 1, timeoutMs: 60_000, sleep: async (ms) => void slept.push(ms) }).chat({
      model: 'scripted-critic',
      messages,
      maxTokens: 10,
    });
    assert.equal(reply.choices[0]!.content, 'loaded');
    assert.equal(reply.attempts, 7);
    assert.deepEqual(slept, [2000, 2000, 2000, 2000, 2000, 2000]);

    server.setHandler(() => loadingModel());
    const started = Date.now();
    await assert.rejects(client({ maxRetries: 1, timeoutMs: 300 }).chat({ model: 'scripted-critic', messages, maxTokens: 10 }), (e: unknown) => {
      assert.ok(e instanceof LlmError && e.kind === 'server');
      assert.match(e.message, /503 from .*: the server is still loading its model \(Loading model\); waited 0 s for it \(--timeout\)/);
      return true;
    });
    assert.ok(Date.now() - started >= 300, 'it waited as long as --timeout');
  });

  it('waits for a server that does not accept connections yet, then gets the reply (all requests wait together)', async () => {
    const port = await freePort();
    const waiting: string[] = [];
    const c = new LlmClient({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      maxRetries: 0,
      timeoutMs: 30_000,
      semaphore: new Semaphore(4),
      waitForServer: true,
      onWaiting: (l) => waiting.push(l),
    });
    const asked = [1, 2, 3].map(() => c.chat({ model: 'scripted-critic', messages, maxTokens: 10 }));
    await new Promise((r) => setTimeout(r, 1500));
    const late = await startScriptedLlmServer({ port, handler: () => completion('up now') });
    try {
      const replies = await Promise.all(asked);
      assert.deepEqual(
        replies.map((r) => r.choices[0]!.content),
        ['up now', 'up now', 'up now'],
      );
      assert.ok(replies.every((r) => r.attempts >= 2));
      assert.equal(waiting.length, 1, 'one line for the outage, not one per request');
      assert.match(
        waiting[0]!,
        new RegExp(`nothing accepts connections at http://127\\.0\\.0\\.1:${port}/v1 \\(connection refused\\): waiting up to 30\\.0 s`),
      );
    } finally {
      await late.close();
    }
  });

  it('stops with a typed stop once nothing accepted a connection for the timeout, and a later request does not wait again', async () => {
    const port = await freePort();
    const c = new LlmClient({ baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 5, timeoutMs: 600, semaphore: new Semaphore(4), waitForServer: true });
    const started = Date.now();
    const failures = await Promise.allSettled([1, 2].map(() => c.chat({ model: 'scripted-critic', messages, maxTokens: 10 })));
    const waited = Date.now() - started;
    for (const f of failures) {
      assert.equal(f.status, 'rejected');
      const error = (f as PromiseRejectedResult).reason as unknown;
      assert.ok(error instanceof EndpointUnreachableError, String(error));
      const stop = error.toStop();
      assert.equal(stop.kind, 'unreachable');
      assert.match(
        stop.message,
        /nothing accepted a connection at http:\/\/127\.0\.0\.1:\d+\/v1 for \d+ ms \(connection refused; --timeout\): start the server or fix the base URL/,
      );
    }
    assert.ok(waited >= 600 && waited < 5000, `waited ${waited} ms, once for both`);
    const again = Date.now();
    await assert.rejects(c.chat({ model: 'scripted-critic', messages, maxTokens: 10 }), EndpointUnreachableError);
    assert.ok(Date.now() - again < 500, 'the outage is known: no second wait');

    // Without waitForServer (the editor), a refused connection is an ordinary failure after the retries.
    await assert.rejects(
      new LlmClient({ baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 1, retryBaseMs: 5, semaphore: new Semaphore(1) }).chat({
        model: 'scripted-critic',
        messages,
        maxTokens: 10,
      }),
      (e: unknown) => e instanceof LlmError && !(e instanceof EndpointUnreachableError) && /connection refused/.test(e.message),
    );
  });

  it('times out a reply that never comes and closes the request', async () => {
    const base = server.requests.length;
    server.setHandler(() => hang());
    await assert.rejects(client({ timeoutMs: 150, maxRetries: 1 }).chat({ model: 'scripted-critic', messages, maxTokens: 10 }), (e: unknown) => {
      assert.ok(e instanceof LlmError && e.kind === 'timeout');
      assert.match(e.message, /nothing came from .* for 150 ms/);
      return true;
    });
    const mine = server.requests.slice(base);
    assert.equal(mine.length, 2);
    await server.waitFor(() => mine.every((r) => r.aborted));
  });

  it('a reply that keeps streaming is not cut by the timeout, however long it takes in all', async () => {
    const slow = await startScriptedLlmServer({ pace: { tokensPerSecond: 100 } });
    try {
      slow.setHandler(() => completion(Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ')));
      const reply = await new LlmClient({ baseUrl: slow.baseUrl, timeoutMs: 500, maxRetries: 0, semaphore: new Semaphore(4) }).chat({
        model: 'scripted-critic',
        messages,
        maxTokens: 500,
      });
      assert.ok(reply.endedAt - reply.sentAt > 1000, `${reply.endedAt - reply.sentAt} ms in all`);
      assert.match(reply.choices[0]!.content, /word99$/);
      assert.equal(reply.choices[0]!.finishReason, 'stop');
    } finally {
      await slow.close();
    }
  });

  it('a reply that stops coming halfway is timed out, not taken for a whole one', async () => {
    const base = server.requests.length;
    server.setHandler(() => ({ type: 'completion', choices: [{ content: 'one two three four five six', stallAfter: 3 }] }));
    await assert.rejects(client({ timeoutMs: 200, maxRetries: 0 }).chat({ model: 'scripted-critic', messages, maxTokens: 100 }), (e: unknown) => {
      assert.ok(e instanceof LlmError && e.kind === 'timeout', String(e));
      return true;
    });
    await server.waitFor(() => server.requests[base]!.aborted);
  });

  it('a request queued at a one-slot server is not timed out while the server writes our other replies', async () => {
    const oneSlot = await startScriptedLlmServer({ pace: { slots: 1, tokensPerSecond: 200 } });
    try {
      oneSlot.setHandler(() => completion(Array.from({ length: 50 }, (_, i) => `word${i}`).join(' ')));
      const c = new LlmClient({ baseUrl: oneSlot.baseUrl, timeoutMs: 300, maxRetries: 0, semaphore: new Semaphore(4) });
      const replies = await Promise.all(Array.from({ length: 4 }, () => c.chat({ model: 'scripted-critic', messages, maxTokens: 500 })));
      const last = Math.max(...replies.map((r) => r.firstTokenAt! - r.sentAt));
      assert.ok(last > 300, `the last waited ${last} ms for its first token: longer than the timeout`);
      assert.equal(oneSlot.chatRequests().length, 4, 'no retries');
      assert.ok(oneSlot.requests.every((r) => !r.aborted));
    } finally {
      await oneSlot.close();
    }
  });

  it("reads every error body shape: OpenAI's, a flat one (SGLang), a bare string (LM Studio)", async () => {
    const bodies = [
      { error: { message: 'Invalid top_logprobs', type: 'invalid_request_error', param: 'top_logprobs', code: null } },
      { object: 'error', message: 'Invalid top_logprobs', type: 'BadRequestError', param: 'top_logprobs', code: 400 },
      { error: 'Invalid top_logprobs' },
    ];
    for (const body of bodies) {
      server.setHandler(() => ({ type: 'status', status: 400, body }));
      await assert.rejects(client().chat({ model: 'scripted-critic', messages, maxTokens: 10 }), (e: unknown) => {
        assert.ok(e instanceof LlmError && e.kind === 'bad-request');
        assert.equal(e.serverMessage, 'Invalid top_logprobs', JSON.stringify(body));
        assert.match(e.message, /^400 from http:\/\/127\.0\.0\.1:\d+\/v1: Invalid top_logprobs$/);
        return true;
      });
    }
  });

  it('aborting closes the HTTP request, and the server sees it', async () => {
    const base = server.requests.length;
    server.setHandler(() => hang());
    const controller = new AbortController();
    const pending = client().chat({ model: 'scripted-critic', messages, maxTokens: 10, signal: controller.signal });
    await server.waitFor(() => server.requests.length > base);
    controller.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof LlmError && e.kind === 'aborted');
    await server.waitFor(() => server.requests[base]!.aborted);
  });

  it('holds at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    server.setHandler(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 40));
      inFlight--;
      return completion('ok');
    });
    const c = client({ semaphore: new Semaphore(2) });
    await Promise.all(Array.from({ length: 6 }, () => c.chat({ model: 'scripted-critic', messages, maxTokens: 10 })));
    assert.equal(peak, 2);
  });

  it('refuses a request the budget cannot cover, sending nothing', async () => {
    server.setHandler(() => completion('ok', { usage: { prompt_tokens: 40, completion_tokens: 10 } }));
    const budget = new TokenBudget(100);
    const c = client({ budget });
    await c.chat({ model: 'scripted-critic', messages, maxTokens: 20 });
    assert.equal(budget.used, 50);
    const base = server.requests.length;
    await assert.rejects(c.chat({ model: 'scripted-critic', messages, maxTokens: 60 }), (e: unknown) => e instanceof BudgetExceededError);
    assert.equal(server.requests.length, base);
  });

  it('parses Retry-After as seconds, a date, or retry-after-ms', () => {
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': '2' })), 2000);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after-ms': '250' })), 250);
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }), now), 5000);
    assert.equal(parseRetryAfter(new Headers({})), undefined);
  });
});
