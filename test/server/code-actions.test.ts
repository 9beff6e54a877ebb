// Every code action produces the right edit, through a versioned workspace/applyEdit; an edit made
// for an older version of the text is refused and nothing is overwritten.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { parseCriticPrompt } from '../../src/engine/llm/protocol';
import { ruleBasedCriticHandler } from '../support/scripted-llm-server';
import { refineAwareHandler, regenerateReply, stepReplacementReply } from '../support/scripted-refine';
import { ARITHMETIC_ERROR, PENS, WRONG_PATTERN, fileUri, startRig, type Rig } from './support/fixtures';

const rigs: Rig[] = [];
after(async () => {
  for (const rig of rigs) await rig.stop();
});

const TWO_SLIPS = ARITHMETIC_ERROR.replace('25 + 10 = 35', '24 + 10 = 36');

function byKind(actions: CodeAction[], kind: string): CodeAction {
  const found = actions.find((a) => a.kind === kind);
  assert.ok(found, `an action of kind ${kind} among ${actions.map((a) => a.kind).join(', ')}`);
  return found;
}

function stepDiagnostic(diagnostics: Diagnostic[], stepIndex: number): Diagnostic {
  const found = diagnostics.find((d) => (d.data as { stepIndex: number }).stepIndex === stepIndex);
  assert.ok(found, `a diagnostic on step ${stepIndex + 1}`);
  return found;
}

