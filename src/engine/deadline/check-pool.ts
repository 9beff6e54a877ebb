// Runs check jobs (read a text as a solution, verify it: check-job.ts) on worker threads, each under
// a deadline. A job past its deadline, or one whose text changed meanwhile (its AbortSignal), has its
// worker terminated — the only way to stop a synchronous computation — and a fresh worker takes the
// place. So one pathological text becomes "not checkable: took too long" for that text alone, while
// the calling thread (the language server answering hover, the CLI's other files) never waits on it.
// The deterministic verifiers are bounded in themselves too; this is the defence in depth.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { sourceFormatOf } from '../documents/parse';
import type { AnswerEvidence, Evidence, SolutionDocument } from '../types';
import { runCheckJob, stepsOverLimit, unreadDocument, type CheckEvent, type CheckJob } from './check-job';
import type { CheckWorkerData, CheckWorkerMessage } from './check-worker';
import { EDITOR_MEMO_STEPS } from './verifier-memo';

export interface CheckedText {
  document: SolutionDocument;
  stepsOverLimit: number;
  /** The verifiers' evidence per step index (steps without any are absent). */
  verifier: Map<number, Evidence[]>;
  answer: AnswerEvidence | undefined;
  /** Why the check did not finish (deadline, crash); the steps it did not reach carry a judge-error. */
  notCheckable?: string;
  /** Why the text could not be read as a solution at all (the parser failed on it). */
  unreadable?: string;
}

export interface CheckPoolOptions {
  /** The bundled worker (dist/worker/check.js); found beside the calling bundle when not given. */
  workerFile?: string;
  /** Default: defaultCheckWorkers(). */
  maxWorkers?: number;
  /** Per job, from the moment a worker takes it. */
  deadlineMs?: number;
  /** Heap limit of one worker. */
  memoryMb?: number;
  /** Steps each worker remembers across jobs (verifier-memo.ts); 0 for texts that do not repeat (a batch). */
  memoSteps?: number;
  /**
   * A job past its deadline runs once more with twice the time, and only a second timeout makes it
   * "not checkable" (as a code test that times out does). The deadline is wall time: on a loaded
   * machine an ordinary text can miss it, and a batch wants its verdict more than its speed. The
   * editor does not: its text changes and is checked again anyway.
   */
  retryTimedOut?: boolean;
}

/**
 * Workers a pool runs at most: one per core but one, for the calling thread (which reads, judges and
 * writes the report) and V8's collector threads need a core too; at most 4. A warmed worker holds
 * ~50 MB (mostly mathjs: its module and four instances), so a worker beyond what the cores can run
 * costs memory and no time: on 2 cores, `check --no-llm` over 5,000 records peaked at 460 MB with 3
 * workers and at 242 MB with 1 (bench/batch-memory.ts --no-llm).
 */
export function defaultCheckWorkers(): number {
  return Math.max(1, Math.min(MAX_DEFAULT_WORKERS, availableParallelism() - 1));
}

const MAX_DEFAULT_WORKERS = 4;

/**
 * A worker's young generation (V8's default is 32 MB, two semi-spaces of 16): a check job's garbage
 * is short-lived and small, and scavenging 8 MB is as quick per job while 24 MB less of each worker
 * stays resident.
 */
const WORKER_YOUNG_GENERATION_MB = 8;

export const DEFAULT_CHECK_DEADLINE_MS = 2000;

/**
 * A code solution is read by Python's own parser in a child process (with its own time limit) or by
 * the TypeScript compiler: it gets more time than a math text, whose reading and checking is quick
 * unless the text is hostile.
 */
const CODE_DEADLINE_MS = 30_000;

/** Idle workers kept ready beyond this are ended. */
const MAX_IDLE = 2;

interface Task {
  job: CheckJob;
  deadlineMs: number;
  signal: AbortSignal | undefined;
  /** Whether this is the second run, with twice the time (retryTimedOut). */
  retried?: true;
  /** Takes the task out of the queue on abort; removed once a worker has it (a batch's one signal would pile them up). */
  onQueuedAbort?: () => void;
  resolve: (checked: CheckedText) => void;
  reject: (error: unknown) => void;
}

/** What a job has reported so far. */
class Progress {
  document: SolutionDocument | undefined;
  stepsOverLimit = 0;
  unreadable: string | undefined;
  readonly verifier = new Map<number, Evidence[]>();
  verifiedUpTo = 0;
  answer: AnswerEvidence | undefined;

