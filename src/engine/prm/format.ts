// How a process reward model wants a solution laid out, and how to read its scores: the step
// separator, the template around problem and steps, which output class means "this step is correct",
// and whether the server returns probabilities or raw logits. The Qwen2.5-Math-PRM presets follow the
// models' cards (huggingface.co/Qwen/Qwen2.5-Math-PRM-7B): the system prompt they were trained with,
// the question as the user turn, the steps as the assistant turn with `<extra_0>` after each, and the
// positive class (index 1 of 2) at every `<extra_0>`.
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const PrmFormatSchema = z.object({
  /** Written after every step; the model scores the step at this token (`<extra_0>`, `ки`, …). */
  separator: z.string().min(1),
  /**
   * `chat`: the server applies the model's own chat template to [system?, user: problem, assistant:
   * steps] (`messages`); otherwise a text template with `{problem}` and `{steps}`, sent as `input`.
   */
  template: z.union([z.literal('chat'), z.string().includes('{steps}')]),
  /** The system turn of the chat template (ignored by a text template). */
  system: z.string().optional(),
  /** Index of the class that means "correct" in each per-step vector. */
  positiveClass: z.number().int().nonnegative(),
  /** `probabilities`: the server applies softmax (vLLM's default for PRMs); `logits`: we do. */
  output: z.enum(['probabilities', 'logits']),
});
export type PrmFormat = z.infer<typeof PrmFormatSchema>;

export interface PrmPreset {
  /** The `--prm-format` name. */
  name: string;
  /** Matches the served model name (`Qwen/Qwen2.5-Math-PRM-7B`, a local path ending in it, …). */
  model: RegExp;
  format: PrmFormat;
}

const QWEN_MATH_PRM: PrmFormat = {
  separator: '<extra_0>',
  template: 'chat',
  system: 'Please reason step by step, and put your final answer within \\boxed{}.',
  positiveClass: 1,
  output: 'probabilities',
};

export const PRM_PRESETS: readonly PrmPreset[] = [
  { name: 'qwen2.5-math-prm-7b', model: /qwen2\.5-math-prm-7b$/i, format: QWEN_MATH_PRM },
  { name: 'qwen2.5-math-prm-72b', model: /qwen2\.5-math-prm-72b$/i, format: QWEN_MATH_PRM },
];

/** The preset for a served model name, by its last path segment. */
export function presetForModel(model: string): PrmPreset | undefined {
  const name = model.trim().replace(/\/+$/, '');
  return PRM_PRESETS.find((p) => p.model.test(name));
}

export function presetNamed(name: string): PrmPreset | undefined {
  return PRM_PRESETS.find((p) => p.name === name.trim().toLowerCase());
}

/** A short, stable fingerprint of a format: part of every cache key and of a run's configuration. */
export function formatFingerprint(format: PrmFormat): string {
  const canonical = JSON.stringify([format.separator, format.template, format.system ?? null, format.positiveClass, format.output]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}