describe('server: code actions without a model', () => {
  it('Fix arithmetic replaces the wrong value, and only it, in the version it was made for', async () => {
    const rig = await startRig({ llm: false, session: { messageRequestAnswer: () => null } });
    rigs.push(rig);
    const { session } = rig;
    const uri = fileUri(rig.folder, 'fix.solution.md');
    await session.open(uri, ARITHMETIC_ERROR);
    const diagnostics = await session.diagnosticsFor(uri, 1);
    const d = stepDiagnostic(diagnostics, 0);
    assert.equal((d.data as { fixable: boolean }).fixable, true);
    const actions = await session.codeActions(uri, d.range, [d]);
    const fix = byKind(actions, 'quickfix.stepcritic.fixArithmetic');
    assert.equal(fix.title, 'Fix arithmetic in step 1: 24');
    assert.equal(fix.isPreferred, true);
    assert.deepEqual(fix.diagnostics, [d]);
    assert.ok(
      actions.some((a) => a.kind === 'quickfix.stepcritic.accept'),
      'Mark as correct is offered',
    );
    assert.ok(
      actions.some((a) => a.kind === 'quickfix.stepcritic.explain'),
      'Explain is offered',
    );
    assert.ok(!actions.some((a) => a.kind === 'quickfix.stepcritic.refine'), 'no Refine without a model');

    const result = await session.execute<{ applied: boolean }>(fix.command!);
    assert.equal(result.applied, true);
    assert.equal(session.appliedEdits.length, 1);
    const change = session.appliedEdits[0]!.edit.documentChanges![0] as { textDocument: { version: number }; edits: unknown[] };
    assert.equal(change.textDocument.version, 1, 'the edit names the version it was made for');
    assert.deepEqual(change.edits, [{ range: { start: { line: 6, character: 31 }, end: { line: 6, character: 33 } }, newText: '24' }]);
    assert.equal(session.text(uri), ARITHMETIC_ERROR.replace('48 / 2 = 25', '48 / 2 = 24'));
    const after = await session.finalStates(uri, 2);
    assert.notEqual(after.steps[0]!.state, 'incorrect', 'the fixed step is no longer wrong');
    // Dismissed: the offer to carry the value on changes nothing.
    await session.waitFor(() => session.messages.some((m) => /Carry|still used 25/.test(m.message)), 'the offer to carry 24 on');
    assert.equal(session.text(uri), ARITHMETIC_ERROR.replace('48 / 2 = 25', '48 / 2 = 24'));
    assert.equal(session.appliedEdits.length, 1);
  });

  it('after Fix arithmetic, offers to carry the corrected value into the later steps; Apply carries it, re-checked', async () => {
    const rig = await startRig({ llm: false, session: { messageRequestAnswer: (_m, actions) => (actions.includes('Apply') ? 'Apply' : null) } });
    rigs.push(rig);
    const { session } = rig;
    const uri = fileUri(rig.folder, 'carry.solution.md');
    await session.open(uri, ARITHMETIC_ERROR);
    const d = stepDiagnostic(await session.diagnosticsFor(uri, 1), 0);
    await session.execute(byKind(await session.codeActions(uri, d.range, [d]), 'quickfix.stepcritic.fixArithmetic').command!);
    await session.waitFor(() => session.appliedEdits.length === 2 && session.version(uri) === 3, 'the carried value applied');
    const question = session.messages.find((m) => /Apply it\?$/.test(m.message));
    assert.equal(
      question?.message,
      'Step Critic: Step 1 now says 24 (it said 25), but steps 2 and 3 and the final answer still used 25. The new value changes what follows from it: 35 → 34 in step 3. Apply it?',
    );
    assert.equal(
      session.text(uri),
      ARITHMETIC_ERROR.replace('48 / 2 = 25', '48 / 2 = 24')
        .replace('keeps 25', 'keeps 24')
        .replace('25 + 10 = 35', '24 + 10 = 34')
        .replace('Answer: 35', 'Answer: 34'),
    );
    const states = await session.finalStates(uri, 3);
    assert.deepEqual(
      states.steps.map((s) => s.state),
      ['verified', 'unchecked', 'verified'],
      'no computation is wrong any more; the verified ones are marked as such',
    );
  });

  it('a client that reviews proposals is sent the carried value as a proposal for version 2, nothing applied', async () => {
    const rig = await startRig({ llm: false, reviewsProposals: true });
    rigs.push(rig);
    const { session } = rig;
    const uri = fileUri(rig.folder, 'offer.solution.md');
    await session.open(uri, ARITHMETIC_ERROR);
    const d = stepDiagnostic(await session.diagnosticsFor(uri, 1), 0);
    await session.execute(byKind(await session.codeActions(uri, d.range, [d]), 'quickfix.stepcritic.fixArithmetic').command!);
    const offer = await session.waitFor(() => session.offers[0], 'an offered proposal');
    assert.equal(offer.kind, 'carry-value');
    assert.equal(offer.status, 'proposed');
    assert.equal(offer.title, 'Carry 24 into steps 2 and 3 and the final answer');
    assert.equal(offer.apply?.version, 2, 'made for the text after the fix');
    assert.equal(session.appliedEdits.length, 1, 'only the fix itself');
    assert.equal(session.messages.filter((m) => /Apply it\?/.test(m.message)).length, 0, 'the server does not ask itself');
  });

  it('source.fixAll.stepcritic fixes every wrong value in the file in one edit', async () => {
    const rig = await startRig({ llm: false, session: { messageRequestAnswer: () => null } });
    rigs.push(rig);
    const { session } = rig;
    const uri = fileUri(rig.folder, 'fixall.solution.md');
    await session.open(uri, TWO_SLIPS);
    await session.diagnosticsFor(uri, 1);
    const actions = await session.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll']);
    const fixAll = byKind(actions, 'source.fixAll.stepcritic');
    assert.equal(actions.filter((a) => a.kind !== 'source.fixAll.stepcritic').length, 0, 'only the asked-for kind');
    await session.execute(fixAll.command!);
    assert.equal(session.text(uri), TWO_SLIPS.replace('48 / 2 = 25', '48 / 2 = 24').replace('24 + 10 = 36', '24 + 10 = 34'));
  });

  it('an edit made for an older version is refused with a message; the text is left as it is', async () => {
    const rig = await startRig({ llm: false });
    rigs.push(rig);
    const { session } = rig;
    const uri = fileUri(rig.folder, 'stale.solution.md');
    await session.open(uri, ARITHMETIC_ERROR);
    const d = stepDiagnostic(await session.diagnosticsFor(uri, 1), 0);
    const fix = byKind(await session.codeActions(uri, d.range, [d]), 'quickfix.stepcritic.fixArithmetic');
    const typed = ARITHMETIC_ERROR.replace('Then he buys', 'Later he buys');
    await session.replace(uri, typed);
    const result = await session.execute<{ applied: boolean; message: string }>(fix.command!);
    assert.equal(result.applied, false);
    assert.match(result.message, /changed since it was made \(version 1, now 2\)/);
    assert.equal(session.appliedEdits.length, 0, 'the client was never asked to edit');
    assert.equal(session.text(uri), typed, 'nothing the user wrote was overwritten');
    await session.waitFor(() => session.messages.some((m) => m.type === 2 && /not applied/.test(m.message)), 'a warning to the user');
  });
});

