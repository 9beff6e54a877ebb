// Batch throughput against the scripted OpenAI-compatible server with a fixed 100 ms latency per
// request: `stepcritic check DATA.jsonl --concurrency C` over real ProcessBench records (one request per
// solution), as a ratio to the ideal N × latency / C. Goal: within 1.15× at concurrency 32.
//
// CPU per solution is the CLI process's own user + system time (its main thread, the check workers and
// V8's helper threads; getrusage covers them all) over the solutions it judged: less sensitive than wall
// time to the other work on a shared machine. Goal: at most 2 ms at concurrency 32.
//
// Two figures per run: the whole CLI process (Node start, reading, the cost-estimate pre-pass, judging,
// the log's final read for the exit status) and the judging phase alone (run-log header to end line).
// Concurrency 1 uses 200 solutions instead of 2,000 (2,000 × 100 ms would take 200 s; the ratio is
// what is compared). A last row runs 2,000 short synthetic solutions (three steps, nothing for the
// arithmetic verifier to recompute) at concurrency 32: it separates the batch runner's own overhead
// from the CPU the verifiers spend on real ProcessBench text.
//
//   node --import tsx bench/batch-throughput.ts [--runs 3]
import { join } from 'node:path';
import { ruleBasedCriticHandler } from '../test/support/scripted-llm-server';
import { writeFileSync } from 'node:fs';
import { assertOk, build, llmFlags, median, readRunLogTimes, runStepcritic, runBench, seconds, withScriptedServer, writeDataset } from './batch-support';

function writeSynthetic(path: string, count: number): void {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      JSON.stringify({
        id: `s${i}`,
        problem: `Problem ${i}: how many apples does Sam have at the end?`,
        steps: [`Sam starts with some apples (case ${i}).`, 'He gives none away.', 'So he has the same apples as before.'],
        label: -1,
      }),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

const LATENCY_MS = 100;

async function main(): Promise<void> {
  const runsAt = process.argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 3;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a whole number of runs (1 or more)');
  build();
  await withScriptedServer('throughput', { latencyMs: LATENCY_MS, handler: ruleBasedCriticHandler() }, async (work, server) => {
    const cases = [
      { concurrency: 1, items: 200, repeat: 1, synthetic: false },
      { concurrency: 8, items: 2000, repeat: 1, synthetic: false },
      { concurrency: 32, items: 2000, repeat: runs, synthetic: false },
      { concurrency: 32, items: 2000, repeat: runs, synthetic: true },
    ];
    console.log(`scripted server: ${LATENCY_MS} ms per request; real ProcessBench records, one request per solution; ${runs} runs at concurrency 32 (median)`);
    console.log('concurrency  solutions  requests  ideal      CLI wall   ratio   judging    ratio   CPU/solution  peak RSS');
    for (const c of cases) {
      const data = join(work.dir, `data-${c.items}${c.synthetic ? '-synthetic' : ''}.jsonl`);
      if (c.synthetic) writeSynthetic(data, c.items);
      else await writeDataset(data, c.items);
      const walls: number[] = [];
      const judging: number[] = [];
      const cpu: number[] = [];
      let requests = 0;
      let rss = 0;
      for (let r = 0; r < c.repeat; r++) {
        const log = join(work.dir, `run-c${c.concurrency}${c.synthetic ? '-short' : ''}-${r}.jsonl`);
        const before = server.chatRequests().length;
        const run = await runStepcritic(['check', data, ...llmFlags(server.baseUrl), '--no-cache', '--concurrency', String(c.concurrency), '--run-log', log], {
          cwd: work.dir,
        });
        assertOk(run, `concurrency ${c.concurrency}`);
        requests = server.chatRequests().length - before;
        const times = readRunLogTimes(log);
        if (times.uniqueItems !== c.items) throw new Error(`expected ${c.items} items in the log, found ${times.uniqueItems}`);
        walls.push(run.wallMs);
        judging.push(times.judgingMs ?? Number.NaN);
        cpu.push(run.cpuMs / c.items);
        rss = Math.max(rss, run.peakRssMb);
      }
      const ideal = (c.items * LATENCY_MS) / c.concurrency;
      const wall = median(walls);
      const judge = median(judging);
      console.log(
        `${String(c.concurrency).padStart(11)}  ${`${c.items}${c.synthetic ? ' short' : ''}`.padStart(9)}  ${String(requests).padStart(8)}  ${seconds(ideal).padEnd(9)}  ${seconds(wall).padEnd(9)}  ${(wall / ideal).toFixed(3)}×  ${seconds(judge).padEnd(9)}  ${(judge / ideal).toFixed(3)}×  ${`${median(cpu).toFixed(2)} ms`.padStart(12)}  ${rss.toFixed(0)} MB`,
      );
    }
  });
}

runBench(main);
