// Reading a calibration file from disk, the one way for `--calibration FILE` and the
// `stepcritic.calibration` setting alike. A path to something far larger than a calibration (a
// dataset, a run log) is refused before it is read, so a wrong path costs no time or memory.
import { readFileSync, statSync } from 'node:fs';
import { errorMessage } from '../error-message';
import { CalibrationError, parseCalibrationFile, type CalibrationFile } from './file';

/**
 * Far above any calibration file: a temperature map is a few hundred bytes, an isotonic one a point per
 * block of strictly rising share (well under 100,000 points, ~7 MB, even for ten million steps).
 */
const MAX_CALIBRATION_BYTES = 16 * 1024 * 1024;

/** Reads and parses the calibration file at `path`; `name` is how the user wrote it. Throws CalibrationError. */
export function readCalibrationFile(path: string, name: string): CalibrationFile {
  let text: string;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw new CalibrationError(`${name} is a folder, not a calibration file`);
    if (stats.size > MAX_CALIBRATION_BYTES) {
      const mb = (stats.size / 1024 / 1024).toFixed(1);
      throw new CalibrationError(`${name} is ${mb} MB: far too large for a calibration file (a few KB at most); is it the right file?`);
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof CalibrationError) throw error;
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    throw new CalibrationError(code === 'ENOENT' ? `${name}: no such file` : `${name}: cannot read it (${errorMessage(error)})`);
  }
  return parseCalibrationFile(text, name);
}
