// Batch results are indexed once and read one reply at a time: what the index holds per result, and
// what a judging pass keeps per reply it has read, must stay small (a 100,000-record run indexes and
// reads 100,000 replies and more).
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
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', probe, join(dir, 'indexed.jsonl'), '50000'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const measured = JSON.parse(run.stdout) as { results: number; answered: boolean; bytesPerResult: number };
    assert.equal(measured.results, 50_000);
    assert.ok(measured.answered, 'the last result is found, and an id not in the file is not');
    // A Map of the ids (strings of about 90 characters) to their places held about 200 bytes a result.
    assert.ok(measured.bytesPerResult < 80, `${measured.bytesPerResult.toFixed(0)} bytes held per result`);
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
