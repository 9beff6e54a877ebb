// The language server with a reference file beside the solution (`name.reference.md`): the editor's
// critique and "Critique Workspace" read it with the solution, the final answer and a contradicted
// result are flagged against it, and the critic's request carries it.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseCriticPrompt } from '../../src/engine/llm/protocol';
import type { WorkspaceCritique } from '../../src/protocol/messages';
import { fileUri, startRig, tempFolder, type Rig } from './support/fixtures';

const SOLUTION = `# Problem
Tom buys 4 apples at $3 each and a book at $24. How much does he pay?

# Solution
Step 1: The apples cost 4 * 3 = 12 dollars.

Step 2: Total cost = 12 + 18 = 30 dollars.

Answer: 30
`;
const REFERENCE = 'The apples cost 4 * 3 = 12 dollars.\n\nTotal cost = 12 + 24 = 36 dollars.\n\nAnswer: 36\n';

const rigs: Rig[] = [];
after(async () => {
  for (const rig of rigs) await rig.stop();
});

describe('server: a reference file beside the solution', () => {
  it('the editor and the workspace critique judge against it, and the critic sees it', async () => {
    const folder = await tempFolder('stepcritic-reference-');
    await writeFile(join(folder, 'tom.solution.md'), SOLUTION);
    await writeFile(join(folder, 'tom.reference.md'), REFERENCE);
    const rig = await startRig({ folder });
    rigs.push(rig);

    const uri = fileUri(folder, 'tom.solution.md');
    await rig.session.open(uri, SOLUTION);
    const diagnostics = await rig.session.diagnosticsFor(uri, 1);
    const messages = diagnostics.map((d): [unknown, string] => [d.code, String(d.message)]);
    assert.ok(
      messages.some(([code, message]) => code === 'reference' && /the reference has 36 dollars/.test(message)),
      JSON.stringify(messages),
    );
    assert.ok(
      messages.some(([, message]) => message === "The final answer 30 differs from the reference's 36."),
      JSON.stringify(messages),
    );
    const prompts = rig.llm.chatRequests().map((r) => parseCriticPrompt(r.userText));
    assert.equal(prompts.length, 1, 'one request: step 1 only, step 2 is refuted');
    assert.equal(prompts[0]?.kind === 'steps' ? prompts[0].reference : undefined, REFERENCE.trim());

    const result = await rig.session.request<WorkspaceCritique>('stepcritic/critiqueWorkspace', {});
    assert.deepEqual(
      result.files.map((f) => [f.uri.slice(folder.length + 'file://'.length), f.summary.firstErrorIndex, f.summary.answer?.fromReference]),
      [['/tom.solution.md', 1, true]],
    );
  });

  it('judges an open solution again when its reference file is changed on disk', async () => {
    const folder = await tempFolder('stepcritic-reference-edit-');
    await writeFile(join(folder, 'tom.solution.md'), SOLUTION);
    const referencePath = join(folder, 'tom.reference.md');
    await writeFile(referencePath, REFERENCE);
    const rig = await startRig({ folder, session: { watchFiles: true } });
    rigs.push(rig);
    const { session } = rig;
    const uri = fileUri(folder, 'tom.solution.md');
    await session.open(uri, SOLUTION);
    const answerMessage = (diagnostics: readonly Diagnostic[] | undefined) =>
      diagnostics?.map((d) => String(d.message)).find((message) => /final answer/i.test(message) && /reference/.test(message));
    assert.equal(answerMessage(await session.diagnosticsFor(uri, 1)), "The final answer 30 differs from the reference's 36.");
    const watcher = await session.waitFor(
      () =>
        [...session.registrations.values()].find(
          (r) => r.method === 'workspace/didChangeWatchedFiles' && JSON.stringify(r.registerOptions).includes('*.reference.md'),
        ),
      'the reference files watched',
    );
    assert.ok(watcher);

    // The teacher corrects the reference (the book was $18): the same text is judged again, without the old verdicts.
    await writeFile(referencePath, 'The apples cost 4 * 3 = 12 dollars.\n\nTotal cost = 12 + 18 = 30 dollars.\n\nAnswer: 30\n');
    const published = session.diagnostics.length;
    await session.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(referencePath).href, type: 2 }] });
    await session.waitFor(
      () =>
        session.diagnostics
          .slice(published)
          .some((p) => p.uri === uri && !p.diagnostics.some((d) => d.code === 'reference' || /reference/.test(String(d.message)))),
      'diagnostics without the old reference',
    );
    const prompts = rig.llm.chatRequests().map((r) => parseCriticPrompt(r.userText));
    const last = prompts.at(-1);
    assert.match(last?.kind === 'steps' ? (last.reference ?? '') : '', /12 \+ 18 = 30/);
  });
});
