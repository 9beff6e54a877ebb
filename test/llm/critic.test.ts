// The LLM critic end to end against the scripted server: P(True) from log-probabilities, samples,
// the cache, incremental re-judging, the budget, abort, and every fault ending in a verdict or a
// clear error.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CriticStepResult } from '../../src/engine/checks';
import { openCacheStore } from '../../src/engine/cache/store';
import { createStoredCriticCache } from '../../src/engine/cache/stored-cache';
import { createMemoryCache } from '../../src/engine/cache/memory';
import { Semaphore } from '../../src/engine/llm/concurrency';
import { CriticConfigSchema, type CriticConfigInput } from '../../src/engine/llm/config';
import { createLlmClient } from '../../src/engine/llm/client';
import { TokenBudget } from '../../src/engine/llm/budget';
import { createLlmCritic } from '../../src/engine/llm/critic';
import { parseCriticPrompt } from '../../src/engine/llm/protocol';
import type { Evidence } from '../../src/engine/types';
import {
  completion,
  criticReply,
  dropConnection,
  finalAnswerReply,
  hang,
  malformedJson,
  rateLimited,
  ruleBasedCriticHandler,
  serverError,
  startScriptedLlmServer,
  type ChatRequestView,
  type ScriptedLlmServer,
} from '../support/scripted-llm-server';
import { contextNumbers, judgedNumbers, mathDocument, scriptedByStep } from './helpers';

const noEvidence = new Map<number, Evidence[]>();

const doc = mathDocument('Tom has 3 bags of 4 apples and eats 2. How many apples are left?', [
  'Tom has 3 * 4 = 12 apples.',
  'He eats 2, so 12 - 2 = 10 apples are left.',
  'The answer is 10.',
]);

