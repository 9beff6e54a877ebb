import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CodeCheckResult, CriticResult } from '../../src/engine/checks';
import { defaultThresholds } from '../../src/engine/checks';
import { answerText, combineVerdicts, computationsVerified, type CombineInput } from '../../src/engine/combine';
import { solutionPTrue } from '../../src/engine/summary';
import type { ClaimEvidence, Evidence, SolutionDocument } from '../../src/engine/types';

function doc(stepCount: number): SolutionDocument {
  const steps = Array.from({ length: stepCount }, (_, i) => ({
    index: i,
    text: `step ${i}`,
    range: { start: { line: i, character: 0 }, end: { line: i, character: 6 } },
    hash: `h${i}`,
  }));
  return {
    uri: 'mem://a.solution.md',
    format: 'markdown',
    kind: 'math',
    text: steps.map((s) => s.text).join('\n'),
    problem: 'p',
    problemHash: 'ph',
    steps,
    warnings: [],
  };
}

const refuted = (line: number): ClaimEvidence => ({
  kind: 'arithmetic',
  status: 'refuted',
  claim: '48 / 2 = 25',
  expected: '24',
  range: { start: { line, character: 9 }, end: { line, character: 11 } },
  fix: { range: { start: { line, character: 9 }, end: { line, character: 11 } }, newText: '24' },
});

function critic(pTrues: (number | 'error')[], model = 'm'): CriticResult {
  return {
    model,
    steps: pTrues.map((p, index) =>
      p === 'error'
        ? { index, verdict: 'error' as const, pTrue: null, source: 'logprobs' as const, explanation: '', cached: false, error: 'malformed reply' }
        : {
            index,
            verdict: p > 0.5 ? ('correct' as const) : ('incorrect' as const),
            pTrue: p,
            source: 'logprobs' as const,
            explanation: `why ${index}`,
            cached: false,
          },
    ),
    finalAnswerPTrue: null,
    usage: { requests: 1, promptTokens: 10, completionTokens: 5, cachedSteps: 0 },
  };
}

function input(partial: Partial<CombineInput> & { document: SolutionDocument }): CombineInput {
  return { verifier: new Map(), accepted: new Set(), thresholds: defaultThresholds, ...partial };
}

