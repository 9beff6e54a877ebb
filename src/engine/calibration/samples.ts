// What a calibration is fitted on: every labelled step whose verdict came from the critic's P(True),
// with the critic's own (raw) value, its label, and the solution it belongs to (cross-validation folds
// are drawn by solution, so that steps of one solution never sit on both sides).
//
// Left out: steps a deterministic check decided (a refuted computation is P(True) 0 whatever the
// critic said, and calibration never applies there), steps the user accepted, steps without a label
// (ProcessBench labels the steps after the first error as unknown), and steps with no probability.
// The raw value is read from the critic's evidence, which a calibration never changes, so a run made
// with `--calibration` is fitted on what the critic said, not on what an earlier map made of it.
import { basename } from 'node:path';
import { datasetStem } from '../files/kinds';
import { z } from 'zod';
import { stepLabelsFromFirstError } from '../eval/metrics';
import type { FileReport } from '../report/schema';
import { CriticSourceSchema, type CriticSource } from '../types';

export const CriticKindSchema = z.enum(['llm', 'prm']);
export type CriticKind = z.infer<typeof CriticKindSchema>;

export const CalibrationSampleSchema = z.object({
  /** The solution the step belongs to (`data.json#12`): the unit of the cross-validation folds. */
  solution: z.string(),
  step: z.number().int().nonnegative(),
  /** The critic's own P(True). */
  p: z.number().min(0).max(1),
  /** 1: the step is correct according to the labels; 0: it is the first wrong step. */
  y: z.union([z.literal(0), z.literal(1)]),
  source: CriticSourceSchema,
  /** The labelled data it comes from: the dataset and its file, e.g. `processbench/gsm8k`. */
  dataset: z.string(),
});
export type CalibrationSample = z.infer<typeof CalibrationSampleSchema>;

const CRITIC_SOURCES: ReadonlySet<string> = new Set<CriticSource>(CriticSourceSchema.options);

export function criticKindOf(source: CriticSource): CriticKind {
  return source === 'prm' ? 'prm' : 'llm';
}

/** `processbench/gsm8k` for a ProcessBench record of `…/gsm8k.json`. */
function datasetOf(entry: FileReport, dataset: string): string {
  const file = datasetStem(basename(entry.path));
  return file === '' || file === dataset ? dataset : `${dataset}/${file}`;
}

/** The calibration samples of one judged, labelled entry (none for anything else). */
export function calibrationSamples(entry: FileReport): CalibrationSample[] {
  const label = entry.labels?.firstErrorStep;
  if (entry.status !== 'judged' || label === null || label === undefined || entry.labels === undefined) return [];
  const truth = stepLabelsFromFirstError(label, Math.max(0, ...entry.steps.map((s) => s.index + 1)));
  const dataset = datasetOf(entry, entry.labels.dataset);
  const samples: CalibrationSample[] = [];
  for (const step of entry.steps) {
    const y = truth[step.index];
    if (y === null || y === undefined || step.accepted || !CRITIC_SOURCES.has(step.source)) continue;
    const critic = step.evidence.find((e) => e.kind === 'critic');
    if (critic?.kind !== 'critic' || critic.pTrue === null) continue;
    samples.push({ solution: entry.uri, step: step.index, p: critic.pTrue, y, source: critic.source, dataset });
  }
  return samples;
}

/** `processbench/gsm8k`, or several joined, for the note "fitted on N steps of DATASET". */
export function describeDatasets(samples: readonly CalibrationSample[]): string {
  const names = [...new Set(samples.map((s) => s.dataset))];
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}
