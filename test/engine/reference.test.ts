// A reference solution: where it comes from (front matter, a dataset record, the file beside the
// solution), the final answer compared with the reference's, a named result that contradicts the
// reference's flagged only when the match is certain, and the critic's prompt that carries it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordToDocument } from '../../src/engine/datasets/records';
import { parseSolution } from '../../src/engine/documents/parse';
import { MAX_REFERENCE_CHARACTERS } from '../../src/engine/documents/reference';
import { siblingReferencePath } from '../../src/engine/files/sibling-reference';
import { judgeSolution } from '../../src/engine/judge';
import { buildStepCritiqueMessages, parseCriticPrompt } from '../../src/engine/llm/protocol';
import type { ClaimEvidence, SolutionDocument } from '../../src/engine/types';
import { isClaimEvidence } from '../../src/engine/types';

const PROBLEM = '# Problem\nTom buys 4 apples at $3 each and a book at $24. How much does he pay?\n\n# Solution\n';

function solution(steps: string[], answer: string, reference?: string): string {
  const front = reference === undefined ? '' : `---\nreference: |\n${reference.replace(/^/gm, '  ')}\n---\n`;
  return `${front}${PROBLEM}${steps.join('\n\n')}\n\nAnswer: ${answer}\n`;
}

const REFERENCE = 'The apples cost 4 * 3 = 12 dollars.\n\nTotal cost = 12 + 24 = 36 dollars.\n\nAnswer: 36';

async function read(text: string, reference?: { name: string; text: string }): Promise<SolutionDocument> {
  return parseSolution({ uri: 'tom.solution.md', text, ...(reference ? { reference } : {}) });
}

async function referenceFindings(document: SolutionDocument): Promise<ClaimEvidence[]> {
  const judgement = await judgeSolution(document);
  return judgement.steps.flatMap((s) => s.evidence.filter(isClaimEvidence).filter((e) => e.kind === 'reference'));
}

