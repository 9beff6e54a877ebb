// What the cache costs a first run, and how many files it leaves: `stepcritic check DATA.jsonl` over
// real ProcessBench records (20,000 by default: the 3,400 records, then copies with the problem marked),
// with the cache on (the default, a fresh --cache-dir) against --no-cache, with a run log as a user
// with a big dataset keeps one. Goal: at most 1.10× the wall time of the run without the cache.
//
// Two roads: the verifiers alone (`--no-llm`) and the LLM critic against the scripted server
// (0 ms per request, concurrency 32: the client is the bottleneck, so whatever the cache costs shows).
// Each run pair alternates which goes first; CPU time (every Node process of the run) is printed
// beside wall time because it is steadier on a shared machine. A second run with the warm cache shows
// what the cache is for. With --together the two runs of a pair go at the same time instead (on a
// busy machine both then meet the same load; the warm run is left out).
//
//   node --import tsx bench/cache-scale.ts [--records 20000] [--runs 1] [--roads verifiers,critic] [--together] [--cli PATH/bin/stepcritic.js]
//
// --cli runs another build of the CLI (e.g. an older checkout) over the same data, for a before/after.
//
// Measured on 2 cores shared with several engineers (load 11-18: wall times stretch with the load, so
// the CPU ratio is the steadier figure), critic road, one run each, first run with the cache on ÷ off:
//   per-file caches (before): 500 records CPU 1.160×, 2,000 records CPU 1.248×; 2,000 records left
//     15,115 files in the cache folder;
//   one SQLite file (now): 500 records CPU 0.951×, 2,000 records CPU 1.046×, 5,000 records (--together)
//     wall 1.072×, CPU 1.126×; 2 files in the cache folder (cache.sqlite and the endpoint profile) at
//     any size. The warm run at 500 records: 1.45 s CPU (before: 1.64 s).
// The verifiers road opens no cache at all (--no-llm keeps no result cache): 0 files, ratios are noise.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ruleBasedCriticHandler } from '../test/support/scripted-llm-server';
import {
  CLI,
  assertOk,
  build,
  llmFlags,
  median,
  readRunLogTimes,
  runNode,
  runBench,
  seconds,
  withScriptedServer,
  writeDataset,
  type ChildRun,
} from './batch-support';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Files (not folders) under a folder, and their bytes. */
function countFiles(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return { files, bytes };
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    files++;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

interface Road {
  name: string;
  flags: (baseUrl: string) => string[];
}

const ROADS: Road[] = [
  { name: 'verifiers', flags: () => ['--no-llm', '--quiet', '--fail-on', 'never'] },
  { name: 'critic', flags: (baseUrl) => [...llmFlags(baseUrl), '--concurrency', '32'] },
];

async function main(): Promise<void> {
  const records = Number(option('records') ?? 20_000);
  const runs = Number(option('runs') ?? 1);
  const roads = (option('roads') ?? 'verifiers,critic').split(',');
  const cli = option('cli') ?? CLI;
  const together = process.argv.includes('--together');
  if (!Number.isInteger(records) || records < 1 || !Number.isInteger(runs) || runs < 1) throw new Error('--records and --runs take whole numbers');
  if (cli === CLI) build();
  await withScriptedServer('cache-scale', { latencyMs: 0, handler: ruleBasedCriticHandler() }, async (work, server) => {
    const data = join(work.dir, 'data.jsonl');
    await writeDataset(data, records);
    console.log(`${records} ProcessBench records; CLI ${cli}; ${runs} run(s) per case (median); a shared 2-core machine`);
    console.log('road       cache  first run wall   CPU        ratio wall  ratio CPU   warm run (CPU)  files in cache dir');
    let n = 0;
    const check = async (road: Road, cache: 'on' | 'off', cacheDir: string): Promise<ChildRun> => {
      const log = join(work.dir, `run-${n++}.jsonl`);
      const run = await runNode(
        [cli, 'check', data, ...road.flags(server.baseUrl), '--run-log', log, ...(cache === 'on' ? ['--cache-dir', cacheDir] : ['--no-cache'])],
        { cwd: work.dir, timeoutMs: 4 * 3_600_000 },
      );
      assertOk(run, `${road.name}, cache ${cache}`);
      const times = readRunLogTimes(log);
      if (times.uniqueItems !== records) throw new Error(`${road.name}: expected ${records} items in the log, found ${times.uniqueItems}`);
      return run;
    };
    for (const road of ROADS.filter((r) => roads.includes(r.name))) {
      const off: ChildRun[] = [];
      const on: ChildRun[] = [];
      const warm: ChildRun[] = [];
      let files = { files: 0, bytes: 0 };
      for (let r = 0; r < runs; r++) {
        const cacheDir = join(work.dir, `cache-${road.name}-${r}`);
        if (together) {
          const [offRun, onRun] = await Promise.all([check(road, 'off', cacheDir), check(road, 'on', cacheDir)]);
          off.push(offRun);
          on.push(onRun);
          files = countFiles(cacheDir);
          continue;
        }
        const order: ('on' | 'off')[] = r % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
        for (const cache of order) {
          const run = await check(road, cache, cacheDir);
          (cache === 'on' ? on : off).push(run);
          if (cache === 'on') files = countFiles(cacheDir);
        }
        warm.push(await check(road, 'on', cacheDir));
      }
      const wall = (list: ChildRun[]) => median(list.map((x) => x.wallMs));
      const cpu = (list: ChildRun[]) => median(list.map((x) => x.cpuMs));
      const row = (cache: string, list: ChildRun[], extra: string) =>
        console.log(`${road.name.padEnd(9)}  ${cache.padEnd(5)}  ${seconds(wall(list)).padEnd(15)}  ${seconds(cpu(list)).padEnd(9)}  ${extra}`);
      row('off', off, '');
      row(
        'on',
        on,
        `${`${(wall(on) / wall(off)).toFixed(3)}×`.padEnd(10)}  ${`${(cpu(on) / cpu(off)).toFixed(3)}×`.padEnd(10)}  ${(warm.length > 0 ? `${seconds(wall(warm))} (CPU ${seconds(cpu(warm))})` : '-').padEnd(9)}  ${files.files} (${(files.bytes / 1024 / 1024).toFixed(1)} MB)`,
      );
    }
  });
}

runBench(main);
