// Cache keys. A step's key covers everything its verdict depends on: the protocol version (prompts),
// the model and endpoint, the sampling settings, the problem, the reference solution, and the steps up to and including it (with
// what the deterministic checks found in them). Editing step k changes the keys of k and every later
// step, and of no earlier one.
import { createHash } from 'node:crypto';

export interface CacheKeyContext {
  protocolVersion: string;
  model: string;
  baseUrl: string;
  sampling: Record<string, unknown>;
  problem: string;
  /** The reference solution the prompt carries, when there is one. */
  reference?: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(record[k])}`)
    .join(',')}}`;
}

/** Keys for every step prefix, computed as a hash chain so that n steps cost O(total text). */
export function stepCacheKeys(context: CacheKeyContext, steps: readonly { text: string; evidence?: readonly string[] }[]): string[] {
  let chain = sha256(stableJson({ ...context, kind: 'step' }));
  return steps.map((step) => {
    chain = sha256(`${chain}\u0000${step.text.trim()}\u0000${(step.evidence ?? []).join('\u0001')}`);
    return chain;
  });
}

export function answerCacheKey(context: CacheKeyContext, steps: readonly { text: string }[], answer: string): string {
  return sha256(stableJson({ ...context, kind: 'answer', steps: steps.map((s) => s.text.trim()), answer: answer.trim() }));
}

/** A rubric's verdicts depend on the whole solution (every step, with its findings) and on every item. */
export function rubricCacheKey(
  context: CacheKeyContext,
  steps: readonly { text: string; evidence?: readonly string[] }[],
  rubric: readonly { title: string; points: number; description?: string }[],
): string {
  return sha256(
    stableJson({
      ...context,
      kind: 'rubric',
      steps: steps.map((s) => [s.text.trim(), ...(s.evidence ?? [])]),
      rubric: rubric.map((i) => [i.title, i.points, i.description ?? '']),
    }),
  );
}
