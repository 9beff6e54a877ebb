// Writes a results file of `count` replies (custom_ids as long as a run's: they name the dataset by its
// absolute path), indexes it (after a small one, to warm up) and prints, as JSON, the memory the index
// holds per result on V8's heap, and with its array buffers (after a forced GC). Run with --expose-gc.
import { writeFileSync } from 'node:fs';
import { openBatchResults } from '../../../src/engine/batch/batch-files';
import { customIdOf, heldMemory } from './heap-probe';

/** Written apart, so that none of its strings is alive when the heap is measured. */
function writeResults(path: string, count: number): void {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(JSON.stringify({ custom_id: customIdOf(i), response: { status_code: 200, body: { choices: [{ message: { content: '{}' } }] } }, error: null }));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

async function main(path: string, count: number): Promise<void> {
  // Warmed up on a small file first: the code that indexes is compiled on its first use.
  writeResults(path, 100);
  await (await openBatchResults([path])).close();
  writeResults(path, count);
  const before = await heldMemory();
  const results = await openBatchResults([path]);
  const after = await heldMemory();
  const heapPerResult = (after.heap - before.heap) / count;
  const bytesPerResult = heapPerResult + (after.buffers - before.buffers) / count;
  const answered = results.answered(customIdOf(count - 1)) && !results.answered(customIdOf(count));
  await results.close();
  process.stdout.write(`${JSON.stringify({ results: results.size, answered, heapPerResult, bytesPerResult })}\n`);
}

void main(process.argv[2]!, Number(process.argv[3]));
