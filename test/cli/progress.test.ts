// The progress bar as a terminal shows it: one line redrawn in place, erased before other output.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { terminalProgress } from '../../src/cli/progress';

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
  it('redraws one line with done/total and the note, and erases it on finish', () => {
    const { stream, chunks } = fakeTerminal();
    const progress = terminalProgress(stream);
    progress.update(5, 20, '1 incorrect');
    assert.match(chunks.at(-1)!, /^\r\[#+-+\] 5\/20.*1 incorrect\x1b\[K$/);
    progress.update(20, 20, '2 incorrect');
    assert.match(chunks.at(-1)!, /^\r\[#+\] 20\/20 {2}2 incorrect\x1b\[K$/, 'the last update is always drawn');
    progress.finish();
    assert.equal(chunks.at(-1), '\r\x1b[K');
    assert.ok(
      chunks.every((c) => !c.includes('\n')),
      'never scrolls the terminal',
    );
  });

  it('counts without a total for streamed datasets, and fits the terminal width', () => {
    const { stream, chunks } = fakeTerminal(30);
    terminalProgress(stream).update(1234, undefined, 'a very long note that would not fit in thirty columns');
    const line = chunks.at(-1)!.replace('\r', '').replace('\x1b[K', '');
    assert.match(line, /^1234 checked/);
    assert.ok(line.length < 30);
  });

  it('does not redraw more often than a screen can show, and clear() only erases what it drew', () => {
    const { stream, chunks } = fakeTerminal();
    const progress = terminalProgress(stream);
    progress.clear();
    assert.equal(chunks.length, 0);
    for (let i = 1; i < 100; i++) progress.update(i, 1000, '');
    assert.equal(chunks.length, 1);
  });
});
