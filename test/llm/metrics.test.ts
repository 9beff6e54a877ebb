// Evaluation metrics on cases computed by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  auroc,
  brierScore,
  calibrationBins,
  expectedCalibrationError,
  harmonicMean,
  processBenchScores,
  stepLabelsFromFirstError,
  type ProbabilityOutcome,
} from '../../src/engine/eval/metrics';

const close = (actual: number | null, expected: number) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

describe('ProcessBench scores', () => {
  it('accuracy on erroneous and on correct solutions, and their harmonic mean', () => {
    // Erroneous: labels 2, 0, 3, 1 predicted 2 (right), 1 (wrong step), -1 (missed), 1 (right) → 2/4.
    // Correct: 3 solutions, predicted -1, -1, 4 → 2/3. F1 = 2·0.5·(2/3)/(0.5+2/3) = 4/7.
    const s = processBenchScores([
      { label: 2, predicted: 2 },
      { label: 0, predicted: 1 },
      { label: 3, predicted: -1 },
      { label: 1, predicted: 1 },
      { label: -1, predicted: -1 },
      { label: -1, predicted: -1 },
      { label: -1, predicted: 4 },
    ]);
    assert.deepEqual(s.erroneous, { total: 4, right: 2, accuracy: 0.5 });
    assert.deepEqual({ ...s.correct, accuracy: null }, { total: 3, right: 2, accuracy: null });
    close(s.correct.accuracy, 2 / 3);
    close(s.f1, 4 / 7);
  });

  it('is undefined for a class that is absent, and 0 when both accuracies are 0', () => {
    assert.equal(processBenchScores([{ label: 1, predicted: 1 }]).f1, null);
    assert.equal(harmonicMean(0, 0), 0);
    assert.equal(processBenchScores([]).erroneous.accuracy, null);
  });
});

describe('calibration', () => {
  const items: ProbabilityOutcome[] = [
    { p: 0.95, y: 1 },
    { p: 0.92, y: 1 },
    { p: 0.91, y: 0 },
    { p: 0.15, y: 0 },
    { p: 0.12, y: 1 },
    { p: 0.55, y: 1 },
  ];

  it('ECE over 10 equal-width bins', () => {
    // Bin 9: p̄ = (0.95+0.92+0.91)/3 = 0.92667, acc 2/3 → gap 0.26, weight 3/6.
    // Bin 1: p̄ = 0.135, acc 1/2 → gap 0.365, weight 2/6. Bin 5: p̄ 0.55, acc 1 → gap 0.45, weight 1/6.
    // ECE = 0.13 + 0.121667 + 0.075 = 0.326667.
    close(expectedCalibrationError(items), 0.13 + 0.365 / 3 + 0.075);
    const bins = calibrationBins(items);
    assert.equal(bins.length, 10);
    assert.deepEqual(
      bins.map((b) => b.count),
      [0, 2, 0, 0, 0, 1, 0, 0, 0, 3],
    );
  });

  it('p = 1 falls in the last bin; a perfectly calibrated set has ECE 0', () => {
    assert.equal(calibrationBins([{ p: 1, y: 1 }])[9]!.count, 1);
    close(
      expectedCalibrationError([
        { p: 1, y: 1 },
        { p: 0, y: 0 },
        { p: 0.5, y: 1 },
        { p: 0.5, y: 0 },
      ]),
      0,
    );
    assert.equal(expectedCalibrationError([]), null);
  });

  it('Brier score', () => {
    // (0.05² + 0.08² + 0.91² + 0.15² + 0.88² + 0.45²) / 6
    close(brierScore(items), (0.0025 + 0.0064 + 0.8281 + 0.0225 + 0.7744 + 0.2025) / 6);
  });

  it('AUROC by pairs, ties counting one half', () => {
    // Positives 0.95, 0.92, 0.12, 0.55; negatives 0.91, 0.15. Pairs where pos > neg:
    // 0.95: 2, 0.92: 2, 0.55: 1 (> 0.15), 0.12: 0 → 5 of 8.
    close(auroc(items), 5 / 8);
    close(
      auroc([
        { p: 0.5, y: 1 },
        { p: 0.5, y: 0 },
      ]),
      0.5,
    );
    close(
      auroc([
        { p: 0.9, y: 1 },
        { p: 0.1, y: 0 },
      ]),
      1,
    );
    assert.equal(auroc([{ p: 0.9, y: 1 }]), null);
  });

  it('step labels implied by the earliest error', () => {
    assert.deepEqual(stepLabelsFromFirstError(2, 5), [1, 1, 0, null, null]);
    assert.deepEqual(stepLabelsFromFirstError(-1, 3), [1, 1, 1]);
  });
});
