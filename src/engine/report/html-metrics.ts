// What the HTML report computes from entries that carry ground-truth labels (ProcessBench and the
// other datasets): the ProcessBench table (accuracy on erroneous solutions, on correct ones, and their
// harmonic mean) and the calibration of step P(True) (reliability bins, ECE).
//
// Step-level truth comes from the label of the earliest wrong step k: steps before k are correct,
// step k is wrong, steps after k are not labelled (ProcessBench does not say whether they hold);
// with k = -1 every step is correct.
import type { FileReport } from './schema';

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

export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  meanP: number | null;
  /** Share of the bin's steps that are labelled correct. */
  accuracy: number | null;
}

export interface Calibration {
  bins: CalibrationBin[];
  /** Expected calibration error over the bins (weighted by count); null without pairs. */
  ece: number | null;
  /** Mean squared error of P(True) against the 0/1 truth. */
  brier: number | null;
  pairs: number;
}

export function hasLabels(file: FileReport): boolean {
  return file.labels !== undefined && file.labels.firstErrorStep !== null && file.labels.firstErrorStep !== undefined;
}

function harmonic(a: number | null, b: number | null): number | null {
  if (a === null || b === null) return null;
  return a + b === 0 ? 0 : (2 * a * b) / (a + b);
}

function ratio(hit: number, of: number): number | null {
  return of === 0 ? null : hit / of;
}

/** One row per dataset, then `all` when there is more than one. */
export function processBenchTable(files: readonly FileReport[]): F1Row[] {
  const rows = new Map<string, F1Row>();
  const rowFor = (dataset: string) => {
    let row = rows.get(dataset);
    if (!row) {
      row = { dataset, judged: 0, notJudged: 0, erroneous: 0, erroneousHit: 0, correct: 0, correctHit: 0, accErroneous: null, accCorrect: null, f1: null };
      rows.set(dataset, row);
    }
    return row;
  };
  const all = rowFor('all');
  for (const file of files) {
    if (!hasLabels(file)) continue;
    const label = file.labels!.firstErrorStep!;
    for (const row of [rowFor(file.labels!.dataset), all]) {
      if (file.status !== 'judged' || file.firstErrorIndex === null) {
        row.notJudged += 1;
        continue;
      }
      row.judged += 1;
      if (label >= 0) {
        row.erroneous += 1;
        if (file.firstErrorIndex === label) row.erroneousHit += 1;
      } else {
        row.correct += 1;
        if (file.firstErrorIndex === -1) row.correctHit += 1;
      }
    }
  }
  for (const row of rows.values()) {
    row.accErroneous = ratio(row.erroneousHit, row.erroneous);
    row.accCorrect = ratio(row.correctHit, row.correct);
    row.f1 = harmonic(row.accErroneous, row.accCorrect);
  }
  const list = [...rows.values()].filter((r) => r.dataset !== 'all' && r.judged + r.notJudged > 0);
  list.sort((a, b) => a.dataset.localeCompare(b.dataset));
  return list.length > 1 ? [...list, all] : list.length === 1 ? list : [];
}

/** (P(True), truth) for every labelled step that has a probability. */
export function labelledStepPairs(files: readonly FileReport[]): { p: number; correct: boolean }[] {
  const pairs: { p: number; correct: boolean }[] = [];
  for (const file of files) {
    if (!hasLabels(file) || file.status !== 'judged') continue;
    const k = file.labels!.firstErrorStep!;
    for (const step of file.steps) {
      if (step.pTrue === null || step.accepted) continue;
      if (k >= 0 && step.index > k) continue;
      pairs.push({ p: step.pTrue, correct: k < 0 || step.index < k });
    }
  }
  return pairs;
}

export function calibration(pairs: readonly { p: number; correct: boolean }[], binCount = 10): Calibration {
  const bins: CalibrationBin[] = Array.from({ length: binCount }, (_, i) => ({ lower: i / binCount, upper: (i + 1) / binCount, count: 0, meanP: null, accuracy: null }));
  const sumP = new Array<number>(binCount).fill(0);
  const sumCorrect = new Array<number>(binCount).fill(0);
  let brier = 0;
  for (const { p, correct } of pairs) {
    const i = Math.min(binCount - 1, Math.floor(p * binCount));
    bins[i]!.count += 1;
    sumP[i]! += p;
    sumCorrect[i]! += correct ? 1 : 0;
    brier += (p - (correct ? 1 : 0)) ** 2;
  }
  let ece = 0;
  bins.forEach((bin, i) => {
    if (bin.count === 0) return;
    bin.meanP = sumP[i]! / bin.count;
    bin.accuracy = sumCorrect[i]! / bin.count;
    ece += (bin.count / pairs.length) * Math.abs(bin.accuracy - bin.meanP);
  });
  return { bins, ece: pairs.length > 0 ? ece : null, brier: pairs.length > 0 ? brier / pairs.length : null, pairs: pairs.length };
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
