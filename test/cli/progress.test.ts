// The progress bar as a terminal shows it: one line redrawn in place, erased before other output.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { terminalProgress } from '../../src/cli/progress';
import type { BatchProgress } from '../../src/engine/batch/progress';

/** A run's progress: `done` of `total`, `incorrect` of them incorrect, the rest correct. */
function progressOf(done: number, total: number | null, incorrect = 0, tokens = 0): BatchProgress {
  return {
    done,
    total,
    resumed: 0,
    finishedThisRun: done,
    inFlight: 0,
    verdicts: { correct: done - incorrect, incorrect, uncertain: 0, unchecked: 0, error: 0 },
    skipped: 0,
    failed: 0,
    usage: { requests: done, promptTokens: tokens, completionTokens: 0, cachedSteps: 0 },
    elapsedMs: 1000,
    etaMs: total === null ? null : done === 0 ? null : (1000 / done) * (total - done),
  };
}

function fakeTerminal(columns = 80) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as Writable & { columns?: number };
  stream.columns = columns;
  return { stream, chunks };
}

describe('progress bar', () => {
  it('redraws one line with done/total, the verdicts, tokens and the time left, and erases it on finish', () => {
    const { stream, chunks } = fakeTerminal(120);
    const progress = terminalProgress(stream);
    progress.update(progressOf(5, 20, 1, 41_200));
    assert.match(chunks.at(-1)!, /^\r\[#+-+\] 5\/20 {2}correct 4 {2}incorrect 1 {2}41k tokens {2}ETA 3s\x1b\[K$/);
    progress.update(progressOf(20, 20, 2));
    assert.match(chunks.at(-1)!, /^\r\[#+\] 20\/20 {2}correct 18 {2}incorrect 2\x1b\[K$/, 'the last update is always drawn');
    progress.finish();
    assert.equal(chunks.at(-1), '\r\x1b[K');
    assert.ok(
      chunks.every((c) => !c.includes('\n')),
      'never scrolls the terminal',
    );
  });

  it('counts without a total for streamed datasets, and fits the terminal width', () => {
    const { stream, chunks } = fakeTerminal(30);
    const progress = terminalProgress(stream);
    progress.update(progressOf(1234, null, 17, 5_000_000));
    progress.finish();
    const line = chunks.at(-2)!.replace('\r', '').replace('\x1b[K', '');
    assert.match(line, /^1234 done/);
    assert.ok(line.length < 30);
  });

  it('does not redraw more often than a screen can show, and clear() only erases what it drew', () => {
    const { stream, chunks } = fakeTerminal();
    const progress = terminalProgress(stream);
    progress.clear();
    assert.equal(chunks.length, 0);
    for (let i = 1; i < 100; i++) progress.update(progressOf(i, 1000));
    assert.equal(chunks.length, 1);
    progress.finish();
  });
});
