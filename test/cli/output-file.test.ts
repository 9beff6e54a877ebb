// A report written to stdout: each piece is done before the next is handed over, so that memory holds
// one piece, whatever the size of the report and however the stream calls back (stdout redirected to
// a file writes synchronously and calls back on a later tick).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { streamSink } from '../../src/cli/output-file';

describe('streamSink', () => {
  it('hands the stream one piece at a time, even when the stream would take more at once', async () => {
    let pending = 0;
    let mostPending = 0;
    const written: string[] = [];
    const stream = new Writable({
      highWaterMark: 1 << 30,
      write(chunk: Buffer, _encoding, callback) {
        pending++;
        mostPending = Math.max(mostPending, pending);
        written.push(chunk.toString('utf8'));
        setImmediate(() => {
          pending--;
          callback();
        });
      },
    });
    const sink = streamSink(stream);
    for (let i = 0; i < 50; i++) await sink.write(`piece ${i}\n`);
    assert.equal(written.join(''), Array.from({ length: 50 }, (_, i) => `piece ${i}\n`).join(''));
    assert.equal(mostPending, 1);
  });

  it('fails the write when the stream fails', async () => {
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('EPIPE: the reader went away'));
      },
    });
    stream.on('error', () => undefined);
    await assert.rejects(streamSink(stream).write('text'), /EPIPE/);
  });
});
