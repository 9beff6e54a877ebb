// No stale verdict after close and reopen. Versions restart at 1 when a document is opened again, so a
// check of the old opening that finishes late could carry a version number the new opening has reached
// too. Replayed with slow checks (a power tower that runs into the check deadline): every diagnostic
// set, at the moment it arrives, must describe the text the client has for that version — its steps'
// hashes and ranges are those of that text.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { parseSolution } from '../../src/engine/documents/parse';
import type { ServerStats } from '../../src/protocol/messages';
import { LspSession } from './support/lsp-session';
import { fileUri, tempFolder } from './support/fixtures';
import { seededRandom } from '../../src/engine/seeded-random';

const sessions: LspSession[] = [];
after(async () => {
  for (const session of sessions) await session.stop();
});

/** A solution whose steps differ by `n`; `slow` adds a step that keeps the verifier busy until the deadline. */
function solution(n: number, slow: boolean): string {
  const lines = ['# Problem', '', `Compute a few things (${n}).`, '', '# Solution', ''];
  if (slow) lines.push('Step 1: 9^9^9 = 547.', '');
  for (let i = 0; i < 3 + (n % 3); i++) lines.push(`Step ${i + 2}: ${n + i} + ${i} = ${n + 2 * i + (i === 1 ? 1 : 0)}.`, '');
  return lines.join('\n');
}

describe('server: close, reopen, edit with slow checks', () => {
  it('no published diagnostic set describes another text than the one it is labelled with', async () => {
    const folder = await tempFolder();
    const uri = fileUri(folder, 'reopened.solution.md');
    /** The texts of the current opening, by version; replaced when the document is opened again. */
    let texts = new Map<number, string>();
    let open = false;
    /** Versions of the current opening that got a diagnostic set. */
    let published = new Set<number>();
    const mismatches: string[] = [];
    let checked = 0;
    /**
     * After the client closed the document, a set the server sent before it read the close may still
     * arrive: it must describe the closed opening's text of that version (never the next opening's).
     */
    let closedTexts = new Map<number, string>();
    const check = (p: PublishDiagnosticsParams) => {
      if (p.uri !== uri || p.version === undefined) return;
      const text = open ? texts.get(p.version) : closedTexts.get(p.version);
      if (text === undefined) {
        if (p.diagnostics.length > 0) mismatches.push(`diagnostics for version ${p.version}, which this opening does not have (yet)`);
        return;
      }
      checked++;
      if (open) published.add(p.version);
      void parseSolution({ uri, text }).then((document) => {
        for (const d of p.diagnostics) {
          const data = d.data as { stepIndex: number; stepHash: string };
          const step = document.steps[data.stepIndex];
          if (!step || step.hash !== data.stepHash || JSON.stringify(step.range) !== JSON.stringify(d.range))
            mismatches.push(`version ${p.version}: step ${data.stepIndex + 1} (${JSON.stringify(d.message)}) is not in its text`);
        }
      });
    };
    const session = await LspSession.start({ workspaceFolder: folder, initializationOptions: { trusted: true, checkDeadlineMs: 300 }, onDiagnostics: check });
    sessions.push(session);

    // The server reads messages in order and answers a request after what it sent before: once a request
    // sent after the close is answered, every set sent before the close has arrived, and any later set
    // for the closed opening is stale.
    const closeAndSettle = async () => {
      await session.close(uri);
      await session.request<ServerStats>('stepcritic/serverStats', {});
      closedTexts = new Map();
    };
    const next = seededRandom(15); // so that a failure replays
    for (let round = 0; round < 6; round++) {
      texts = new Map([[1, solution(round * 10, true)]]);
      published = new Set();
      open = true;
      await session.open(uri, texts.get(1)!);
      texts.set(2, solution(round * 10 + 1, true));
      await session.replace(uri, texts.get(2)!);
      await delay(Math.floor(next() * 40));
      open = false;
      closedTexts = texts;
      await closeAndSettle();
      await delay(Math.floor(next() * 20));
      texts = new Map([[1, solution(round * 10 + 5, false)]]);
      published = new Set();
      open = true;
      await session.open(uri, texts.get(1)!);
      texts.set(2, solution(round * 10 + 7, false));
      await session.replace(uri, texts.get(2)!);
      // The new opening stays at version 2 while the old opening's version 2 would finish its check.
      await delay(700 + Math.floor(next() * 200));
      for (let version = 3; version <= 4; version++) {
        texts.set(version, solution(round * 10 + 5 + version, next() < 0.3));
        await session.replace(uri, texts.get(version)!);
        await delay(Math.floor(next() * 120));
      }
      await session.waitFor(() => published.has(4), `the diagnostics of version 4 in round ${round}`, 20_000);
      await delay(Math.floor(next() * 200));
      open = false;
      closedTexts = texts;
      await closeAndSettle();
    }
    await delay(100);
    assert.ok(checked >= 6, `diagnostic sets were published and checked (${checked})`);
    assert.deepEqual(mismatches, []);
  });
});
