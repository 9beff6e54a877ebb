// The check worker's memo of step results: an editor's text read again after a line was typed above
// a step gets that step's evidence from the memo, on the step's new line, exactly as verified afresh;
// the memo keeps at most its size, and a batch's pool keeps none.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStepMemo } from '../../src/engine/deadline/verifier-memo';
import { parseSolution } from '../../src/engine/documents/parse';
import type { ClaimEvidence } from '../../src/engine/types';
import { verifyMathSteps, type StepCache } from '../../src/engine/verify/steps';

const solution = (linesAbove: number) => `# Problem\n\nAdd.\n\n# Solution\n${'\n'.repeat(linesAbove)}\nStep 1: 2 + 2 = 4.\n\nStep 2: 4 + 3 = 8.\n\nAnswer: 8\n`;

async function verified(text: string, memo?: StepCache): Promise<ClaimEvidence[][]> {
  const document = await parseSolution({ uri: 'memo.md', text, maxSteps: 200 });
  return [...verifyMathSteps(document, memo)].map(([, evidence]) => evidence);
}

/** A memo that counts the steps it answered. */
function counted(memo: StepCache): { memo: StepCache; hits: () => number } {
  let hits = 0;
  return {
    memo: {
      get: (step, context) => {
        const known = memo.get(step, context);
        if (known) hits++;
        return known;
      },
      set: (step, context, result) => memo.set(step, context, result),
    },
    hits: () => hits,
  };
}

describe('verifier memo', () => {
  it("answers a step moved down by typing from memory, with its evidence on the step's new line", async () => {
    const { memo, hits } = counted(createStepMemo(100)!);
    await verified(solution(0), memo);
    const remembered = await verified(solution(3), memo);
    assert.equal(hits(), 2);
    assert.deepEqual(remembered, await verified(solution(3)));
    assert.equal(remembered[1]![0]!.status, 'refuted');
  });

  it('keeps at most its size, the oldest steps dropped first', async () => {
    const { memo, hits } = counted(createStepMemo(1)!);
    await verified(solution(0), memo);
    await verified(solution(0), memo);
    assert.equal(hits(), 0, 'each step pushed out the one before it');
  });

  it('is none for a size of 0 (a batch, whose records do not repeat)', () => {
    assert.equal(createStepMemo(0), undefined);
  });
});
