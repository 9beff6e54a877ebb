// Indexes a results file of `count` replies, asks for every one of them (each custom_id a fresh string,
// as the critic makes it) and prints, as JSON, the heap the asking left behind per reply (after a forced
// GC). Run with --expose-gc. The results test says what a judging pass may keep per reply it read.
import { writeFileSync } from 'node:fs';
import { openBatchResults } from '../../../src/engine/batch/batch-files';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const idOf = (i: number) => `steps-1-4:${i.toString(16).padStart(12, '0')}:data/processbench.jsonl#${i}`;

/** Written apart, so that none of its strings is alive when the heap is measured. */
function writeResults(path: string, count: number): void {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(JSON.stringify({ custom_id: idOf(i), response: { status_code: 200, body: { choices: [{ message: { content: '{}' } }] } }, error: null }));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

async function main(path: string, count: number): Promise<void> {
  writeResults(path, count);
  const results = await openBatchResults([path]);
  gc!();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) await results.reply({ custom_id: idOf(i), method: 'POST', url: '/v1/chat/completions', body: {} });
  gc!();
  const kept = process.memoryUsage().heapUsed - before;
  const unused = results.unused();
  await results.close();
  process.stdout.write(`${JSON.stringify({ replies: count, unused, bytesPerReply: kept / count })}\n`);
}

void main(process.argv[2]!, Number(process.argv[3]));
