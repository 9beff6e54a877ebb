// Rubrics judged by the LLM critic: every item in the same single request as the steps, scores that
// equal the scripted item verdicts, refuted steps that make their items unmet, cached verdicts reused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TokenBudget } from '../../src/engine/llm/budget';
import { createLlmClient } from '../../src/engine/llm/client';
import { Semaphore } from '../../src/engine/llm/concurrency';
import { CriticConfigSchema, type CriticConfigInput } from '../../src/engine/llm/config';
import { createLlmCritic } from '../../src/engine/llm/critic';
import { parseCriticPrompt } from '../../src/engine/llm/protocol';
import { createMemoryCache } from '../../src/engine/cache/memory';
import { judgeSolution } from '../../src/engine/judge';
import type { RubricItem } from '../../src/engine/rubric/rubric';
import { completion, ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { mathDocument } from './helpers';

const doc = mathDocument('Tom has 3 bags of 4 apples and eats 2. How many apples are left?', [
  'Tom has 3 * 4 = 12 apples.',
  'He eats 2, so 12 - 2 = 10 apples are left.',
  'The answer is 10 apples.',
]);

const rubric: RubricItem[] = [
  { title: 'Counts the apples', points: 2, description: 'Multiplies bags by apples per bag.' },
  { title: 'Subtracts the eaten apples', points: 2 },
  { title: 'States the unit', points: 1 },
];

describe('rubric judged by the LLM critic', () => {
  let server: ScriptedLlmServer;
  before(async () => {
    server = await startScriptedLlmServer();
  });
  after(() => server.close());

  const critic = (extra: Partial<CriticConfigInput> = {}, cache = createMemoryCache()) => {
    const c = CriticConfigSchema.parse({ baseUrl: server.baseUrl, model: 'scripted-critic', retryBaseMs: 5, timeoutMs: 3000, ...extra });
    const b = new TokenBudget(c.tokenBudget);
    return createLlmCritic(c, { cache, budget: b, client: createLlmClient(c, { budget: b, semaphore: new Semaphore(4) }) });
  };

  it('judges every item in the one request of the solution; the score equals the scripted verdicts', async () => {
    server.setHandler(
      ruleBasedCriticHandler({
        rubric: [
          { item: 1, met: true, pTrue: 0.9, steps: [1] },
          { item: 2, met: false, pTrue: 0.2, steps: [2] },
          { item: 3, met: true, pTrue: 0.8, steps: [3] },
        ],
      }),
    );
    const base = server.chatRequests().length;
    const judgement = await judgeSolution(doc, { critic: critic(), rubric });
    assert.equal(server.chatRequests().length, base + 1, 'one request for the steps and the rubric');
    const request = server.chatRequests()[base]!;
    const prompt = parseCriticPrompt(request.userText);
    assert.ok(prompt?.kind === 'steps');
    assert.deepEqual(
      prompt.judged.map((s) => s.number),
      [1, 2, 3],
    );
    assert.deepEqual(
      prompt.rubric.map((i) => [i.number, i.points, i.text]),
      [
        [1, 2, 'Counts the apples\nMultiplies bags by apples per bag.'],
        [2, 2, 'Subtracts the eaten apples'],
        [3, 1, 'States the unit'],
      ],
    );
    const schema = JSON.stringify(request.chat.response_format);
    assert.match(schema, /"rubric"/, 'the JSON schema asks for the rubric entries');

    const result = judgement.rubric!;
    assert.deepEqual(
      result.items.map((i) => [i.status, i.pTrue === null ? null : Math.round(i.pTrue * 100) / 100, i.steps, i.source]),
      [
        ['met', 0.9, [0], 'logprobs'],
        ['unmet', 0.2, [1], 'logprobs'],
        ['met', 0.8, [2], 'logprobs'],
      ],
    );
    assert.equal(result.score, 3);
    assert.equal(result.maxPoints, 5);
    assert.ok(Math.abs(result.expectedScore! - (2 * 0.9 + 2 * 0.2 + 1 * 0.8)) < 0.01, `expected ${result.expectedScore}`);
    assert.deepEqual(
      judgement.steps.map((s) => s.verdict),
      ['correct', 'correct', 'correct'],
      'the steps are judged as without a rubric',
    );
  });

  it('an item resting on a step the verifiers refuted is not met, whatever the critic says; the critic still sees every step', async () => {
    server.setHandler(
      ruleBasedCriticHandler({
        rubric: [
          { item: 1, met: true, pTrue: 0.95, steps: [1] },
          { item: 2, met: true, pTrue: 0.95, steps: [2] },
          { item: 3, met: true, pTrue: 0.95, steps: [3] },
        ],
      }),
    );
    const wrong = mathDocument('Tom has 3 bags of 4 apples and eats 2. How many apples are left?', [
      'Tom has 3 * 4 = 12 apples.',
      'He eats 2, so 12 - 2 = 9 apples are left.',
      'The answer is 9 apples.',
    ]);
    const base = server.chatRequests().length;
    const judgement = await judgeSolution(wrong, { critic: critic(), rubric });
    assert.equal(server.chatRequests().length, base + 1);
    const prompt = parseCriticPrompt(server.chatRequests()[base]!.userText);
    assert.ok(prompt?.kind === 'steps');
    assert.deepEqual(
      prompt.judged.map((s) => s.number),
      [1],
      'the refuted step and those after it are not judged',
    );
    assert.deepEqual(
      prompt.context.map((s) => s.number),
      [2, 3],
      'but shown, for the rubric',
    );
    const [counts, subtracts, unit] = judgement.rubric!.items;
    assert.equal(counts!.status, 'met');
    assert.equal(subtracts!.status, 'unmet');
    assert.equal(subtracts!.source, 'verifier');
    assert.equal(subtracts!.pTrue, 0);
    assert.match(subtracts!.note!, /step 2, whose computation the verifiers refuted/);
    assert.equal(unit!.status, 'met', 'an item on a later step that was not refuted stands');
    assert.equal(judgement.rubric!.score, 3);
    assert.deepEqual(
      judgement.steps.map((s) => s.verdict),
      ['correct', 'incorrect', 'downstream'],
    );
  });

  it('a solution whose first step is refuted still gets its rubric judged, in one request with every step as context', async () => {
    server.setHandler(ruleBasedCriticHandler({ rubric: [{ item: 1, met: true, pTrue: 0.9, steps: [1] }] }));
    const wrong = mathDocument('Tom has 3 bags of 4 apples. How many apples?', ['Tom has 3 * 4 = 13 apples.', 'The answer is 13 apples.']);
    const base = server.chatRequests().length;
    const judgement = await judgeSolution(wrong, { critic: critic(), rubric });
    assert.equal(server.chatRequests().length, base + 1);
    const prompt = parseCriticPrompt(server.chatRequests()[base]!.userText);
    assert.ok(prompt?.kind === 'steps');
    assert.deepEqual(prompt.judged, []);
    assert.equal(judgement.rubric!.items[0]!.status, 'unmet', 'rests on the refuted step 1');
    assert.equal(judgement.rubric!.score, 3);
  });

  it('cached: the same solution and rubric cost no request and give the same score; a changed rubric asks again', async () => {
    server.setHandler(ruleBasedCriticHandler({ rubric: [{ item: 2, met: false, pTrue: 0.1, steps: [2] }] }));
    const c = critic();
    const first = await judgeSolution(doc, { critic: c, rubric });
    const base = server.chatRequests().length;
    const again = await judgeSolution(doc, { critic: c, rubric });
    assert.equal(server.chatRequests().length, base, 'nothing sent');
    assert.deepEqual(again.rubric, first.rubric);
    await judgeSolution(doc, { critic: c, rubric: [...rubric, { title: 'Checks the answer', points: 1 }] });
    assert.equal(server.chatRequests().length, base + 1, 'a new rubric: one request, the steps as cached context');
    const prompt = parseCriticPrompt(server.chatRequests()[base]!.userText);
    assert.ok(prompt?.kind === 'steps');
    assert.deepEqual(prompt.judged, []);
    assert.equal(prompt.rubric.length, 4);
  });

  it('a reply without the rubric is repaired once; an item still missing leaves no score, never a made-up one', async () => {
    const stepsOnly =
      '{"steps": [{"step": 1, "analysis": "ok", "correct": true}, {"step": 2, "analysis": "ok", "correct": true}, {"step": 3, "analysis": "ok", "correct": true}]}';
    server.setHandler(() => completion(stepsOnly));
    const base = server.chatRequests().length;
    const judgement = await judgeSolution(doc, { critic: critic({ samples: 1 }), rubric });
    assert.equal(server.chatRequests().length, base + 2, 'the request and one repair');
    assert.match(server.chatRequests()[base + 1]!.lastUserText, /no verdict for rubric items 1, 2, 3/);
    assert.equal(judgement.rubric!.score, null);
    assert.equal(judgement.rubric!.expectedScore, null);
    assert.match(judgement.rubric!.note!, /3 of 3 rubric items could not be judged/);
    assert.ok(
      judgement.steps.every((s) => s.verdict !== 'error'),
      'the steps the reply judged keep their verdicts',
    );
  });

  it('without an LLM critic the rubric is not judged: no score, and the reason', async () => {
    const judgement = await judgeSolution(doc, { criticOffReason: 'LLM critic off: no endpoint configured', rubric });
    assert.equal(judgement.rubric!.score, null);
    assert.equal(judgement.rubric!.expectedScore, null);
    assert.equal(judgement.rubric!.maxPoints, 5);
    assert.match(judgement.rubric!.note!, /the rubric could not be judged: LLM critic off/);
    assert.ok(judgement.rubric!.items.every((i) => i.status === 'unjudged'));
  });
});
