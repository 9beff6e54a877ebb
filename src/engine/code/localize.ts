// Spectrum-based fault localization. Each test that ran gives the set of solution lines it executed;
// a line's Ochiai suspiciousness is ef / sqrt(F · (ef + ep)) (ef/ep: failing/passing tests that run
// it, F: all failing tests). A step scores the maximum over its lines; steps are ranked by score,
// ties broken by source order (the earliest candidate first, as the earliest wrong step is the unit).
import type { FaultLocalizationEvidence, Range, Step } from '../types';

export interface TestSpectrum {
  failed: boolean;
  /** 1-based lines of the solution the test executed. */
  lines: readonly number[];
}

/**
 * How far the top step must be ahead of the next one to be called clear. Scores are Ochiai values in
 * [0, 1]; with the margin below, two steps whose scores differ by less are treated as tied, and the
 * steps stay `uncertain` rather than guessed. Chosen on HumanEvalFix/QuixBugs (see bench/code.ts):
 * it is the smallest margin at which a clear top step is almost always the labelled bug.
 */
export const CLEAR_MARGIN = 0.1;

export interface RankedStep {
  stepIndex: number;
  score: number;
  rank: number;
}

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

function stepLines(range: Range): number[] {
  const lines: number[] = [];
  for (let l = range.start.line; l <= range.end.line; l++) lines.push(l + 1);
  return lines;
}

export function rankSteps(steps: readonly Pick<Step, 'index' | 'range'>[], lineScores: ReadonlyMap<number, number>): RankedStep[] {
  const scored = steps
    .map((step) => ({ stepIndex: step.index, score: Math.max(0, ...stepLines(step.range).map((l) => lineScores.get(l) ?? 0)) }))
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.stepIndex - b.stepIndex);
  return scored.map((s, i) => ({ ...s, rank: i + 1 }));
}

export function localizeFaults(
  steps: readonly Pick<Step, 'index' | 'range'>[],
  spectra: readonly TestSpectrum[],
  margin = CLEAR_MARGIN,
): Map<number, FaultLocalizationEvidence> {
  const failedTests = spectra.filter((s) => s.failed).length;
  const passedTests = spectra.length - failedTests;
  const evidence = new Map<number, FaultLocalizationEvidence>();
  if (failedTests === 0) return evidence;
  const ranked = rankSteps(steps, ochiaiByLine(spectra));
  const top = ranked[0];
  const next = ranked[1];
  for (const r of ranked) {
    const clear = r === top && (next === undefined || r.score - next.score >= margin - 1e-9);
    evidence.set(r.stepIndex, {
      kind: 'fault-localization',
      score: Math.round(r.score * 1000) / 1000,
      rank: r.rank,
      failedTests,
      passedTests,
      clear,
    });
  }
  return evidence;
}
