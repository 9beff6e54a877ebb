// Hover, code lens, Explain, and the requests that change what is critiqued (critique file on
// request, toggle, settings, API key).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import { ARITHMETIC_ERROR, PENS, criticSettings, fileUri, startRig, type Rig } from './support/fixtures';

const rigs: Rig[] = [];
after(async () => {
  for (const rig of rigs) await rig.stop();
});

describe('server: hover, code lens, explain', () => {
  it('hover shows the verdict, P(True) and its source, the evidence and the tokens; the code lens sums up; Explain gives the full critique', async () => {
    const rig = await startRig();
    rigs.push(rig);
    const { session } = rig;
    const uri = fileUri(rig.folder, 'apples.solution.md');
    await session.open(uri, ARITHMETIC_ERROR);
    await session.finalStates(uri, 1);

    const hover = await session.hover(uri, 6, 10);
    assert.ok(hover);
    const text = (hover.contents as MarkupContent).value;
    assert.match(text, /\*\*Step 1 — incorrect\*\* · P\(True\) 0\.00 · source: verifier/);
    assert.match(text, /`48 \/ 2 = 25` is false: the right value is `24`/);
    assert.match(text, /Tokens: 0 \(0 prompt \+ 0 completion\) in 0 requests/, 'the verifier settled it: no request');
    assert.deepEqual(hover.range, { start: { line: 6, character: 0 }, end: { line: 6, character: 34 } });
    assert.equal(await session.hover(uri, 2, 5), null, 'no hover on the problem');

    const lenses = await session.codeLenses(uri);
    assert.deepEqual(
      lenses.map((l) => l.command?.title),
      ['Step Critic: 1 incorrect · 2 downstream · P(True) 0.00', 'Critique', 'Refine'],
    );
    assert.equal(lenses[0]!.range.start.line, 2, 'above the solution (at the problem)');

    const explained = await session.execute<{ markdown: string }>({ command: 'stepcritic.server.explain', arguments: [{ uri, stepIndex: 1 }] });
    assert.match(explained.markdown, /\*\*Step 2 — downstream\*\*/);
    assert.match(explained.markdown, /Builds on step 1, which is wrong: 48 \/ 2 = 25 \(should be 24\)/);
    await session.waitFor(() => session.explanations.length === 1 && true, 'the explanation sent to the client');
    const file = await session.request<{ markdown: string }>('stepcritic/explain', { uri });
    assert.match(file.markdown, /The first wrong step is \*\*step 1\*\*/);
    assert.match(file.markdown, /## Step 3/);

    // A step the critic judged: its reasoning, P(True) from log-probabilities, the tokens spent.
    const pens = fileUri(rig.folder, 'pens.solution.md');
    await session.open(pens, PENS);
    await session.finalStates(pens, 1);
    const critic = (await session.hover(pens, 10, 12))!.contents as MarkupContent;
    assert.match(critic.value, /\*\*Step 3 — incorrect\*\* · P\(True\) 0\.05 · source: logprobs/);
    assert.match(critic.value, /critic \(scripted-critic\): \*\*incorrect\*\*, P\(True\) 0\.05 via logprobs — Checked step 3: it does not hold\./);
    assert.match(critic.value, /Tokens: \d+ \(\d+ prompt \+ \d+ completion\) in 1 request; 0 steps from the cache/);
  });
});

describe('server: what is critiqued', () => {
  it('a Markdown file is critiqued on request only; the toggle turns everything off and on; settings and the key are applied', async () => {
    const rig = await startRig({ llm: false });
    rigs.push(rig);
    const { session, llm } = rig;
    const notes = fileUri(rig.folder, 'notes.md');
    await session.open(notes, PENS, 'markdown');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(session.stepStates.filter((s) => s.uri === notes).length, 0, 'not matched by stepcritic.files: left alone');

    const critique = await session.request<{ summary: { counts: Record<string, number> }; critic: { enabled: boolean } }>('stepcritic/critiqueFile', {
      uri: notes,
    });
    assert.equal(critique.summary.counts.unchecked, 3, 'no critic: the steps are unchecked');
    assert.equal(critique.critic.enabled, false);

    // The endpoint arrives (settings) and then the critic is used.
    await session.configure(criticSettings(llm, { trigger: 'onSave' }));
    await session.waitFor(() => session.statuses.some((s) => s.critic.enabled) && true, 'the critic turned on');
    const judged = await session.request<{ summary: { counts: Record<string, number> } }>('stepcritic/critiqueFile', { uri: notes });
    assert.deepEqual([judged.summary.counts.correct, judged.summary.counts.incorrect], [2, 1]);
    assert.equal(llm.chatRequests().length, 1);

    const off = await session.request<{ enabled: boolean }>('stepcritic/toggle', {});
    assert.equal(off.enabled, false);
    await session.waitFor(() => session.cleared.includes(notes) && true, 'step states cleared');
    assert.deepEqual(session.lastDiagnostics(notes), [], 'diagnostics cleared');
    const on = await session.request<{ enabled: boolean }>('stepcritic/toggle', { enabled: true });
    assert.equal(on.enabled, true);

    const probe = await session.request<{ ok: boolean; logprobs: boolean | null; message: string }>('stepcritic/testConnection', {});
    assert.equal(probe.ok, true);
    assert.equal(probe.logprobs, true);
    assert.match(
      probe.message,
      /^Connected to scripted-critic @ http:\/\/127\.0\.0\.1:\d+\/v1: a two-step critique came back judged in \d+ ms\. P\(True\) from logprobs: the endpoint returns log-probabilities/,
    );
    const cleared = await session.request<{ cleared: number }>('stepcritic/clearCache', {});
    assert.equal(cleared.cleared, 3, 'the three verdicts of notes.md');

    // A provider that needs a key: off until the client pushes one, which is never echoed back.
    await session.configure({ provider: 'openai', model: 'gpt-4o-mini' });
    await session.waitFor(() => session.statuses.at(-1)?.critic.note?.includes('needs an API key') && true, 'key needed');
    const withKey = await session.request<{ enabled: boolean; model?: string }>('stepcritic/setSecrets', { apiKey: 'sk-test-secret' });
    assert.equal(withKey.enabled, true);
    assert.ok(!JSON.stringify(session.statuses).includes('sk-test-secret'), 'the key is never sent back');
    assert.ok(!session.logs.join('\n').includes('sk-test-secret'), 'nor logged');

    // Bad settings values fall back to their defaults and are reported.
    await session.configure({ debounceMs: 'soon', thresholds: { correct: 0.2, incorrect: 0.5 } });
    await session.waitFor(() => (session.statuses.at(-1)?.settingsProblems.length ?? 0) === 2 && true, 'two problems reported');
    assert.match(session.statuses.at(-1)!.settingsProblems.join('\n'), /stepcritic\.debounceMs/);
  });
});
