// Fault localization over a solution's steps.
//
// Spectrum-based (Ochiai): each test that ran gives the set of solution lines it executed; a line's
// suspiciousness is ef / sqrt(F · (ef + ep)) (ef/ep: failing/passing tests that run it, F: all
// failing tests). A step scores the maximum over its lines.
//
// That alone cannot separate the lines that every test runs, which is where most small bugs are
// (HumanEvalFix: a wrong operator in a loop body every test goes through). Mutation analysis can
// (MUSE, Metallaxis-FL): the harness tries small changes to each statement the failing tests run and
// scores a statement by its best mutant, (fixed / F) · (1 − broke / P) (the share of failing tests it
// makes pass, discounted by the share of the P passing tests it makes fail). When mutants were tried, a step's score is the mean of the two.
//
// A mutant that makes every failing test pass and breaks no passing one is a candidate fix: its
// statement ranks above every statement whose best mutant only fixes some of the failing tests, whatever
// their spectra say (a partial fix is often a nonsense change that happens to flip one assertion, such as
// `(lo + hi) // 2 -> (lo + hi) // 1`). Of two candidate fixes, the likelier kind of change goes first
// and stands out (`t = 1 -> 0` over `list1 -> test`: substituting variables tries many mutants per
// site, so one of them fixing by chance is likelier). Between steps of the same kind, by score, then
// by how many of the step's mutants are such fixes (MUSE sums over a statement's mutants): a faulty
// `if depth < 0` is fixed by `<= 0`, `== 0` and `< 1` alike, while `depth = 0 -> -1`, a change that
// compensates for it, is one lucky constant; that count also makes the top step stand out. Remaining
// ties are broken by nesting, then source order (the earliest candidate first, as the earliest wrong
// step is the unit of work). Statements that compute nothing (imports, docstrings, plain def headers) are not
// ranked at all: every test runs them, so their spectra tie with the bug's.
import type { FaultLocalizationEvidence, Position, Range, Step } from '../types';
import { comparePositions } from './source-text';
import type { MutationStatement } from './test-results';

export interface TestSpectrum {
  failed: boolean;
  /** 1-based lines of the solution the test executed. */
  lines: readonly number[];
}

export interface MutationFindings {
  /** How many mutants ran: 0 means mutation analysis said nothing (then spectra alone decide). */
  tried: number;
  statements: readonly MutationStatement[];
}

/** A statement that computes nothing a test could find wrong: [first line, column, last line, column], 1-based lines. */
export type InertSpan = readonly [number, number, number, number];

export interface LocalizeOptions {
  mutation?: MutationFindings;
  /** Steps inside these spans (an import, a docstring, a plain def header) are never ranked. */
  inert?: readonly InertSpan[];
  margin?: number;
}

/**
 * How far the top step must be ahead of the next one to be called clear. With scores in [0, 1], two
 * steps closer than this are treated as tied and stay `uncertain` rather than guessed. Spectra alone
 * separate steps by one test's worth (on a handful of tests, about 0.1 or more); a mutant that fixes
 * failing tests lifts its step by half its mutation score. Measured with bench/code.ts (it prints
 * the trade-off): on HumanEvalFix's records, a margin of 0.05 calls 126 of 164 tops clear and 88% of
 * those hold the labelled bug; 0.1 calls 114 clear, 94% right; 0.15 calls 111, 95% right. 0.1 is where
 * the precision stops rising fast while most solutions still get a marked step.
 */
export const CLEAR_MARGIN = 0.1;

export interface RankedStep {
  stepIndex: number;
  score: number;
  rank: number;
  mutation?: MutationStatement;
  /** fixOrder of its best mutant: lower is a likelier candidate fix; NOT_A_FIX when it fixes only some failing tests. */
  fix: number;
}

/** How many of a step's candidate fixes are alike its best one (0 when it has none). */
const alike = (ranked: Pick<RankedStep, 'fix' | 'mutation'>) => (ranked.fix === NOT_A_FIX ? 0 : (ranked.mutation?.alike ?? 1));

/** Two candidate fixes of the same kind and score: the step with more such fixes stands out. */
const hasMoreFixes = (top: RankedStep, next: RankedStep) => top.fix === next.fix && top.score === next.score && alike(top) > alike(next);

/** A mutant whose score is 1: (fixed / failing) · (1 − broke / passing) = 1. */
function isCandidateFix(mutation: MutationStatement | undefined): boolean {
  return mutation !== undefined && mutation.score >= 1 - 1e-9;
}

/**
 * Candidate fixes in order of how likely their kind of change is the bug (the mutant's tier: an
 * operator or a constant, then a deletion, then one variable for another, which is tried many times
 * per site and so fixes by chance more often); a step without one comes after them all.
 */
function fixOrder(mutation: MutationStatement | undefined): number {
  return mutation !== undefined && isCandidateFix(mutation) ? (mutation.tier ?? 0) : NOT_A_FIX;
}

const NOT_A_FIX = 3;

