// Hover, code lens, Explain, and the requests that change what is critiqued (critique file on
// request, toggle, settings, API key).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import { runCli } from '../cli/run-cli';
import { ARITHMETIC_ERROR, PENS, criticSettings, fileUri, startRig, type Rig } from './support/fixtures';

const rigs: Rig[] = [];
after(async () => {
  for (const rig of rigs) await rig.stop();
});

describe('server: hover, code lens, explain', () => {
  it('hover says the verdict, P(True) and its source and the reason once, no zero figures; the code lens sums up above the title; Explain gives the full critique', async () => {
    const rig = await startRig();
    rigs.push(rig);
    const { session } = rig;
    const uri = fileUri(rig.folder, 'apples.solution.md');
    await session.open(uri, ARITHMETIC_ERROR);
    await session.finalStates(uri, 1);

    const hover = await session.hover(uri, 6, 10);
    assert.ok(hover);
    const text = (hover.contents as MarkupContent).value;
    assert.equal(
      text,
      ['**Step 1 · incorrect** · P(True) 0.00 · verifier', '48 / 2 = 25 (should be 24).', 'Quick fix: **Fix arithmetic** (`24`).'].join('\n\n'),
    );
    assert.deepEqual(hover.range, { start: { line: 6, character: 0 }, end: { line: 6, character: 34 } });
    assert.equal(await session.hover(uri, 2, 5), null, 'no hover on the problem');

    const diagnostics = await session.diagnosticsFor(uri, 1);
    assert.equal(diagnostics[0]!.message, 'Step 1 incorrect · P(True) 0.00 · verifier: 48 / 2 = 25 (should be 24).');

    const lenses = await session.codeLenses(uri);
    assert.deepEqual(
      lenses.map((l) => l.command?.title),
      ['Step Critic: incorrect from step 1 · 1 incorrect, 2 downstream · P(True) 0.00', 'Critique', 'Refine…'],
    );
    assert.equal(lenses[0]!.range.start.line, 0, 'above the title, not between "# Problem" and its text');

    const explained = await session.execute<{ markdown: string }>({ command: 'stepcritic.server.explain', arguments: [{ uri, stepIndex: 1 }] });
    assert.match(explained.markdown, /^\*\*Step 2 · downstream of the wrong step 1\*\*/);
    assert.match(explained.markdown, /Step 1: 48 \/ 2 = 25 \(should be 24\)\./);
    await session.waitFor(() => session.explanations.length === 1 && true, 'the explanation sent to the client');
    const file = await session.request<{ markdown: string }>('stepcritic/explain', { uri });
    assert.match(file.markdown, /incorrect from step 1/);
    assert.match(file.markdown, /\*\*Step 3 · downstream of the wrong step 1\*\*/);
    assert.doesNotMatch(file.markdown, /\b0 (tokens|requests)|no source|n\/a/, 'no empty figures');

    // A step the critic judged: its reasoning, P(True) from log-probabilities, the tokens spent.
    const pens = fileUri(rig.folder, 'pens.solution.md');
    await session.open(pens, PENS);
    await session.finalStates(pens, 1);
    const critic = (await session.hover(pens, 10, 12))!.contents as MarkupContent;
    assert.equal(critic.value, ['**Step 3 · incorrect** · P(True) 0.05 · logprobs', 'Checked step 3: it does not hold.'].join('\n\n'));
    const full = await session.request<{ markdown: string }>('stepcritic/explain', { uri: pens });
    assert.match(full.markdown, /_\d+ tokens \(\d+ prompt \+ \d+ completion\) in 1 request\._/);
  });
});

