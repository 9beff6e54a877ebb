// `stepcritic.calibration` in the language server: the critic's P(True) goes through the file's map
// before the thresholds (the hover says so, with the raw value); a file fitted for another critic is
// refused with a settings problem that names both, and P(True) stays as the critic said it.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import type { CalibrationFile } from '../../src/engine/calibration/file';
import { PROTOCOL_VERSION } from '../../src/engine/llm/protocol';
import { PENS, criticSettings, fileUri, startRig, type Rig } from './support/fixtures';

const rigs: Rig[] = [];
after(async () => {
  for (const rig of rigs) await rig.stop();
});

/** Softens the critic: a stated 0.95 becomes σ(logit 0.95 / 4) = 0.68. */
function calibrationFor(model: string): CalibrationFile {
  const scores = { ece: 0.1, brier: 0.1, auroc: 0.8 };
  return {
    format: 'stepcritic-calibration',
    version: 1,
    key: { critic: 'llm', model, protocolVersion: PROTOCOL_VERSION },
    map: { method: 'temperature', slope: 0.25, bias: 0 },
    fittedOn: { steps: 1568, solutions: 400, correct: 1361, dataset: 'processbench/gsm8k', inputs: ['run.jsonl'] },
    crossValidation: { folds: 5, seed: 1, steps: 1568, raw: scores, calibrated: scores },
    createdAt: '2026-01-01T00:00:00.000Z',
    tool: { name: 'stepcritic', version: '0.1.0' },
  };
}

describe('server: stepcritic.calibration', () => {
  it('calibrates the P(True) shown and the verdicts; the hover says what it was fitted on and what the critic said', async () => {
    const rig = await startRig({ settings: { calibration: 'calibration.json' } });
    rigs.push(rig);
    writeFileSync(join(rig.folder, 'calibration.json'), JSON.stringify(calibrationFor('scripted-critic')));
    writeFileSync(join(rig.folder, 'other.json'), JSON.stringify(calibrationFor('gpt-4o')));
    const { session, llm } = rig;
    // The file is read when the settings arrive: send them again now that it exists.
    await session.configure(criticSettings(llm, { calibration: 'calibration.json' }));
    const uri = fileUri(rig.folder, 'pens.solution.md');
    await session.open(uri, PENS);
    await session.finalStates(uri, 1);

    const hover = (await session.hover(uri, 6, 10))!.contents as MarkupContent;
    assert.match(
      hover.value,
      /\*\*Step 1 · uncertain\*\* · P\(True\) 0\.68 · logprobs · calibrated \(fitted on 1,568 steps of processbench\/gsm8k\), the critic said 0\.95/,
    );
    // The critic's 0.05 becomes 0.32: no longer sure enough to call the step wrong.
    const doubted = (await session.hover(uri, 10, 12))!.contents as MarkupContent;
    assert.match(doubted.value, /\*\*Step 3 · uncertain\*\* · P\(True\) 0\.32 · logprobs · calibrated/);
    assert.equal(session.statuses.at(-1)?.settingsProblems.length, 0);
    const requests = llm.chatRequests().length;

    // A file fitted for another model is refused, named; the P(True) shown is the critic's own again.
    await session.configure(criticSettings(llm, { calibration: 'other.json' }));
    await session.waitFor(() => (session.statuses.at(-1)?.settingsProblems.length ?? 0) === 1 && true, 'the mismatch reported');
    assert.match(
      session.statuses.at(-1)!.settingsProblems[0]!,
      /^stepcritic\.calibration: other\.json was fitted for the LLM critic gpt-4o, protocol stepcritic-critic\/\d+, but this run's critic is the LLM critic scripted-critic, protocol stepcritic-critic\/\d+.*\(P\(True\) is shown uncalibrated\)$/,
    );
    const hoverText = async () => ((await session.hover(uri, 6, 10))!.contents as MarkupContent).value;
    for (let i = 0; i < 100 && !/P\(True\) 0\.95 · logprobs$/m.test(await hoverText()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(await hoverText(), /\*\*Step 1 · correct\*\* · P\(True\) 0\.95 · logprobs$/m);
    assert.equal(llm.chatRequests().length, requests, 'a calibration change needs no new request');
  });

  it('reads the file again when it changes on disk: made after the setting named it, the next calibrate reaches the open document', async () => {
    const rig = await startRig({ settings: { calibration: 'calibration.json' }, session: { watchFiles: true } });
    rigs.push(rig);
    const { session, llm } = rig;
    const uri = fileUri(rig.folder, 'pens.solution.md');
    await session.open(uri, PENS);
    await session.finalStates(uri, 1);
    await session.waitFor(() => session.statuses.at(-1)?.settingsProblems.length === 1, 'the missing file reported');
    assert.match(session.statuses.at(-1)!.settingsProblems[0]!, /^stepcritic\.calibration: calibration\.json: no such file/);
    const watched = await session.waitFor(
      () =>
        [...session.registrations.values()].find(
          (r) => r.method === 'workspace/didChangeWatchedFiles' && JSON.stringify(r.registerOptions).includes('calibration.json'),
        ),
      'a watcher registered',
    );
    assert.deepEqual(watched.registerOptions, {
      watchers: [{ globPattern: { baseUri: pathToFileURL(rig.folder).href, pattern: 'calibration.json' } }],
    });
    const requests = llm.chatRequests().length;
    const hoverText = async () => ((await session.hover(uri, 6, 10))!.contents as MarkupContent).value;
    assert.match(await hoverText(), /\*\*Step 1 · correct\*\* · P\(True\) 0\.95 · logprobs$/m);

    const path = join(rig.folder, 'calibration.json');
    writeFileSync(path, JSON.stringify(calibrationFor('scripted-critic')));
    await session.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path).href, type: 1 }] });
    await session.waitFor(() => session.statuses.at(-1)?.settingsProblems.length === 0, 'the problem gone');
    for (let i = 0; i < 100 && !/P\(True\) 0\.68 · logprobs · calibrated/.test(await hoverText()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(await hoverText(), /\*\*Step 1 · uncertain\*\* · P\(True\) 0\.68 · logprobs · calibrated \(fitted on 1,568 steps/);

    // Fitted again for another model: refused, and the critic's own P(True) is back.
    writeFileSync(path, JSON.stringify(calibrationFor('gpt-4o')));
    await session.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path).href, type: 2 }] });
    await session.waitFor(() => session.statuses.at(-1)?.settingsProblems.length === 1, 'the mismatch reported');
    for (let i = 0; i < 100 && !/P\(True\) 0\.95 · logprobs$/m.test(await hoverText()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(await hoverText(), /\*\*Step 1 · correct\*\* · P\(True\) 0\.95 · logprobs$/m);
    assert.equal(llm.chatRequests().length, requests, 'a changed calibration needs no new request');
  });
});
