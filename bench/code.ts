// Code solutions bench: runs the real checker (sandbox, tests, fault localization) over HumanEvalFix
// (buggy and fixed), QuixBugs (buggy and fixed) and HumanEval (canonical), and prints how many
// solutions are flagged, how often the labelled bug is in the top-1 / top-3 steps, and the time per
// solution including the sandbox.
// Two roads: `dataset` judges the records (the dataset's own tests); `user` writes each program as a
// user keeps it — `name.py` (HumanEvalFix: the prompt with its docstring examples, then the solution)
// and `test_name.py` beside it — to a scratch folder and runs the built CLI over the files as a user
// names them: `stepcritic check --run-code <dir>/name.py …`. Both print the same figures.
//   node --import tsx bench/code.ts [--limit N] [--concurrency 2] [--only humanevalfix,quixbugs,humaneval]
//                                   [--layout dataset,user] [--verbose]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { createCodeChecker } from '../src/engine/code/checker';
import { codeRecordToDocument, type CodeDatasetFormat } from '../src/engine/code/datasets';
import { CLEAR_MARGIN } from '../src/engine/code/localize';
import { judgeSolution } from '../src/engine/judge';
import type { FaultLocalizationEvidence, SolutionDocument } from '../src/engine/types';
import { z } from 'zod';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const limit = Number(option('limit') ?? Infinity);
const concurrency = Number(option('concurrency') ?? 2);
const only = (option('only') ?? 'humanevalfix,quixbugs,humaneval').split(',');
const verbose = args.includes('--verbose');
const layouts = (option('layout') ?? 'dataset,user').split(',');
const dataRoot = join(__dirname, '..', '..', 'shared', 'data');
const CLI = join(__dirname, '..', 'bin', 'stepcritic.js');

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

/** The figures of one set of outcomes (one dataset, one variant, one road). */
function summarize(title: string, outcomes: Outcome[], wall: number, variant: 'buggy' | 'fixed', labelled: boolean): void {
  const n = outcomes.length;
  const flagged = outcomes.filter((o) => o.flagged).length;
  const times = outcomes.map((o) => o.ms);
  allTimes.push(...times);
  console.log(`\n${title} (${n} solutions, ${wall.toFixed(1)} s wall at concurrency ${concurrency})`);
  console.log(`  flagged incorrect: ${flagged}/${n} (${pct(flagged, n)})`);
  if (variant === 'buggy' && labelled) {
    const withLabel = outcomes.filter((o) => o.top1 !== undefined);
    const top1 = withLabel.filter((o) => o.top1).length;
    const top3 = withLabel.filter((o) => o.top3).length;
    const marked = withLabel.filter((o) => o.markedRight !== undefined);
    const markedRight = marked.filter((o) => o.markedRight).length;
    if (withLabel.some((o) => o.gap !== undefined || o.top1)) {
      console.log(`  localization top-1: ${top1}/${withLabel.length} (${pct(top1, withLabel.length)})`);
      console.log(`  localization top-3: ${top3}/${withLabel.length} (${pct(top3, withLabel.length)})`);
    }
    console.log(
      `  a step marked incorrect (clear top): ${marked.length}/${withLabel.length}; it holds the bug: ${markedRight}/${marked.length} (${pct(markedRight, marked.length)}); bug inside the earliest incorrect step: ${markedRight}/${withLabel.length} (${pct(markedRight, withLabel.length)})`,
    );
    const gaps = withLabel.flatMap((o) => (o.gap ? [o.gap] : []));
    if (gaps.length > 0) {
      const byMargin = MARGINS.map((m) => {
        const clear = gaps.filter((g) => g.gap >= m - 1e-9);
        return `${m}: ${clear.length} clear, ${pct(clear.filter((g) => g.right).length, clear.length)} right`;
      });
      console.log(`  clear margin (CLEAR_MARGIN = ${CLEAR_MARGIN}) → ${byMargin.join('; ')}`);
    }
  }
  console.log(`  time per solution: median ${quantile(times, 0.5).toFixed(0)} ms, p95 ${quantile(times, 0.95).toFixed(0)} ms`);
  if (variant === 'fixed' && flagged > 0) {
    console.log('  flagged:');
    for (const o of outcomes.filter((x) => x.flagged)) console.log(`    ${o.id}: ${(o.note ?? '').slice(0, 300)}`);
  }
}

async function runSet(name: string, file: string, format: CodeDatasetFormat, variants: Array<'buggy' | 'fixed'>) {
  const records = readJsonl(join(dataRoot, file));
  for (const variant of variants) {
    const documents = records.map((record, i) => {
      const uri = `${join(dataRoot, file)}#${i}`;
      return { id: `${name}#${i}`, document: codeRecordToDocument(record, { uri, format, variant }) };
    });
    const label = format === 'humaneval' ? 'canonical' : variant;
    if (layouts.includes('dataset')) {
      const started = performance.now();
      const outcomes = await pool(documents, ({ id, document }) => judge(id, document));
      summarize(`${name} (${label}), dataset records`, outcomes, (performance.now() - started) / 1000, variant, format !== 'humaneval');
    }
    if (layouts.includes('user') && format !== 'humaneval') {
      const started = performance.now();
      const outcomes = userLayout(name, format, documents);
      summarize(
        `${name} (${label}), user layout: name.py + test_name.py, stepcritic check --run-code`,
        outcomes,
        (performance.now() - started) / 1000,
        variant,
        true,
      );
    }
  }
}

// ---- the user's layout ---------------------------------------------------------------------------

