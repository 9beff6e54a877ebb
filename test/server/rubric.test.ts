// The rubric in the editor: the server grades a solution by its rubric (its own front matter, or the
// stepcritic.rubric file, which wins) in the same request as its steps, and its code lens shows the
// score with every item in the lens's hover.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseCriticPrompt } from '../../src/engine/llm/protocol';
import { ruleBasedCriticHandler } from '../support/scripted-llm-server';
import { fileUri, startRig, tempFolder, type Rig } from './support/fixtures';

const rigs: Rig[] = [];
after(async () => {
  for (const rig of rigs) await rig.stop();
});

const GRADED = [
  '---',
  'rubric:',
  '  - title: Counts the apples',
  '    points: 2',
  '  - title: States the unit',
  '    points: 1',
  '---',
  '# Problem',
  'Tom has 3 bags of 4 apples. How many apples does he have?',
  '',
  '# Solution',
  'Step 1: Tom has 3 * 4 = 12 apples.',
  '',
  'Step 2: The answer is 12.',
  '',
].join('\n');

describe('server: rubric', () => {
  it("shows the solution's rubric score in its code lens, judged in the one request of the solution", async () => {
    const handler = ruleBasedCriticHandler({
      rubric: [
        { item: 1, met: true, pTrue: 0.9, steps: [1] },
        { item: 2, met: false, pTrue: 0.4, steps: [2] },
      ],
    });
    const rig = await startRig({ handler });
    rigs.push(rig);
    const uri = fileUri(rig.folder, 'graded.solution.md');
    await rig.session.open(uri, GRADED);
    await rig.session.diagnosticsFor(uri, 1);
    const critique = rig.llm.chatRequests().filter((r) => parseCriticPrompt(r.userText)?.kind === 'steps');
    assert.equal(critique.length, 1, 'one request for the steps and the rubric');
    const lens = (await rig.session.codeLenses(uri)).find((l) => l.command?.title.startsWith('Rubric'));
    assert.equal(lens?.command?.title, 'Rubric 2/3 · expected 2.2');
    const tooltip = (lens?.command as { tooltip?: string }).tooltip ?? '';
    assert.match(tooltip, /item 1 "Counts the apples" 2\/2 met \(P\(True\) 0\.90\) · step 1/);
    assert.match(tooltip, /item 2 "States the unit" 0\/1 unmet \(P\(True\) 0\.40\) · step 2/);
  });

  it('stepcritic.rubric grades every solution by the shared file, over its own rubric:', async () => {
    const folder = await tempFolder();
    await writeFile(join(folder, 'rubric.yaml'), '- title: Shared item\n  points: 4\n');
    const rig = await startRig({
      folder,
      settings: { rubric: 'rubric.yaml' },
      handler: ruleBasedCriticHandler({ rubric: [{ item: 1, met: true, pTrue: 0.75 }] }),
    });
    rigs.push(rig);
    const uri = fileUri(rig.folder, 'shared.solution.md');
    await rig.session.open(uri, GRADED);
    await rig.session.diagnosticsFor(uri, 1);
    const lens = (await rig.session.codeLenses(uri)).find((l) => l.command?.title.startsWith('Rubric'));
    assert.equal(lens?.command?.title, 'Rubric 4/4 · expected 3');
  });
});
