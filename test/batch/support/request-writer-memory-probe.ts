// Writes `count` requests (custom_ids as long as a run's: they name the dataset by its absolute path)
// through a request file writer, after a few to warm up, and prints, as JSON, the memory the writer
// holds per request on V8's heap, and with its array buffers (after a forced GC). Run with --expose-gc.
import { join } from 'node:path';
import { createRequestFileWriter } from '../../../src/engine/batch/batch-files';
import type { BatchRequestLine } from '../../../src/engine/llm/batch-request';
import { customIdOf, heldMemory } from './heap-probe';

const lineOf = (i: number): BatchRequestLine => ({
  custom_id: customIdOf(i),
  method: 'POST',
  url: '/v1/chat/completions',
  body: { model: 'critic', messages: [{ role: 'user', content: `solution ${i}` }] },
});

/** Asks as the critic does: each request's answer (none: it was written) is awaited before long. */
async function write(path: string, count: number): Promise<ReturnType<typeof createRequestFileWriter>> {
  const writer = createRequestFileWriter(path, { overwrite: true });
  const ask = async (i: number) => writer.reply(lineOf(i)).catch(() => undefined);
  for (let i = 0; i < count; i += 100) await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, k) => ask(i + k)));
  // The same requests again (the same solutions given twice) are not written twice.
  for (let i = 0; i < Math.min(count, 100); i++) await ask(i);
  writer.close();
  return writer;
}

async function main(dir: string, count: number): Promise<void> {
  await write(join(dir, 'warm-up.jsonl'), 1000);
  const before = await heldMemory();
  const writer = await write(join(dir, 'requests.jsonl'), count);
  const after = await heldMemory();
  const heapPerRequest = (after.heap - before.heap) / count;
  const bytesPerRequest = heapPerRequest + (after.buffers - before.buffers) / count;
  process.stdout.write(`${JSON.stringify({ requests: writer.requests, solutions: writer.solutions, heapPerRequest, bytesPerRequest })}\n`);
}

void main(process.argv[2]!, Number(process.argv[3]));
