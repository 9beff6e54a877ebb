import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CriticRequest, CriticResult, StepCritic } from '../../src/engine/checks';
import { parseSolution } from '../../src/engine/documents/parse';
import { judgeSolution } from '../../src/engine/judge';
import type { ChatMessage } from '../../src/engine/llm/protocol';
import { buildRefineMessages, parseRefinePrompt, REFINE_PROMPT_VERSION } from '../../src/engine/refine/prompt';
import { refineSolution, refineStep, regenerateFrom, type RefineDependencies, type RefineModel } from '../../src/engine/refine';
import { fitReplacement, stepPrefix } from '../../src/engine/refine/splice';
import { applyEdits, minimalEdit, offsetAt, positionAt } from '../../src/engine/refine/text';
import type { SolutionDocument } from '../../src/engine/types';

/**
 * A critic that calls a step incorrect (P(True) 0.1) when it contains "WRONG", else correct (0.9).
 * Like the LLM critic with its cache, it answers for every step; those before `fromStep` as cached.
 */
function keywordCritic(): StepCritic & { calls: CriticRequest[] } {
  const calls: CriticRequest[] = [];
  return {
    description: 'keyword critic',
    calls,
    async judge(request): Promise<CriticResult> {
      calls.push(request);
      return {
        model: 'keyword',
        steps: request.document.steps.map((s) => {
          const wrong = /WRONG/.test(s.text);
          return {
            index: s.index,
            verdict: wrong ? 'incorrect' : 'correct',
            pTrue: wrong ? 0.1 : 0.9,
            source: 'logprobs',
            explanation: wrong ? 'It does not follow.' : 'Fine.',
            cached: s.index < request.fromStep,
          };
        }),
        finalAnswerPTrue: null,
        usage: { requests: 1, promptTokens: 10, completionTokens: 5, cachedSteps: 0 },
      };
    },
  };
}

function scriptedModel(replies: (string | Error)[]): RefineModel & { prompts: ChatMessage[][] } {
  const prompts: ChatMessage[][] = [];
  return {
    prompts,
    async complete(messages) {
      prompts.push(messages);
      const reply = replies[Math.min(prompts.length - 1, replies.length - 1)]!;
      if (reply instanceof Error) throw reply;
      return { content: reply, usage: { promptTokens: 100, completionTokens: 20 } };
    },
  };
}

const TEXT = `# Problem

Sam has 3 bags of 4 marbles and finds 2 more. How many marbles does he have?

# Solution

Step 1: The bags hold 3 * 4 = 12 marbles.

Step 2: He then loses them all WRONG so he has 0.

Step 3: With the 2 he found he has 0 + 2 = 2.

Answer: 2
`;

async function setup(text = TEXT, replies: (string | Error)[] = []) {
  const uri = 'file:///tmp/marbles.solution.md';
  const critic = keywordCritic();
  const model = scriptedModel(replies);
  const parse = (t: string) => parseSolution({ uri, text: t });
  const deps: RefineDependencies = {
    model,
    parse,
    judge: (document: SolutionDocument, o) => judgeSolution(document, { critic }, { fromStep: o.fromStep, signal: o.signal }),
  };
  const document = await parse(text);
  const judgement = await judgeSolution(document, { critic });
  return { document, judgement, deps, model, critic };
}

const reply = (replacement: string) => JSON.stringify({ analysis: 'fixed', replacement });

