// Peak memory of a batch run over a JSONL dataset, with the LLM critic against the scripted server
// (100 ms per request, concurrency 32) and a run log: 5,000 records against 20,000 records. Goal:
// under 300 MB, and flat in the number of records (the dataset is streamed; finished entries go to the
// run log, not to memory). Also the same two runs with the verifiers only (no LLM), and with the LLM and
// the caches on (the default: the critic's and the results' caches on disk, a bounded part in memory).
//
//   node --import tsx bench/batch-memory.ts [--sizes 5000,20000]
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ruleBasedCriticHandler } from '../test/support/scripted-llm-server';
import { assertOk, build, llmFlags, readRunLogTimes, runBench, runStepcritic, seconds, withScriptedServer, writeDataset } from './batch-support';

async function main(): Promise<void> {
  const sizesFlag = process.argv.indexOf('--sizes');
  const sizes = sizesFlag >= 0 ? process.argv[sizesFlag + 1]!.split(',').map(Number) : [5000, 20000];
  build();
  await withScriptedServer('memory', { latencyMs: 100, handler: ruleBasedCriticHandler() }, async (work, server) => {
    console.log('records  mode            dataset    run log    wall       peak RSS');
    const modes = ['verifiers', 'llm', 'llm+cache'] as const;
    const peaks: Record<string, number[]> = { llm: [], verifiers: [], 'llm+cache': [] };
    for (const size of sizes) {
      const data = join(work.dir, `data-${size}.jsonl`);
      await writeDataset(data, size);
      for (const mode of modes) {
        const log = join(work.dir, `run-${mode.replace('+', '-')}-${size}.jsonl`);
        const flags =
          mode === 'verifiers'
            ? ['--no-llm', '--no-cache', '--quiet', '--fail-on', 'never', '--concurrency', '32']
            : [...llmFlags(server.baseUrl), '--concurrency', '32', ...(mode === 'llm' ? ['--no-cache'] : ['--cache-dir', join(work.dir, `cache-${size}`)])];
        const run = await runStepcritic(['check', data, ...flags, '--run-log', log], { cwd: work.dir, timeoutMs: 3_600_000 });
        assertOk(run, `${mode} ${size}`);
        const times = readRunLogTimes(log);
        if (times.uniqueItems !== size) throw new Error(`expected ${size} items in the log, found ${times.uniqueItems}`);
        peaks[mode]!.push(run.peakRssMb);
        console.log(
          `${String(size).padStart(7)}  ${mode.padEnd(14)}  ${(statSync(data).size / 1e6).toFixed(1).padStart(6)} MB  ${(statSync(log).size / 1e6).toFixed(1).padStart(6)} MB  ${seconds(run.wallMs).padEnd(9)}  ${run.peakRssMb.toFixed(0)} MB`,
        );
      }
    }
    for (const mode of modes) {
      const p = peaks[mode]!;
      if (p.length >= 2)
        console.log(
          `${mode}: peak RSS ${p.map((x) => `${x.toFixed(0)} MB`).join(' → ')} for ${sizes.join(' → ')} records (ratio ${(p[p.length - 1]! / p[0]!).toFixed(2)})`,
        );
    }
  });
}

runBench(main);
