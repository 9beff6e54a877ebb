// Streams every record of a dataset file through readItems and prints, as JSON, how many records it
// saw and the peak heap in use (measured after a forced GC every 500 records). Run with --expose-gc.
// The memory test compares a small and a large file of the same record size: flat means streamed.
import { readItems } from '../../../src/engine/pipeline/items';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

async function main(path: string): Promise<void> {
  gc!();
  const baseline = process.memoryUsage().heapUsed;
  let records = 0;
  let failed = 0;
  let peak = baseline;
  for await (const item of readItems([path])) {
    if (item.source.kind !== 'record') failed += 1;
    records += 1;
    if (records % 500 === 0) {
      gc!();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
  }
  gc!();
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  process.stdout.write(`${JSON.stringify({ records, failed, baselineBytes: baseline, peakBytes: peak, growthBytes: peak - baseline })}\n`);
}

void main(process.argv[2]!);