describe('refineStep', () => {
  it('offers a rewrite only after it is judged correct in context, as one minimal edit', async () => {
    const { document, judgement, deps, model, critic } = await setup(TEXT, [reply('He keeps them all, so he has 12.')]);
    assert.equal(judgement.firstErrorIndex, 1);
    const before = critic.calls.length;
    const outcome = await refineStep({ document, judgement }, deps);
    assert.equal(outcome.status, 'proposed');
    assert.equal(outcome.fromStep, 1);
    assert.equal(outcome.pTrueBefore, 0.1);
    assert.equal(outcome.pTrueAfter, 0.9);
    assert.equal(outcome.text, TEXT.replace('Step 2: He then loses them all WRONG so he has 0.', 'Step 2: He keeps them all, so he has 12.'));
    assert.deepEqual(outcome.edit, {
      range: { start: { line: 8, character: 11 }, end: { line: 8, character: 48 } },
      newText: 'keeps them all, so he has 12',
    });
    assert.equal(applyEdits(TEXT, [outcome.edit!]), outcome.text);
    assert.equal(critic.calls.length - before, 1, 'judged once more');
    assert.equal(critic.calls.at(-1)!.fromStep, 1, 'in context: step 1 is context, step 2 on are judged');
    assert.equal(model.prompts.length, 1);
    const prompt = parseRefinePrompt(model.prompts[0]![1]!.content);
    assert.equal(prompt?.target, 2);
    assert.match(prompt!.feedback, /It does not follow\./);
    assert.deepEqual(outcome.usage.requests, 2, 'the model call and the re-judge');
  });

  it('gives up after two attempts that do not hold, keeping each with its reason; the second is told about the first', async () => {
    const { document, judgement, deps, model } = await setup(TEXT, [reply('He loses them WRONG again.'), 'not json at all']);
    const outcome = await refineStep({ document, judgement }, deps);
    assert.equal(outcome.status, 'rejected');
    assert.equal(outcome.edit, undefined);
    assert.equal(outcome.attempts.length, 2);
    assert.match(outcome.attempts[0]!.reason, /^step 2 is still incorrect: Incorrect, P\(True\) 0\.10/);
    assert.equal(outcome.attempts[0]!.pTrue, 0.1);
    assert.match(outcome.attempts[1]!.reason, /^the reply could not be used: the reply is not valid JSON/);
    assert.match(outcome.message, /^No rewrite of step 2 held up after 2 attempts/);
    const second = parseRefinePrompt(model.prompts[1]![1]!.content);
    assert.deepEqual(second?.rejected, ['Step 2: He loses them WRONG again.']);
    assert.match(model.prompts[1]![1]!.content, /rejected: step 2 is still incorrect/);
  });

  it('reports a model that fails; an aborted request stops the refinement', async () => {
    const { document, judgement, deps } = await setup(TEXT, [new Error('503 from the endpoint')]);
    const outcome = await refineStep({ document, judgement, maxAttempts: 1 }, deps);
    assert.equal(outcome.status, 'rejected');
    assert.equal(outcome.attempts[0]!.reason, 'the model failed: 503 from the endpoint');
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(refineStep({ document, judgement, signal: controller.signal }, deps));
  });

  it('has nothing to do when no step is wrong or uncertain', async () => {
    const { document, judgement, deps, model } = await setup(TEXT.replace(' WRONG', ''));
    const outcome = await refineStep({ document, judgement }, deps);
    assert.equal(outcome.status, 'nothing-to-do');
    assert.equal(model.prompts.length, 0);
  });
});

describe('regenerateFrom and refineSolution', () => {
  it('regenerates steps k..end and the answer line, numbering new steps the model left unlabelled', async () => {
    const regen = JSON.stringify({
      analysis: 'redo',
      steps: ['He keeps all 12.', 'With the 2 he found he has 12 + 2 = 14.', 'Check: 14 - 2 = 12.'],
      finalAnswer: 'Answer: 14',
    });
    const { document, judgement, deps } = await setup(TEXT, [regen]);
    const outcome = await regenerateFrom({ document, judgement }, deps);
    assert.equal(outcome.status, 'proposed', outcome.message);
    assert.equal(
      outcome.text,
      TEXT.replace(
        'Step 2: He then loses them all WRONG so he has 0.\n\nStep 3: With the 2 he found he has 0 + 2 = 2.\n\nAnswer: 2',
        'Step 2: He keeps all 12.\n\nStep 3: With the 2 he found he has 12 + 2 = 14.\n\nStep 4: Check: 14 - 2 = 12.\n\nAnswer: 14',
      ),
    );
    assert.equal(outcome.after!.judgement.firstErrorIndex, -1);
  });

  it('rejects a regeneration whose arithmetic is false (the verifier has the last word)', async () => {
    const regen = JSON.stringify({ steps: ['He keeps all 12.', 'So he has 12 + 2 = 15.'], finalAnswer: 'Answer: 15' });
    const { document, judgement, deps } = await setup(TEXT, [regen]);
    const outcome = await regenerateFrom({ document, judgement, maxAttempts: 1 }, deps);
    assert.equal(outcome.status, 'rejected');
    assert.match(outcome.attempts[0]!.reason, /step 3 is still incorrect: 12 \+ 2 = 15 \(should be 14\)/);
  });

  it('refines the solution round by round, as one edit from the original text', async () => {
    const text = TEXT.replace('0 + 2 = 2.', '0 + 2 = 2 WRONG.');
    const { document, judgement, deps, model } = await setup(text, [
      reply('He keeps them all, so he has 12.'),
      reply('With the 2 he found he has 12 + 2 = 14.'),
    ]);
    const outcome = await refineSolution({ document, judgement }, deps);
    assert.equal(outcome.status, 'proposed', outcome.message);
    assert.equal(model.prompts.length, 2, 'one rewrite per wrong step');
    assert.equal(
      outcome.text,
      text
        .replace('He then loses them all WRONG so he has 0.', 'He keeps them all, so he has 12.')
        .replace('With the 2 he found he has 0 + 2 = 2 WRONG.', 'With the 2 he found he has 12 + 2 = 14.'),
    );
    assert.equal(applyEdits(text, [outcome.edit!]), outcome.text);
    assert.match(outcome.message, /P\(True\) 0\.09 → 0\.73/, 'product of the steps up to the first wrong one');
  });
});

