// `stepcritic eval` over model outputs that carry only a final-answer label (RealCritic's
// `previous_score`, `is_correct`): scored per solution — a wrong one is caught when the solution is
// judged incorrect anywhere — and never as if its steps were labelled.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { makeTree, runCli } from './run-cli';

const QUESTION = 'A baker makes 48 rolls and sells half. How many are left?';
const response = (half: number, answer: number) =>
  `Half of the rolls are sold: 48 / 2 = ${half}.\n\nSo ${answer} rolls are left.\n\nThe answer is \\boxed{${answer}}.`;

const records = [
  { question: QUESTION, reasoning: response(24, 24), gt: '24', previous_score: [true] },
  { question: QUESTION, reasoning: response(24, 25), gt: '24', previous_score: [false] },
  { question: QUESTION, reasoning: response(25, 25), gt: '24', previous_score: [false] },
  { question: QUESTION, reasoning: response(24, 23), is_correct: false },
  { question: QUESTION, reasoning: response(24, 24) },
];
const tree = makeTree({ 'outputs.jsonl': records.map((r) => JSON.stringify(r)).join('\n') });
after(() => tree.remove());

describe('eval with final-answer labels', () => {
  it('scores each solution as right or wrong, skips the unlabelled one, and says how it counted', async () => {
    const json = await runCli(['eval', 'outputs.jsonl', '--no-llm', '--format', 'json'], { cwd: tree.dir });
    assert.equal(json.status, 0, json.stderr);
    const report = JSON.parse(json.stdout) as {
      overall: { solutions: number; solutionLevel: number; erroneous: { right: number; total: number }; correct: { right: number; total: number } };
      skipped: { count: number; reasons: Record<string, number> };
      criticSteps: unknown[];
    };
    assert.equal(report.overall.solutions, 4);
    assert.equal(report.overall.solutionLevel, 4);
    // Caught: the answer that differs from gt, and the slip 48 / 2 = 25; not the wrong answer with nothing to compare it to.
    assert.deepEqual(report.overall.erroneous, { ...report.overall.erroneous, right: 2, total: 3 });
    assert.deepEqual(report.overall.correct, { ...report.overall.correct, right: 1, total: 1 });
    assert.deepEqual(report.skipped.reasons, { 'no first-error label': 1 });
    assert.deepEqual(report.criticSteps, []);

    const markdown = await runCli(['eval', 'outputs.jsonl', '--no-llm'], { cwd: tree.dir });
    assert.match(markdown.stdout, /\| outputs \| 4 \| 66\.7 \(2\/3\) \| 100\.0 \(1\/1\) \| 80\.0 \| 0 \| – \| – \| – \|/);
    assert.match(markdown.stdout, /4 of the solutions have only a final-answer label: a wrong one counts as caught when the solution is judged incorrect/);
  });
});
