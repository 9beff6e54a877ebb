// Scheduling over a real LSP connection: only changed steps (and later) are re-judged, fast edits end
// in one critique of the last version, and nothing is ever published for a version that is gone.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { parseCriticPrompt } from '../../src/engine/llm/protocol';
import { ruleBasedCriticHandler } from '../support/scripted-llm-server';
import { PENS, WRONG_PATTERN, fileUri, startRig, type Rig } from './support/fixtures';

const rigs: Rig[] = [];
after(async () => {
  for (const rig of rigs) await rig.stop();
});

function judgedNumbers(rig: Rig, request: number): { judged: number[]; context: number[] } {
  const prompt = parseCriticPrompt(rig.llm.chatRequests()[request]!.userText);
  assert.ok(prompt && prompt.kind === 'steps', 'a step-critique prompt');
  return { judged: prompt.judged.map((s) => s.number), context: prompt.context.map((s) => s.number) };
}

describe('server: scheduling', () => {
  it('an edit to step 2 re-judges steps 2 and 3 only; step 1 keeps its verdict, shown while the rest is judged', async () => {
    const rig = await startRig({ latencyMs: 150 });
    rigs.push(rig);
    const { session, llm } = rig;
    const uri = fileUri(rig.folder, 'pens.solution.md');
    await session.open(uri, PENS);
    await session.finalStates(uri, 1);
    assert.equal(llm.chatRequests().length, 1);
    assert.deepEqual(judgedNumbers(rig, 0).judged, [1, 2, 3]);

    // Trigger is onSave: the edit alone sends nothing to the model.
    const v2 = await session.replace(uri, PENS.replace('the change is 20 - 12 = 8 dollars', 'the change is 20 - 12 = 8 dollars exactly'));
    await session.waitFor(() => session.stepStates.find((s) => s.uri === uri && s.version === v2), 'preview of v2');
    const preview = session.stepStates.find((s) => s.uri === uri && s.version === v2)!;
    assert.deepEqual(
      preview.steps.map((s) => s.state),
      ['correct', 'queued', 'queued'],
      'unchanged step 1 keeps its verdict; 2 and 3 wait',
    );
    assert.equal(llm.chatRequests().length, 1, 'no request before the save');

    await session.save(uri);
    const final = await session.finalStates(uri, v2);
    assert.deepEqual(
      final.steps.map((s) => s.state),
      ['correct', 'correct', 'incorrect'],
    );
    assert.equal(llm.chatRequests().length, 2);
    assert.deepEqual(judgedNumbers(rig, 1), { judged: [2, 3], context: [1] }, 'only the changed step and the ones after it are judged');
    const during = session.stepStates.filter((s) => s.uri === uri && s.version === v2 && !s.done);
    assert.ok(
      during.some((s) => s.steps[0]!.state === 'correct' && s.steps[1]!.state === 'judging'),
      'while judging, step 1 stays correct and step 2 shows judging',
    );
    assert.equal(final.usage.cachedSteps >= 1, true, 'step 1 came from the cache');

    // Saving an unchanged text costs nothing.
    await session.save(uri);
    await session.waitFor(() => session.stepStates.filter((s) => s.uri === uri && s.version === v2 && s.done).length >= 2, 'second critique of v2');
    assert.equal(llm.chatRequests().length, 2, 'every step is cached: no request');
  });

  it('fast successive edits (onIdle): one critique of the last version, none published for the older ones', async () => {
    const rig = await startRig({ settings: { trigger: 'onIdle', debounceMs: 150 }, latencyMs: 100 });
    rigs.push(rig);
    const { session, llm } = rig;
    const uri = fileUri(rig.folder, 'typing.solution.md');
    await session.open(uri, PENS);
    await session.finalStates(uri, 1);
    const before = llm.chatRequests().length;
    let text = PENS;
    for (let i = 0; i < 6; i++) {
      text = text.replace('receives', i % 2 === 0 ? 'gets' : 'receives');
      text = text.replace(/dollars back\.?\d*/, `dollars back.${i}`);
      await session.replace(uri, text);
      await new Promise((r) => setTimeout(r, 20));
    }
    const last = session.version(uri);
    const final = await session.finalStates(uri, last);
    assert.equal(final.steps[2]!.state, 'incorrect');
    assert.equal(llm.chatRequests().length - before, 1, 'one critique for the burst of edits');
    const older = session.stepStates.filter((s) => s.uri === uri && s.version > 1 && s.version < last);
    assert.ok(
      older.every((s) => !s.done),
      'no finished critique was published for an older version',
    );
    assert.ok(
      older.every((s) => s.steps[2]!.state === 'queued' || s.steps[2]!.state === 'judging'),
      'older versions only ever showed the changed step as waiting',
    );
    const olderDiagnostics = session.diagnostics.filter((d) => d.uri === uri && d.version !== undefined && d.version > 1 && d.version < last);
    assert.ok(
      olderDiagnostics.every((d) => d.diagnostics.length === 0),
      'no verdict of the critic was published for an older version',
    );
  });

  it('a change while the model is answering aborts the request (down to HTTP) and its result is never published', async () => {
    const handler = ruleBasedCriticHandler({ incorrectPatterns: [WRONG_PATTERN] });
    const rig = await startRig({ handler, latencyMs: 600 });
    rigs.push(rig);
    const { session, llm } = rig;
    const uri = fileUri(rig.folder, 'abort.solution.md');
    await session.open(uri, PENS);
    await llm.waitFor(() => llm.chatRequests().length === 1);
    const v2 = await session.replace(uri, PENS.replace('Step 3: She also gets a discount', 'Step 3: She also gets a coupon'));
    await llm.waitFor(() => llm.chatRequests()[0]!.aborted, 3000);
    await new Promise((r) => setTimeout(r, 800));
    assert.ok(!session.stepStates.some((s) => s.uri === uri && s.version === 1 && s.done), 'nothing final was published for version 1');
    assert.equal(llm.chatRequests().length, 1, 'onSave: the new version waits for a save');
    await session.save(uri);
    const final = await session.finalStates(uri, v2);
    assert.deepEqual(
      final.steps.map((s) => s.state),
      ['correct', 'correct', 'correct'],
    );
  });
});
