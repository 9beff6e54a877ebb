// The calibration file (`stepcritic calibrate --out calibration.json`): versioned, parsed with zod,
// and keyed by the critic it was fitted for — its kind (LLM or PRM), model and protocol version. A map
// fitted for one critic says nothing about another, so a file for another critic is refused with a
// message that names both.
import { z } from 'zod';
import { hashConfig } from '../batch/config-hash';
import type { CalibrationNote } from '../types';
import { CalibrationMapSchema, applyMap, type CalibrationMap } from './map';
import { CriticKindSchema } from './samples';

export const CALIBRATION_FILE_VERSION = 1;

export const CriticIdentitySchema = z.object({
  critic: CriticKindSchema,
  /** The model as the run named it (`--model`, `--prm-model`). */
  model: z.string().min(1),
  /** The critic protocol: the LLM prompt version, or the PRM's request format. */
  protocolVersion: z.string().min(1),
});
export type CriticIdentity = z.infer<typeof CriticIdentitySchema>;

const ScoresSchema = z.object({ ece: z.number().nullable(), brier: z.number().nullable(), auroc: z.number().nullable() });

export const CalibrationFileSchema = z.object({
  format: z.literal('stepcritic-calibration'),
  version: z.literal(CALIBRATION_FILE_VERSION),
  /** The critic the map was fitted for; it applies to that critic only. */
  key: CriticIdentitySchema,
  map: CalibrationMapSchema,
  fittedOn: z.object({
    steps: z.number().int().positive(),
    solutions: z.number().int().positive(),
    /** Of the steps, how many are correct according to the labels. */
    correct: z.number().int().nonnegative(),
    dataset: z.string(),
    /** The run logs and eval reports read. */
    inputs: z.array(z.string()),
  }),
  /** How the method did on data it was not fitted on: raw and calibrated P(True) on the same steps. */
  crossValidation: z.object({
    folds: z.number().int().min(2),
    seed: z.number().int(),
    steps: z.number().int().nonnegative(),
    raw: ScoresSchema,
    calibrated: ScoresSchema,
  }),
  createdAt: z.string(),
  tool: z.object({ name: z.literal('stepcritic'), version: z.string() }),
});
export type CalibrationFile = z.infer<typeof CalibrationFileSchema>;

export class CalibrationError extends Error {
  override readonly name = 'CalibrationError';
}

/** The hint every refusal of a file that is not a calibration ends with. */
const MAKE_ONE = "make one with 'stepcritic calibrate RUNLOG --out calibration.json'";

/** What a file that is not JSON as a whole is, when it is something a user could mistake for a calibration. */
function describeNotJson(text: string, name: string): string {
  if (text.trim() === '') return `${name} is empty: not a calibration file (${MAKE_ONE})`;
  const end = text.indexOf('\n');
  let firstLine: unknown;
  try {
    firstLine = JSON.parse(end < 0 ? text : text.slice(0, end));
  } catch {
    firstLine = undefined;
  }
  return describeOther(firstLine, name) ?? `${name} is not JSON: not a calibration file (${MAKE_ONE})`;
}

/** The refusal of a run log or an eval report given where a calibration file belongs: it says what to run on it. */
function describeOther(value: unknown, name: string): string | undefined {
  const what = z.looseObject({ type: z.literal('header') }).safeParse(value).success
    ? 'a run log'
    : z.looseObject({ criticSteps: z.array(z.unknown()) }).safeParse(value).success
      ? 'an eval report'
      : undefined;
  return what && `${name} is ${what}, not a calibration file: fit one on it with 'stepcritic calibrate ${name} --out calibration.json'`;
}

/** Parses the text of a calibration file; a file that is not one, or of another version, gets a clear error. */
export function parseCalibrationFile(text: string, name: string): CalibrationFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CalibrationError(describeNotJson(text, name));
  }
  const head = z.looseObject({ format: z.literal('stepcritic-calibration'), version: z.number() }).safeParse(value);
  if (!head.success) throw new CalibrationError(describeOther(value, name) ?? `${name} is not a Step Critic calibration file (${MAKE_ONE})`);
  if (head.data.version !== CALIBRATION_FILE_VERSION) {
    throw new CalibrationError(
      `${name} is a calibration file of version ${head.data.version}; this stepcritic reads version ${CALIBRATION_FILE_VERSION} (fit it again with this version's 'stepcritic calibrate')`,
    );
  }
  const parsed = CalibrationFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CalibrationError(`${name} is not a valid calibration file: ${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export function describeIdentity(identity: CriticIdentity): string {
  return `${identity.critic === 'prm' ? 'PRM' : 'LLM'} critic ${identity.model}, protocol ${identity.protocolVersion}`;
}

/** Why `file` must not be applied to the critic `critic`, or undefined when it was fitted for it. */
export function calibrationMismatch(file: CalibrationFile, critic: CriticIdentity, name: string): string | undefined {
  const k = file.key;
  if (k.critic === critic.critic && k.model === critic.model && k.protocolVersion === critic.protocolVersion) return undefined;
  return `${name} was fitted for the ${describeIdentity(k)}, but this run's critic is the ${describeIdentity(critic)}; a calibration holds only for the critic it was fitted on (fit one for this critic with 'stepcritic calibrate')`;
}

/** What the judge applies: the map, and what to tell the user about it. */
export interface Calibration {
  map: CalibrationMap;
  note: CalibrationNote;
}

export function calibrationOf(file: CalibrationFile): Calibration {
  return { map: file.map, note: { method: file.map.method, steps: file.fittedOn.steps, dataset: file.fittedOn.dataset } };
}

export function calibrate(calibration: Calibration, p: number): number {
  return applyMap(calibration.map, p);
}

/**
 * What a run's configuration records of its calibration (undefined without one, which leaves the
 * configuration hash of an uncalibrated run as it was): a resumed run or a cached result must have
 * been judged through the same map.
 */
export function calibrationFingerprint(calibration: Calibration | undefined): (CalibrationNote & { map: string }) | undefined {
  return calibration ? { ...calibration.note, map: hashConfig(calibration.map) } : undefined;
}

/** "calibrated (fitted on 1,568 steps of processbench/gsm8k)", the wording every surface uses. */
export function describeCalibration(note: CalibrationNote): string {
  return `calibrated (fitted on ${note.steps.toLocaleString('en-US')} steps of ${note.dataset})`;
}
