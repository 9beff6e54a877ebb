// Critique workspace: every matching file, with work-done progress (files done of total) and
// cancellation; diagnostics are published for files that are not open.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import type { WorkspaceCritique } from '../../src/protocol/messages';
import { ARITHMETIC_ERROR, PENS, fileUri, startRig, tempFolder, type Rig } from './support/fixtures';

const rigs: Rig[] = [];
after(async () => {
  for (const rig of rigs) await rig.stop();
});

async function workspace(files: number): Promise<string> {
  const folder = await tempFolder('stepcritic-workspace-');
  await mkdir(join(folder, 'sets', 'b'), { recursive: true });
  await mkdir(join(folder, 'node_modules', 'x'), { recursive: true });
  await mkdir(join(folder, 'build'), { recursive: true });
  for (let i = 0; i < files; i++) {
    const text = i % 2 === 0 ? PENS.replace('Mia', `Mia${i}`) : ARITHMETIC_ERROR.replace('Tom', `Tom${i}`);
    await writeFile(join(folder, i < 2 ? '' : join('sets', 'b'), `s${i}.solution.md`), text);
  }
  await writeFile(join(folder, 'node_modules', 'x', 'skip.solution.md'), PENS);
  await writeFile(join(folder, 'build', 'ignored.solution.md'), PENS);
  await writeFile(join(folder, '.gitignore'), 'build/\n');
  await writeFile(join(folder, 'notes.md'), PENS);
  return folder;
}

describe('server: critique workspace', () => {
  it('critiques every matching file (not node_modules, not .gitignored) with $/progress begin, report per file, end', async () => {
    const folder = await workspace(4);
    const rig = await startRig({ folder });
    rigs.push(rig);
    const { session } = rig;
    const result = await session.request<WorkspaceCritique>('stepcritic/critiqueWorkspace', { workDoneToken: 'ws-1' });
    assert.equal(result.total, 4);
    assert.equal(result.cancelled, false);
    assert.deepEqual(
      result.files.map((f) => f.uri.slice(`file://${folder}`.length)),
      ['/s0.solution.md', '/s1.solution.md', '/sets/b/s2.solution.md', '/sets/b/s3.solution.md'],
    );
    assert.deepEqual(
      result.files.map((f) => f.summary.firstErrorIndex),
      [2, 0, 2, 0],
    );
    assert.ok(result.usage.requests >= 2);

    const events = session.progress.filter((p) => p.token === 'ws-1').map((p) => p.value);
    assert.equal(events[0]!.kind, 'begin');
    assert.equal(events[0]!.cancellable, true);
    const reports = events.filter((e) => e.kind === 'report' && /^\d\/4 files/.test(e.message ?? ''));
    assert.deepEqual(
      reports.map((r) => r.message!.slice(0, 9)),
      ['1/4 files', '2/4 files', '3/4 files', '4/4 files'],
    );
    assert.equal(events.at(-1)!.kind, 'end');

    // Files that are not open get their diagnostics published all the same.
    const s1 = fileUri(folder, 's1.solution.md');
    await session.waitFor(() => session.lastDiagnostics(s1)?.some((d) => d.code === 'arithmetic') && true, 'diagnostics of s1');
  });

  it('is cancellable: cancelling the request stops before every file is done', async () => {
    const folder = await workspace(8);
    const rig = await startRig({ folder, latencyMs: 400 });
    rigs.push(rig);
    const { session } = rig;
    const source = new CancellationTokenSource();
    const pending = session.connection.sendRequest('stepcritic/critiqueWorkspace', {}, source.token) as Promise<WorkspaceCritique>;
    await session.waitFor(() => session.createdProgressTokens.length === 1 && true, 'the server created its progress');
    const token = session.createdProgressTokens[0]!;
    await session.waitFor(
      () => session.progress.some((p) => p.token === token && p.value.kind === 'report' && /^1\/8/.test(p.value.message ?? '')) && true,
      'first file done',
    );
    source.cancel();
    const outcome = await pending.then(
      (r) => ({ cancelled: r.cancelled, done: r.files.length }),
      (error: { code?: number }) => ({ cancelled: true, done: -1, code: error.code }),
    );
    assert.equal(outcome.cancelled, true);
    await session.waitFor(() => session.progress.some((p) => p.token === token && p.value.kind === 'end') && true, 'progress ended');
    const end = session.progress.find((p) => p.token === token && p.value.kind === 'end');
    assert.ok(end);
    const before = rig.llm.chatRequests().length;
    await new Promise((r) => setTimeout(r, 1200));
    assert.ok(rig.llm.chatRequests().length - before <= 0, 'no new requests after the cancellation');
    assert.ok(rig.llm.chatRequests().length < 8, `fewer than 8 files were sent (${rig.llm.chatRequests().length})`);
  });
});
