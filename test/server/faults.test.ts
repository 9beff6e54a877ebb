// An LLM that fails, times out or returns garbage leaves the steps it should have judged in `error`
// with the reason; the server keeps serving, and the next trigger tries again. No text crashes it.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { hang, malformedJson, ruleBasedCriticHandler, serverError, type ScriptedHandler, type ScriptedResponse } from '../support/scripted-llm-server';
import { completion } from '../support/scripted-llm-server';
import { PENS, WRONG_PATTERN, fileUri, startRig, type Rig } from './support/fixtures';

const rigs: Rig[] = [];
after(async () => {
  for (const rig of rigs) await rig.stop();
});

/** Faulty replies for the first requests, then the rule-based critic. */
function faultsThenCritic(faults: ScriptedResponse[]): ScriptedHandler {
  const critic = ruleBasedCriticHandler({ incorrectPatterns: [WRONG_PATTERN] });
  return (request, index) => faults[index] ?? critic(request, index);
}

describe('server: LLM faults', () => {
  for (const [name, fault, reason, timeoutMs, count] of [
    ['HTTP 500', serverError(500), /500 from http:\/\/127\.0\.0\.1:\d+\/v1/, 4000, 1],
    ['a body that is not JSON', malformedJson(), /broken JSON|not valid JSON|JSON/i, 4000, 1],
    // A reply that cannot be read gets one repair request, which gets the same garbage.
    ['a reply that is not the critic JSON', completion('I think these steps look fine overall!'), /reply|JSON|shape|verdict/i, 4000, 2],
    ['no reply in time', hang(), /nothing came from .* for 1500 ms/, 1500, 1],
  ] as const) {
    it(`${name}: the steps are "could not judge" with the reason; the next save retries and succeeds`, async () => {
      const rig = await startRig({ handler: faultsThenCritic(Array.from({ length: count }, () => fault)), llmTuning: { timeoutMs, maxRetries: 0 } });
      rigs.push(rig);
      const { session } = rig;
      const uri = fileUri(rig.folder, 'faulty.solution.md');
      await session.open(uri, PENS);
      const failed = await session.finalStates(uri, 1);
      assert.deepEqual(
        failed.steps.map((s) => s.state),
        ['error', 'error', 'error'],
      );
      assert.match(failed.steps[0]!.message ?? '', reason);
      const diagnostics = await session.diagnosticsFor(uri, 1);
      assert.equal(diagnostics.length, 3);
      assert.ok(
        diagnostics.every((d) => d.severity === 3 && d.code === 'judge-error'),
        'judge errors are Information',
      );

      // Still serving.
      const hover = await session.hover(uri, 6, 3);
      assert.ok(hover, 'hover still answers');

      await session.save(uri);
      await session.waitFor(() => session.stepStates.filter((s) => s.uri === uri && s.version === 1 && s.done).length >= 2, 'the retry');
      const retried = await session.finalStates(uri, 1);
      assert.deepEqual(
        retried.steps.map((s) => s.state),
        ['correct', 'correct', 'incorrect'],
        'the retry judged every step',
      );
      assert.equal(session.exited, undefined, 'the server is alive');
    });
  }

  it('never crashes on odd text: binary, huge lines, unclosed math, thousands of steps, empty', async () => {
    const rig = await startRig({ settings: { maxSteps: 50 } });
    rigs.push(rig);
    const { session, llm } = rig;
    const texts = [
      '',
      '\u0000\u0001\u0002\uFFFD\uD800 broken surrogate',
      `${'9'.repeat(20000)} = ${'9'.repeat(20000)}`,
      '$$\\frac{1}{\n\n\\begin{align} x &= 1 \\\\',
      '---\nproblem: [unclosed\n---\nStep 1: 1/0 = 2',
      Array.from({ length: 3000 }, (_, i) => `Step ${i + 1}: ${i} + 1 = ${i + 1}`).join('\n\n'),
      '```python\nprint(1)\n',
      '# Problem\n\n#### \n\n\\boxed{',
    ];
    let i = 0;
    for (const text of texts) {
      const uri = fileUri(rig.folder, `odd-${i++}.solution.md`);
      await session.open(uri, text);
      await session.finalStates(uri, 1, 30_000);
    }
    const big = fileUri(rig.folder, 'odd-5.solution.md');
    const states = await session.finalStates(big, 1);
    assert.equal(states.steps.length, 50, 'critiqued up to the step limit');
    assert.equal(states.summary.truncated, true);
    assert.equal(states.summary.totalSteps, 3000);
    assert.ok(
      session.messages.some((m) => /3000 steps; only the first 50 are critiqued/.test(m.message)),
      'a notice says so',
    );
    assert.equal(session.exited, undefined);
    assert.ok(llm.chatRequests().length >= 1);
  });
});
