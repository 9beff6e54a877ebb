// `stepcritic check --batch-api` on ProcessBench records as a user runs it, against the scripted
// server's Files and Batch APIs (test/support/scripted-batch-server.ts; the scripted critic answers every
// request): the run is killed (SIGKILL) while it polls and resumed with --resume. Prints, per size: the
// request files (count, sizes), the uploads (one per file: the resume re-attaches, it does not upload
// again), wall time and peak memory of each run, whether every record was judged once, and — with
// --live — whether the run log's verdicts equal a live run's with the same critic.
//
//   node --import tsx bench/batch-api.ts [--sizes 10000,100000] [--live 10000]
//
// Needs ../shared/data (ProcessBench); says so when it is missing.
//
// Measured (2 cores shared by several engineers, load average 17-19: times are only indicative), 10,000
// records, --samples 1: one request file of 46.8 MB (9,938 requests: 62 solutions need none), uploaded
// once; killed (SIGKILL) while polling, resumed: it re-attached, no second upload; the run log has all
// 10,000 records, none twice, none "could not judge"; peak RSS of the resumed run 264 MB. At about 4.7 kB
// a request, 100,000 records make about 470 MB of requests: 3 files under OpenAI's 200 MB limit (not
// measured: the machine was too busy for a 100,000-record run). The live run of the same 10,000 records
// did not finish within the bench's 15 minutes then (now an hour); at 300 records (--sizes 300 --live
// 300) the verdicts of the batch run and the live run were the same for 300 of 300. A later 100,000-record
// run (load about 10) finished export, kill, resume and judging in about 1 h 45 min, but the bench then
// read its run log (over 512 MB) whole and crashed before printing: now read line by line, and the run
// figures are printed first.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { scriptedBatchServer } from '../test/support/scripted-batch-server';
import { ruleBasedCriticHandler, startScriptedLlmServer } from '../test/support/scripted-llm-server';
import { assertOk, build, llmFlags, runBench, runStepcritic, scratch, seconds, writeDataset } from './batch-support';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const RULES = { incorrectPatterns: ['\\b(?:wrong|mistake)\\b'] };

interface LogSummary {
  items: number;
  ids: Set<string>;
  verdicts: Map<string, string>;
  couldNotJudge: number;
  batchLines: number;
}

/** Read line by line: at 100,000 records the run log passes V8's longest string (512 MB). */
async function readLog(path: string): Promise<LogSummary> {
  const summary: LogSummary = { items: 0, ids: new Set(), verdicts: new Map(), couldNotJudge: 0, batchLines: 0 };
  for await (const text of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    if (!text.trim()) continue;
    const line = JSON.parse(text) as {
      type: string;
      id?: string;
      entry?: { verdict: string | null; steps: { verdict: string; pTrue: number | null; source: string }[] };
    };
    if (line.type === 'batch') summary.batchLines++;
    if (line.type !== 'item') continue;
    summary.items++;
    summary.ids.add(line.id!);
    summary.verdicts.set(line.id!, JSON.stringify([line.entry!.verdict, line.entry!.steps.map((s) => [s.verdict, s.pTrue, s.source])]));
    if (line.entry!.steps.some((s) => s.verdict === 'error')) summary.couldNotJudge++;
  }
  return summary;
}

async function benchSize(size: number, live: boolean): Promise<void> {
  const work = scratch('batch-api');
  const batches = scriptedBatchServer({ handler: ruleBasedCriticHandler(RULES), validateMs: 3000, msPerRequest: 0.05, finalizeMs: 500 });
  const server = await startScriptedLlmServer({ handler: ruleBasedCriticHandler(RULES), routes: batches.routes });
  try {
    const data = join(work.dir, 'data.jsonl');
    await writeDataset(data, size);
    const log = join(work.dir, 'api.jsonl');
    const flags = ['check', data, ...llmFlags(server.baseUrl), '--samples', '1', '--batch-api', '--batch-poll', '0.5', '--run-log', log];
    // Each run reads and exports every record before its batches go in flight: 15 minutes is too short at 100,000 on a shared machine.
    const timeoutMs = Math.max(900_000, size * 40);
    // Killed once the batches are in flight, then resumed.
    const killed = await runStepcritic(flags, {
      cwd: work.dir,
      timeoutMs,
      killWhen: () =>
        batches.batches().length > 0 &&
        batches.batches().every((b) => b.ended === undefined) &&
        server.requests.filter((r) => r.path.startsWith('/v1/batches/')).length >= 2,
    });
    const uploadsBefore = batches.uploads().length;
    const resumed = await runStepcritic([...flags, '--resume'], { cwd: work.dir, timeoutMs });
    assertOk(resumed, 'the resumed --batch-api run');
    const sizes = batches.uploads().map((f) => `${(Buffer.byteLength(f.content) / 1e6).toFixed(1)} MB (${f.content.split('\n').length - 1} requests)`);
    console.log(`\n${size.toLocaleString('en-US')} records`);
    console.log(`  request files: ${sizes.length}: ${sizes.join(', ')}`);
    console.log(
      `  uploads: ${uploadsBefore} before the kill, ${batches.uploads().length} in all (${killed.signal === 'SIGKILL' ? 'killed while polling' : 'NOT killed: finished first'})`,
    );
    console.log(
      `  first run: ${seconds(killed.wallMs)}, peak ${killed.peakRssMb.toFixed(0)} MB; resumed: ${seconds(resumed.wallMs)}, peak ${resumed.peakRssMb.toFixed(0)} MB (CPU ${seconds(resumed.cpuMs)})`,
    );
    const summary = await readLog(log);
    console.log(
      `  run log: ${summary.ids.size} of ${size} records, ${summary.items - summary.ids.size} twice, ${summary.couldNotJudge} could not judge, ${summary.batchLines} batch lines`,
    );
    if (live) {
      const liveLog = join(work.dir, 'live.jsonl');
      const liveRun = await runStepcritic(
        ['check', data, ...llmFlags(server.baseUrl), '--samples', '1', '--no-cache', '--concurrency', '32', '--run-log', liveLog],
        { cwd: work.dir, timeoutMs: 3_600_000 },
      );
      assertOk(liveRun, 'the live run');
      const liveSummary = await readLog(liveLog);
      const differ = [...liveSummary.verdicts].filter(([id, v]) => summary.verdicts.get(id) !== v).length;
      console.log(
        `  live run: ${seconds(liveRun.wallMs)}, peak ${liveRun.peakRssMb.toFixed(0)} MB; verdicts that differ from the batch run's: ${differ} of ${liveSummary.verdicts.size}`,
      );
    }
  } finally {
    await server.close();
    work.remove();
  }
}

async function main(): Promise<void> {
  const sizes = (option('sizes') ?? '10000').split(',').map(Number);
  const live = new Set((option('live') ?? '10000').split(',').map(Number));
  build();
  console.log('stepcritic check --batch-api against the scripted batch server (machine shared: times are indicative, memory is peak RSS)');
  for (const size of sizes) await benchSize(size, live.has(size));
}

runBench(main);
