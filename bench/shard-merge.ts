// A run split four ways with `--shard I/N` against one unsharded run, as a user runs them (verifiers
// only, the real ProcessBench records as JSONL): the wall time of each shard (what one of four machines
// waits) and of all four together (what reading every record in every shard costs), then `stepcritic
// report` of the four run logs against the report of the unsharded log — wall time, peak RSS, and
// whether the two reports hold the same entries and summary.
//
//   node --import tsx bench/shard-merge.ts [--records 3400] [--shards 4] [--format json]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReport } from '../src/engine/report/schema';
import type { ChildRun } from './batch-support';
import { assertOk, build, countItemLines, runBench, runStepcritic, scratch, seconds, writeDataset } from './batch-support';
import { numberFlag } from './flags';

const CHECK = ['--no-llm', '--no-cache', '--quiet', '--fail-on', 'never'];

function row(what: string, run: ChildRun, items?: number): void {
  const count = items === undefined ? '' : String(items);
  console.log(
    `${what.padEnd(28)}${count.padStart(8)}  ${seconds(run.wallMs).padStart(9)}  ${seconds(run.cpuMs).padStart(9)}  ${run.peakRssMb.toFixed(0).padStart(6)} MB`,
  );
}

/** The entries of a JSON report, and its summary, without what differs between two runs of the same judgements: wall times and the date. */
function comparable(path: string): { entries: Map<string, string>; summary: string } {
  const report = parseReport(JSON.parse(readFileSync(path, 'utf8')));
  const text = (value: unknown) => JSON.stringify(value, (key, v: unknown) => (key === 'durationMs' || key === 'createdAt' ? undefined : v));
  return { entries: new Map(report.files.map((f) => [f.uri, text(f)])), summary: text(report.summary) };
}

/** Which entries differ between two reports (a verifier that ran out of time on a loaded machine, say). */
function differences(a: string, b: string): string[] {
  const left = comparable(a);
  const right = comparable(b);
  const uris = [...new Set([...left.entries.keys(), ...right.entries.keys()])];
  const differ = uris.filter((uri) => left.entries.get(uri) !== right.entries.get(uri));
  return [...differ, ...(left.summary === right.summary ? [] : ['the summary'])];
}

async function main(): Promise<void> {
  const records = numberFlag('--records', 3400);
  const shards = numberFlag('--shards', 4);
  const format = process.argv.includes('--format') ? process.argv[process.argv.indexOf('--format') + 1]! : 'json';
  build();
  const work = scratch('shard-merge');
  try {
    const data = join(work.dir, 'data.jsonl');
    await writeDataset(data, records);
    const run = (args: string[]) => runStepcritic(args, { cwd: work.dir, timeoutMs: 3_600_000 });
    console.log(`${records} ProcessBench records, check --no-llm, ${shards} shards; the machine may be shared: compare ratios`);
    console.log(`${'run'.padEnd(28)}${'items'.padStart(8)}  ${'wall'.padStart(9)}  ${'CPU'.padStart(9)}  peak RSS`);

    const whole = await run(['check', 'data.jsonl', ...CHECK, '--run-log', 'whole.jsonl']);
    assertOk(whole, 'the unsharded run');
    row('check (unsharded)', whole, countItemLines(join(work.dir, 'whole.jsonl')));
    const parts: ChildRun[] = [];
    for (let i = 1; i <= shards; i++) {
      const part = await run(['check', 'data.jsonl', ...CHECK, '--shard', `${i}/${shards}`, '--run-log', `run-${i}.jsonl`]);
      assertOk(part, `shard ${i}/${shards}`);
      row(`check --shard ${i}/${shards}`, part, countItemLines(join(work.dir, `run-${i}.jsonl`)));
      parts.push(part);
    }
    const logs = parts.map((_, i) => `run-${i + 1}.jsonl`);
    const single = await run(['report', 'whole.jsonl', '--format', format, '--out', `whole.${format}`]);
    assertOk(single, 'the report of the unsharded log');
    row(`report (1 log, ${format})`, single);
    const merged = await run(['report', ...logs, '--format', format, '--out', `merged.${format}`]);
    assertOk(merged, 'the merged report');
    row(`report (${shards} logs, ${format})`, merged);

    const slowest = Math.max(...parts.map((p) => p.wallMs));
    const total = parts.reduce((sum, p) => sum + p.wallMs, 0);
    console.log(`slowest shard / unsharded: ${(slowest / whole.wallMs).toFixed(2)} (1/${shards} = ${(1 / shards).toFixed(2)} is the ideal)`);
    console.log(`all shards / unsharded: ${(total / whole.wallMs).toFixed(2)} (what each shard reading every record costs)`);
    console.log(
      `merged report / one-log report: wall ${(merged.wallMs / single.wallMs).toFixed(2)}, peak RSS ${(merged.peakRssMb / single.peakRssMb).toFixed(2)}`,
    );
    if (format === 'json') {
      const differ = differences(join(work.dir, 'merged.json'), join(work.dir, 'whole.json'));
      console.log(
        `the merged report has the same entries and summary as the unsharded one: ${differ.length === 0 ? 'yes' : `NO: ${differ.slice(0, 5).join(', ')}`}`,
      );
      if (differ.length > 0) {
        const [uri] = differ;
        const merged = comparable(join(work.dir, 'merged.json')).entries.get(uri!) ?? '';
        const unsharded = comparable(join(work.dir, 'whole.json')).entries.get(uri!) ?? '';
        let at = 0;
        while (at < merged.length && merged[at] === unsharded[at]) at++;
        const around = (text: string) => text.slice(Math.max(0, at - 300), at + 300);
        console.log(`${uri}, merged: …${around(merged)}…\nunsharded: …${around(unsharded)}…`);
        process.exitCode = 1;
      }
    }
  } finally {
    work.remove();
  }
}

runBench(main);