describe('LLM critic', () => {
  let server: ScriptedLlmServer;
  before(async () => {
    server = await startScriptedLlmServer();
  });
  after(() => server.close());

  const config = (extra: Partial<CriticConfigInput> = {}) =>
    CriticConfigSchema.parse({ baseUrl: server.baseUrl, model: 'scripted-critic', retryBaseMs: 5, timeoutMs: 3000, ...extra });
  const critic = (extra: Partial<CriticConfigInput> = {}, options: Parameters<typeof createLlmCritic>[1] = {}) => {
    const c = config(extra);
    const budget = options.budget ?? new TokenBudget(c.tokenBudget);
    return createLlmCritic(c, { client: createLlmClient(c, { budget, semaphore: new Semaphore(4) }), ...options, budget });
  };

  it('reads P(True) from the verdict token to 1e-6, whatever the tokenizer does with the word', async () => {
    for (const spelling of ['bare', 'spaced', 'split'] as const) {
      server.setHandler(
        scriptedByStep(
          { 1: { verdict: 'correct', pTrue: 0.8731 }, 2: { verdict: 'incorrect', pTrue: 0.2207 }, 3: { verdict: 'correct', pTrue: 0.5 } },
          { spelling },
        ),
      );
      const result = await critic().judge({ document: doc, evidence: noEvidence, fromStep: 0 });
      assert.deepEqual(
        result.steps.map((s) => s.verdict),
        ['correct', 'incorrect', 'correct'],
        spelling,
      );
      assert.deepEqual(
        result.steps.map((s) => s.source),
        ['logprobs', 'logprobs', 'logprobs'],
      );
      const expected = [0.8731, 0.2207, 0.5];
      result.steps.forEach((s, i) => assert.ok(Math.abs(s.pTrue! - expected[i]!) < 1e-6, `${spelling} step ${i + 1}: ${s.pTrue}`));
      assert.equal(result.usage.requests, 1);
    }
  });

  it('judges all steps of a solution in ONE request, steps tagged, and asks for log-probabilities', async () => {
    server.setHandler(scriptedByStep({}));
    const base = server.chatRequests().length;
    const seen: CriticStepResult[] = [];
    const result = await critic().judge({ document: doc, evidence: noEvidence, fromStep: 0, onStep: (s) => seen.push(s) });
    const sent = server.chatRequests().slice(base);
    assert.equal(sent.length, 1);
    assert.deepEqual(judgedNumbers(sent[0]!), [1, 2, 3]);
    assert.equal(sent[0]!.chat.logprobs, true);
    assert.equal(sent[0]!.chat.top_logprobs, 20);
    assert.deepEqual(
      seen.map((s) => s.index),
      [0, 1, 2],
    );
    assert.ok(result.usage.promptTokens > 0 && result.usage.completionTokens > 0);
  });

  it('falls back to the vote share of k samples when the endpoint gives no log-probabilities, and says so', async () => {
    server.setHandler((request) =>
      criticReply(
        judgedNumbers(request).map((step) => ({ step, verdict: step === 2 ? 'incorrect' : 'correct', pTrue: step === 2 ? 0.2 : 0.6 })),
        { logprobs: false, n: request.chat.n ?? 1 },
      ),
    );
    const c = critic({ samples: 5 });
    const base = server.chatRequests().length;
    const result = await c.judge({ document: doc, evidence: noEvidence, fromStep: 0 });
    const sent = server.chatRequests().slice(base);
    // First call asked for log-probabilities and got none; then 4 more samples in one request (n = 4).
    assert.equal(sent.length, 2);
    assert.equal(sent[1]!.chat.n, 4);
    assert.deepEqual(
      result.steps.map((s) => s.source),
      ['samples', 'samples', 'samples'],
    );
    // Votes: the first reply says correct/incorrect/correct; of the 4 samples round(p·4) say correct.
    assert.deepEqual(
      result.steps.map((s) => s.pTrue),
      [(1 + 2) / 5, (0 + 1) / 5, (1 + 2) / 5],
    );
    // Having learned, the next solution asks for all 5 samples at once.
    const again = server.chatRequests().length;
    await c.judge({ document: mathDocument('Another problem?', ['One step.']), evidence: noEvidence, fromStep: 0 });
    const next = server.chatRequests().slice(again);
    assert.equal(next.length, 1);
    assert.equal(next[0]!.chat.n, 5);
    assert.notEqual(next[0]!.chat.logprobs, true);
  });

  it('samples with repeated calls when the endpoint ignores `n`', async () => {
    server.setHandler(ruleBasedCriticHandler({ incorrectPatterns: ['12 - 2'], logprobs: false, supportsN: false }));
    const base = server.chatRequests().length;
    const result = await critic({ samples: 3 }).judge({ document: doc, evidence: noEvidence, fromStep: 0 });
    const sent = server.chatRequests().slice(base);
    assert.ok(sent.length >= 3, `${sent.length} requests`);
    assert.deepEqual(
      result.steps.map((s) => s.source),
      ['samples', 'samples', 'samples'],
    );
    for (const s of result.steps) assert.ok(s.pTrue !== null && s.pTrue >= 0 && s.pTrue <= 1);
  });

  it('gives a verbal verdict without probability when neither log-probabilities nor samples are available', async () => {
    server.setHandler((request) =>
      criticReply(
        judgedNumbers(request).map((step) => ({ step, verdict: 'correct' as const })),
        { logprobs: false },
      ),
    );
    const result = await critic({ samples: 1 }).judge({ document: doc, evidence: noEvidence, fromStep: 0 });
    assert.deepEqual(
      result.steps.map((s) => [s.source, s.pTrue]),
      [
        ['verbal', null],
        ['verbal', null],
        ['verbal', null],
      ],
    );
  });

  it("a cache hit makes zero requests; the server's per-file cache survives a new process and a corrupt entry is rebuilt", async () => {
    server.setHandler(scriptedByStep({ 2: { verdict: 'incorrect', pTrue: 0.1 } }));
    const dir = await mkdtemp(join(tmpdir(), 'stepcritic-cache-'));
    const createFileCache = (at: string) => createStoredCriticCache(openCacheStore(at, { portable: true }).table('critic'));
    try {
      const first = await critic({}, { cache: createFileCache(dir) }).judge({ document: doc, evidence: noEvidence, fromStep: 0 });
      const base = server.requests.length;
      // A new cache object on the same directory stands for the next run.
      const second = await critic({}, { cache: createFileCache(dir) }).judge({ document: doc, evidence: noEvidence, fromStep: 0 });
      assert.equal(server.requests.length, base, 'no request on a cache hit');
      assert.equal(second.usage.requests, 0);
      assert.equal(second.usage.cachedSteps, 3);
      assert.deepEqual(
        second.steps.map((s) => [s.verdict, s.pTrue, s.cached]),
        first.steps.map((s) => [s.verdict, s.pTrue, true]),
      );

      // Corrupt one entry on disk: it is ignored (re-judged) and rewritten.
      const shards = await readdir(join(dir, 'v1'));
      const files = (await Promise.all(shards.map(async (s) => (await readdir(join(dir, 'v1', s))).map((f) => join(dir, 'v1', s, f))))).flat();
      assert.equal(files.length, 3);
      for (const f of files) await writeFile(f, '{"kind": "step", "value": {trunc');
      const third = await critic({}, { cache: createFileCache(dir) }).judge({ document: doc, evidence: noEvidence, fromStep: 0 });
      assert.equal(third.usage.requests, 1);
      assert.equal(third.usage.cachedSteps, 0);
      const fourth = await critic({}, { cache: createFileCache(dir) }).judge({ document: doc, evidence: noEvidence, fromStep: 0 });
      assert.equal(fourth.usage.requests, 0);
      assert.equal((await openCacheStore(dir, { portable: true }).table('critic').stats()).entries, 3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an edit to step k re-judges only k and later, sending earlier steps as context', async () => {
    server.setHandler(scriptedByStep({}));
    const cache = createMemoryCache();
    const steps = ['First we note 2 + 2 = 4.', 'Then 4 * 3 = 12.', 'Then 12 - 5 = 7.', 'Then 7 + 1 = 8.', 'So the answer is 8.'];
    await critic({}, { cache }).judge({ document: mathDocument('Compute it.', steps), evidence: noEvidence, fromStep: 0 });
    const edited = [...steps];
    edited[2] = 'Then 12 - 4 = 8.';
    const base = server.chatRequests().length;
    const result = await critic({}, { cache }).judge({ document: mathDocument('Compute it.', edited), evidence: noEvidence, fromStep: 0 });
    const sent = server.chatRequests().slice(base);
    assert.equal(sent.length, 1);
    assert.deepEqual(judgedNumbers(sent[0]!), [3, 4, 5]);
    assert.deepEqual(contextNumbers(sent[0]!), [1, 2]);
    assert.match(sent[0]!.userText, /First we note 2 \+ 2 = 4\./);
    assert.deepEqual(
      result.steps.map((s) => s.cached),
      [true, true, false, false, false],
    );
    assert.equal(result.usage.cachedSteps, 2);
  });

  it('a verdict cached without a reference (or with another one) is not served to a prompt with a reference', async () => {
    server.setHandler(scriptedByStep({}));
    const cache = createMemoryCache();
    const reference = (text: string) => ({ ...doc, reference: { text, origin: 'front-matter' as const, finalAnswer: '10' } });
    const base = server.chatRequests().length;
    for (const document of [doc, reference('3 * 4 - 2 = 10.\n\nAnswer: 10'), reference('12 - 2 = 10.\n\nAnswer: 10')]) {
      const result = await critic({}, { cache }).judge({ document, evidence: noEvidence, fromStep: 0 });
      assert.equal(result.usage.cachedSteps, 0);
    }
    const again = await critic({}, { cache }).judge({ document: reference('12 - 2 = 10.\n\nAnswer: 10'), evidence: noEvidence, fromStep: 0 });
    assert.equal(again.usage.cachedSteps, 3, 'the same reference is served from the cache');
    assert.equal(server.chatRequests().length - base, 3);
  });

  it('the budget stops the run before it is exceeded; what was judged is kept', async () => {
    server.setHandler(scriptedByStep({}));
    const cache = createMemoryCache();
    const budget = new TokenBudget(2600);
    const c = critic({ maxTokensPerStep: 100 }, { cache, budget });
    const docs = Array.from({ length: 6 }, (_, i) =>
      mathDocument(`Problem ${i}: add ${i} and ${i}.`, [`We add ${i} + ${i} = ${2 * i}.`, `The answer is ${2 * i}.`]),
    );
    const results = [];
    for (const d of docs) results.push(await c.judge({ document: d, evidence: noEvidence, fromStep: 0 }));
    const judged = results.filter((r) => r.steps.length === 2);
    const stopped = results.filter((r) => r.steps.length === 0);
    assert.ok(judged.length >= 1 && stopped.length >= 1, `${judged.length} judged, ${stopped.length} stopped`);
    assert.ok(results.findIndex((r) => r.steps.length === 0) === judged.length, 'stops after the judged ones, not in between');
    for (const r of stopped) {
      assert.match(r.note ?? '', /token budget reached: \d+ of 2600 tokens used/);
      assert.equal(r.usage.requests, 0);
    }
    assert.ok(budget.used <= 2600, `used ${budget.used}`);
    assert.equal(cache.size, judged.length * 2, 'judged steps are cached');
  });

  it('aborting closes the HTTP request (the server sees it) and rejects', async () => {
    server.setHandler(() => hang());
    const base = server.requests.length;
    const controller = new AbortController();
    const pending = critic().judge({ document: doc, evidence: noEvidence, fromStep: 0, signal: controller.signal });
    await server.waitFor(() => server.requests.length > base);
    controller.abort();
    await assert.rejects(pending);
    await server.waitFor(() => server.requests[base]!.aborted === true);
  });

  describe('every fault ends in a verdict or a clear error', () => {
    const good = (request: ChatRequestView) => scriptedByStep({})(request);

    it('429 with Retry-After: waits, then a verdict', async () => {
      server.setHandler((r, i) => (i === 0 ? rateLimited(0.05) : good(r)));
      const result = await critic().judge({ document: doc, evidence: noEvidence, fromStep: 0 });
      assert.deepEqual(
        result.steps.map((s) => s.verdict),
        ['correct', 'correct', 'correct'],
      );
      assert.equal(result.usage.requests, 2);
    });

    it('500, dropped connection, broken body: retried, then a verdict', async () => {
      for (const fault of [serverError(), dropConnection(), malformedJson()]) {
        server.setHandler((r, i) => (i === 0 ? fault : good(r)));
        const result = await critic().judge({ document: doc, evidence: noEvidence, fromStep: 0 });
        assert.deepEqual(
          result.steps.map((s) => s.verdict),
          ['correct', 'correct', 'correct'],
          fault.type,
        );
      }
    });

    it('persistent 500 or drops: every step `error` with the reason, and a note', async () => {
      for (const fault of [serverError(), dropConnection()]) {
        server.setHandler(() => fault);
        const result = await critic({ maxRetries: 1 }).judge({ document: doc, evidence: noEvidence, fromStep: 0 });
        assert.deepEqual(
          result.steps.map((s) => s.verdict),
          ['error', 'error', 'error'],
        );
        assert.match(result.steps[0]!.error ?? '', fault.type === 'drop' ? /dropped/ : /500 from http:\/\/127\.0\.0\.1/);
        assert.equal(result.note, result.steps[0]!.error);
      }
    });

    it('a slow reply times out: `error` verdicts that say so', async () => {
      server.setHandler(() => hang());
      const result = await critic({ timeoutMs: 100, maxRetries: 0 }).judge({ document: doc, evidence: noEvidence, fromStep: 0 });
      assert.deepEqual(
        result.steps.map((s) => s.verdict),
        ['error', 'error', 'error'],
      );
      assert.match(result.steps[0]!.error ?? '', /nothing came from .* for 100 ms/);
    });

    it('a reply that is not JSON is repaired once (quoting the error), then judged', async () => {
      // Free text to the first request, JSON to the repair (which carries the bad reply as the assistant
      // turn): decided by content, not by arrival, since a request the last test gave up on may come late.
      const isRepair = (r: ChatRequestView) => r.chat.messages.some((m) => m.role === 'assistant');
      server.setHandler((r) => (isRepair(r) ? good(r) : completion('Step 1 looks fine. Step 2 too.')));
      const base = server.chatRequests().length;
      const result = await critic().judge({ document: doc, evidence: noEvidence, fromStep: 0 });
      assert.deepEqual(
        result.steps.map((s) => s.verdict),
        ['correct', 'correct', 'correct'],
      );
      const repair = server.chatRequests().slice(base).find(isRepair)!;
      const last = repair.chat.messages.at(-1)!;
      assert.match(last.content ?? '', /could not be used: the reply is not valid JSON/);
      assert.equal(repair.chat.messages.at(-2)!.role, 'assistant');
    });

    it('still malformed after the repair: `error` verdicts with the reason, never a silent correct', async () => {
      server.setHandler(() => completion('{"steps": [{"step": 1, "verdict": '));
      const result = await critic().judge({ document: doc, evidence: noEvidence, fromStep: 0 });
      assert.deepEqual(
        result.steps.map((s) => s.verdict),
        ['error', 'error', 'error'],
      );
      assert.match(result.steps[0]!.error ?? '', /could not be read, even after one repair request/);
    });

    it('the wrong number of steps is detected: one repair, then the missing step is an error', async () => {
      const twoOfThree = () =>
        criticReply(
          [
            { step: 1, verdict: 'correct', pTrue: 0.9 },
            { step: 2, verdict: 'correct', pTrue: 0.8 },
          ],
          { logprobs: true, topLogprobs: 5 },
        );
      server.setHandler(() => twoOfThree());
      const base = server.chatRequests().length;
      const result = await critic().judge({ document: doc, evidence: noEvidence, fromStep: 0 });
      const sent = server.chatRequests().slice(base);
      assert.equal(sent.length, 2);
      assert.match(sent[1]!.lastUserText, /it judged 2 steps but 3 were asked for/);
      assert.deepEqual(
        result.steps.map((s) => s.verdict),
        ['correct', 'correct', 'error'],
      );
      assert.match(result.steps[2]!.error ?? '', /no verdict for step 3/);
      assert.ok(Math.abs(result.steps[0]!.pTrue! - 0.9) < 1e-6);
    });

    it('a verdict that is neither true nor false is an error for that step only', async () => {
      server.setHandler(() =>
        completion(
          JSON.stringify({
            steps: [
              { step: 1, analysis: 'ok', correct: true },
              { step: 2, analysis: 'hm', correct: 'partly' },
              { step: 3, analysis: 'ok', correct: false },
            ],
          }),
        ),
      );
      const result = await critic({ samples: 1 }).judge({ document: doc, evidence: noEvidence, fromStep: 0 });
      assert.deepEqual(
        result.steps.map((s) => s.verdict),
        ['correct', 'error', 'incorrect'],
      );
      assert.match(result.steps[1]!.error ?? '', /"partly" is neither true nor false/);
    });

    it('a reply cut off at its token limit: the steps it finished keep their verdicts, the rest say the limit and the setting, no repair', async () => {
      const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
      server.setHandler(scriptedByStep({ 3: { verdict: 'correct', pTrue: 0.9, analysis: long } }));
      const base = server.chatRequests().length;
      const result = await critic({ maxTokensPerStep: 60 }).judge({ document: doc, evidence: noEvidence, fromStep: 0 });
      assert.equal(server.chatRequests().length - base, 1, 'asking again with the same allowance would be cut off again');
      assert.deepEqual(
        result.steps.map((s) => [s.verdict, s.source, s.cause]),
        [
          ['correct', 'logprobs', undefined],
          ['correct', 'logprobs', undefined],
          ['error', 'verbal', 'cut-off'],
        ],
      );
      assert.match(
        result.steps[2]!.error ?? '',
        /^the reply was cut off at \d+ tokens \(the limit for 3 steps\): raise maxTokensPerStep \(--max-tokens-per-step, stepcritic\.maxTokensPerStep; now 60\)$/,
      );
    });

    it("a reply stopped for length well short of its allowance: the server's context is full, and the fix says so (one request)", async () => {
      server.setHandler(() => ({
        type: 'completion',
        choices: [{ content: '{"steps": [{"step": 1, "analysis": "Tom has', finishReason: 'length' }],
        usage: { prompt_tokens: 4080, completion_tokens: 16 },
      }));
      const base = server.chatRequests().length;
      const result = await critic().judge({ document: doc, evidence: noEvidence, fromStep: 0 });
      assert.equal(server.chatRequests().length - base, 1);
      assert.deepEqual(
        result.steps.map((s) => [s.verdict, s.cause]),
        [
          ['error', 'context-full'],
          ['error', 'context-full'],
          ['error', 'context-full'],
        ],
      );
      assert.match(
        result.steps[0]!.error ?? '',
        /^the reply was cut off after 16 tokens, short of its limit of \d+: the server's context \(prompt and reply, 4096 tokens\) is full; give the model a larger context \(llama-server -c/,
      );
    });

    it('a refusal or a content filter: "could not judge" with the reason, in one request (no repair, no samples, nothing learned about logprobs)', async () => {
      const declined = [
        {
          reply: { type: 'completion' as const, choices: [{ content: '', refusal: "I'm sorry, but I can't help with that." }] },
          reason: /^the model declined to judge \("I'm sorry, but I can't help with that\."\)$/,
        },
        {
          reply: { type: 'completion' as const, choices: [{ content: '{"steps": [', finishReason: 'content_filter' as const }] },
          reason: /content filter withheld the reply/,
        },
      ];
      for (const { reply, reason } of declined) {
        server.setHandler(() => reply);
        const base = server.chatRequests().length;
        const judging = critic();
        const result = await judging.judge({ document: doc, evidence: noEvidence, fromStep: 0 });
        assert.equal(server.chatRequests().length - base, 1);
        assert.deepEqual(
          result.steps.map((s) => [s.verdict, s.cause]),
          [
            ['error', 'declined'],
            ['error', 'declined'],
            ['error', 'declined'],
          ],
        );
        assert.match(result.steps[0]!.error ?? '', reason);
        assert.equal(result.note, result.steps[0]!.error);
        assert.equal((await judging.endpoint()).capabilities.logprobs, undefined, 'a refusal says nothing about log-probabilities');
      }
    });

    it("llama.cpp's 500 for n > 1 is a refusal learned at once, not a server fault retried: samples as separate requests", async () => {
      server.setHandler((r) =>
        (r.chat.n ?? 1) > 1
          ? { type: 'status', status: 500, body: { error: { code: 500, message: 'Only one completion choice is allowed', type: 'server_error' } } }
          : good(r),
      );
      const base = server.chatRequests().length;
      const result = await critic({ logprobs: 'never' }).judge({ document: doc, evidence: noEvidence, fromStep: 0 });
      const sent = server.chatRequests().slice(base);
      assert.deepEqual(
        sent.map((r) => r.chat.n ?? 1),
        [5, 1, 1, 1, 1, 1],
        'the refused request once, then the 5 samples one by one',
      );
      assert.deepEqual(
        result.steps.map((s) => [s.verdict, s.source]),
        [
          ['correct', 'samples'],
          ['correct', 'samples'],
          ['correct', 'samples'],
        ],
      );
    });

    it('401 and unknown model: clear errors', async () => {
      const keyed = await startScriptedLlmServer({ apiKey: 'right-key-123456789' });
      try {
        const c = CriticConfigSchema.parse({ baseUrl: keyed.baseUrl, model: 'scripted-critic', apiKey: 'wrong-key-987654321' });
        const result = await createLlmCritic(c).judge({ document: doc, evidence: noEvidence, fromStep: 0 });
        assert.match(result.note ?? '', /401 from .*rejected the API key/);
        const m = CriticConfigSchema.parse({ baseUrl: keyed.baseUrl, model: 'no-such-model', apiKey: 'right-key-123456789' });
        const missing = await createLlmCritic(m).judge({ document: doc, evidence: noEvidence, fromStep: 0 });
        assert.match(missing.note ?? '', /404 .*model `no-such-model` does not exist/);
      } finally {
        await keyed.close();
      }
    });
  });

  it('asks "Is the proposed answer True or False?" when configured, P(True) from the `True` token', async () => {
    server.setHandler((request) => {
      const parsed = parseCriticPrompt(request.userText);
      if (parsed?.kind === 'answer')
        return finalAnswerReply({ verdict: 'True', pTrue: 0.6421 }, { logprobs: true, topLogprobs: request.chat.top_logprobs ?? 0 });
      return scriptedByStep({})(request);
    });
    const withAnswer = mathDocument('What is 5 + 5?', ['5 + 5 = 10.'], { finalAnswer: '10' });
    const result = await critic({ finalAnswerCheck: true }).judge({ document: withAnswer, evidence: noEvidence, fromStep: 0 });
    assert.ok(Math.abs(result.finalAnswerPTrue! - 0.6421) < 1e-6, String(result.finalAnswerPTrue));
    const asked = server.chatRequests().at(-1)!;
    assert.match(asked.userText, /Is the proposed answer True or False\?/);
    assert.match(asked.userText, /<answer>\n10\n<\/answer>/);
  });
});