/** A dataset's tests as the test file a user keeps beside the program. */
function testFileFor(format: CodeDatasetFormat, entry: string, document: SolutionDocument): string {
  const tests = document.tests ?? [];
  const header = `from ${entry} import *  # noqa: F401,F403\n\n`;
  if (format === 'humanevalfix') return header + (tests[0]?.code ?? '');
  // QuixBugs: the graph programs' pytest functions as they are; the JSON cases one test function each.
  if (tests.length === 1 && /^def test/m.test(tests[0]!.code)) return header + tests[0]!.code;
  const indent = (code: string) => code.replace(/^(?=.)/gm, '    ');
  return header + tests.map((t, i) => `def test_case_${i + 1}():\n${indent(t.code)}\n`).join('\n');
}

const ReportSchema = z.object({
  files: z.array(
    z.object({
      uri: z.string(),
      verdict: z.string().nullable().optional(),
      firstErrorIndex: z.number().nullable().optional(),
      warnings: z.array(z.string()).default([]),
      reason: z.string().optional(),
      durationMs: z.number().optional(),
      steps: z
        .array(
          z.object({
            index: z.number(),
            verdict: z.string(),
            range: z.object({ start: z.object({ line: z.number() }), end: z.object({ line: z.number() }) }),
            message: z.string(),
          }),
        )
        .default([]),
    }),
  ),
});

function userLayout(name: string, format: CodeDatasetFormat, documents: { id: string; document: SolutionDocument }[]): Outcome[] {
  const dir = mkdtempSync(join(tmpdir(), 'stepcritic-bench-code-'));
  try {
    const files: string[] = [];
    const byFile = new Map<string, { id: string; document: SolutionDocument }>();
    for (const [i, item] of documents.entries()) {
      const entry = entryPointOf(item.document, i);
      const folder = join(dir, `${name.toLowerCase()}-${i}`);
      mkdirSync(folder);
      const program = join(folder, `${entry}.py`);
      writeFileSync(program, item.document.text);
      writeFileSync(join(folder, `test_${entry}.py`), testFileFor(format, entry, item.document));
      files.push(program);
      byFile.set(program, item);
    }
    const out = join(dir, 'report.json');
    const run = spawnSync(
      process.execPath,
      [CLI, 'check', '--run-code', '--format', 'json', '--out', out, '--fail-on', 'never', '--jobs', String(concurrency), ...files],
      {
        encoding: 'utf8',
        env: { ...process.env, STEPCRITIC_BASE_URL: '', OPENAI_API_KEY: '' },
      },
    );
    if (!existsSync(out)) throw new Error(`stepcritic check failed: ${run.stderr}`);
    const report = ReportSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
    const missing = files.length - report.files.length;
    if (missing !== 0) console.log(`  ${missing} files missing from the report`);
    return report.files.map((f) => {
      const item = byFile.get(f.uri) ?? byFile.get(join(dir, f.uri));
      const bugLines = item?.document.labels?.bugLines ?? [];
      const first = f.firstErrorIndex ?? -1;
      const step = first >= 0 ? f.steps[first] : undefined;
      const holds = step !== undefined && bugLines.some((l) => step.range.start.line + 1 <= l && l <= step.range.end.line + 1);
      const outcome: Outcome = {
        id: item?.id ?? f.uri,
        flagged: f.verdict === 'incorrect',
        markedStep: first,
        ms: f.durationMs ?? 0,
        note: [f.reason, ...f.warnings].filter(Boolean).join(' '),
      };
      if (bugLines.length > 0) {
        outcome.top1 = false;
        if (first >= 0) outcome.markedRight = holds;
      }
      if (verbose)
        console.log(
          `${outcome.id}\tflagged=${outcome.flagged}\tmarked=${first}${holds ? '*' : ''}\tbug=${bugLines.join(',')}\t${(outcome.note ?? '').slice(0, 160)}`,
        );
      return outcome;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The function a program defines for its tests: HumanEval's entry point, QuixBugs' program name. */
function entryPointOf(document: SolutionDocument, i: number): string {
  const fromTest = document.tests?.map((t) => t.entryPoint).find(Boolean);
  if (fromTest) return fromTest;
  const named = /\/([A-Za-z_][A-Za-z0-9_]*)\.py/.exec(document.uri) ?? /^def ([A-Za-z_][A-Za-z0-9_]*)/m.exec(document.text);
  return named?.[1] ?? `program_${i}`;
}

async function main() {
  if (!existsSync(dataRoot)) {
    console.log(`bench/code.ts: no evaluation data at ${dataRoot} (../shared/data); nothing to measure.`);
    return;
  }
  if (layouts.includes('user') && !existsSync(CLI.replace(/bin[/\\]stepcritic\.js$/, 'dist/cli/main.js'))) {
    console.log('bench/code.ts: the user layout runs the built CLI; run `npm run build` first.');
    return;
  }
  if (only.includes('humanevalfix')) await runSet('HumanEvalFix', 'humanevalfix/humanevalpack.jsonl', 'humanevalfix', ['buggy', 'fixed']);
  if (only.includes('quixbugs')) await runSet('QuixBugs', 'quixbugs/quixbugs_python.jsonl', 'quixbugs', ['buggy', 'fixed']);
  if (only.includes('humaneval')) await runSet('HumanEval', 'humaneval/HumanEval.jsonl.gz', 'humaneval', ['fixed']);
  console.log(
    `\nall solutions: ${allTimes.length}, time per solution median ${quantile(allTimes, 0.5).toFixed(0)} ms, p95 ${quantile(allTimes, 0.95).toFixed(0)} ms`,
  );
}

void main();
