// Two things a long batch run must get right, against the scripted server (100 ms per request,
// concurrency 32) over 2,000 real ProcessBench records:
//   1. a second run over unchanged input: requests (goal 0: every verdict comes from the critic cache)
//      and wall time as a share of the first run;
//   2. resume after a kill at 50%: the first run is killed with SIGKILL once 1,000 items are in its
//      run log, then `--resume` finishes it. No item may be judged twice in the log, none may be lost;
//      the only requests made twice are the ones in flight at the kill.
//
//   node --import tsx bench/batch-rerun.ts [--items 2000]
import { join } from 'node:path';
import { parseCriticPrompt } from '../src/engine/llm/protocol';
import { ruleBasedCriticHandler } from '../test/support/scripted-llm-server';
import {
  assertOk,
  build,
  countItemLines,
  llmFlags,
  readRunLogTimes,
  runStepcritic,
  runBench,
  seconds,
  withScriptedServer,
  writeDataset,
} from './batch-support';

async function main(): Promise<void> {
  const itemsFlag = process.argv.indexOf('--items');
  const items = itemsFlag >= 0 ? Number(process.argv[itemsFlag + 1]) : 2000;
  build();
  await withScriptedServer('rerun', { latencyMs: 100, handler: ruleBasedCriticHandler() }, async (work, server) => {
    const data = join(work.dir, 'data.jsonl');
    await writeDataset(data, items);
    const flags = [...llmFlags(server.baseUrl), '--concurrency', '32'];
    // 1. The same input twice, with the critic cache (a fresh cache folder) and a new run log each time.
    const cache = join(work.dir, 'cache');
    const r0 = server.chatRequests().length;
    const first = await runStepcritic(['check', data, ...flags, '--cache-dir', cache, '--run-log', join(work.dir, 'first.jsonl')], { cwd: work.dir });
    assertOk(first, 'first run');
    const r1 = server.chatRequests().length;
    const second = await runStepcritic(['check', data, ...flags, '--cache-dir', cache, '--run-log', join(work.dir, 'second.jsonl')], { cwd: work.dir });
    assertOk(second, 'second run');
    const r2 = server.chatRequests().length;
    const firstTimes = readRunLogTimes(join(work.dir, 'first.jsonl'));
    const secondTimes = readRunLogTimes(join(work.dir, 'second.jsonl'));
    console.log(`second run over unchanged input (${items} solutions, critic cache on):`);
    console.log(`  first run:  ${r1 - r0} requests, ${seconds(first.wallMs)} (judging ${seconds(firstTimes.judgingMs ?? Number.NaN)})`);
    console.log(`  second run: ${r2 - r1} requests, ${seconds(second.wallMs)} (judging ${seconds(secondTimes.judgingMs ?? Number.NaN)})`);
    console.log(
      `  second/first: ${((second.wallMs / first.wallMs) * 100).toFixed(1)}% of the wall time (judging ${(((secondTimes.judgingMs ?? 0) / (firstTimes.judgingMs ?? 1)) * 100).toFixed(1)}%)`,
    );

    // 2. Kill at 50% and resume (no cache: what was in flight at the kill must really be asked again).
    const log = join(work.dir, 'killed.jsonl');
    const k0 = server.chatRequests().length;
    const killed = await runStepcritic(['check', data, ...flags, '--no-cache', '--run-log', log], {
      cwd: work.dir,
      killWhen: () => countItemLines(log) >= items / 2,
    });
    if (killed.signal !== 'SIGKILL') throw new Error(`the first run was not killed (status ${killed.status})`);
    const atKill = readRunLogTimes(log);
    const k1 = server.chatRequests().length;
    const resumed = await runStepcritic(['check', data, ...flags, '--no-cache', '--run-log', log, '--resume'], { cwd: work.dir });
    assertOk(resumed, 'resumed run');
    const k2 = server.chatRequests().length;
    const final = readRunLogTimes(log);

    // A solution is known by its problem and its steps (ProcessBench has several solutions per problem).
    const problemOf = (text: string) => {
      const parsed = parseCriticPrompt(text);
      return parsed && parsed.kind === 'steps' ? `${parsed.problem}\u0000${parsed.judged.map((s) => s.text).join('\u0000')}` : text;
    };
    const askedFirst = new Map<string, number>();
    for (const r of server.chatRequests().slice(k0, k1)) askedFirst.set(problemOf(r.userText), (askedFirst.get(problemOf(r.userText)) ?? 0) + 1);
    const askedAgain = server
      .chatRequests()
      .slice(k1, k2)
      .filter((r) => askedFirst.has(problemOf(r.userText))).length;
    console.log(`resume after a kill at 50% (${items} solutions, no cache):`);
    console.log(
      `  killed (SIGKILL) with ${atKill.items} items in the run log after ${seconds(killed.wallMs)}; ${k1 - k0} requests sent, ${k1 - k0 - atKill.items} of them in flight at the kill`,
    );
    console.log(
      `  resumed: ${k2 - k1} requests in ${seconds(resumed.wallMs)}; ${askedAgain} of them repeat a request of the killed run (in flight at the kill, never logged)`,
    );
    console.log(
      `  run log: ${final.items} item lines, ${final.uniqueItems} distinct items of ${items}: judged twice ${final.items - final.uniqueItems}, lost ${items - final.uniqueItems}`,
    );
    if (final.items !== final.uniqueItems || final.uniqueItems !== items) throw new Error('resume lost or repeated an item');
  });
}

runBench(main);
