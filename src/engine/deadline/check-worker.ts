// The check worker's entry point (bundled to dist/worker/check.js): runs one check job at a time for
// the CheckPool, reporting each step of progress, until the pool terminates it.
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../error-message';
import { runCheckJob, type CheckEvent, type CheckJob } from './check-job';
import { createStepMemo } from './verifier-memo';

/** Checked once at start: the first verification pays for the verifiers' lazy set-up (about half a second), not a user's text. */
const WARM_UP = '# Problem\n\nWarm up.\n\n# Solution\n\nStep 1: 1 + 1 = 2 and 3 * 4 = 12.\n\nAnswer: 12\n';

/** What the pool tells a worker it starts (check-pool.ts). */
export interface CheckWorkerData {
  /** Steps the worker's memo keeps across jobs (0: none). */
  memoSteps: number;
}

/**
 * What a worker tells the pool about job `id`: it started (the deadline runs from here), an event of
 * its progress, done (with the last event: the final answer's), or failed.
 */
export interface CheckWorkerMessage {
  id: number;
  started?: true;
  event?: CheckEvent;
  done?: true;
  error?: string;
}

const port = parentPort;
if (port) {
  const memo = createStepMemo((workerData as CheckWorkerData).memoSteps);
  const post = (message: CheckWorkerMessage) => port.postMessage(message);
  void runCheckJob({ uri: 'warm-up.md', text: WARM_UP, maxSteps: 2 }, () => undefined)
    .catch(() => undefined)
    .then(() => port.postMessage({ ready: true }));
  port.on('message', (message: { id: number; job: CheckJob }) => {
    const { id, job } = message;
    post({ id, started: true });
    // Each message wakes the pool's thread: a document job's document is not sent back (the pool has
    // it), and the answer, the job's last event, goes with `done`.
    let answer: CheckEvent | undefined;
    const emit = (event: CheckEvent) => {
      if (event.type === 'parsed' && 'document' in job) return;
      if (event.type === 'answer') answer = event;
      else post({ id, event });
    };
    runCheckJob(job, emit, memo).then(
      () => post({ id, ...(answer ? { event: answer } : {}), done: true }),
      (error: unknown) => post({ id, ...(answer ? { event: answer } : {}), error: errorMessage(error) }),
    );
  });
}