describe('server: refinement (scripted model)', () => {
  it('Refine step 3…: nothing is asked of the model until it is chosen; then it asks, naming P(True) before → after, and applies only on Apply', async () => {
    const answers: string[] = [];
    const handler = refineAwareHandler({
      critic: ruleBasedCriticHandler({ incorrectPatterns: [WRONG_PATTERN] }),
      refine: () => stepReplacementReply('Step 3: So Mia gets 8 dollars back.'),
    });
    const rig = await startRig({ handler, session: { messageRequestAnswer: (_m, actions) => answers.shift() ?? actions[0] ?? null } });
    rigs.push(rig);
    const { session, llm } = rig;
    const uri = fileUri(rig.folder, 'refine.solution.md');
    await session.open(uri, PENS);
    const d = stepDiagnostic(await session.diagnosticsFor(uri, 1), 2);
    const actions = await session.codeActions(uri, d.range, [d]);
    const refine = byKind(actions, 'quickfix.stepcritic.refine');
    assert.equal(refine.title, 'Refine step 3…');
    assert.equal(refine.command?.command, 'stepcritic.server.applyRefinement', 'a client that does not review proposals gets the command that asks');
    assert.equal(handler.refinePrompts.length, 0, 'nothing is asked of the model before the action is chosen');

    answers.push('Cancel');
    const cancelled = await session.execute<{ applied: boolean; message: string }>(refine.command!);
    assert.deepEqual(cancelled, { applied: false, message: 'Cancelled.' });
    assert.equal(session.text(uri), PENS, 'nothing applied without a yes');
    assert.ok(session.messages.some((m) => m.message === 'Step Critic: Refine step 3 (P(True) 0.05 → 0.95). Apply it?'));
    assert.equal(handler.refinePrompts.length, 1);
    assert.equal(handler.refinePrompts[0]!.target, 3);
    assert.match(handler.refinePrompts[0]!.feedback, /Incorrect, P\(True\) 0\.05/);
    // The proposal was judged in context before it was offered: a critic request for step 3 only.
    const rejudge = parseCriticPrompt(llm.chatRequests()[llm.chatRequests().length - 1]!.userText);
    assert.ok(rejudge && rejudge.kind === 'steps');
    assert.deepEqual(
      rejudge.judged.map((s) => s.text),
      ['Step 3: So Mia gets 8 dollars back.'],
    );

    answers.push('Apply');
    const result = await session.execute<{ applied: boolean }>(refine.command!);
    assert.equal(result.applied, true);
    assert.equal(session.text(uri), PENS.replace('Step 3: She also gets a discount, so she receives 10 dollars back.', 'Step 3: So Mia gets 8 dollars back.'));
    assert.equal(handler.refinePrompts.length, 1, 'the proposal that was asked about is the one applied, not asked for again');
    const states = await session.finalStates(uri, 2);
    assert.deepEqual(
      states.steps.map((s) => s.state),
      ['correct', 'correct', 'correct'],
    );
  });

  it('for a client that reviews proposals, the light bulb and the code lens run its review commands with the step and version', async () => {
    const handler = refineAwareHandler({
      critic: ruleBasedCriticHandler({ incorrectPatterns: [WRONG_PATTERN] }),
      refine: () => stepReplacementReply('Step 3: So Mia gets 8 dollars back.'),
    });
    const rig = await startRig({ handler, reviewsProposals: true });
    rigs.push(rig);
    const { session } = rig;
    const uri = fileUri(rig.folder, 'review.solution.md');
    await session.open(uri, PENS);
    const d = stepDiagnostic(await session.diagnosticsFor(uri, 1), 2);
    const actions = await session.codeActions(uri, d.range, [d]);
    assert.deepEqual(byKind(actions, 'quickfix.stepcritic.refine').command, {
      title: 'Refine step 3…',
      command: 'stepcritic.refineStep',
      arguments: [{ uri, version: 1, stepIndex: 2 }],
    });
    assert.deepEqual(byKind(actions, 'quickfix.stepcritic.regenerate').command?.command, 'stepcritic.regenerateFromFirstError');
    const lens = (await session.codeLenses(uri)).find((l) => l.command?.title === 'Refine…');
    assert.deepEqual(lens?.command, { title: 'Refine…', command: 'stepcritic.refineSolution', arguments: [{ uri, version: 1 }] });
    assert.equal(handler.refinePrompts.length, 0, 'listing the actions and lenses asks the model nothing');
    assert.equal(session.appliedEdits.length, 0);
  });

  it('when two attempts do not hold up, nothing is applied and the user is told why', async () => {
    const handler = refineAwareHandler({
      critic: ruleBasedCriticHandler({ incorrectPatterns: [WRONG_PATTERN] }),
      refine: (_prompt, attempt) => stepReplacementReply(`Step 3: With the discount she receives ${9 + attempt} dollars back.`),
    });
    const rig = await startRig({ handler });
    rigs.push(rig);
    const { session } = rig;
    const uri = fileUri(rig.folder, 'stubborn.solution.md');
    await session.open(uri, PENS);
    const d = stepDiagnostic(await session.diagnosticsFor(uri, 1), 2);
    const refine = byKind(await session.codeActions(uri, d.range, [d]), 'quickfix.stepcritic.refine');
    const result = await session.execute<{ applied: boolean }>(refine.command!);
    assert.equal(result.applied, false);
    assert.ok(session.messages.some((m) => /No rewrite of step 3 held up after 2 attempts: step 3 is still incorrect/.test(m.message)));
    assert.equal(handler.refinePrompts.length, 2, 'capped at two attempts');
    assert.deepEqual(
      handler.refinePrompts[1]!.rejected,
      ['Step 3: With the discount she receives 9 dollars back.'],
      'the second attempt is told what was rejected',
    );
    const proposal = await session.request<{ status: string; title: string; attempts: { text: string; reason: string }[] }>('stepcritic/refineStep', {
      uri,
      stepIndex: 2,
    });
    assert.equal(proposal.status, 'rejected');
    assert.equal(proposal.title, 'Refine step 3: no fix held up after 2 attempts');
    assert.equal(proposal.attempts.length, 2);
    assert.equal(session.appliedEdits.length, 0);
    assert.equal(session.text(uri), PENS);
  });

  it('Regenerate from step 3… rewrites steps 3..end and the final answer, after asking', async () => {
    const handler = refineAwareHandler({
      critic: ruleBasedCriticHandler({ incorrectPatterns: [WRONG_PATTERN] }),
      refine: (prompt) => {
        assert.equal(prompt.kind, 'regenerate');
        return regenerateReply(['Step 3: So Mia gets 8 dollars back.', 'Step 4: Check: 12 + 8 = 20.'], 'Answer: 8');
      },
    });
    const rig = await startRig({ handler });
    rigs.push(rig);
    const { session } = rig;
    const uri = fileUri(rig.folder, 'regen.solution.md');
    await session.open(uri, PENS);
    const d = stepDiagnostic(await session.diagnosticsFor(uri, 1), 2);
    const regenerate = byKind(await session.codeActions(uri, d.range, [d]), 'quickfix.stepcritic.regenerate');
    assert.equal(regenerate.title, 'Regenerate from step 3…');
    await session.execute(regenerate.command!);
    assert.ok(session.messages.some((m) => /^Step Critic: Regenerate from step 3 \(P\(True\) 0\.05 → 0\.9\d\)\. Apply it\?$/.test(m.message)));
    assert.equal(
      session.text(uri),
      PENS.replace(
        'Step 3: She also gets a discount, so she receives 10 dollars back.\n\nAnswer: 10',
        'Step 3: So Mia gets 8 dollars back.\n\nStep 4: Check: 12 + 8 = 20.\n\nAnswer: 8',
      ),
    );
  });

  it('the proposal requests: refineSolution and regenerateFromFirstError return a re-checked edit for the version asked', async () => {
    const handler = refineAwareHandler({
      critic: ruleBasedCriticHandler({ incorrectPatterns: [WRONG_PATTERN] }),
      refine: (prompt) =>
        prompt.kind === 'step'
          ? stepReplacementReply('Step 3: So Mia gets 8 dollars back.')
          : regenerateReply(['Step 3: So Mia gets 8 dollars back.'], 'Answer: 8'),
    });
    const rig = await startRig({ handler });
    rigs.push(rig);
    const { session } = rig;
    const uri = fileUri(rig.folder, 'requests.solution.md');
    await session.open(uri, PENS);
    await session.finalStates(uri, 1);
    const solution = await session.request<{ status: string; title: string; apply: { version: number; edits: unknown[] } }>('stepcritic/refineSolution', {
      uri,
      version: 1,
    });
    assert.equal(solution.status, 'proposed');
    assert.match(solution.title, /^Refine solution \(P\(True\) /);
    assert.equal(solution.apply.version, 1);
    const regen = await session.request<{ status: string; fromStep: number }>('stepcritic/regenerateFromFirstError', { uri });
    assert.deepEqual([regen.status, regen.fromStep], ['proposed', 2]);
    const stale = await session.request<{ status: string }>('stepcritic/refineStep', { uri, version: 7 });
    assert.equal(stale.status, 'stale');
    const applied = await session.execute<{ applied: boolean }>({ command: 'stepcritic.server.applyEdit', arguments: [solution.apply] });
    assert.equal(applied.applied, true);
    assert.match(session.text(uri), /Step 3: So Mia gets 8 dollars back\./);
  });

  it('the code lens Refine asks before it applies the refined solution; Cancel changes nothing', async () => {
    const answers: string[] = [];
    const handler = refineAwareHandler({
      critic: ruleBasedCriticHandler({ incorrectPatterns: [WRONG_PATTERN] }),
      refine: () => stepReplacementReply('Step 3: So Mia gets 8 dollars back.'),
    });
    const rig = await startRig({ handler, session: { messageRequestAnswer: (_message, actions) => answers.shift() ?? actions[0] ?? null } });
    rigs.push(rig);
    const { session } = rig;
    const uri = fileUri(rig.folder, 'lens.solution.md');
    await session.open(uri, PENS);
    await session.finalStates(uri, 1);
    const lens = (await session.codeLenses(uri)).find((l) => l.command?.title === 'Refine…');
    assert.ok(lens?.command, 'a Refine lens');

    answers.push('Cancel');
    const cancelled = await session.execute<{ applied: boolean; message: string }>(lens.command);
    assert.deepEqual(cancelled, { applied: false, message: 'Cancelled.' });
    assert.equal(session.text(uri), PENS);
    assert.ok(
      session.messages.some((m) => m.message === 'Step Critic: Refine solution (P(True) 0.04 → 0.86). Apply it?'),
      'the question names P(True) of the solution before → after (0.95 · 0.95 · 0.05 → 0.95³)',
    );

    answers.push('Apply');
    const applied = await session.execute<{ applied: boolean }>(lens.command);
    assert.equal(applied.applied, true);
    assert.match(session.text(uri), /Step 3: So Mia gets 8 dollars back\./);
    assert.equal(handler.refinePrompts.length, 1, 'the same proposal was offered twice, computed once');
  });
});
