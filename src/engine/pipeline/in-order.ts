// Puts finished entries back in input order for the consumer, whatever order they finish in. The
// window is bounded: the producer waits before taking an item more than `window` places ahead of the
// next one to deliver, so one slow solution cannot make the finished ones behind it pile up in memory.
// A place can be given up (an item cut short by cancellation or the budget): delivery skips it.

export class InOrder<T> {
  private readonly ready = new Map<number, T | null>();
  private next = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly window: number,
    private readonly deliver: (value: T) => void | Promise<void>,
  ) {}

  /** The value for place `sequence`; delivered once every place before it is settled. */
  put(sequence: number, value: T): void {
    this.ready.set(sequence, value);
    this.flush();
  }

  /** Place `sequence` will have nothing: skip it. */
  skip(sequence: number): void {
    this.ready.set(sequence, null);
    this.flush();
  }

  /** Resolves once `sequence` is within the window of the next place to deliver. */
  async room(sequence: number): Promise<void> {
    while (sequence - this.next >= this.window && this.failure === undefined) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Resolves when everything put so far is delivered; rethrows a consumer's failure. */
  async drained(): Promise<void> {
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  private flush(): void {
    this.chain = this.chain.then(async () => {
      while (this.failure === undefined && this.ready.has(this.next)) {
        const value = this.ready.get(this.next)!;
        this.ready.delete(this.next);
        this.next += 1;
        try {
          if (value !== null) await this.deliver(value);
        } catch (error) {
          this.failure = error;
        }
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }
}
