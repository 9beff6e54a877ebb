// Evaluation metrics for `stepcritic eval`.
//   ProcessBench: accuracy on erroneous solutions (the predicted earliest wrong step equals the label),
//   accuracy on correct ones (nothing flagged), and their harmonic mean, which the paper calls F1.
//   Calibration of step P(True) against step labels: ECE over 10 equal-width bins, the Brier score,
//   and AUROC (the probability that a correct step gets a higher P(True) than a wrong one, ties ½).

export interface FirstErrorPrediction {
  /** Predicted index of the earliest wrong step, -1 for "no error". */
  predicted: number;
  /** Labelled index, -1 when every step is correct. */
  label: number;
  /** Only the solution's correctness is labelled (a final-answer label): `label` is 0 for a wrong one, whose step is unknown, so any flagged step catches it. */
  solutionLevel?: boolean;
}

export interface AccuracyCount {
  total: number;
  right: number;
  /** right / total, null when there is nothing to count. */
  accuracy: number | null;
}

export interface ProcessBenchScores {
  erroneous: AccuracyCount;
  correct: AccuracyCount;
  /** Harmonic mean of the two accuracies; null when either is undefined. */
  f1: number | null;
}

function count(total: number, right: number): AccuracyCount {
  return { total, right, accuracy: total === 0 ? null : right / total };
}

export function harmonicMean(a: number | null, b: number | null): number | null {
  if (a === null || b === null) return null;
  return a + b === 0 ? 0 : (2 * a * b) / (a + b);
}

export function processBenchScores(items: readonly FirstErrorPrediction[]): ProcessBenchScores {
  let errTotal = 0;
  let errRight = 0;
  let okTotal = 0;
  let okRight = 0;
  for (const { predicted, label, solutionLevel } of items) {
    if (label >= 0) {
      errTotal++;
      if (solutionLevel ? predicted >= 0 : predicted === label) errRight++;
    } else {
      okTotal++;
      if (predicted < 0) okRight++;
    }
  }
  const erroneous = count(errTotal, errRight);
  const correct = count(okTotal, okRight);
  return { erroneous, correct, f1: harmonicMean(erroneous.accuracy, correct.accuracy) };
}

export interface ProbabilityOutcome {
  /** Predicted probability that the step is correct. */
  p: number;
  /** Whether it is (1) or not (0). */
  y: 0 | 1;
}

export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  meanP: number | null;
  accuracy: number | null;
}

/** Equal-width bins over [0, 1]; p = 1 falls in the last bin. */
export function calibrationBins(items: readonly ProbabilityOutcome[], bins = 10): CalibrationBin[] {
  const sums = Array.from({ length: bins }, () => ({ n: 0, p: 0, y: 0 }));
  for (const { p, y } of items) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    sums[b]!.n++;
    sums[b]!.p += p;
    sums[b]!.y += y;
  }
  return sums.map((s, i) => ({
    lower: i / bins,
    upper: (i + 1) / bins,
    count: s.n,
    meanP: s.n === 0 ? null : s.p / s.n,
    accuracy: s.n === 0 ? null : s.y / s.n,
  }));
}

/** Expected calibration error: Σ_b (n_b / N) · |accuracy_b − mean P_b|. Null for no items. */
export function expectedCalibrationError(items: readonly ProbabilityOutcome[], bins = 10): number | null {
  if (items.length === 0) return null;
  let ece = 0;
  for (const bin of calibrationBins(items, bins)) {
    if (bin.count === 0) continue;
    ece += (bin.count / items.length) * Math.abs(bin.accuracy! - bin.meanP!);
  }
  return ece;
}

/** Mean squared difference between P(True) and the outcome. Null for no items. */
export function brierScore(items: readonly ProbabilityOutcome[]): number | null {
  if (items.length === 0) return null;
  return items.reduce((sum, { p, y }) => sum + (p - y) ** 2, 0) / items.length;
}

/**
 * Area under the ROC curve, by the Mann–Whitney statistic with average ranks for ties.
 * Null when either class is missing (the AUROC is undefined).
 */
export function auroc(items: readonly ProbabilityOutcome[]): number | null {
  const positives = items.filter((i) => i.y === 1).length;
  const negatives = items.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const sorted = [...items].sort((a, b) => a.p - b.p);
  let rankSumPositive = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]!.p === sorted[i]!.p) j++;
    const averageRank = (i + 1 + (j + 1)) / 2;
    for (let k = i; k <= j; k++) if (sorted[k]!.y === 1) rankSumPositive += averageRank;
    i = j + 1;
  }
  return (rankSumPositive - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface ProbabilityScores {
  /** Expected calibration error over equal-width bins (10 unless said). */
  ece: number | null;
  brier: number | null;
  auroc: number | null;
}

/** ECE, Brier score and AUROC of the same (P(True), outcome) pairs: how calibration is scored everywhere. */
export function probabilityScores(items: readonly ProbabilityOutcome[], bins = 10): ProbabilityScores {
  return { ece: expectedCalibrationError(items, bins), brier: brierScore(items), auroc: auroc(items) };
}

/**
 * The step labels a first-error label implies: steps before it are correct, the step itself wrong, and
 * steps after it unknown (ProcessBench labels only the earliest error). -1: all steps correct.
 */
export function stepLabelsFromFirstError(firstError: number, stepCount: number): (0 | 1 | null)[] {
  return Array.from({ length: stepCount }, (_, i) => (firstError < 0 || i < firstError ? 1 : i === firstError ? 0 : null));
}
