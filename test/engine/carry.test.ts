// Carrying a corrected value into the steps after it: the later uses of the old number, the final
// answer, and the computations the new value makes wrong, re-checked by the verifiers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSolution } from '../../src/engine/documents/parse';
import { carryCorrections, isCarriable } from '../../src/engine/refine/carry';
import { applyEdits } from '../../src/engine/refine/text';

const parse = (text: string) => parseSolution({ uri: 'file:///w/bakery.solution.md', text });

const BAKERY = `---
answer: 52
---
# Problem

A bakery sells 12 muffins at $3 and 8 cookies at $2. How many dollars does it take in?

# Solution

Step 1: The muffins bring in $12 \\times 3 = 36$ dollars.

Step 2: The cookies bring in $8 \\times 2 = 16$ dollars.

Step 3: Together that is $36 + 16 = 52$ dollars.

Step 4: So the bakery takes in 54 dollars, and 154 over three days.

Answer: \\boxed{54}
`;

describe('carrying a corrected value forward', () => {
  it('puts the corrected value in every later use of the old one and in the final answer, nowhere else', async () => {
    const outcome = await carryCorrections(await parse(BAKERY), [{ stepIndex: 2, from: '54', to: '52' }], parse);
    assert.ok(outcome);
    assert.equal(outcome.text, BAKERY.replace('takes in 54 dollars', 'takes in 52 dollars').replace('\\boxed{54}', '\\boxed{52}'));
    assert.deepEqual(outcome.steps, [3]);
    assert.equal(outcome.answer, true);
    assert.equal(outcome.answerAfter, 'matches', 'the final answer now matches the expected 52');
    assert.equal(outcome.refutedAfter, 0);
    assert.equal(applyEdits(BAKERY, [outcome.edit]), outcome.text, 'one edit turns the text into the carried one');
  });

  it('fixes a computation the carried value makes wrong and carries its new value in turn', async () => {
    const text = BAKERY.replace('Step 4: So the bakery takes in 54 dollars, and 154 over three days.', 'Step 4: Half of it is $54 / 2 = 27$ dollars.').replace(
      '\\boxed{54}',
      '\\boxed{27}',
    );
    const outcome = await carryCorrections(await parse(text), [{ stepIndex: 2, from: '54', to: '52' }], parse);
    assert.ok(outcome);
    assert.match(outcome.text, /Step 4: Half of it is \$52 \/ 2 = 26\$ dollars\./);
    assert.match(outcome.text, /\\boxed\{26\}/);
    assert.deepEqual(
      outcome.corrections.map((c) => `${c.from}→${c.to}`),
      ['54→52', '27→26'],
    );
    assert.equal(outcome.refutedAfter, 0);
  });

  it('leaves a number that only happens to equal the old value as it was (its own computation says so)', async () => {
    const text = BAKERY.replace('Step 4: So the bakery takes in 54 dollars, and 154 over three days.', 'Step 4: On Tuesday it sells $50 + 4 = 54$ muffins.');
    const outcome = await carryCorrections(await parse(text), [{ stepIndex: 2, from: '54', to: '52' }], parse);
    assert.ok(outcome);
    assert.match(outcome.text, /\$50 \+ 4 = 54\$ muffins/);
    assert.match(outcome.text, /\\boxed\{52\}/);
    assert.equal(outcome.refutedAfter, 0);
  });

  it('offers nothing when no later step uses the old value, or the value is not a number', async () => {
    const used = BAKERY.replace('takes in 54 dollars', 'takes in 52 dollars').replace('\\boxed{54}', '\\boxed{52}');
    assert.equal(await carryCorrections(await parse(used), [{ stepIndex: 2, from: '54', to: '52' }], parse), undefined);
    assert.equal(isCarriable({ from: 'x', to: 'y' }), false);
    assert.equal(isCarriable({ from: '1,200', to: '1,250' }), true);
  });
});
