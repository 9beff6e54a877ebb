// The language server as a process: open a document → diagnostics and step states.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol';
import { parseCriticPrompt } from '../../src/engine/llm/protocol';
import { ARITHMETIC_ERROR, PENS, fileUri, startRig, type Rig } from './support/fixtures';

const rigs: Rig[] = [];
after(async () => {
  for (const rig of rigs) await rig.stop();
});

describe('server: open a document', () => {
  it("says which version it is: the package's own (package.json), as `stepcritic --version` does", async () => {
    const rig = await startRig({ llm: false });
    rigs.push(rig);
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    assert.deepEqual(rig.session.serverInfo, { name: 'stepcritic', version });
  });

  it('without an endpoint: the verifiers mark the false computation, later steps are downstream, the critic is off', async () => {
    const rig = await startRig({ llm: false });
    rigs.push(rig);
    const uri = fileUri(rig.folder, 'apples.solution.md');
    await rig.session.open(uri, ARITHMETIC_ERROR);
    const states = await rig.session.finalStates(uri, 1);
    assert.deepEqual(
      states.steps.map((s) => s.state),
      ['incorrect', 'downstream', 'downstream'],
    );
    assert.equal(states.steps[0]!.source, 'verifier');
    assert.equal(states.steps[0]!.pTrue, 0);
    assert.equal(states.critic.enabled, false);
    assert.match(states.critic.note ?? '', /LLM critic off/);
    assert.equal(states.summary.firstErrorIndex, 0);

    const diagnostics = await rig.session.diagnosticsFor(uri, 1);
    assert.equal(diagnostics.length, 3);
    const [first, second] = diagnostics;
    assert.equal(first!.severity, DiagnosticSeverity.Error);
    assert.equal(first!.code, 'arithmetic');
    assert.equal(first!.source, 'stepcritic');
    assert.deepEqual(first!.range, { start: { line: 6, character: 0 }, end: { line: 6, character: 34 } });
    assert.match(String(first!.message), /P\(True\) 0\.00 · verifier/);
    assert.match(String(first!.message), /48 \/ 2 = 25 \(should be 24\)/);
    assert.deepEqual({ version: (first!.data as { version: number }).version, pTrue: (first!.data as { pTrue: number }).pTrue }, { version: 1, pTrue: 0 });
    assert.equal(typeof (first!.data as { stepHash: string }).stepHash, 'string');
    assert.equal(second!.severity, DiagnosticSeverity.Hint);
    assert.equal(second!.code, 'downstream');
    assert.equal(second!.relatedInformation?.[0]?.location.range.start.line, 6, 'a downstream step points at the wrong step');
    assert.equal(rig.llm.chatRequests().length, 0, 'no endpoint: no request');
  });

  it('with the scripted critic: one request judges every step; P(True) from log-probabilities; the wrong step is an Error', async () => {
    const rig = await startRig();
    rigs.push(rig);
    const uri = fileUri(rig.folder, 'pens.solution.md');
    await rig.session.open(uri, PENS);
    const states = await rig.session.finalStates(uri, 1);
    assert.deepEqual(
      states.steps.map((s) => s.state),
      ['correct', 'correct', 'incorrect'],
    );
    assert.deepEqual(
      states.steps.map((s) => s.source),
      ['logprobs', 'logprobs', 'logprobs'],
    );
    assert.ok(Math.abs(states.steps[0]!.pTrue! - 0.95) < 0.01, `P(True) ${states.steps[0]!.pTrue}`);
    assert.ok(Math.abs(states.steps[2]!.pTrue! - 0.05) < 0.01);
    assert.equal(states.critic.enabled, true);
    assert.equal(states.summary.counts.correct, 2);
    assert.equal(states.summary.counts.incorrect, 1);

    const chats = rig.llm.chatRequests();
    assert.equal(chats.length, 1, 'one request per solution');
    const prompt = parseCriticPrompt(chats[0]!.userText);
    assert.ok(prompt && prompt.kind === 'steps');
    assert.deepEqual(
      prompt.judged.map((s) => s.number),
      [1, 2, 3],
    );

    // The step states went through `judging` before the verdicts came in.
    const judging = rig.session.stepStates.find((s) => s.uri === uri && s.steps.some((x) => x.state === 'judging'));
    assert.ok(judging, 'steps were shown as judging while the request ran');

    const diagnostics = await rig.session.diagnosticsFor(uri, 1);
    assert.equal(diagnostics.length, 1, 'correct steps get no diagnostic');
    assert.equal(diagnostics[0]!.severity, DiagnosticSeverity.Error);
    assert.equal(diagnostics[0]!.code, 'logic');
    assert.match(String(diagnostics[0]!.message), /^Step 3 incorrect · P\(True\) 0\.05 · logprobs/);
  });
});