describe('reference solutions: where they come from', () => {
  it('reads the front matter block, a record field and a reference file alike, with the final answer each states', async () => {
    const fromFront = await read(solution(['The apples cost 4 * 3 = 12 dollars.'], '36', REFERENCE));
    assert.deepEqual(fromFront.reference, { text: REFERENCE, origin: 'front-matter', finalAnswer: '36' });

    const fromFile = await read(solution(['The apples cost 4 * 3 = 12 dollars.'], '36'), { name: 'tom.reference.md', text: `${REFERENCE}\n` });
    assert.deepEqual(fromFile.reference, { text: REFERENCE, origin: 'file', finalAnswer: '36' });

    const record = recordToDocument({ problem: 'p', steps: ['a', 'b'], label: -1, reference: '#### 36' }, { uri: 'd.jsonl#0' });
    assert.deepEqual(record.reference, { text: '#### 36', origin: 'record', finalAnswer: '36' });
  });

  it('finds the reference file beside name.solution.md (and name.md), never for a reference file itself', () => {
    assert.equal(siblingReferencePath('/hw/q1.solution.md'), '/hw/q1.reference.md');
    assert.equal(siblingReferencePath('/hw/q1.md'), '/hw/q1.reference.md');
    assert.equal(siblingReferencePath('/hw/q1.reference.md'), undefined);
    assert.equal(siblingReferencePath(''), undefined);
  });

  it('says why a reference was not used, and still judges the solution', async () => {
    const cases: [string, Promise<SolutionDocument> | SolutionDocument, RegExp][] = [
      ['a mapping in front matter', read(`---\nreference:\n  answer: 36\n---\n${PROBLEM}Step.\n`), /"reference" should be a text block/],
      ['an empty block', read(`---\nreference: ""\n---\n${PROBLEM}Step.\n`), /reference:" is empty/],
      ['no final answer', read(solution(['Step.'], '36', 'Total cost = 36 dollars.')), /states no final answer/],
      ['too long', read(solution(['Step.'], '36', 'x'.repeat(MAX_REFERENCE_CHARACTERS + 1))), /too long/],
      [
        'a number in a record',
        recordToDocument({ problem: 'p', steps: ['a'], label: -1, reference: 36 }, { uri: 'd.jsonl#0' }),
        /"reference" field should be a text/,
      ],
      [
        'both front matter and a file',
        read(solution(['Step.'], '36', REFERENCE), { name: 'tom.reference.md', text: 'Answer: 7' }),
        /tom\.reference\.md was not used/,
      ],
      [
        'a reference that disagrees with answer:',
        read(`---\nanswer: 35\nreference: "Answer: 36"\n---\n${PROBLEM}Step.\n`),
        /ends with 36, but the expected answer is 35/,
      ],
    ];
    for (const [what, made, warning] of cases) {
      const document = await made;
      assert.ok(
        document.warnings.some((w) => warning.test(w)),
        `${what}: ${document.warnings.join(' | ')}`,
      );
      assert.ok(document.steps.length > 0, what);
    }
  });
});

describe('reference solutions: the verifier', () => {
  it("flags a final answer that differs from the reference's, normalised as answer: is, with no model", async () => {
    const wrong = await judgeSolution(await read(solution(['The apples cost 4 * 3 = 12 dollars.', 'He pays 12 + 18 = 30 dollars.'], '$30', REFERENCE)));
    assert.equal(wrong.answer?.status, 'differs');
    assert.equal(wrong.answer?.fromReference, true);
    assert.equal(wrong.verdict, 'incorrect');
    const right = await judgeSolution(await read(solution(['The apples cost 4 * 3 = 12 dollars.', 'He pays 12 + 24 = 36 dollars.'], '\\$36.00', REFERENCE)));
    assert.equal(right.answer?.status, 'matches');
    // ProcessBench writes LaTeX's dollar sign: `\$31,800` is one number, not the list 31 and 800
    const thousands = recordToDocument({ problem: 'p', steps: ['He pays \\boxed{\\$31,800}.'], label: -1, reference: '#### 31800' }, { uri: 'd.jsonl#0' });
    assert.equal((await judgeSolution(thousands)).answer?.status, 'matches');
    // answer: comes first when both are given
    const stated = await judgeSolution(await read(`---\nanswer: 30\nreference: "Answer: 36"\n---\n${PROBLEM}He pays 30.\n\nAnswer: 30\n`));
    assert.deepEqual([stated.answer?.status, stated.answer?.fromReference], ['matches', undefined]);
  });

  it('flags a named result that contradicts the reference when the match is certain, and the step becomes the first wrong one', async () => {
    const document = await read(solution(['The apples cost 4 * 3 = 12 dollars.', 'So the total cost = 12 + 18 = 30 dollars.'], '30', REFERENCE));
    const judgement = await judgeSolution(document);
    const found = await referenceFindings(document);
    assert.equal(found.length, 1);
    assert.deepEqual([found[0]!.status, found[0]!.claim, found[0]!.expected], ['refuted', 'total cost = 12 + 18 = 30 dollars', '36 dollars']);
    assert.equal(judgement.firstErrorIndex, 1);
    assert.equal(judgement.steps[1]!.verdict, 'incorrect');
    assert.match(judgement.steps[1]!.message, /the reference has 36 dollars/);
  });

  it('says nothing when the match is not certain', async () => {
    const uncertain: [string, string[], string][] = [
      ['another name', ['Half the cost = 12 + 6 = 18 dollars.'], REFERENCE],
      ['a one-word name', ['Total = 30 dollars.'], 'Total = 36 dollars.\n\nAnswer: 36'],
      ['a letter', ['x = 30.'], 'x = 36.\n\nAnswer: 36'],
      ['another unit', ['Total cost = 3000 cents.'], REFERENCE],
      ['a rounding of the same value', ['Average cost = 3.33 dollars.'], 'Average cost = 3.333 dollars.\n\nAnswer: 3.333'],
      ['two values for the name in the solution', ['Total cost = 30 dollars.', 'Total cost = 36 dollars.'], REFERENCE],
      ['two values for the name in the reference', ['Total cost = 30 dollars.'], 'Total cost = 12 dollars.\n\nTotal cost = 36 dollars.\n\nAnswer: 36'],
      ['a value that is not a plain number', ['Total cost = 30 + x dollars.'], REFERENCE],
      ['the same value written otherwise', ['Total cost = $36.00.'], 'Total cost = $36.\n\nAnswer: 36'],
    ];
    for (const [what, steps, reference] of uncertain) {
      const found = await referenceFindings(await read(solution(steps, '36', reference)));
      assert.deepEqual(
        found.map((e) => e.claim),
        [],
        what,
      );
    }
    // and without a reference there is nothing to compare
    assert.deepEqual(await referenceFindings(await read(solution(['Total cost = 30 dollars.'], '30'))), []);
  });

  it('reads \\text{} names in LaTeX', async () => {
    const found = await referenceFindings(
      await read(solution(['$\\text{Total cost} = 12 + 18 = 30$'], '30', '$\\text{Total cost} = 12 + 24 = 36$\n\nAnswer: 36')),
    );
    assert.deepEqual(
      found.map((e) => e.expected),
      ['36'],
    );
  });
});

describe('reference solutions: the critic prompt', () => {
  it('carries the reference, marked as such, with the instruction not to require its method', () => {
    const messages = buildStepCritiqueMessages({
      kind: 'math',
      problem: 'What does Tom pay?',
      context: [],
      judged: [{ index: 0, text: 'He pays 36.' }],
      reference: 'Total cost = 36. </reference> Answer: 36',
    });
    assert.match(messages[0]!.content, /reference solution, known to be correct, is given in <reference>/);
    assert.match(messages[0]!.content, /Do not require the same method/);
    const parsed = parseCriticPrompt(messages[1]!.content);
    assert.equal(parsed?.kind, 'steps');
    assert.equal(parsed?.kind === 'steps' ? parsed.reference : undefined, 'Total cost = 36. </reference> Answer: 36');
    const without = buildStepCritiqueMessages({ kind: 'math', problem: 'p', context: [], judged: [{ index: 0, text: 's' }] });
    assert.doesNotMatch(without[0]!.content + without[1]!.content, /reference/i);
  });
});
