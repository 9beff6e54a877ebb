// Batch results are indexed once and read one reply at a time: what a judging pass keeps per reply it
// has read must not grow with the run (a 100,000-record run reads 100,000 replies and more).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

describe('reading batch results', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepcritic-results-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

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
