// A run log read for a report: its items in input order (path order, records in file order) whatever
// order they finished in, the latest line of a re-judged item, and the time of every run that wrote to
// it (a killed run counted up to its last line).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readRunLog, runLogMeta } from '../../src/engine/batch/run-log-reader';
import { RUN_LOG_VERSION } from '../../src/engine/batch/run-log';
import { unjudgedFileReport } from '../../src/engine/report/build';
import { REPORT_SCHEMA_VERSION } from '../../src/engine/report/schema';

const dir = mkdtempSync(join(tmpdir(), 'stepcritic-log-reader-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const usage = { requests: 1, promptTokens: 10, completionTokens: 5, cachedSteps: 0 };
const header = {
  type: 'header',
  logVersion: RUN_LOG_VERSION,
  runId: 'run-1',
  startedAt: '2026-01-01T00:00:00.000Z',
  configHash: 'c',
  config: {},
  tool: { name: 'stepcritic', version: 'test', reportSchemaVersion: REPORT_SCHEMA_VERSION },
  critic: { enabled: false },
  inputs: ['b.jsonl', 'a.md'],
};
function item(id: string, at: string, reason = 'first') {
  const record = /#(\d+)$/.exec(id);
  const origin = { uri: id, path: id.replace(/#\d+$/, ''), ...(record ? { record: { index: Number(record[1]) } } : {}) };
  return { type: 'item', id, contentHash: 'h', at, entry: { ...unjudgedFileReport(origin, 'skipped', reason), usage } };
}
const end = (at: string, durationMs: number) => ({ type: 'end', at, interrupted: false, durationMs, judgedThisRun: 1, usage });

describe('reading a run log', () => {
  it('gives the items in input order, the latest line of each, and the time of every run', async () => {
    const path = join(dir, 'run.jsonl');
    const lines = [
      header,
      item('b.jsonl#10', '2026-01-01T00:00:01.000Z'),
      item('b.jsonl#2', '2026-01-01T00:00:02.000Z'),
      end('2026-01-01T00:00:03.000Z', 3000),
      { type: 'resume', at: '2026-01-01T01:00:00.000Z', configHash: 'c', toolVersion: 'test', alreadyDone: 2 },
      item('a.md', '2026-01-01T01:00:04.000Z'),
      item('b.jsonl#2', '2026-01-01T01:00:05.000Z', 'judged again'),
      // killed: no end line; this run counts up to its last line (5 s)
      { type: 'resume', at: '2026-01-01T02:00:00.000Z', configHash: 'c', toolVersion: 'test', alreadyDone: 3 },
      item('b.jsonl#0', '2026-01-01T02:00:01.500Z'),
      end('2026-01-01T02:00:02.000Z', 2000),
    ];
    writeFileSync(path, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n{"type":"item","id":"torn`);
    const log = await readRunLog(path);
    const items = [];
    for await (const i of log.items()) items.push(i);
    assert.deepEqual(
      items.map((i) => i.id),
      ['a.md', 'b.jsonl#0', 'b.jsonl#2', 'b.jsonl#10'],
    );
    assert.equal(items[2]!.entry.reason, 'judged again', 'the latest line of a re-judged item');
    assert.equal(log.count, 4);
    assert.equal(log.logs[0]!.resumes, 2);
    assert.equal(log.durationMs, 3000 + 5000 + 2000);
    assert.equal(runLogMeta(log).durationMs, 10_000);
    assert.equal(log.logs[0]!.problems.length, 1, 'the torn last line');
  });

  it('reads several logs as one: an item in two logs counts once (its latest line), a run copied into two logs is timed once', async () => {
    const write = (name: string, lines: unknown[]) => {
      const path = join(dir, name);
      writeFileSync(path, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
      return path;
    };
    const first = [header, item('b.jsonl#1', '2026-01-01T00:00:01.000Z'), item('b.jsonl#3', '2026-01-01T00:00:02.000Z')];
    // A copy of the first log, resumed elsewhere: b.jsonl#3 judged again there, b.jsonl#4 added.
    const copy = write('copy.jsonl', [
      ...first,
      { type: 'resume', at: '2026-01-01T03:00:00.000Z', configHash: 'c', toolVersion: 'test', alreadyDone: 2 },
      item('b.jsonl#3', '2026-01-01T03:00:01.000Z', 'judged again'),
      item('b.jsonl#4', '2026-01-01T03:00:03.000Z'),
      end('2026-01-01T03:00:04.000Z', 4000),
    ]);
    const original = write('original.jsonl', first);
    const other = write('other.jsonl', [
      { ...header, runId: 'run-2', startedAt: '2026-01-02T00:00:00.000Z' },
      item('a.md', '2026-01-02T00:00:01.000Z'),
      end('2026-01-02T00:00:02.000Z', 2000),
    ]);

    for (const order of [
      [original, copy, other],
      [copy, other, original],
    ]) {
      const log = await readRunLog(order);
      const items = [];
      for await (const i of log.items()) items.push(i);
      assert.deepEqual(
        items.map((i) => i.id),
        ['a.md', 'b.jsonl#1', 'b.jsonl#3', 'b.jsonl#4'],
      );
      assert.equal(items[2]!.entry.reason, 'judged again', 'the latest judgement, whichever log comes first');
      assert.equal(log.duplicates, 2, 'b.jsonl#1 and b.jsonl#3 are in two logs');
      assert.equal(log.durationMs, 2000 + 4000 + 2000, 'the copied run once (up to its last line), the resumed run, the other run');
      assert.equal(log.finished, false, 'the original log has no end line');
    }
    const conflicting = write('conflicting.jsonl', [{ ...header, configHash: 'd', config: { maxSteps: 3 } }]);
    await assert.rejects(
      readRunLog([original, conflicting]),
      /original\.jsonl and .*conflicting\.jsonl were made with different configurations \(maxSteps: unset → 3\)/,
    );
  });
});