  constructor(private readonly job: CheckJob) {
    // A document job's document is known here: the worker does not send it back (check-worker.ts).
    if ('document' in job) {
      this.document = job.document;
      this.stepsOverLimit = stepsOverLimit(job.document);
    }
  }

  add(event: CheckEvent): void {
    if (event.type === 'parsed') {
      this.document = event.document;
      this.stepsOverLimit = event.stepsOverLimit;
      this.unreadable = event.unreadable;
    } else if (event.type === 'verified') {
      for (const [index, evidence] of event.evidence) this.verifier.set(index, evidence);
      this.verifiedUpTo = event.upTo;
    } else {
      this.answer = event.answer;
    }
  }

  complete(): CheckedText {
    const document = this.document ?? this.unread('the check ended without a result');
    return {
      document,
      stepsOverLimit: this.stepsOverLimit,
      verifier: this.verifier,
      answer: this.answer,
      ...(this.unreadable ? { unreadable: this.unreadable } : {}),
    };
  }

  /** What is known when the job could not finish: every step not verified yet could not be judged. */
  stopped(reason: string): CheckedText {
    const notCheckable = `not checkable: ${reason}`;
    if (!this.document) {
      const document = this.unread(`Not checkable: ${reason} (while reading it as a solution).`);
      return { document, stepsOverLimit: 0, verifier: new Map(), answer: undefined, notCheckable };
    }
    const verifier = new Map(this.verifier);
    for (const step of this.document.steps.slice(this.verifiedUpTo)) verifier.set(step.index, [{ kind: 'judge-error', message: notCheckable }]);
    const document = { ...this.document, warnings: [...this.document.warnings, `Not checkable: ${reason}.`] };
    return { document, stepsOverLimit: this.stepsOverLimit, verifier, answer: undefined, notCheckable };
  }

  private unread(warning: string): SolutionDocument {
    const job = this.job;
    return 'document' in job ? { ...job.document, warnings: [...job.document.warnings, warning] } : unreadDocument(job.uri, job.text, warning);
  }
}

export class CheckPool {
  private readonly idle: Worker[] = [];
  /** Workers past their warm-up (the first verification's lazy set-up): the first choice for a job. */
  private readonly ready = new WeakSet<Worker>();
  private running = 0;
  private readonly queue: Task[] = [];
  private nextId = 1;
  private readonly workerFile: string | undefined;

  constructor(private readonly options: CheckPoolOptions = {}) {
    this.workerFile = options.workerFile ?? findWorkerFile();
  }

  get deadlineMs(): number {
    return this.options.deadlineMs ?? DEFAULT_CHECK_DEADLINE_MS;
  }

