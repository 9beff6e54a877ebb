// Runs a task per item with at most `limit` in flight, pulling items lazily from a (possibly async)
// source, so a streamed dataset is never held in memory whole. Each item gets its sequence number so
// that the caller can put results back in order.
export async function forEachConcurrently<T>(
  source: AsyncIterable<T> | Iterable<T>,
  limit: number,
  task: (item: T, sequence: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : toAsync(source[Symbol.iterator]());
  let sequence = 0;
  let failure: unknown;
  // Async iterators queue concurrent next() calls, so workers can share one.
  const worker = async () => {
    while (failure === undefined && !signal?.aborted) {
      const next = await iterator.next();
      if (next.done) return;
      try {
        await task(next.value, sequence++);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  if (failure !== undefined) throw failure;
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return { next: async () => iterator.next() };
}
