// The per-document queue on its own: coalescing, debounce, abort of stale runs, waiters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { CritiqueScheduler, type ScheduledRun } from '../../src/server/scheduler';

function recorder(durationMs: number) {
  const started: number[] = [];
  const aborted: number[] = [];
  const finished: number[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const scheduler = new CritiqueScheduler(async ({ version, signal }: ScheduledRun) => {
    started.push(version);
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    try {
      await delay(durationMs, undefined, { signal });
      finished.push(version);
    } catch {
      aborted.push(version);
    } finally {
      concurrent--;
    }
  });
  return { scheduler, started, aborted, finished, max: () => maxConcurrent };
}

describe('CritiqueScheduler', () => {
  it('coalesces requests within the debounce into one run of the last version', async () => {
    const r = recorder(10);
    const outcomes = [1, 2, 3, 4].map((v) => r.scheduler.schedule('doc', v, 30));
    assert.deepEqual(await Promise.all(outcomes), ['completed', 'completed', 'completed', 'completed'], 'every waiter learns the last version was judged');
    assert.deepEqual(r.started, [4]);
  });

  it('aborts the run of an older version when a newer one is asked for, and runs one at a time per document', async () => {
    const r = recorder(200);
    const first = r.scheduler.schedule('doc', 1, 0);
    await delay(30);
    const second = r.scheduler.schedule('doc', 2, 0);
    assert.equal(await first, 'completed', 'its waiter moved to the run that replaced it');
    assert.equal(await second, 'completed');
    assert.deepEqual(r.aborted, [1]);
    assert.deepEqual(r.finished, [2]);
    assert.equal(r.max(), 1);
  });

  it('supersede (a change with no run asked for) aborts the stale run; its waiter hears "superseded"', async () => {
    const r = recorder(200);
    const first = r.scheduler.schedule('doc', 1, 0);
    await delay(30);
    r.scheduler.supersede('doc', 2);
    assert.equal(await first, 'superseded');
    assert.deepEqual(r.aborted, [1]);
    assert.equal(r.scheduler.busy, 0);
  });

  it('joins a run of the same version instead of starting another; documents do not wait for each other', async () => {
    const r = recorder(60);
    const a = r.scheduler.schedule('a', 1, 0);
    const b = r.scheduler.schedule('b', 1, 0);
    await delay(20);
    const again = r.scheduler.schedule('a', 1, 0);
    assert.deepEqual(await Promise.all([a, b, again]), ['completed', 'completed', 'completed']);
    assert.deepEqual(r.started, [1, 1]);
    assert.equal(r.max(), 2);
  });

  it('cancel drops pending work; a runner that throws reports "failed" and the queue goes on', async () => {
    const r = recorder(10);
    const pending = r.scheduler.schedule('doc', 1, 1000);
    r.scheduler.cancel('doc');
    assert.equal(await pending, 'cancelled');
    assert.deepEqual(r.started, []);

    const errors: string[] = [];
    let calls = 0;
    const failing = new CritiqueScheduler(
      async () => {
        if (calls++ === 0) throw new Error('boom');
      },
      (_key, error) => errors.push((error as Error).message),
    );
    assert.equal(await failing.schedule('doc', 1, 0), 'failed');
    assert.equal(await failing.schedule('doc', 2, 0), 'completed');
    assert.deepEqual(errors, ['boom']);
  });
});
