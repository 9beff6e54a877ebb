// The PRM critic against the scripted vLLM pooling server: one request per solution at the server's
// root, the Qwen2.5-Math-PRM request, P(True) read at the separators, the cache, the older API, and
// every reply a real server gives that is not a score (too long, not a pooling model, per-token
// vectors, logits) turned into "could not judge" with the reason.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMemoryCache } from '../../src/engine/cache/memory';
import { judgeSolution } from '../../src/engine/judge';
import { resolvePrmConfig, type PrmConfigInput, type PrmCriticConfig } from '../../src/engine/prm/config';
import { createPrmCritic } from '../../src/engine/prm/critic';
import { poolingUrl } from '../../src/engine/prm/request';
import { mathDocument } from '../llm/helpers';
import { PRM_MODEL, startScriptedPrmServer, type ScriptedPrmOptions, type ScriptedPrmServer } from '../support/scripted-prm-server';

const PROBLEM = 'Ann has 3 bags with 16 apples each. She gives away 10 apples. How many are left?';
const STEPS = ['Ann has 3 * 16 = 48 apples.', 'She gives away 10, so 48 - 10 = 38 apples are left.', 'The answer is 38.'];
/** Scripted P(positive) per step of any solution: 0.93, 0.12, 0.61, … */
const SCRIPTED = [0.93, 0.12, 0.61, 0.77, 0.05];

function config(server: ScriptedPrmServer, extra: Partial<PrmConfigInput> = {}): PrmCriticConfig {
  const resolved = resolvePrmConfig({ baseUrl: server.baseUrl, model: PRM_MODEL, maxRetries: 0, ...extra }, { model: '--prm-model', format: '--prm-format' });
  assert.ok(resolved.ok, resolved.ok ? '' : resolved.reason);
  return resolved.config;
}