describe('server: a final answer that differs from the expected one', () => {
  const WRONG_ANSWER = `---
answer: 72
---
# Problem

Natalia sold clips to 48 friends in April, and half as many in May. How many clips did she sell in all?

# Solution

Step 1: In May she sold 48 / 2 = 24 clips.

Step 2: In all she sold 48 + 24 = 72 clips.

Step 3: Adding one she kept for herself, the answer is 73.

Answer: 73
`;

  it('is a diagnostic on the answer line, counted in the code lens, and the verdict the CLI gives too', async () => {
    const rig = await startRig();
    rigs.push(rig);
    const { session, folder } = rig;
    const path = join(folder, 'clips.solution.md');
    await writeFile(path, WRONG_ANSWER);
    const uri = fileUri(folder, 'clips.solution.md');
    await session.open(uri, WRONG_ANSWER);
    const states = await session.finalStates(uri, 1);
    assert.deepEqual(
      states.steps.map((s) => s.state),
      ['correct', 'correct', 'correct'],
      'the critic finds every step right',
    );
    assert.equal(states.summary.verdict, 'incorrect');
    const answer = (await session.diagnosticsFor(uri, 1)).find((d) => d.code === 'final-answer');
    assert.ok(answer, 'a diagnostic for the final answer');
    assert.equal(answer.message, 'The final answer 73 differs from the expected 72.');
    assert.equal(answer.severity, 1);
    assert.equal(answer.range.start.line, WRONG_ANSWER.split('\n').indexOf('Answer: 73'));
    const lens = (await session.codeLenses(uri))[0]!.command!.title;
    assert.match(lens, /^Step Critic: incorrect: final answer 73, expected 72 · 3 correct · P\(True\) 0\.00$/);

    const cli = await runCli(['check', path, '--format', 'json', '--fail-on', 'never'], { cwd: folder });
    const report = JSON.parse(cli.stdout) as { files: { verdict: string }[] };
    assert.equal(report.files[0]!.verdict, states.summary.verdict, 'one verdict on every surface');
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
    assert.deepEqual([critique.summary.counts.verified, critique.summary.counts.unchecked], [2, 1], 'no critic: computations verified, reasoning unchecked');
    assert.equal(critique.critic.enabled, false);
    const off = await session.request<{ markdown: string }>('stepcritic/explain', { uri: notes });
    assert.equal(off.markdown.match(/critic off/gi)?.length, 1, `the critic's note said once: ${off.markdown}`);
    // A step whose computations were all verified, nothing else judged: said so, calmly, once.
    const verified = fileUri(rig.folder, 'verified.solution.md');
    await session.open(verified, PENS);
    const states = await session.finalStates(verified, 1);
    assert.deepEqual(
      states.steps.map((s) => s.state),
      ['verified', 'verified', 'unchecked'],
    );
    const calm = ((await session.hover(verified, 6, 12))!.contents as MarkupContent).value;
    assert.equal(calm, ['**Step 1 · computations verified; reasoning not judged**', '- ✓ `4 * 3 = 12`'].join('\n\n'));
    await session.close(verified);

    // The endpoint arrives (settings) and then the critic is used.
    await session.configure(criticSettings(llm, { trigger: 'onSave' }));
    await session.waitFor(() => session.statuses.some((s) => s.critic.enabled) && true, 'the critic turned on');
    const judged = await session.request<{ summary: { counts: Record<string, number> } }>('stepcritic/critiqueFile', { uri: notes });
    assert.deepEqual([judged.summary.counts.correct, judged.summary.counts.incorrect], [2, 1]);
    assert.equal(llm.chatRequests().length, 1);
    await session.waitFor(
      () =>
        session.logs.some((l) =>
          /^critiqued notes\.md \(version 1\): incorrect from step 3 · 2 correct, 1 incorrect · P\(True\) [\d.]+\. \d+ tokens .* in 1 request\.$/.test(l),
        ),
      `a log line for the run that asked the critic: ${session.logs.join(' | ')}`,
    );
    assert.ok(!session.logs.join('\n').includes('discount'), "the document's text is never logged");

    const paused = await session.request<{ enabled: boolean }>('stepcritic/toggle', {});
    assert.equal(paused.enabled, false);
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
