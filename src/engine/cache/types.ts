// What the critic cache stores and the interface every cache (memory, or a store on disk) offers.
// Only real verdicts are stored: a "could not judge" is retried next time, never remembered.
import { z } from 'zod';
import { CriticSourceSchema } from '../types';

export const CachedVerdictSchema = z.object({
  verdict: z.enum(['correct', 'incorrect']),
  pTrue: z.number().min(0).max(1).nullable(),
  source: CriticSourceSchema,
  explanation: z.string(),
  model: z.string(),
  /** ms since epoch, for `cache stats`. */
  createdAt: z.number(),
});

export type CachedVerdict = z.infer<typeof CachedVerdictSchema>;

/** The final answer's P(True) is cached the same way, under its own key. */
export const CachedAnswerSchema = z.object({
  pTrue: z.number().min(0).max(1).nullable(),
  verdict: z.enum(['True', 'False']),
  source: CriticSourceSchema,
  createdAt: z.number(),
});

/** A solution's rubric verdicts, cached under one key over the whole solution and the rubric. */
export const CachedRubricSchema = z.object({
  items: z.array(
    z.object({
      number: z.number().int().positive(),
      met: z.boolean(),
      pTrue: z.number().min(0).max(1).nullable(),
      source: CriticSourceSchema,
      steps: z.array(z.number().int().nonnegative()),
      explanation: z.string(),
    }),
  ),
  createdAt: z.number(),
});

export const CacheEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('step'), value: CachedVerdictSchema }),
  z.object({ kind: z.literal('answer'), value: CachedAnswerSchema }),
  z.object({ kind: z.literal('rubric'), value: CachedRubricSchema }),
]);
export type CacheEntry = z.infer<typeof CacheEntrySchema>;

export interface CriticCache {
  get(key: string): Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry): Promise<void>;
  /** Removes every entry; returns how many. */
  clear(): Promise<number>;
}
