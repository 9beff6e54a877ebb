// Reading a pooling reply into one P(True) per step.
//
// vLLM's PoolingResponse (vllm/entrypoints/pooling/pooling/protocol.py) is
//   {"id": "pool-…", "object": "list", "created": …, "model": …,
//    "data": [{"index": 0, "object": "pooling", "data": [[p₀, p₁], [p₀, p₁], …]}],
//    "usage": {"prompt_tokens": N, "total_tokens": N, …}}
// with one class vector per separator token when the model pools at its step token (STEP pooling:
// Qwen2ForProcessRewardModel with step_tag_id 151651 = `<extra_0>`, softmax on by default), in both the
// `token_classify` era and the older `--task reward` one. What differs is told apart here, each with a
// reason the user can act on: a vector per *token* (ALL pooling: the server was not told the step
// token), one plain number per step (a single-label reward head), logits instead of probabilities, and
// base64 data.
import { z } from 'zod';
import type { PrmFormat } from './format';

const PoolingResponseSchema = z.looseObject({
  model: z.string().optional(),
  data: z
    .array(
      z.looseObject({
        index: z.number().int().optional(),
        data: z.union([z.array(z.array(z.number())), z.array(z.number()), z.string()]),
      }),
    )
    .min(1),
});

export type StepScores = { ok: true; pTrue: number[]; classes: number } | { ok: false; reason: string };

/** Slack for float32 values serialised by the server. */
const TOLERANCE = 1e-3;

function softmax(values: readonly number[]): number[] {
  const top = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function isProbabilityVector(values: readonly number[]): boolean {
  if (values.some((v) => !Number.isFinite(v) || v < -TOLERANCE || v > 1 + TOLERANCE)) return false;
  return values.length < 2 || Math.abs(values.reduce((a, b) => a + b, 0) - 1) <= TOLERANCE * values.length;
}

function clamp(p: number): number {
  return Math.min(1, Math.max(0, p));
}

/** P(True) of each of `steps` steps from a pooling reply, or why it cannot be read. */
export function readStepScores(body: unknown, format: PrmFormat, steps: number): StepScores {
  const parsed = PoolingResponseSchema.safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'the reply is not a pooling response (no `data` with per-step scores)' };
  const data = parsed.data.data[0]!.data;
  if (typeof data === 'string') return { ok: false, reason: 'the scores came base64-encoded, which was not asked for' };
  const vectors = data.map((entry) => (typeof entry === 'number' ? [entry] : entry));
  if (vectors.length !== steps) {
    const reason =
      vectors.length > steps
        ? `the server returned ${vectors.length} score vectors for ${steps} steps: it scores every token (ALL pooling) instead of the step separator — serve the model with STEP pooling at the separator's token id (vLLM --pooler-config, "step_tag_id")`
        : `the server returned ${vectors.length} score vectors for ${steps} steps: the separator ${JSON.stringify(format.separator)} is not one token of this model, or the template drops it`;
    return { ok: false, reason };
  }
  const classes = vectors[0]!.length;
  if (vectors.some((v) => v.length !== classes || v.length === 0)) return { ok: false, reason: 'the per-step score vectors differ in length' };
  const single = classes === 1;
  if (!single && format.positiveClass >= classes) {
    return { ok: false, reason: `the positive class is ${format.positiveClass} but the model has ${classes} classes (0–${classes - 1})` };
  }
  const pTrue: number[] = [];
  for (const vector of vectors) {
    if (format.output === 'logits') {
      pTrue.push(single ? 1 / (1 + Math.exp(-vector[0]!)) : softmax(vector)[format.positiveClass]!);
      continue;
    }
    if (!isProbabilityVector(vector)) {
      return {
        ok: false,
        reason: `the scores are not probabilities (${vector.map((v) => v.toFixed(3)).join(', ')}): the server returns logits — set the format's output to "logits"`,
      };
    }
    pTrue.push(clamp(single ? vector[0]! : vector[format.positiveClass]!));
  }
  return { ok: true, pTrue, classes };
}
