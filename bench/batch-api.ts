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
// Measured 2026-12-07 on the user's road (the built bin/stepcritic.js, `check DATA --batch-api --samples 1
// --batch-poll 0.5 --run-log …`, a child of this bench), 2 cores shared with another engineer's benches
// and tests: load average 5-10 (`uptime`), so times are only indicative. Memory is each run's own peak
// (VmHWM, printed as MB = MiB); phases from /proc samples every 5 s.
//
// 10,000 records (`--sizes 10000 --live 10000`, load 5-8): one request file of 46.9 MB (9,932 requests: 68
// solutions need no critic request), uploaded once; killed (SIGKILL) while polling and resumed: it
// re-attached, no second upload; the run log has 10,000 of 10,000 records, none twice, none "could not
// judge". First run 83 s, peak 273 MB; resumed 209 s, peak about 284 MB. The live run of the same
// records with the same scripted critic (--concurrency 32 --no-cache): 229 s, peak about 280 MB; its
// verdicts (each solution's, and each step's verdict, P(True) and source) differ from the batch run's
// for 0 of 10,000. (That run came before the fixes below; none of them changes a verdict.)
//
// 100,000 records (`--sizes 100000 --live 0`, load 8-10): three request files, 209.7 MB (44,458
// requests), 209.7 MB (44,385) and 49.3 MB (10,475): 99,318 requests (682 solutions need none), each file
// under OpenAI's 50,000 requests and 200 MiB; each uploaded once; killed while polling, resumed without a second upload;
// 100,000 of 100,000 records in the run log, none twice, none "could not judge". The scripted critic's
// results (per-token log-probabilities, about 41 kB a reply) are 1.83 + 1.83 + 0.43 GB. First run 702 s:
// the estimate and the export 11 min 20 s (peak 292 MB), the three uploads 14 s (at most 191 MB). Resumed
// 905 s (CPU 582 s): the estimate about 70 s (at most 164 MB), polling while the server wrote its results
// (at most 115 MB), downloading 4.1 GB (at most 157 MB), indexing it once (about 30 s), judging 100,000
// records in about 10 min (290-315 MB sampled, peak 326 MB). So the batch path peaks at 326 MB at
// 100,000 records against 273-284 MB at 10,000: over the 300 MB goal by a tenth, and not quite flat. The
// base is about 250 MB (the process and its verifier worker threads); what grows is the request-id sets
// of the export and the results index (about 180 bytes a request), and the GC's headroom over them. The
// judging pass also kept about 110 bytes per reply read (a set of the ids asked), fixed after this run:
// not re-measured at 100,000 (its RSS had crept up 14 MB over the pass).
//
// Then (2026-12-07 evening, load 8-12) the request writer's two sets and the results index keep a
// 64-bit hash of each custom_id and its line's place in typed arrays (id-index.ts), off V8's heap:
// about 120 and 60 bytes a request where the strings took 180 and 200 on the heap. Peaks (VmHWM),
// first run / resumed run, before → after, same command and flags: 10,000 records 284 / 295 MB (a
// probe script) → 280 / 285 MB (this bench: the live run's verdicts differ for 0 of 10,000, the
// request file is the same 9,929 lines); 30,000 records (the probe, the index change only) 282 / 299
// → 279 / 292 MB; 100,000 records (the probe, both changes, load 7-12: first run 1,439 s with three
// uploads, resumed 958 s with none) 292-297 / 306-326 → 281 / 295 MB. What is left does not follow the number of records: in the judging pass the main
// thread's heap stays at about 75 MB (40-55 MB used, V8's young generation the rest), the verifier
// worker's heap saws between 75 and 98 MB (its live set is about 45 MB: mathjs and the checks), and
// code, stacks and buffers take about 110 MB; the peak is where the two heaps' highs meet, and a
// longer run meets a slightly higher one.
//
// Found by the first 100,000-record run (load about 8; the first run was not killed then: it polled only
// after its last upload, when the first batch had ended) and fixed: each upload held its whole request
// file (peak 390 MB; Node's fetch copied the streamed body, nodejs/undici#4058); the 4.1 GB of results
// were indexed twice per run (three times on a resume), about 2 min per pass at that load; the bench
// reported 5.7 GB for the resume and 803 MB for the live run at 10,000, because getrusage's maxRSS keeps
// the parent's memory at the fork (this bench holds the uploads): the peak is now the child's VmHWM.
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
  // Validation lasts longer than the uploads (about 12 s for 100,000 records), so that the run is killed while every batch is in flight.
  const batches = scriptedBatchServer({ handler: ruleBasedCriticHandler(RULES), validateMs: Math.max(3000, size * 0.3), msPerRequest: 0.05, finalizeMs: 500 });
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
