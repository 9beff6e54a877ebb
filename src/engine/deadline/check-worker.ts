// The check worker's entry point (bundled to dist/worker/check.js): runs one check job at a time for
// the CheckPool, reporting each step of progress, until the pool terminates it.
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../error-message';
import { runCheckJob, type CheckJob } from './check-job';
import { createStepMemo } from './verifier-memo';

/** Checked once at start: the first verification pays for the verifiers' lazy set-up (about half a second), not a user's text. */
const WARM_UP = '# Problem\n\nWarm up.\n\n# Solution\n\nStep 1: 1 + 1 = 2 and 3 * 4 = 12.\n\nAnswer: 12\n';

/** What the pool tells a worker it starts (check-pool.ts). */
export interface CheckWorkerData {
  /** Steps the worker's memo keeps across jobs (0: none). */
  memoSteps: number;
}

const port = parentPort;
if (port) {
  const memo = createStepMemo((workerData as CheckWorkerData).memoSteps);
  void runCheckJob({ uri: 'warm-up.md', text: WARM_UP, maxSteps: 2 }, () => undefined)
    .catch(() => undefined)
    .then(() => port.postMessage({ ready: true }));
  port.on('message', (message: { id: number; job: CheckJob }) => {
    const { id, job } = message;
    port.postMessage({ id, started: true });
    runCheckJob(job, (event) => port.postMessage({ id, event }), memo).then(
      () => port.postMessage({ id, done: true }),
      (error: unknown) => port.postMessage({ id, error: errorMessage(error) }),
    );
  });
}