describe('splicing a rewrite into the document', () => {
  it('keeps the list marker, takes the model label or the original one, indents continuation lines, keeps one paragraph', () => {
    assert.equal(stepPrefix('- **Step 3.** x'), '- **Step 3.** ');
    assert.equal(fitReplacement('Step 3: old', 'new text', 'math'), 'Step 3: new text');
    assert.equal(fitReplacement('Step 3: old', 'Step 3. new text', 'math'), 'Step 3. new text');
    assert.equal(fitReplacement('- old', 'new\nsecond line', 'math'), '- new\n  second line');
    assert.equal(fitReplacement('12. old', 'new\n\nafter a blank line', 'math'), '12. new\n    after a blank line');
    assert.equal(fitReplacement('Step 3: old', 'new', 'math', 2), 'Step 5: new');
    assert.equal(fitReplacement('x = 1', '\n\ny = 2\n\n', 'code'), 'y = 2');
  });
});

describe('text positions and minimal edits', () => {
  it('counts lines across \\n, \\r\\n and \\r, and characters in UTF-16 units', () => {
    const text = 'a\r\nb𝑥c\rd\ne';
    assert.equal(offsetAt(text, { line: 1, character: 3 }), 6);
    assert.deepEqual(positionAt(text, 6), { line: 1, character: 3 });
    assert.deepEqual(positionAt(text, 9), { line: 2, character: 1 });
    assert.deepEqual(positionAt(text, 10), { line: 3, character: 0 });
    assert.equal(offsetAt(text, { line: 9, character: 0 }), text.length);
  });

  it('changes only the differing middle, never splitting a surrogate pair or a line break', () => {
    assert.deepEqual(minimalEdit('x = 25 + 1', 'x = 24 + 1'), { range: { start: { line: 0, character: 5 }, end: { line: 0, character: 6 } }, newText: '4' });
    assert.equal(minimalEdit('same', 'same'), undefined);
    const before = 'a𝑥b';
    const after = 'a𝑦b';
    const edit = minimalEdit(before, after)!;
    assert.equal(applyEdits(before, [edit]), after);
    assert.equal(edit.newText, '𝑦');
    const crlf = minimalEdit('a\r\nb', 'a\nb')!;
    assert.equal(applyEdits('a\r\nb', [crlf]), 'a\nb');
  });
});

describe('the refinement prompt', () => {
  it('is versioned, tags the steps, and reads back even with tag-like text inside a step', () => {
    const messages = buildRefineMessages({
      kind: 'step',
      solutionKind: 'math',
      problem: 'P </problem> P',
      steps: [
        { index: 0, text: 'one </step> one' },
        { index: 1, text: 'two' },
      ],
      target: 1,
      finalAnswer: '42',
      feedback: 'wrong',
      rejected: [{ text: 'two again', reason: 'still wrong' }],
    });
    assert.match(messages[1]!.content, new RegExp(`version="${REFINE_PROMPT_VERSION}"`));
    const parsed = parseRefinePrompt(messages[1]!.content);
    assert.deepEqual(parsed, {
      kind: 'step',
      target: 2,
      problem: 'P </problem> P',
      steps: [
        { number: 1, text: 'one </step> one' },
        { number: 2, text: 'two' },
      ],
      finalAnswer: '42',
      feedback: 'wrong',
      rejected: ['two again'],
    });
    assert.equal(parseRefinePrompt('<problem>x</problem>'), undefined, 'a critic prompt is not a refinement prompt');
  });
});
