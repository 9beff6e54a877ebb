// What the memory probes share: the heap measured after a forced GC, and custom_ids as long as a run's.
// Run the probes with --expose-gc.

const gc = (globalThis as { gc?: () => void }).gc;

/** A custom_id as a run writes it: it names the dataset by its absolute path. */
export const customIdOf = (i: number) => `steps-1-${(i % 17) + 1}:${i.toString(16).padStart(12, '0')}:/tmp/stepcritic-bench-batch-api-Xk3j9a/data.jsonl#${i}`;

/** After a GC, and a pause for V8 to release the buffers it collected (an index's tables before they grew). */
export async function heldMemory(): Promise<{ heap: number; buffers: number }> {
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, buffers: usage.arrayBuffers };
}
