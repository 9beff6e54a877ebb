// What the HTML report computes from entries that carry ground-truth labels (ProcessBench and the
// other datasets): the ProcessBench table (accuracy on erroneous solutions, on correct ones, and their
// harmonic mean) and the calibration of step P(True) (reliability bins, ECE, Brier, AUROC). The
// formulas are the ones `stepcritic eval` uses (src/engine/eval/metrics.ts); this file only picks the
// labelled entries and steps out of a report.
//
// Step-level truth comes from the label of the earliest wrong step k: steps before k are correct,
// step k is wrong, steps after k are not labelled (ProcessBench does not say whether they hold);
// with k = -1 every step is correct.
import type { CalibrationBin, ProbabilityOutcome } from '../eval/metrics';
import { calibrationBins, probabilityScores, processBenchScores, stepLabelsFromFirstError } from '../eval/metrics';
import type { FileReport } from './schema';

export type { CalibrationBin } from '../eval/metrics';

export interface F1Row {
  dataset: string;
  /** Labelled solutions that were judged. */
  judged: number;
  /** Labelled solutions that could not be judged (failed, skipped). */
  notJudged: number;
  erroneous: number;
  erroneousHit: number;
  correct: number;
  correctHit: number;
  accErroneous: number | null;
  accCorrect: number | null;
  /** Harmonic mean of the two accuracies (ProcessBench's F1). */
  f1: number | null;
}

export interface Calibration {
  bins: CalibrationBin[];
  /** Expected calibration error over the bins (weighted by count); null without pairs. */
  ece: number | null;
  /** Mean squared error of P(True) against the 0/1 truth. */
  brier: number | null;
  auroc: number | null;
  pairs: number;
}

export function hasLabels(file: FileReport): boolean {
  return file.labels !== undefined && file.labels.firstErrorStep !== null && file.labels.firstErrorStep !== undefined;
}

/** One row per dataset, then `all` when there is more than one. */
export function processBenchTable(files: readonly FileReport[]): F1Row[] {
  const groups = new Map<string, { predictions: { predicted: number; label: number }[]; notJudged: number }>();
  const groupFor = (dataset: string) => {
    let group = groups.get(dataset);
    if (!group) {
      group = { predictions: [], notJudged: 0 };
      groups.set(dataset, group);
    }
    return group;
  };
  const all = { predictions: [] as { predicted: number; label: number }[], notJudged: 0 };
  for (const file of files) {
    if (!hasLabels(file)) continue;
    const group = groupFor(file.labels!.dataset);
    if (file.status !== 'judged' || file.firstErrorIndex === null) {
      group.notJudged += 1;
      all.notJudged += 1;
      continue;
    }
    const prediction = { predicted: file.firstErrorIndex, label: file.labels!.firstErrorStep! };
    group.predictions.push(prediction);
    all.predictions.push(prediction);
  }
  const row = (dataset: string, group: { predictions: { predicted: number; label: number }[]; notJudged: number }): F1Row => {
    const scores = processBenchScores(group.predictions);
    return {
      dataset,
      judged: group.predictions.length,
      notJudged: group.notJudged,
      erroneous: scores.erroneous.total,
      erroneousHit: scores.erroneous.right,
      correct: scores.correct.total,
      correctHit: scores.correct.right,
      accErroneous: scores.erroneous.accuracy,
      accCorrect: scores.correct.accuracy,
      f1: scores.f1,
    };
  };
  const rows = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([dataset, group]) => row(dataset, group));
  return rows.length > 1 ? [...rows, row('all', all)] : rows;
}

/** (P(True), truth) for every labelled step that has a probability: the P(True) shown, or the critic's raw one before calibration. */
export function labelledStepPairs(files: readonly FileReport[], which: 'shown' | 'raw' = 'shown'): ProbabilityOutcome[] {
  const pairs: ProbabilityOutcome[] = [];
  for (const file of files) {
    if (!hasLabels(file) || file.status !== 'judged') continue;
    const truth = stepLabelsFromFirstError(file.labels!.firstErrorStep!, Math.max(0, ...file.steps.map((s) => s.index + 1)));
    for (const step of file.steps) {
      const y = truth[step.index];
      if (step.pTrue === null || step.accepted || y === null || y === undefined) continue;
      pairs.push({ p: which === 'raw' ? (step.rawPTrue ?? step.pTrue) : step.pTrue, y });
    }
  }
  return pairs;
}

export function calibration(pairs: readonly ProbabilityOutcome[], binCount = 10): Calibration {
  return {
    bins: calibrationBins(pairs, binCount),
    ...probabilityScores(pairs, binCount),
    pairs: pairs.length,
  };
}

/** Counts of step P(True) values in `binCount` equal bins over [0, 1]. */
export function pTrueHistogram(files: readonly FileReport[], binCount = 10): number[] {
  const counts = new Array<number>(binCount).fill(0);
  for (const file of files) {
    for (const step of file.steps) {
      if (step.pTrue === null) continue;
      counts[Math.min(binCount - 1, Math.floor(step.pTrue * binCount))]! += 1;
    }
  }
  return counts;
}