async function withServer(options: ScriptedPrmOptions, run: (server: ScriptedPrmServer) => Promise<void>): Promise<void> {
  const server = await startScriptedPrmServer({ scorer: ({ steps }) => steps.map((_, i) => SCRIPTED[i] ?? 0.5), ...options });
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

describe('PRM critic', () => {
  let server: ScriptedPrmServer;
  before(async () => {
    server = await startScriptedPrmServer({ scorer: ({ steps }) => steps.map((_, i) => SCRIPTED[i] ?? 0.5) });
  });
  after(() => server.close());

  it('derives the pooling URL from the base URL: the server root, not under /v1', () => {
    assert.equal(poolingUrl('http://127.0.0.1:8000/v1'), 'http://127.0.0.1:8000/pooling');
    assert.equal(poolingUrl('https://gpu.example.org/vllm/v1'), 'https://gpu.example.org/vllm/pooling');
    assert.equal(poolingUrl('http://localhost:8000/v2beta'), 'http://localhost:8000/pooling');
  });

  it('sends one Qwen2.5-Math-PRM request per solution and reads P(True) at each separator', async () => {
    const critic = createPrmCritic(config(server));
    const before = server.requests.length;
    const judgement = await judgeSolution(mathDocument(PROBLEM, STEPS), { critic });
    const sent = server.requests.slice(before);
    assert.equal(sent.length, 1, 'one request for the whole solution');
    assert.equal(sent[0]!.path, '/pooling');
    assert.deepEqual(sent[0]!.body, {
      model: PRM_MODEL,
      messages: [
        { role: 'system', content: 'Please reason step by step, and put your final answer within \\boxed{}.' },
        { role: 'user', content: PROBLEM },
        { role: 'assistant', content: `${STEPS.join('<extra_0>')}<extra_0>` },
      ],
      task: 'token_classify',
    });
    assert.deepEqual(
      judgement.steps.map((s) => [s.source, s.pTrue]),
      STEPS.map((_, i) => ['prm', SCRIPTED[i]]),
    );
    // The thresholds and the earliest wrong step apply as to any critic: 0.12 ≤ 0.3 is wrong, then downstream.
    assert.deepEqual(
      judgement.steps.map((s) => s.verdict),
      ['correct', 'incorrect', 'downstream'],
    );
    assert.equal(judgement.firstErrorIndex, 1);
    assert.match(
      judgement.steps[1]!.message,
      /^Incorrect, P\(True\) 0\.12 \(prm\)\. Scored by the process reward model Qwen\/Qwen2\.5-Math-PRM-7B; a PRM gives no reasons\.$/,
    );
    assert.deepEqual(judgement.usage.requests, 1);
    assert.equal(judgement.usage.completionTokens, 0);
  });

  it('leaves the verifiers in charge: a refuted step is wrong whatever the PRM says; neither it nor anything after it is sent', async () => {
    const critic = createPrmCritic(config(server));
    const before = server.poolingRequests().length;
    const steps = [STEPS[0]!, 'She gives away 10, so 48 - 10 = 39 apples are left.', STEPS[2]!];
    const judgement = await judgeSolution(mathDocument(PROBLEM, steps), { critic });
    assert.equal(server.poolingRequests().length, before + 1);
    const body = server.poolingRequests()[before]!.body as { messages: { content: string }[] };
    assert.equal(body.messages[2]!.content, 'Ann has 3 * 16 = 48 apples.<extra_0>');
    assert.deepEqual(
      judgement.steps.map((s) => [s.verdict, s.source]),
      [
        ['correct', 'prm'],
        ['incorrect', 'verifier'],
        ['downstream', 'none'],
      ],
    );

    // Refuted at the first step: the PRM has nothing left to score, and is not asked.
    const first = await judgeSolution(mathDocument(PROBLEM, ['Ann has 3 * 16 = 49 apples.', ...STEPS.slice(1)]), { critic });
    assert.equal(server.poolingRequests().length, before + 1);
    assert.equal(first.usage.requests, 0);
    assert.deepEqual(
      first.steps.map((s) => s.verdict),
      ['incorrect', 'downstream', 'downstream'],
    );
  });

  it('caches by model, format and step prefix: unchanged text costs nothing, an edit re-scores from there', async () => {
    const cache = createMemoryCache();
    const critic = createPrmCritic(config(server), { cache });
    await judgeSolution(mathDocument(PROBLEM, STEPS), { critic });
    const before = server.poolingRequests().length;
    const again = await judgeSolution(mathDocument(PROBLEM, STEPS), { critic });
    assert.equal(server.poolingRequests().length, before, 'no request for an unchanged solution');
    assert.equal(again.usage.cachedSteps, 3);
    assert.deepEqual(
      again.steps.map((s) => s.pTrue),
      [0.93, 0.12, 0.61],
    );

    const edited = await judgeSolution(mathDocument(PROBLEM, [...STEPS.slice(0, 2), 'So 38 apples are left.']), { critic });
    assert.equal(server.poolingRequests().length, before + 1);
    assert.equal(edited.usage.cachedSteps, 2);

    // Another format (here: another separator) is another cache key.
    const other = createPrmCritic(config(server, { overrides: { system: 'Judge each step.' } }), { cache });
    await judgeSolution(mathDocument(PROBLEM, STEPS), { critic: other });
    assert.equal(server.poolingRequests().length, before + 2);
  });

  it('speaks the older pooling API: a server that refuses `token_classify` gets the request without a task, once learned', async () => {
    await withServer({ api: 'legacy' }, async (legacy) => {
      const critic = createPrmCritic(config(legacy));
      const first = await judgeSolution(mathDocument(PROBLEM, STEPS), { critic });
      assert.deepEqual(
        first.steps.map((s) => s.pTrue),
        [0.93, 0.12, 0.61],
      );
      assert.deepEqual(
        legacy.poolingRequests().map((r) => (r.body as { task?: string }).task),
        ['token_classify', undefined],
      );
      await judgeSolution(mathDocument(PROBLEM, ['Another solution.', 'With two steps.']), { critic });
      assert.equal(legacy.poolingRequests().length, 3, 'one request per solution once the API is known');
    });
  });

  it('a solution longer than the model takes is "could not judge" with vLLM\'s reason, not a crash', async () => {
    await withServer({ maxModelLen: 60 }, async (small) => {
      const judgement = await judgeSolution(mathDocument(PROBLEM, STEPS), { critic: createPrmCritic(config(small)) });
      assert.equal(small.poolingRequests().length, 1, 'a 400 is not retried');
      for (const step of judgement.steps) assert.equal(step.verdict, 'error');
      assert.match(
        judgement.steps[0]!.message,
        /^Could not judge: the solution is longer than the PRM's context \(400 from http:\/\/127\.0\.0\.1:\d+\/pooling: This model's maximum context length is 60 tokens\. However, you requested \d+ tokens in the input for embedding generation\. Please reduce the length of the input\.\)$/,
      );
      assert.match(judgement.critic.note ?? '', /maximum context length is 60 tokens/);
    });
  });

  for (const api of ['current', 'legacy'] as const) {
    it(`a model that is not a pooling model (${api} error shape) is "could not judge", saying what to serve`, async () => {
      await withServer({ pooling: false, api }, async (chat) => {
        const judgement = await judgeSolution(mathDocument(PROBLEM, STEPS), { critic: createPrmCritic(config(chat, { api })) });
        assert.match(
          judgement.steps[0]!.message,
          /Could not judge: the served model is not a pooling model, so it cannot score steps \(400 from http:\/\/127\.0\.0\.1:\d+\/pooling: The model does not support Pooling API\); serve a process reward model/,
        );
      });
    });
  }

  it('retries 503 and 429 (Retry-After) like the LLM critic, through the same client', async () => {
    const busy = { status: 503, body: { error: { message: 'Service Unavailable', type: 'ServiceUnavailableError', param: null, code: 503 } } };
    const limited = { status: 429, body: { detail: 'Too Many Requests' }, headers: { 'retry-after': '0' } };
    await withServer({ faults: [busy, limited] }, async (flaky) => {
      const judgement = await judgeSolution(mathDocument(PROBLEM, STEPS), { critic: createPrmCritic(config(flaky, { maxRetries: 2, retryBaseMs: 1 })) });
      assert.deepEqual(
        judgement.steps.map((s) => s.pTrue),
        [0.93, 0.12, 0.61],
      );
      assert.equal(flaky.poolingRequests().length, 3);
      assert.equal(judgement.usage.requests, 3, 'every HTTP attempt is counted');
    });
  });

  it('a server that is not there is "could not judge", saying so', async () => {
    const gone = await startScriptedPrmServer();
    const resolved = config(gone);
    await gone.close();
    const judgement = await judgeSolution(mathDocument(PROBLEM, STEPS), { critic: createPrmCritic(resolved) });
    assert.match(judgement.steps[0]!.message, /^Could not judge: could not connect to http:\/\/127\.0\.0\.1:\d+\/pooling: connection refused/);
  });

  it('a server that pools every token instead of the separator says how to fix it', async () => {
    await withServer({ poolingType: 'all' }, async (all) => {
      const judgement = await judgeSolution(mathDocument(PROBLEM, STEPS), { critic: createPrmCritic(config(all)) });
      assert.match(judgement.steps[0]!.message, /score vectors for 3 steps: it scores every token \(ALL pooling\).*STEP pooling/);
    });
  });

  it('reads logits when the format says so, and refuses to read logits as probabilities', async () => {
    await withServer({ output: 'logits' }, async (logits) => {
      const right = await judgeSolution(mathDocument(PROBLEM, STEPS), { critic: createPrmCritic(config(logits, { overrides: { output: 'logits' } })) });
      right.steps.forEach((s, i) => assert.ok(Math.abs(s.pTrue! - SCRIPTED[i]!) < 1e-9, `step ${i + 1}: ${s.pTrue}`));
      const wrong = await judgeSolution(mathDocument(PROBLEM, STEPS), { critic: createPrmCritic(config(logits)) });
      assert.match(wrong.steps[0]!.message, /the scores are not probabilities \(-2\.659, -0\.073\): the server returns logits/);
    });
  });

  it('a custom model: a text template, its own separator and positive class', async () => {
    await withServer({ separator: ' ки' }, async (shepherd) => {
      const custom = { separator: ' ки', template: '{problem} {steps}', positiveClass: 1, output: 'probabilities' as const };
      const critic = createPrmCritic(config(shepherd, { model: PRM_MODEL, overrides: custom }));
      const judgement = await judgeSolution(mathDocument(PROBLEM, STEPS), { critic });
      assert.deepEqual(shepherd.poolingRequests()[0]!.body, {
        model: PRM_MODEL,
        input: `${PROBLEM} ${STEPS.map((s) => `${s} ки`).join('')}`,
        task: 'token_classify',
      });
      assert.deepEqual(
        judgement.steps.map((s) => s.pTrue),
        [0.93, 0.12, 0.61],
      );
      assert.equal(critic.prm.formatName, 'custom');
    });
  });

  it('a model without a preset and no format says what to configure', () => {
    const resolved = resolvePrmConfig({ model: 'my-org/my-prm' }, { model: '--prm-model', format: '--prm-format FILE' });
    assert.equal(resolved.ok, false);
    assert.match(
      resolved.ok ? '' : resolved.reason,
      /no preset for the model "my-org\/my-prm".*--prm-format FILE \(separator, template, positiveClass, output/,
    );
  });
});
