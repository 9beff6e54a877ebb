// K-fold cross-validation of a calibration method, with folds drawn by solution: every step is scored
// by a map fitted without its solution (so never on the data it was fitted on, and never on a
// neighbouring step of the same solution, which shares its problem and its critic call). The raw and
// the calibrated P(True) are scored on the same steps, with the metrics `stepcritic eval` uses.
import type { ProbabilityOutcome, ProbabilityScores } from '../eval/metrics';
import { probabilityScores } from '../eval/metrics';
import { fitMap } from './fit';
import type { CalibrationMethod } from './map';
import { applyMap } from './map';
import type { CalibrationSample } from './samples';
import { seededRandom } from '../seeded-random';

export interface CrossValidation {
  folds: number;
  seed: number;
  steps: number;
  raw: ProbabilityScores;
  calibrated: ProbabilityScores;
}

/** Fold of every solution: the solutions shuffled with `seed`, then dealt out in turn. */
export function assignFolds(solutions: readonly string[], folds: number, seed: number): Map<string, number> {
  const order = [...new Set(solutions)];
  const next = seededRandom(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return new Map(order.map((solution, i) => [solution, i % folds]));
}

export function crossValidate(samples: readonly CalibrationSample[], options: { method: CalibrationMethod; folds: number; seed: number }): CrossValidation {
  const foldOf = assignFolds(
    samples.map((s) => s.solution),
    options.folds,
    options.seed,
  );
  const raw: ProbabilityOutcome[] = [];
  const calibrated: ProbabilityOutcome[] = [];
  for (let fold = 0; fold < options.folds; fold++) {
    const training = samples.filter((s) => foldOf.get(s.solution) !== fold);
    const held = samples.filter((s) => foldOf.get(s.solution) === fold);
    if (held.length === 0) continue;
    const map = fitMap(options.method, training);
    for (const s of held) {
      raw.push({ p: s.p, y: s.y });
      calibrated.push({ p: applyMap(map, s.p), y: s.y });
    }
  }
  return {
    folds: options.folds,
    seed: options.seed,
    steps: raw.length,
    raw: probabilityScores(raw),
    calibrated: probabilityScores(calibrated),
  };
}
