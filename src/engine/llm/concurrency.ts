// One concurrency cap for every LLM request in the process (critic, final-answer check, refine, probe),
// so that a batch run plus an editor's on-save critique never flood a local server.

export class Semaphore {
  private active = 0;
  private readonly waiting: { resolve: () => void; reject: (reason: unknown) => void; signal?: AbortSignal; onAbort?: () => void }[] = [];

  constructor(private limit: number) {}

  get capacity(): number {
    return this.limit;
  }

  get inFlight(): number {
    return this.active;
  }

  setCapacity(limit: number): void {
    this.limit = Math.max(1, Math.floor(limit));
    this.drain();
  }

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    if (this.active < this.limit) {
      this.active++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const entry: (typeof this.waiting)[number] = { resolve, reject, signal };
      if (signal) {
        entry.onAbort = () => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(signal.reason ?? new Error('aborted'));
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.waiting.push(entry);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.drain();
    };
  }

  private drain(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      if (next.signal && next.onAbort) next.signal.removeEventListener('abort', next.onAbort);
      this.active++;
      next.resolve();
    }
  }
}

/** The process-wide cap. Surfaces set its capacity from their `concurrency` setting. */
export const globalLlmSemaphore = new Semaphore(4);

export function setGlobalLlmConcurrency(limit: number): void {
  globalLlmSemaphore.setCapacity(limit);
}
