// A batch's check pool gives a text that missed its deadline a second try with twice the time (the
// deadline is wall time, which a loaded machine stretches); only a second timeout is "not checkable".
// The editor's pool does not retry. Runs the built worker (npm test builds first).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CheckPool } from '../../src/engine/deadline/check-pool';

const WORKER = join(__dirname, '..', '..', 'dist', 'worker', 'check.js');

/** Thousands of identities to verify: far more than a few milliseconds of work. */
const LONG = `# Problem\n\nExpand.\n\n# Solution\n\n${Array.from({ length: 20_000 }, (_, k) => `Step ${k + 1}: (x + ${k})(x - 2) = x^2 + ${k - 2}x - ${2 * k}.`).join('\n\n')}\n`;

describe('check pool deadlines', { skip: existsSync(WORKER) ? false : 'no built worker (run npm run build)' }, () => {
  const pools: CheckPool[] = [];
  after(async () => Promise.all(pools.map((p) => p.close())));
  const job = { uri: 'file:///long.solution.md', text: LONG, maxSteps: 20_000 };

  it('a batch pool tries a text that took too long once more with twice the time', async () => {
    const pool = new CheckPool({ workerFile: WORKER, maxWorkers: 1, deadlineMs: 200, retryTimedOut: true });
    pools.push(pool);
    const checked = await pool.check(job);
    assert.equal(checked.notCheckable, 'not checkable: took too long (over 0.4 s, on a second try)');
    // The pool goes on: the next text is checked by a fresh worker.
    const next = await pool.check({ uri: 'file:///ok.solution.md', text: '# Problem\n\nAdd.\n\n# Solution\n\nStep 1: 2 + 2 = 5.\n', maxSteps: 10 });
    assert.equal(next.notCheckable, undefined);
    assert.equal(next.verifier.get(0)?.[0]?.kind, 'arithmetic');
  });

  it("the editor's pool says so at the first deadline", async () => {
    const pool = new CheckPool({ workerFile: WORKER, maxWorkers: 1, deadlineMs: 200 });
    pools.push(pool);
    const checked = await pool.check(job);
    assert.equal(checked.notCheckable, 'not checkable: took too long (over 0.2 s)');
  });
});
