// One queue per document that coalesces: at most one critique runs per document, and at most one
// waits behind it (a newer request replaces the waiting one and inherits its waiters). A request for
// a newer version aborts the run of an older one right away — through its AbortSignal, down to the
// HTTP request — so no time or tokens go into a text nobody is looking at any more.
// The scheduler only decides *when* a run happens; the runner itself must not publish a stale
// result (it re-checks the document version before every publication).

export type RunOutcome = 'completed' | 'superseded' | 'cancelled' | 'failed';

export interface ScheduledRun {
  key: string;
  version: number;
  signal: AbortSignal;
}

type Waiter = (outcome: RunOutcome) => void;

interface Running {
  version: number;
  controller: AbortController;
  waiters: Waiter[];
}

interface Pending {
  version: number;
  timer: NodeJS.Timeout | undefined;
  due: boolean;
  waiters: Waiter[];
}

interface Queue {
  running?: Running;
  pending?: Pending;
}

export class CritiqueScheduler {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly runner: (run: ScheduledRun) => Promise<void>,
    private readonly onError: (key: string, error: unknown) => void = () => {},
  ) {}

  /**
   * Asks for a critique of `version` after `delayMs` (the debounce; restarted by every new request).
   * Resolves when a run that covers the request ends: `completed` for the version finally judged,
   * `superseded` when the document moved on with no newer run asked for, `cancelled` when dropped.
   */
  schedule(key: string, version: number, delayMs = 0): Promise<RunOutcome> {
    const queue = this.queueFor(key);
    if (queue.running && queue.running.version !== version) queue.running.controller.abort();
    return new Promise<RunOutcome>((resolve) => {
      if (!queue.pending && queue.running && queue.running.version === version && !queue.running.controller.signal.aborted) {
        // The very version is being judged already: join that run.
        queue.running.waiters.push(resolve);
        return;
      }
      const pending: Pending = queue.pending ?? { version, timer: undefined, due: false, waiters: [] };
      if (pending.timer) clearTimeout(pending.timer);
      pending.version = version;
      pending.due = false;
      pending.waiters.push(resolve);
      queue.pending = pending;
      const fire = () => {
        pending.timer = undefined;
        pending.due = true;
        this.pump(key);
      };
      pending.timer = setTimeout(fire, Math.max(0, delayMs));
    });
  }

  /** The text changed and no run is asked for (trigger on save / manual): stop what is now stale. */
  supersede(key: string, version: number): void {
    const queue = this.queues.get(key);
    if (!queue) return;
    if (queue.running && queue.running.version !== version) queue.running.controller.abort();
    if (queue.pending && queue.pending.version !== version) this.drop(queue, 'superseded');
    this.cleanup(key);
  }

  /** The document is gone (closed, disabled): abort and forget everything for it. */
  cancel(key: string): void {
    const queue = this.queues.get(key);
    if (!queue) return;
    queue.running?.controller.abort();
    this.drop(queue, 'cancelled');
    this.cleanup(key);
  }

  cancelAll(): void {
    for (const key of [...this.queues.keys()]) this.cancel(key);
  }

  isRunning(key: string): boolean {
    return this.queues.get(key)?.running !== undefined;
  }

  isQueued(key: string): boolean {
    return this.queues.get(key)?.pending !== undefined;
  }

  get busy(): number {
    let n = 0;
    for (const queue of this.queues.values()) if (queue.running || queue.pending) n++;
    return n;
  }

  private queueFor(key: string): Queue {
    let queue = this.queues.get(key);
    if (!queue) {
      queue = {};
      this.queues.set(key, queue);
    }
    return queue;
  }

  private drop(queue: Queue, outcome: RunOutcome): void {
    const pending = queue.pending;
    if (!pending) return;
    if (pending.timer) clearTimeout(pending.timer);
    queue.pending = undefined;
    for (const waiter of pending.waiters) waiter(outcome);
  }

  private cleanup(key: string): void {
    const queue = this.queues.get(key);
    if (queue && !queue.running && !queue.pending) this.queues.delete(key);
  }

  private pump(key: string): void {
    const queue = this.queues.get(key);
    if (!queue || queue.running || !queue.pending?.due) return;
    const pending = queue.pending;
    queue.pending = undefined;
    const running: Running = { version: pending.version, controller: new AbortController(), waiters: pending.waiters };
    queue.running = running;
    const finish = (outcome: RunOutcome) => {
      queue.running = undefined;
      const waiters = running.waiters;
      // Waiters of an aborted run move to the run that replaced it, when there is one.
      if (outcome === 'superseded' && queue.pending) queue.pending.waiters.push(...waiters);
      else for (const waiter of waiters) waiter(outcome);
      this.pump(key);
      this.cleanup(key);
    };
    let promise: Promise<void>;
    try {
      promise = this.runner({ key, version: running.version, signal: running.controller.signal });
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      () => finish(running.controller.signal.aborted ? 'superseded' : 'completed'),
      (error: unknown) => {
        if (running.controller.signal.aborted) return finish('superseded');
        this.onError(key, error);
        finish('failed');
      },
    );
  }
}
