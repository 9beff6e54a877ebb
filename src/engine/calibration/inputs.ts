// What `stepcritic calibrate` reads: run logs (`check DATASET --run-log RUNLOG`) and eval reports
// (`eval DATASET --format json --out EVAL.json`), each giving the critic it was made with and its
// labelled critic samples. Several inputs must come from the same critic: a map is fitted for one.
import { z } from 'zod';
import type { ReadLine } from '../batch/run-log';
import type { CriticIdentity } from './file';
import { CalibrationError, describeIdentity } from './file';
import type { CalibrationSample } from './samples';
import { CalibrationSampleSchema, calibrationSamples, criticKindOf } from './samples';

export interface CalibrationInput {
  name: string;
  critic: CriticIdentity;
  samples: CalibrationSample[];
}

function identityOf(
  name: string,
  samples: readonly CalibrationSample[],
  model: string | null | undefined,
  protocolVersion: string | undefined,
): CriticIdentity {
  const kinds = [...new Set(samples.map((s) => criticKindOf(s.source)))];
  if (kinds.length === 0) {
    throw new CalibrationError(`${name}: no labelled step has a P(True) from the critic (was the run over a labelled dataset, with the critic on?)`);
  }
  if (kinds.length > 1) throw new CalibrationError(`${name}: holds P(True) of both an LLM critic and a PRM; calibrate each run on its own`);
  if (!model || !protocolVersion) {
    throw new CalibrationError(`${name}: does not say which ${model ? 'protocol version' : 'model'} the critic used, so a calibration could not be tied to it`);
  }
  return { critic: kinds[0]!, model, protocolVersion };
}

/** A run log's samples (the latest line of each item counts), or undefined when `lines` is not a run log. */
export async function runLogInput(name: string, lines: AsyncIterable<ReadLine>): Promise<CalibrationInput | undefined> {
  let header: Extract<ReadLine, { ok: true }>['line'] | undefined;
  const byItem = new Map<string, CalibrationSample[]>();
  for await (const read of lines) {
    if (header === undefined) {
      if (!read.ok || read.line.type !== 'header') return undefined;
      header = read.line;
      continue;
    }
    if (!read.ok || read.line.type !== 'item') continue;
    byItem.delete(read.line.id);
    byItem.set(read.line.id, calibrationSamples(read.line.entry));
  }
  if (header?.type !== 'header') return undefined;
  if (!header.critic.enabled) throw new CalibrationError(`${name}: the run had no critic (${header.critic.note ?? 'off'}): nothing to calibrate`);
  const samples = [...byItem.values()].flat();
  return { name, critic: identityOf(name, samples, header.critic.model, header.tool.protocolVersion), samples };
}

/** What calibrate reads of an eval report (the rest is left alone). */
const EvalReportInputSchema = z.looseObject({
  version: z.literal(1),
  model: z.string().nullable(),
  protocolVersion: z.string().optional(),
  splits: z.array(z.unknown()),
  criticSteps: z.array(CalibrationSampleSchema),
});

export function evalReportInput(name: string, value: unknown): CalibrationInput {
  const parsed = EvalReportInputSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CalibrationError(
      `${name} is neither a run log ('stepcritic check DATASET --run-log FILE') nor an eval report ('stepcritic eval DATASET --format json --out FILE')${issue ? ` (${issue.path.join('.') || 'the file'}: ${issue.message})` : ''}`,
    );
  }
  const { model, protocolVersion, criticSteps } = parsed.data;
  return { name, critic: identityOf(name, criticSteps, model, protocolVersion), samples: criticSteps };
}

/** The inputs' samples as one set (a step read twice counts once), all from one critic. */
export function mergeInputs(inputs: readonly CalibrationInput[]): { critic: CriticIdentity; samples: CalibrationSample[] } {
  const first = inputs[0];
  if (!first) throw new CalibrationError('nothing to calibrate: give a run log or an eval report');
  for (const other of inputs.slice(1)) {
    const a = first.critic;
    const b = other.critic;
    if (a.critic !== b.critic || a.model !== b.model || a.protocolVersion !== b.protocolVersion) {
      throw new CalibrationError(
        `${first.name} comes from the ${describeIdentity(a)} and ${other.name} from the ${describeIdentity(b)}: a calibration is fitted for one critic`,
      );
    }
  }
  const byStep = new Map<string, CalibrationSample>();
  for (const input of inputs) for (const s of input.samples) byStep.set(`${s.solution}\u0000${s.step}`, s);
  return { critic: first.critic, samples: [...byStep.values()] };
}
