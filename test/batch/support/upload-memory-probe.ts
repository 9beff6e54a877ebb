// Submits one request file through ProviderBatches (the road of `--batch-api`) to the server at the
// given base URL and prints, as JSON, the peak of the process's ArrayBuffer memory while it uploads and
// after (each sample after a forced GC, so garbage not collected yet does not count). Run with
// --expose-gc. The upload test compares the peak with the size of the file: streamed means far below it.
import { ProviderBatches } from '../../../src/engine/batch/provider-batch';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

async function main(baseUrl: string, path: string): Promise<void> {
  gc!();
  const baseline = process.memoryUsage().arrayBuffers;
  let peak = baseline;
  const sample = () => {
    gc!();
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  };
  const sampler = setInterval(sample, 100);
  const batches = new ProviderBatches({ baseUrl, pollMs: 10, maxPollMs: 10 });
  const submitted = await batches.submit(path);
  clearInterval(sampler);
  sample();
  process.stdout.write(`${JSON.stringify({ id: submitted.id, baselineBytes: baseline, peakBytes: peak, growthBytes: peak - baseline })}\n`);
}

void main(process.argv[2]!, process.argv[3]!);
