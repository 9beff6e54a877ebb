// Critique workspace: every matching file, with work-done progress (files done of total) and
// cancellation; diagnostics are published for files that are not open.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import type { DiagnosticData, LastReport, WorkspaceCritique } from '../../src/protocol/messages';
import { loadRunLog } from '../support/run-log';
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

  it("leaves a run log and an HTML report of its run whose verdicts are the ones the editor publishes; Show Report's request finds it", async () => {
    const folder = await workspace(4);
    const storage = await tempFolder('stepcritic-storage-');
    const rig = await startRig({ folder, runLogDir: storage });
    rigs.push(rig);
    const { session } = rig;
    const none = await session.request<LastReport>('stepcritic/lastReport', {});
    assert.equal(none.report, null);
    assert.match(none.message, /No workspace critique has run yet/);

    // One file is open in the editor (its verdicts come from the editor's critique), the others are on disk.
    const open = fileUri(folder, 's1.solution.md');
    await session.open(open, ARITHMETIC_ERROR.replace('Tom', 'Tom1'));
    const result = await session.request<WorkspaceCritique>('stepcritic/critiqueWorkspace', { workDoneToken: 'ws-report' });
    assert.ok(result.runLog?.startsWith(storage) && result.report?.startsWith(storage), 'in the storage the client gave');
    assert.deepEqual(
      (await readdir(folder)).filter((n) => n === '.stepcritic'),
      [],
      'nothing written into the workspace',
    );

    const { items } = await loadRunLog(result.runLog!);
    assert.deepEqual(
      items.map((i) => i.id),
      ['s0.solution.md', 's1.solution.md', 'sets/b/s2.solution.md', 'sets/b/s3.solution.md'],
    );
    for (const item of items) {
      const uri = fileUri(folder, item.id);
      const published = await session.waitFor(() => session.lastDiagnostics(uri), `diagnostics of ${item.id}`);
      const fromDiagnostics = published.map((d) => [
        (d.data as DiagnosticData).stepIndex,
        (d.data as DiagnosticData).verdict,
        (d.data as DiagnosticData).pTrue,
      ]);
      const fromReport = item.entry.steps
        .filter((s) => ['incorrect', 'uncertain', 'error', 'downstream'].includes(s.verdict))
        .map((s) => [s.index, s.verdict, s.pTrue]);
      assert.deepEqual(fromReport, fromDiagnostics, `${item.id}: the report's verdicts are the published ones`);
    }
    const html = readFileSync(result.report!, 'utf8');
    assert.deepEqual(
      [...html.matchAll(/<li class="step v-(\w+)"/g)].map((m) => m[1]),
      items.flatMap((i) => i.entry.steps.map((s) => s.verdict)),
      'the HTML report shows every step with the same verdict',
    );
    assert.deepEqual(await session.request<LastReport>('stepcritic/lastReport', {}), {
      report: result.report,
      runLog: result.runLog,
      message: `The report of the latest workspace critique: ${result.report}`,
    });
  });

  it('keeps its runs in the workspace when stepcritic.runLogLocation says so, out of git', async () => {
    const folder = await workspace(2);
    const rig = await startRig({ folder, settings: { runLogLocation: 'workspace' } });
    rigs.push(rig);
    const result = await rig.session.request<WorkspaceCritique>('stepcritic/critiqueWorkspace', {});
    assert.ok(result.runLog?.startsWith(join(folder, '.stepcritic', 'runs')), result.runLog);
    assert.equal(readFileSync(join(folder, '.stepcritic', 'runs', '.gitignore'), 'utf8'), '*\n');
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