describe('combineVerdicts', () => {
  it('a refuted computation makes the step incorrect with P(True) 0 whatever the critic says', () => {
    const result = combineVerdicts(input({ document: doc(3), verifier: new Map([[1, [refuted(1)]]]), critic: critic([0.9, 0.99, 0.9]) }));
    const step = result.steps[1]!;
    assert.equal(step.verdict, 'incorrect');
    assert.equal(step.pTrue, 0);
    assert.equal(step.source, 'verifier');
    assert.equal(step.code, 'arithmetic');
    assert.match(step.message, /should be 24/);
    assert.deepEqual(
      step.fixes.map((f) => f.newText),
      ['24'],
    );
    assert.equal(result.firstErrorIndex, 1);
    assert.equal(result.verdict, 'incorrect');
  });

  it('steps after the earliest wrong step are downstream and point at it', () => {
    const result = combineVerdicts(input({ document: doc(4), critic: critic([0.95, 0.1, 0.05, 0.99]) }));
    assert.deepEqual(
      result.steps.map((s) => s.verdict),
      ['correct', 'incorrect', 'downstream', 'downstream'],
    );
    assert.equal(result.steps[2]!.premiseStep, 1);
    assert.equal(result.steps[3]!.pTrue, 0.99, 'a downstream step keeps its own P(True)');
    assert.equal(result.firstErrorIndex, 1);
  });

  it('P(True) between the thresholds is uncertain, and the band edges are inclusive', () => {
    const result = combineVerdicts(input({ document: doc(3), critic: critic([0.7, 0.5, 0.3]) }));
    assert.deepEqual(
      result.steps.map((s) => s.verdict),
      ['correct', 'uncertain', 'incorrect'],
    );
    assert.equal(result.steps[1]!.code, 'low-confidence');
  });

  it('custom thresholds move the bands', () => {
    const result = combineVerdicts(input({ document: doc(2), critic: critic([0.75, 0.5]), thresholds: { correct: 0.8, incorrect: 0.5 } }));
    assert.deepEqual(
      result.steps.map((s) => s.verdict),
      ['uncertain', 'incorrect'],
    );
  });

  it('a written verdict its P(True) contradicts is uncertain, and says so: never "Correct" over a written "incorrect"', () => {
    const steps = critic([0.9, 0.9]).steps.map((s, i) => (i === 0 ? { ...s, verdict: 'incorrect' as const } : s));
    const result = combineVerdicts(input({ document: doc(2), critic: { ...critic([]), steps } }));
    assert.deepEqual(
      result.steps.map((s) => s.verdict),
      ['uncertain', 'correct'],
    );
    assert.equal(result.steps[0]!.code, 'low-confidence');
    assert.match(result.steps[0]!.message, /^Uncertain: the critic wrote "incorrect" but its P\(True\) 0\.90 \(logprobs\) favours correct\./);
    const flipped = critic([0.1]).steps.map((s) => ({ ...s, verdict: 'correct' as const }));
    const other = combineVerdicts(input({ document: doc(1), critic: { ...critic([]), steps: flipped } }));
    assert.equal(other.steps[0]!.verdict, 'uncertain');
    assert.match(other.steps[0]!.message, /wrote "correct" but its P\(True\) 0\.10 \(logprobs\) favours incorrect/);
  });

  it('a judge error is "could not judge", never a silent correct', () => {
    const result = combineVerdicts(input({ document: doc(2), critic: critic([0.9, 'error']) }));
    assert.equal(result.steps[1]!.verdict, 'error');
    assert.equal(result.steps[1]!.pTrue, null);
    assert.match(result.steps[1]!.message, /Could not judge: malformed reply/);
    assert.equal(result.verdict, 'error');
  });

  it('a step the user accepted stays correct, even over a refutation, and does not become downstream', () => {
    const result = combineVerdicts(
      input({ document: doc(3), verifier: new Map([[0, [refuted(0)]]]), critic: critic([0.1, 0.1, 0.9]), accepted: new Set([0, 2]) }),
    );
    assert.deepEqual(
      result.steps.map((s) => s.verdict),
      ['correct', 'incorrect', 'correct'],
    );
    assert.equal(result.steps[0]!.source, 'user');
    assert.equal(result.steps[0]!.accepted, true);
    assert.equal(result.firstErrorIndex, 1);
  });

  it('with no critic, verified claims are evidence but the step stays unchecked, and says why', () => {
    const { expected: _expected, fix: _fix, ...claim } = refuted(0);
    const verified: Evidence = { ...claim, status: 'verified', claim: '48 / 2 = 24' };
    const result = combineVerdicts(input({ document: doc(2), verifier: new Map([[0, [verified]]]), criticNote: 'LLM critic off' }));
    assert.equal(result.steps[0]!.verdict, 'unchecked');
    assert.equal(result.steps[0]!.source, 'verifier');
    assert.equal(result.steps[0]!.message, 'Computations verified; reasoning not judged.');
    assert.equal(computationsVerified(result.steps[0]!), true, 'shown apart from a step nobody looked at');
    assert.equal(result.steps[1]!.source, 'none');
    assert.equal(computationsVerified(result.steps[1]!), false);
    assert.equal(result.verdict, 'unchecked');
    assert.deepEqual(result.critic, { enabled: false, note: 'LLM critic off' });
  });

  it('failing tests make a code solution incorrect; a clear rank-1 suspect is the first error, an unclear one is uncertain', () => {
    const failing: Evidence = { kind: 'test', status: 'failed', name: 'test_1', output: 'AssertionError' };
    const localize = (index: number, rank: number, clear: boolean): [number, Evidence[]] => [
      index,
      [{ kind: 'fault-localization', score: 1 / rank, rank, failedTests: 1, passedTests: 2, clear }],
    ];
    const clear: CodeCheckResult = { ran: true, tests: [failing], stepEvidence: new Map([localize(1, 1, true), localize(2, 2, true)]) };
    const r1 = combineVerdicts(input({ document: doc(3), code: clear }));
    assert.deepEqual(
      r1.steps.map((s) => s.verdict),
      ['unchecked', 'incorrect', 'downstream'],
    );
    assert.equal(r1.steps[1]!.code, 'test-failure');
    assert.doesNotMatch(r1.steps[1]!.message, /makes/);

    const withMutant: CodeCheckResult = {
      ...clear,
      stepEvidence: new Map([
        [
          1,
          [
            {
              kind: 'fault-localization',
              score: 0.9,
              rank: 1,
              failedTests: 2,
              passedTests: 1,
              clear: true,
              mutation: { change: 'a < b -> a <= b', fixedTests: 2, brokenTests: 0, score: 1 },
            },
          ],
        ],
      ]),
    };
    assert.match(combineVerdicts(input({ document: doc(3), code: withMutant })).steps[1]!.message, /`a < b -> a <= b` makes 2 failing tests pass/);

    const unclear: CodeCheckResult = { ran: true, tests: [failing], stepEvidence: new Map([localize(0, 1, false), localize(2, 2, false)]) };
    const r2 = combineVerdicts(input({ document: doc(3), code: unclear }));
    assert.deepEqual(
      r2.steps.map((s) => s.verdict),
      ['uncertain', 'unchecked', 'uncertain'],
    );
    assert.equal(r2.firstErrorIndex, -1);
    assert.equal(r2.verdict, 'incorrect', 'failing tests make the solution incorrect even when no step stands out');
  });

  it('a final answer that differs from the expected one makes the solution incorrect and says so', () => {
    const result = combineVerdicts(
      input({ document: doc(1), critic: critic([0.9]), answer: { kind: 'answer', status: 'differs', expected: '72', actual: '70' } }),
    );
    assert.equal(result.verdict, 'incorrect', 'whatever the critic says of the steps');
    assert.equal(result.answer?.status, 'differs', 'a typed field every surface reads');
    assert.equal(answerText(result.answer!), 'The final answer 70 differs from the expected 72.');
    assert.equal(solutionPTrue(result), 0, "the solution's P(True) follows the same rule");
    assert.equal(solutionPTrue({ ...result, answer: undefined }), 0.9);
  });

  it('all steps correct makes the solution correct and carries the usage', () => {
    const result = combineVerdicts(input({ document: doc(2), critic: critic([0.9, 0.8]) }));
    assert.equal(result.verdict, 'correct');
    assert.equal(result.usage.requests, 1);
    assert.equal(result.critic.model, 'm');
  });
});