export function ochiaiByLine(spectra: readonly TestSpectrum[]): Map<number, number> {
  const totalFailed = spectra.filter((s) => s.failed).length;
  const counts = new Map<number, { ef: number; ep: number }>();
  for (const spectrum of spectra) {
    for (const line of new Set(spectrum.lines)) {
      const c = counts.get(line) ?? { ef: 0, ep: 0 };
      if (spectrum.failed) c.ef++;
      else c.ep++;
      counts.set(line, c);
    }
  }
  const scores = new Map<number, number>();
  for (const [line, { ef, ep }] of counts) {
    scores.set(line, totalFailed === 0 || ef === 0 ? 0 : ef / Math.sqrt(totalFailed * (ef + ep)));
  }
  return scores;
}

type LocatedStep = Pick<Step, 'index' | 'range'>;

const holds = (range: Range, at: Position) => comparePositions(range.start, at) <= 0 && comparePositions(at, range.end) <= 0;

/**
 * The step a mutated statement belongs to: of the steps that hold where the statement starts, the one
 * that starts last (`for j in r: x *= i` is two steps on one line; the mutant of `x *= i` is the
 * second's). Without a column, the first step that holds its first line.
 */
function stepOfStatement(steps: readonly LocatedStep[], statement: MutationStatement): LocatedStep | undefined {
  const line = statement.line - 1;
  if (statement.col === undefined) return steps.find((s) => s.range.start.line <= line && line <= s.range.end.line);
  const at = { line, character: statement.col };
  return steps
    .filter((s) => holds(s.range, at))
    .reduce<LocatedStep | undefined>((a, s) => (a && comparePositions(a.range.start, s.range.start) >= 0 ? a : s), undefined);
}

function isInert(step: LocatedStep, inert: readonly InertSpan[]): boolean {
  return inert.some(
    ([line, col, endLine, endCol]) =>
      comparePositions({ line: line - 1, character: col }, step.range.start) <= 0 &&
      comparePositions(step.range.end, { line: endLine - 1, character: endCol }) <= 0,
  );
}

export function rankSteps(steps: readonly LocatedStep[], lineScores: ReadonlyMap<number, number>, options: Omit<LocalizeOptions, 'margin'> = {}): RankedStep[] {
  const { mutation, inert = [] } = options;
  const useMutation = (mutation?.tried ?? 0) > 0;
  // Equal scores (every failing test ran both steps): the more deeply nested statement first, as it
  // runs at least as often as the statements around it.
  const byIndex = new Map(steps.map((s) => [s.index, s.range.start.character]));
  const indent = (index: number) => byIndex.get(index) ?? 0;
  const bestMutant = new Map<number, MutationStatement>();
  for (const m of mutation?.statements ?? []) {
    const owner = stepOfStatement(steps, m);
    const held = owner ? bestMutant.get(owner.index) : undefined;
    if (owner && (held === undefined || m.score > held.score || (m.score === held.score && (m.tier ?? 0) < (held.tier ?? 0)))) bestMutant.set(owner.index, m);
  }
  const scored = steps
    .filter((step) => !isInert(step, inert))
    .map((step) => {
      let spectrum = 0;
      for (let l = step.range.start.line + 1; l <= step.range.end.line + 1; l++) spectrum = Math.max(spectrum, lineScores.get(l) ?? 0);
      const best = bestMutant.get(step.index);
      const score = useMutation ? (spectrum + (best?.score ?? 0)) / 2 : spectrum;
      return { stepIndex: step.index, score, spectrum, mutation: best, fix: fixOrder(best) };
    });
  return scored
    .filter((s) => s.spectrum > 0 || s.mutation !== undefined)
    .sort((a, b) => a.fix - b.fix || b.score - a.score || alike(b) - alike(a) || indent(b.stepIndex) - indent(a.stepIndex) || a.stepIndex - b.stepIndex)
    .map((s, i) => ({ stepIndex: s.stepIndex, score: s.score, rank: i + 1, fix: s.fix, ...(s.mutation ? { mutation: s.mutation } : {}) }));
}

export function localizeFaults(
  steps: readonly LocatedStep[],
  spectra: readonly TestSpectrum[],
  options: LocalizeOptions = {},
): Map<number, FaultLocalizationEvidence> {
  const margin = options.margin ?? CLEAR_MARGIN;
  const failedTests = spectra.filter((s) => s.failed).length;
  const passedTests = spectra.length - failedTests;
  const evidence = new Map<number, FaultLocalizationEvidence>();
  if (failedTests === 0) return evidence;
  const ranked = rankSteps(steps, ochiaiByLine(spectra), options);
  const top = ranked[0];
  const next = ranked[1];
  for (const r of ranked) {
    const clear = r === top && (next === undefined || r.fix < next.fix || r.score - next.score >= margin - 1e-9 || hasMoreFixes(r, next));
    evidence.set(r.stepIndex, {
      kind: 'fault-localization',
      score: Math.round(r.score * 1000) / 1000,
      rank: r.rank,
      failedTests,
      passedTests,
      clear,
      ...(r.mutation
        ? {
            mutation: {
              change: r.mutation.change,
              fixedTests: r.mutation.fixed,
              brokenTests: r.mutation.broke,
              score: Math.round(r.mutation.score * 1000) / 1000,
            },
          }
        : {}),
    });
  }
  return evidence;
}
