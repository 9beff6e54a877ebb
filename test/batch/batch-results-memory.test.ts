// Batch requests are written and results indexed once and read one reply at a time: what the writer and
// the index hold per request, and what a judging pass keeps per reply it has read, must stay small (a
// 100,000-record run writes, indexes and reads 100,000 requests and more).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

describe('reading batch results', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepcritic-results-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('indexes a result in a few dozen bytes: the ids stay in the results file, not in memory', () => {
    const probe = join(process.cwd(), 'test/batch/support/index-memory-probe.ts');
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', probe, join(dir, 'indexed.jsonl'), '200000'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const measured = JSON.parse(run.stdout) as { results: number; answered: boolean; heapPerResult: number; bytesPerResult: number };
    assert.equal(measured.results, 200_000);
    assert.ok(measured.answered, 'the last result is found, and an id not in the file is not');
    // A Map of the ids (strings of about 90 characters) to their places held about 200 bytes a result.
    assert.ok(measured.heapPerResult < 50, `${measured.heapPerResult.toFixed(0)} bytes of V8's heap held per result`);
    assert.ok(measured.bytesPerResult < 100, `${measured.bytesPerResult.toFixed(0)} bytes held per result`);
  });

  it('writes requests without holding their ids: 200,000 requests written leave the heap about as it was', () => {
    const probe = join(process.cwd(), 'test/batch/support/request-writer-memory-probe.ts');
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', probe, dir, '200000'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const measured = JSON.parse(run.stdout) as { requests: number; solutions: number; heapPerRequest: number; bytesPerRequest: number };
    assert.deepEqual([measured.requests, measured.solutions], [200_000, 200_000], 'each request written once, each solution counted once');
    // Sets of the ids written and of their solutions held about 180 bytes a request on the heap.
    assert.ok(measured.heapPerRequest < 50, `${measured.heapPerRequest.toFixed(0)} bytes of V8's heap held per request`);
    assert.ok(measured.bytesPerRequest < 150, `${measured.bytesPerRequest.toFixed(0)} bytes held per request`);
  });

  it('keeps next to nothing per reply read: 20,000 replies asked for leave the heap about as it was', () => {
    const probe = join(process.cwd(), 'test/batch/support/reply-memory-probe.ts');
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', probe, join(dir, 'results.jsonl'), '20000'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const measured = JSON.parse(run.stdout) as { replies: number; unused: number; bytesPerReply: number };
    assert.equal(measured.replies, 20_000);
    assert.equal(measured.unused, 0, 'every result was asked for');
    // A set of the ids asked for held about 110 bytes a reply; an id's own string alone is over 60.
    assert.ok(measured.bytesPerReply < 40, `${measured.bytesPerReply.toFixed(0)} bytes kept per reply`);
  });
});
