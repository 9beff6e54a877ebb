// The language server with a reference file beside the solution (`name.reference.md`): the editor's
// critique and "Critique Workspace" read it with the solution, the final answer and a contradicted
// result are flagged against it, and the critic's request carries it.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
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
});
