// The LLM critic inside judgeSolution: verifier evidence told to the critic and standing over it, the
// earliest wrong step, budget-stopped and failed steps never shown as correct.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TokenBudget } from '../../src/engine/llm/budget';
import { createLlmClient } from '../../src/engine/llm/client';
import { Semaphore } from '../../src/engine/llm/concurrency';
import { CriticConfigSchema, type CriticConfigInput } from '../../src/engine/llm/config';
import { createLlmCritic } from '../../src/engine/llm/critic';
import { judgeSolution, verifyDocument } from '../../src/engine/judge';
import { completion, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { mathDocument, scriptedByStep } from './helpers';

const doc = mathDocument('Tom has 3 bags of 4 apples and eats 2. How many apples are left?', [
  'Tom has 3 * 4 = 12 apples.',
  'He eats 2, so 12 - 2 = 10 apples are left.',
  'The answer is 10.',
]);

describe('LLM critic in judgeSolution', () => {
  let server: ScriptedLlmServer;
  before(async () => {
    server = await startScriptedLlmServer();
  });
  after(() => server.close());

  const critic = (extra: Partial<CriticConfigInput> = {}, budget?: TokenBudget) => {
    const c = CriticConfigSchema.parse({ baseUrl: server.baseUrl, model: 'scripted-critic', retryBaseMs: 5, timeoutMs: 3000, ...extra });
    const b = budget ?? new TokenBudget(c.tokenBudget);
    return createLlmCritic(c, { budget: b, client: createLlmClient(c, { budget: b, semaphore: new Semaphore(4) }) });
  };

  it('tells the critic what the deterministic verifiers found, and does not pay for a step they refuted', async () => {
    server.setHandler(scriptedByStep({}));
    const wrong = mathDocument('Tom has 3 bags of 4 apples. How many apples?', ['Tom has 3 * 4 = 12 apples.', 'Half of them is 12 / 2 = 7.']);
    const base = server.chatRequests().length;
    const judgement = await judgeSolution(wrong, { critic: critic() });
    assert.equal(server.chatRequests().length, base + 1);
    const prompt = server.chatRequests()[base]!.userText;
    assert.match(prompt, /step 1: computation `3 \* 4 = 12` checks out/);
    assert.doesNotMatch(prompt, /12 \/ 2 = 7/, 'the refuted step is settled: not sent');
    // The refuted step stands whatever the model said.
    assert.equal(judgement.steps[1]!.verdict, 'incorrect');
    assert.equal(judgement.steps[1]!.source, 'verifier');
    assert.ok(
      verifyDocument(wrong)
        .get(1)!
        .some((e) => e.kind === 'arithmetic' && e.status === 'refuted'),
    );
  });

  it('in judgeSolution: the first wrong step, later steps downstream, thresholds from P(True)', async () => {
    server.setHandler(
      scriptedByStep({ 1: { verdict: 'correct', pTrue: 0.95 }, 2: { verdict: 'incorrect', pTrue: 0.1 }, 3: { verdict: 'correct', pTrue: 0.9 } }),
    );
    const judgement = await judgeSolution(doc, { critic: critic() });
    assert.deepEqual(
      judgement.steps.map((s) => s.verdict),
      ['correct', 'incorrect', 'downstream'],
    );
    assert.equal(judgement.firstErrorIndex, 1);
    assert.equal(judgement.steps[1]!.source, 'logprobs');
    assert.equal(judgement.critic.enabled, true);
  });

  it('the tiny-model case: a written "incorrect" whose prefixes favour "correct" is uncertain, never Correct, and says so', async () => {
    // Measured on a tiny llama.cpp model: the written verdict's token barely led its alternatives, and
    // the prefixes of the other word together outweighed it (issue #13; protocol 1 showed "Correct, P(True) 0.78").
    const sure = (token: string) => ({
      token,
      logprob: -0.01,
      top_logprobs: [
        { token, logprob: -0.01 },
        { token: `${token} `, logprob: -6 },
      ],
    });
    const verdict = {
      token: ' false',
      logprob: -2.002,
      top_logprobs: [
        { token: ' false', logprob: -2.002 },
        { token: ' t', logprob: -2.002 },
        { token: ' tr', logprob: -2.052 },
        { token: ' tru', logprob: -2.172 },
        { token: ' true', logprob: -2.184 },
      ],
    };
    const one = mathDocument('What is 2 + 3?', ['Two and three make five.']);
    const tokens = [sure('{"steps": [{"step": 1, "analysis": "two and three make six", "correct":'), verdict, sure('}]}')];
    server.setHandler(() => completion(tokens.map((t) => t.token).join(''), { logprobs: tokens }));
    const judgement = await judgeSolution(one, { critic: critic() });
    const step = judgement.steps[0]!;
    assert.equal(step.verdict, 'uncertain');
    assert.equal(step.source, 'logprobs');
    assert.ok(Math.abs(step.pTrue! - 0.784) < 0.001, String(step.pTrue));
    assert.match(step.message, /^Uncertain: the critic wrote "incorrect" but its P\(True\) 0\.78 \(logprobs\) favours correct\./);
  });

  it('a reply that stays malformed leaves `error` steps and an `error` solution, never a silent correct', async () => {
    server.setHandler(() => completion('{"steps": [{"step": 1, "verdict": '));
    const judgement = await judgeSolution(doc, { critic: critic() });
    assert.deepEqual(
      judgement.steps.map((s) => s.verdict),
      ['error', 'error', 'error'],
    );
    assert.equal(judgement.verdict, 'error');
  });

  it('steps the budget stopped are unchecked, with the note', async () => {
    server.setHandler(scriptedByStep({}));
    const judgement = await judgeSolution(doc, { critic: critic({}, new TokenBudget(50)) });
    assert.deepEqual(
      judgement.steps.map((s) => s.verdict),
      ['unchecked', 'unchecked', 'unchecked'],
    );
    assert.match(judgement.critic.note ?? '', /token budget reached: 0 of 50 tokens used/);
  });
});
