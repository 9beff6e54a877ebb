// Code solutions bench: runs the real checker (sandbox, tests, fault localization) over HumanEvalFix
// (buggy and fixed), QuixBugs (buggy and fixed) and HumanEval (canonical), and prints how many
// solutions are flagged, how often the labelled bug is in the top-1 / top-3 steps, and the time per
// solution including the sandbox.
//   node --import tsx bench/code.ts [--limit N] [--concurrency 2] [--only humanevalfix,quixbugs,humaneval] [--verbose]
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { createCodeChecker } from '../src/engine/code/checker';
import { codeRecordToDocument, type CodeDatasetFormat } from '../src/engine/code/datasets';
import { CLEAR_MARGIN } from '../src/engine/code/localize';
import { judgeSolution } from '../src/engine/judge';
import type { FaultLocalizationEvidence, SolutionDocument } from '../src/engine/types';
import { sharedData } from './shared-data';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const limit = Number(option('limit') ?? Infinity);
const concurrency = Number(option('concurrency') ?? 2);
const only = (option('only') ?? 'humanevalfix,quixbugs,humaneval').split(',');
const verbose = args.includes('--verbose');
const dataRoot = sharedData();

const checker = createCodeChecker({ allowRun: true });

/** Margins to report next to CLEAR_MARGIN: how many tops each would call clear, and how many of those hold the bug. */
const MARGINS = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3];

interface Outcome {
  id: string;
  /** Score gap between the rank-1 and rank-2 steps, and whether rank 1 holds the bug. */
  gap?: { gap: number; right: boolean };
  flagged: boolean;
  top1?: boolean;
  top3?: boolean;
  markedStep: number;
  markedRight?: boolean;
  ms: number;
  note?: string;
}

async function judge(id: string, document: SolutionDocument): Promise<Outcome> {
  const t0 = performance.now();
  const judgement = await judgeSolution(document, { codeChecker: checker, criticOffReason: 'bench: verifiers only' });
  const ms = performance.now() - t0;
  const bugLines = document.labels?.bugLines ?? [];
  const holdsBug = (index: number) => {
    const step = document.steps[index];
    return !!step && bugLines.some((l) => step.range.start.line + 1 <= l && l <= step.range.end.line + 1);
  };
  const ranked = judgement.steps
    .flatMap((s) =>
      s.evidence
        .filter((e): e is FaultLocalizationEvidence => e.kind === 'fault-localization')
        .map((e) => ({ index: s.stepIndex, rank: e.rank, score: e.score })),
    )
    .sort((a, b) => a.rank - b.rank);
  const outcome: Outcome = {
    id,
    flagged: judgement.verdict === 'incorrect',
    markedStep: judgement.firstErrorIndex,
    ms,
    note: judgement.warnings.join(' '),
  };
  if (bugLines.length > 0) {
    outcome.top1 = ranked.slice(0, 1).some((r) => holdsBug(r.index));
    outcome.top3 = ranked.slice(0, 3).some((r) => holdsBug(r.index));
    if (judgement.firstErrorIndex >= 0) outcome.markedRight = holdsBug(judgement.firstErrorIndex);
    if (ranked[0]) outcome.gap = { gap: ranked[0].score - (ranked[1]?.score ?? 0), right: holdsBug(ranked[0].index) };
  }
  if (verbose) {
    const top = ranked
      .slice(0, 3)
      .map((r) => `${r.index}${holdsBug(r.index) ? '*' : ''}`)
      .join(',');
    console.log(
      `${id}\tflagged=${outcome.flagged}\ttop=${top}\tbug=${bugLines.join(',')}\tmarked=${judgement.firstErrorIndex}\t${Math.round(ms)}ms\t${(outcome.note ?? '').slice(0, 120)}`,
    );
  }
  return outcome;
}

async function pool<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

function readJsonl(path: string): unknown[] {
  const raw = path.endsWith('.gz') ? gunzipSync(readFileSync(path)).toString('utf8') : readFileSync(path, 'utf8');
  return raw
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as unknown)
    .slice(0, limit);
}

const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
const allTimes: number[] = [];

async function runSet(name: string, file: string, format: CodeDatasetFormat, variants: Array<'buggy' | 'fixed'>) {
  const records = readJsonl(join(dataRoot, file));
  for (const variant of variants) {
    const documents = records.map((record, i) => {
      const uri = `${join(dataRoot, file)}#${i}`;
      return { id: `${name}#${i}`, document: codeRecordToDocument(record, { uri, format, variant }) };
    });
    const started = performance.now();
    const outcomes = await pool(documents, ({ id, document }) => judge(id, document));
    const wall = (performance.now() - started) / 1000;
    const n = outcomes.length;
    const flagged = outcomes.filter((o) => o.flagged).length;
    const times = outcomes.map((o) => o.ms);
    allTimes.push(...times);
    const label = format === 'humaneval' ? 'canonical' : variant;
    console.log(`\n${name} (${label}, ${n} solutions, ${wall.toFixed(1)} s wall at concurrency ${concurrency})`);
    console.log(`  flagged incorrect: ${flagged}/${n} (${pct(flagged, n)})`);
    if (variant === 'buggy' && format !== 'humaneval') {
      const labelled = outcomes.filter((o) => o.top1 !== undefined);
      const top1 = labelled.filter((o) => o.top1).length;
      const top3 = labelled.filter((o) => o.top3).length;
      const marked = labelled.filter((o) => o.markedRight !== undefined);
      const markedRight = marked.filter((o) => o.markedRight).length;
      console.log(`  localization top-1: ${top1}/${labelled.length} (${pct(top1, labelled.length)})`);
      console.log(`  localization top-3: ${top3}/${labelled.length} (${pct(top3, labelled.length)})`);
      console.log(
        `  a step marked incorrect (clear top): ${marked.length}/${labelled.length}; it holds the bug: ${markedRight}/${marked.length} (${pct(markedRight, marked.length)})`,
      );
      const gaps = labelled.flatMap((o) => (o.gap ? [o.gap] : []));
      const byMargin = MARGINS.map((m) => {
        const clear = gaps.filter((g) => g.gap >= m - 1e-9);
        return `${m}: ${clear.length} clear, ${pct(clear.filter((g) => g.right).length, clear.length)} right`;
      });
      console.log(`  clear margin (CLEAR_MARGIN = ${CLEAR_MARGIN}) → ${byMargin.join('; ')}`);
    }
    console.log(`  time per solution: median ${quantile(times, 0.5).toFixed(0)} ms, p95 ${quantile(times, 0.95).toFixed(0)} ms`);
    if (!verbose && variant === 'fixed' && flagged > 0) {
      console.log(
        `  flagged: ${outcomes
          .filter((o) => o.flagged)
          .map((o) => o.id)
          .join(', ')}`,
      );
    }
  }
}

async function main() {
  if (only.includes('humanevalfix')) await runSet('HumanEvalFix', 'humanevalfix/humanevalpack.jsonl', 'humanevalfix', ['buggy', 'fixed']);
  if (only.includes('quixbugs')) await runSet('QuixBugs', 'quixbugs/quixbugs_python.jsonl', 'quixbugs', ['buggy', 'fixed']);
  if (only.includes('humaneval')) await runSet('HumanEval', 'humaneval/HumanEval.jsonl.gz', 'humaneval', ['fixed']);
  console.log(
    `\nall solutions: ${allTimes.length}, time per solution median ${quantile(allTimes, 0.5).toFixed(0)} ms, p95 ${quantile(allTimes, 0.95).toFixed(0)} ms`,
  );
}

void main();
