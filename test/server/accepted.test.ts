// Mark step as correct: stored in `.stepcritic/accepted.json` of the workspace folder (pretty, sorted,
// reviewable), said where the first time, shown as accepted, kept across a server restart, undoable
// with Unmark or the notification's Undo; the last unmark removes the file.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CodeAction } from 'vscode-languageserver-protocol';
import { LspSession } from './support/lsp-session';
import { PENS, fileUri, startRig, tempFolder, type Rig } from './support/fixtures';

const rigs: Rig[] = [];
const sessions: LspSession[] = [];
after(async () => {
  for (const rig of rigs) await rig.stop();
  for (const session of sessions) await session.stop();
});

function byKind(actions: CodeAction[], kind: string): CodeAction {
  const found = actions.find((a) => a.kind === kind);
  assert.ok(found, `an action of kind ${kind} among ${actions.map((a) => a.kind).join(', ')}`);
  return found;
}

describe('server: accepted steps', () => {
  it('a step marked as correct is accepted, persisted, kept after a restart, and can be unmarked', async () => {
    const folder = await tempFolder();
    const rig = await startRig({ folder, session: { messageRequestAnswer: () => null } });
    rigs.push(rig);
    const uri = fileUri(folder, 'accept.solution.md');
    await rig.session.open(uri, PENS);
    const diagnostics = await rig.session.diagnosticsFor(uri, 1);
    assert.equal(diagnostics.length, 1);
    const mark = byKind(await rig.session.codeActions(uri, diagnostics[0]!.range, diagnostics), 'quickfix.stepcritic.accept');
    assert.equal(mark.title, 'Mark step 3 as correct');
    const marked = await rig.session.execute<{ applied: boolean; message: string }>(mark.command!);
    assert.equal(marked.applied, true);
    const name = folder.split('/').pop()!;
    await rig.session.waitFor(
      () =>
        rig.session.messages.some(
          (m) => m.message === `Step Critic: Step 3 is marked as correct. Marks are kept in .stepcritic/accepted.json in ${name} (commit it to share them).`,
        ),
      'where marks are kept, said the first time',
    );

    const file = await readFile(join(folder, '.stepcritic', 'accepted.json'), 'utf8');
    const json = JSON.parse(file) as { version: number; problems: Record<string, { problem: string; steps: Record<string, string> }> };
    assert.equal(json.version, 1);
    const [entry] = Object.values(json.problems);
    assert.match(entry!.problem, /^A shop sells pens at 3 dollars each/);
    assert.deepEqual(Object.values(entry!.steps), ['Step 3: She also gets a discount, so she receives 10 dollars back.']);
    assert.equal(file, `${JSON.stringify(json, null, 2)}\n`, 'pretty-printed, one key per line, for review in git');

    await rig.session.waitFor(
      () => [...rig.session.stepStates].reverse().find((s) => s.uri === uri && s.version === 1)?.steps[2]?.state === 'accepted' && true,
      'step 3 shown as accepted',
    );
    await rig.session.waitFor(() => rig.session.lastDiagnostics(uri, 1)?.length === 0 && true, 'its diagnostic gone');
    await rig.stop();
    rigs.pop();

    // A new server process over the same folder: the mark is still there.
    const restarted = await startRig({ folder, session: { messageRequestAnswer: () => null } });
    rigs.push(restarted);
    await restarted.session.open(uri, PENS);
    const states = await restarted.session.finalStates(uri, 1);
    assert.deepEqual(
      states.steps.map((s) => s.state),
      ['correct', 'correct', 'accepted'],
    );
    assert.equal(states.steps[2]!.source, 'user');
    assert.equal((await restarted.session.diagnosticsFor(uri, 1)).length, 0);

    const unmark = byKind(await restarted.session.codeActions(uri, states.steps[2]!.range), 'quickfix.stepcritic.unaccept');
    const undone = await restarted.session.execute<{ applied: boolean }>(unmark.command!);
    assert.equal(undone.applied, true);
    await restarted.session.waitFor(
      () => [...restarted.session.stepStates].reverse().find((s) => s.uri === uri)?.steps[2]?.state === 'incorrect' && true,
      'step 3 incorrect again',
    );
    assert.deepEqual(await readdir(folder), [], 'the last unmark leaves no empty accepted.json (nor .stepcritic/) behind');
    await restarted.session.waitFor(
      () =>
        restarted.session.messages.some((m) =>
          /Step 3 is no longer marked as correct\. No marks are left, so \.stepcritic\/accepted\.json in .* was removed\./.test(m.message),
        ),
      'the removal said',
    );
  });

  it("the notification's Undo takes a mark back, as Ctrl+Z cannot", async () => {
    const rig = await startRig({ session: { messageRequestAnswer: (_m, actions) => (actions.includes('Undo') ? 'Undo' : null) } });
    rigs.push(rig);
    const uri = fileUri(rig.folder, 'undo.solution.md');
    await rig.session.open(uri, PENS);
    const diagnostics = await rig.session.diagnosticsFor(uri, 1);
    const mark = byKind(await rig.session.codeActions(uri, diagnostics[0]!.range, diagnostics), 'quickfix.stepcritic.accept');
    await rig.session.execute(mark.command!);
    await rig.session.waitFor(() => rig.session.messages.some((m) => /Step 3 is no longer marked as correct/.test(m.message)), 'the mark undone');
    assert.deepEqual(await readdir(rig.folder), [], 'no .stepcritic/ left');
    await rig.session.waitFor(
      () => [...rig.session.stepStates].reverse().find((s) => s.uri === uri)?.steps[2]?.state === 'incorrect' && true,
      'step 3 incorrect again',
    );
  });

  it('a mark for a step that has changed since is refused', async () => {
    const rig = await startRig({ llm: false });
    rigs.push(rig);
    const uri = fileUri(rig.folder, 'moved.solution.md');
    await rig.session.open(uri, PENS);
    const states = await rig.session.finalStates(uri, 1);
    const mark = byKind(await rig.session.codeActions(uri, states.steps[2]!.range), 'quickfix.stepcritic.accept');
    await rig.session.replace(uri, PENS.replace('a discount', 'a big discount'));
    await rig.session.finalStates(uri, 2);
    const result = await rig.session.execute<{ applied: boolean; message: string }>(mark.command!);
    assert.equal(result.applied, false);
    assert.match(result.message, /step 3 changed since/);
  });

  it('an accepted.json that does not parse (a merge conflict) is never overwritten', async () => {
    const folder = await tempFolder();
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(folder, '.stepcritic'));
    const conflicted = '<<<<<<< HEAD\n{"version": 1, "problems": {}}\n=======\n{}\n>>>>>>> theirs\n';
    await writeFile(join(folder, '.stepcritic', 'accepted.json'), conflicted);
    const session = await LspSession.start({ workspaceFolder: folder, initializationOptions: { trusted: true } });
    sessions.push(session);
    const uri = fileUri(folder, 'conflict.solution.md');
    await session.open(uri, PENS);
    const states = await session.finalStates(uri, 1);
    const mark = byKind(await session.codeActions(uri, states.steps[2]!.range), 'quickfix.stepcritic.accept');
    const result = await session.execute<{ applied: boolean; message: string }>(mark.command!);
    assert.equal(result.applied, false);
    assert.match(result.message, /accepted\.json was left as it is: not valid JSON/);
    assert.equal(await readFile(join(folder, '.stepcritic', 'accepted.json'), 'utf8'), conflicted);
  });
});
