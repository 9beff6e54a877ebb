// The cached part of a solution, as both critics read it: a step's key covers the steps before it
// (key.ts), so the verdicts before `fromStep` are context shown as cached, and judging starts at the
// first step from `fromStep` on without a cached verdict.
import type { CachedVerdict, CriticCache } from './types';

export interface CachedSteps {
  /** Cached verdicts by step position. */
  hits: Map<number, CachedVerdict>;
  /** The first position to judge (`keys.length` when every step from `fromStep` on is cached). */
  start: number;
}

export async function readCachedSteps(cache: CriticCache | undefined, keys: readonly string[], fromStep: number): Promise<CachedSteps> {
  const entries = cache ? await Promise.all(keys.map((k) => cache.get(k))) : [];
  const hits = new Map<number, CachedVerdict>();
  const hit = (position: number): boolean => {
    const entry = entries[position];
    if (entry?.kind !== 'step') return false;
    hits.set(position, entry.value);
    return true;
  };
  const from = Math.max(0, Math.min(fromStep, keys.length));
  for (let position = 0; position < from; position++) hit(position);
  let start = from;
  while (start < keys.length && hit(start)) start++;
  return { hits, start };
}
