// `--calibration FILE` for `check`, `eval` and `report`: reads a calibration file made by `stepcritic
// calibrate` and refuses one fitted for another critic (kind, model or protocol), naming both.
import { CalibrationError, calibrationMismatch, calibrationOf } from '../../engine/calibration/file';
import type { Calibration, CriticIdentity } from '../../engine/calibration/file';
import { readCalibrationFile } from '../../engine/calibration/read-file';
import type { OptionSpec, ParsedArgs } from '../args';
import { helpHint, stringValue } from '../args';
import { UsageError } from '../command';
import type { CliStepCritic } from './prm-options';

export const CALIBRATION_OPTION: OptionSpec = {
  name: 'calibration',
  type: 'string',
  valueName: 'FILE',
  description: "Map the critic's P(True) through FILE (made by 'stepcritic calibrate' for this critic) before the thresholds decide",
};

/** The critic a CLI run uses, as a calibration file names it; undefined when the critic is off. */
export function cliCriticIdentity(setup: CliStepCritic): CriticIdentity | undefined {
  if (!setup.critic || setup.model === undefined || setup.protocolVersion === undefined) return undefined;
  return { critic: setup.kind, model: setup.model, protocolVersion: setup.protocolVersion };
}

/**
 * The calibration `--calibration` names, checked against the run's critic; undefined without the flag.
 * `critic` undefined: the run has no critic, which makes the flag a mistake (`offReason` says why).
 */
export function readCliCalibration(command: string, args: ParsedArgs, critic: CriticIdentity | undefined, offReason?: string): Calibration | undefined {
  const path = stringValue(args, 'calibration');
  if (path === undefined) return undefined;
  try {
    const file = readCalibrationFile(path, path);
    if (!critic) throw new CalibrationError(`${path} calibrates a critic's P(True), and this run has none (${offReason ?? 'the critic is off'})`);
    const mismatch = calibrationMismatch(file, critic, path);
    if (mismatch) throw new CalibrationError(mismatch);
    return calibrationOf(file);
  } catch (error) {
    if (error instanceof CalibrationError) throw new UsageError(`--calibration: ${error.message}`, helpHint(command));
    throw error;
  }
}
