// Peak memory of `stepcritic check` over a JSONL dataset, as a user runs it, for 5,000 against 20,000
// records: with a run log (verifiers only; the LLM critic against the scripted server, 100 ms per
// request, concurrency 32; the LLM with the caches on, the default), and with the LLM writing a report
// straight to a file (--format json, sarif and html --out, no run log; `json>`: --format json on stdout
// redirected to a file, as a shell's `> report.json` does). Goal: every mode under 300 MB
// and flat in the number of records — the dataset is streamed, finished entries go to the run log or to
// the report's spool on disk, never to memory.
//
// With --no-llm every mode runs the verifiers alone (`check --no-llm --concurrency 32 DATA --format json
// --out …`), the road where the check workers (deadline/check-pool.ts) do all the judging.
//
//   node --import tsx bench/batch-memory.ts [--sizes 5000,20000] [--modes run-log,json,…] [--no-llm]
//
// Measured with --no-llm on 2 shared cores (peak RSS, 5,000 records: json, sarif, html, run-log; then
// 20,000 json): 3 check workers, each with V8's 32 MB young generation and a step memo: 460, 461, 454,
// 468 MB (441 MB at 20,000); 1 worker (one per core but one), an 8 MB young generation and no memo in
// a batch: 242, 242, 244, 233 MB, and 262 MB at 20,000.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ruleBasedCriticHandler } from '../test/support/scripted-llm-server';
import { assertOk, build, llmFlags, readRunLogTimes, runBench, runStepcritic, seconds, withScriptedServer, writeDataset } from './batch-support';

const GOAL_MB = 300;
const MODES = ['verifiers', 'run-log', 'run-log+cache', 'json', 'json>', 'sarif', 'html'] as const;
type Mode = (typeof MODES)[number];

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The flags of a mode, and the file it leaves (the run log, or the report). */
function flagsOf(mode: Mode, size: number, dir: string, baseUrl: string): { flags: string[]; output: string; stdout?: true } {
  const name = mode.replace('+', '-');
  if (mode === 'verifiers') {
    const log = join(dir, `run-${name}-${size}.jsonl`);
    return { flags: ['--no-llm', '--no-cache', '--quiet', '--fail-on', 'never', '--concurrency', '32', '--run-log', log], output: log };
  }
  const llm = [...(process.argv.includes('--no-llm') ? ['--no-llm', '--quiet', '--fail-on', 'never'] : llmFlags(baseUrl)), '--concurrency', '32'];
  if (mode === 'run-log' || mode === 'run-log+cache') {
    const log = join(dir, `run-${name}-${size}.jsonl`);
    const cache = mode === 'run-log' ? ['--no-cache'] : ['--cache-dir', join(dir, `cache-${size}`)];
    return { flags: [...llm, ...cache, '--run-log', log], output: log };
  }
  if (mode === 'json>') return { flags: [...llm, '--no-cache', '--format', 'json'], output: join(dir, `stdout-${size}.json`), stdout: true };
  const report = join(dir, `report-${size}.${mode}`);
  return { flags: [...llm, '--no-cache', '--format', mode, '--out', report], output: report };
}

/** The entries in what a mode wrote, counted the way a reader would. */
function entriesIn(mode: Mode, output: string): number {
  if (mode === 'json' || mode === 'json>') return (JSON.parse(readFileSync(output, 'utf8')) as { files: unknown[] }).files.length;
  if (mode === 'sarif')
    return (JSON.parse(readFileSync(output, 'utf8')) as { runs: { properties: { summary: { entries: number } } }[] }).runs[0]!.properties.summary.entries;
  if (mode === 'html') return readFileSync(output, 'utf8').split('<tr data-index=').length - 1;
  return readRunLogTimes(output).uniqueItems;
}

async function main(): Promise<void> {
  const sizes = (option('sizes') ?? '5000,20000').split(',').map(Number);
  const modes = (option('modes')?.split(',') ?? [...MODES]) as Mode[];
  build();
  await withScriptedServer('memory', { latencyMs: 100, handler: ruleBasedCriticHandler() }, async (work, server) => {
    console.log('records  mode            dataset    output     wall       peak RSS');
    const peaks = new Map<Mode, number[]>(modes.map((m) => [m, []]));
    for (const size of sizes) {
      const data = join(work.dir, `data-${size}.jsonl`);
      await writeDataset(data, size);
      for (const mode of modes) {
        const { flags, output, stdout } = flagsOf(mode, size, work.dir, server.baseUrl);
        const run = await runStepcritic(['check', data, ...flags], { cwd: work.dir, timeoutMs: 3_600_000, ...(stdout ? { stdoutFile: output } : {}) });
        assertOk(run, `${mode} ${size}`);
        const entries = entriesIn(mode, output);
        if (entries !== size) throw new Error(`${mode}: expected ${size} entries in ${output}, found ${entries}`);
        peaks.get(mode)!.push(run.peakRssMb);
        console.log(
          `${String(size).padStart(7)}  ${mode.padEnd(14)}  ${(statSync(data).size / 1e6).toFixed(1).padStart(6)} MB  ${(statSync(output).size / 1e6).toFixed(1).padStart(6)} MB  ${seconds(run.wallMs).padEnd(9)}  ${run.peakRssMb.toFixed(0)} MB`,
        );
      }
    }
    for (const [mode, p] of peaks) {
      if (p.length >= 2)
        console.log(
          `${mode}: peak RSS ${p.map((x) => `${x.toFixed(0)} MB`).join(' → ')} for ${sizes.join(' → ')} records (ratio ${(p[p.length - 1]! / p[0]!).toFixed(2)})`,
        );
    }
    const over = [...peaks].filter(([, p]) => p.some((x) => x >= GOAL_MB)).map(([mode]) => mode);
    console.log(`goal: every mode under ${GOAL_MB} MB: ${over.length === 0 ? 'met' : `NOT met (${over.join(', ')})`}`);
  });
}

runBench(main);
