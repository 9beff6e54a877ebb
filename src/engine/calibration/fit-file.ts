// `stepcritic calibrate`: from labelled critic samples to a calibration file — the map fitted on all
// of them, and the cross-validated figures (raw and calibrated P(True) scored on steps the map being
// scored never saw) that say whether the map is worth applying.
import type { CrossValidation } from './cross-validate';
import { crossValidate } from './cross-validate';
import type { CalibrationFile, CriticIdentity } from './file';
import { CALIBRATION_FILE_VERSION, CalibrationError } from './file';
import { fitMap } from './fit';
import type { CalibrationMethod } from './map';
import type { CalibrationSample } from './samples';
import { describeDatasets } from './samples';

export interface FitOptions {
  method: CalibrationMethod;
  folds: number;
  seed: number;
  key: CriticIdentity;
  inputs: string[];
  toolVersion: string;
  createdAt?: Date;
}

/** A temperature map flatter than this says the critic's P(True) does not separate right from wrong steps. */
const MIN_SLOPE = 0.01;

export function fitCalibrationFile(samples: readonly CalibrationSample[], options: FitOptions): CalibrationFile {
  const correct = samples.filter((s) => s.y === 1).length;
  const solutions = new Set(samples.map((s) => s.solution)).size;
  if (samples.length === 0) {
    throw new CalibrationError(
      'no labelled step has a P(True) from the critic: calibrate needs a run over a labelled dataset (ProcessBench, …) with the critic on',
    );
  }
  if (correct === 0 || correct === samples.length) {
    throw new CalibrationError(
      `all ${samples.length} labelled steps are ${correct === 0 ? 'wrong' : 'correct'}: a calibration needs both right and wrong steps to learn from`,
    );
  }
  if (solutions < options.folds) {
    throw new CalibrationError(`${solutions} labelled solutions are too few for ${options.folds}-fold cross-validation (--folds)`);
  }
  const map = fitMap(options.method, samples);
  if (map.method === 'temperature' && map.slope < MIN_SLOPE) {
    throw new CalibrationError(
      `the critic's P(True) does not rise with correctness on this data (fitted slope ${map.slope.toFixed(4)}): a calibration would make it a constant; check the run (labels, critic) first`,
    );
  }
  const crossValidation: CrossValidation = crossValidate(samples, options);
  return {
    format: 'stepcritic-calibration',
    version: CALIBRATION_FILE_VERSION,
    key: options.key,
    map,
    fittedOn: { steps: samples.length, solutions, correct, dataset: describeDatasets(samples), inputs: options.inputs },
    crossValidation,
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    tool: { name: 'stepcritic', version: options.toolVersion },
  };
}