  /** Reads and verifies; resolves with what is known by the deadline, rejects only when aborted. */
  check(job: CheckJob, options: { signal?: AbortSignal; deadlineMs?: number } = {}): Promise<CheckedText> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.workerFile) return checkInThread(job);
    return new Promise<CheckedText>((resolve, reject) => {
      const deadlineMs = options.deadlineMs ?? (isCode(job) ? Math.max(CODE_DEADLINE_MS, this.deadlineMs) : this.deadlineMs);
      this.enqueue({ job, deadlineMs, signal, resolve, reject });
    });
  }

  private enqueue(task: Task, first = false): void {
    if (first) this.queue.unshift(task);
    else this.queue.push(task);
    const signal = task.signal;
    if (signal) {
      task.onQueuedAbort = () => {
        const at = this.queue.indexOf(task);
        if (at >= 0) this.queue.splice(at, 1);
        task.reject(signal.reason);
      };
      signal.addEventListener('abort', task.onQueuedAbort, { once: true });
    }
    this.pump();
  }

  /** Starts a worker ahead of the first job (a server does: its first check is then no slower). */
  warm(): void {
    if (this.workerFile && this.idle.length === 0) this.idle.push(this.spawn());
  }

  /** Workers idle (and of those, warmed up) and busy, for the server's stats. */
  stats(): { idle: number; ready: number; busy: number } {
    return { idle: this.idle.length, ready: this.idle.filter((w) => this.ready.has(w)).length, busy: this.running };
  }

  async close(): Promise<void> {
    const workers = this.idle.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private get maxWorkers(): number {
    return this.options.maxWorkers ?? defaultCheckWorkers();
  }

  private spawn(): Worker {
    const workerData: CheckWorkerData = { memoSteps: this.options.memoSteps ?? EDITOR_MEMO_STEPS };
    const worker = new Worker(this.workerFile!, {
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: this.options.memoryMb ?? 1024, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    // An idle worker never keeps a CLI run alive.
    worker.unref();
    worker.on('error', () => undefined);
    worker.once('message', (message: { ready?: true }) => {
      if (message.ready) this.ready.add(worker);
    });
    return worker;
  }

  private pump(): void {
    while (this.queue.length > 0 && (this.idle.length > 0 || this.running < this.maxWorkers)) {
      const task = this.queue.shift()!;
      if (task.onQueuedAbort) task.signal?.removeEventListener('abort', task.onQueuedAbort);
      const warm = this.idle.find((w) => this.ready.has(w));
      if (warm) this.idle.splice(this.idle.indexOf(warm), 1);
      this.run(warm ?? this.idle.pop() ?? this.spawn(), task);
    }
    // A spare worker is ready for the next text while this one is being checked.
    if (this.idle.length === 0 && this.running < this.maxWorkers) this.idle.push(this.spawn());
  }

  private release(worker: Worker | undefined): void {
    this.running--;
    if (worker) {
      if (this.idle.length < MAX_IDLE) this.idle.push(worker);
      else void worker.terminate();
    }
    this.pump();
  }

  /** Past the deadline: once more with twice the time (a fresh worker takes it first), or not checkable. */
  private timedOut(task: Task, progress: Progress): void {
    if (this.options.retryTimedOut && !task.retried) {
      const { onQueuedAbort: _, ...again } = task;
      this.enqueue({ ...again, deadlineMs: task.deadlineMs * 2, retried: true }, true);
      return;
    }
    task.resolve(progress.stopped(`took too long (over ${seconds(task.deadlineMs)}${task.retried ? ', on a second try' : ''})`));
  }

  private run(worker: Worker, task: Task): void {
    this.running++;
    const id = this.nextId++;
    const progress = new Progress(task.job);
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (keep: boolean, outcome: () => void) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      worker.off('error', onError);
      task.signal?.removeEventListener('abort', onAbort);
      if (!keep) void worker.terminate();
      outcome();
      this.release(keep ? worker : undefined);
    };
    const onMessage = (message: CheckWorkerMessage) => {
      if (message.id !== id) return;
      if (message.started) {
        timer = setTimeout(() => settle(false, () => this.timedOut(task, progress)), task.deadlineMs);
        return;
      }
      if (message.event) progress.add(message.event);
      if (message.done) settle(true, () => task.resolve(progress.complete()));
      else if (message.error !== undefined) settle(true, () => task.resolve(progress.stopped(`the check failed (${message.error})`)));
    };
    let crash = '';
    const onError = (error: Error) => {
      crash = 'code' in error && error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'it needs more memory than allowed' : `the check crashed (${error.message})`;
    };
    const onExit = () => settle(false, () => task.resolve(progress.stopped(crash || 'the check stopped')));
    const onAbort = () => settle(false, () => task.reject(task.signal?.reason));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    task.signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage({ id, job: task.job });
  }
}

function isCode(job: CheckJob): boolean {
  if ('document' in job) return job.document.kind === 'code';
  const format = sourceFormatOf(job.uri, job.languageId);
  return format !== 'markdown' && format !== 'text';
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** Where the bundled worker is: beside the calling bundle (dist/cli, dist/server), or in dist/ when run from source. */
function findWorkerFile(): string | undefined {
  const candidates = [join(__dirname, '..', 'worker', 'check.js'), join(__dirname, '..', '..', '..', 'dist', 'worker', 'check.js')];
  return candidates.find((file) => existsSync(file));
}

/**
 * Why this installation checks texts on the calling thread, when it does: the bundled worker is missing
 * (a partial build, a broken install). Nothing then stops a hostile text, so the CLI and the server say
 * so once, at start, rather than slow down or hang in silence.
 */
export function missingCheckWorker(): string | undefined {
  if (findWorkerFile()) return undefined;
  return 'the check worker (dist/worker/check.js) is missing from this installation: every text is read and verified on the main thread, without the time limit that stops a hostile one. Reinstall stepcritic (in a clone: npm run build).';
}

/** Without a built worker (tests run from source before a build): the same job on this thread, no deadline. */
async function checkInThread(job: CheckJob): Promise<CheckedText> {
  const progress = new Progress(job);
  await runCheckJob(job, (event) => progress.add(event));
  return progress.complete();
}
