// Critic cache entries and keys for the cache tests.
import { createHash } from 'node:crypto';
import type { CacheEntry } from '../../src/engine/cache/types';

export function cacheKey(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

export function cacheEntry(explanation: string, createdAt = 0): CacheEntry {
  return { kind: 'step', value: { verdict: 'correct', pTrue: 0.9, source: 'logprobs', explanation, model: 'm', createdAt } };
}

export function explanationOf(found: CacheEntry | undefined): string | undefined {
  return found?.kind === 'step' ? found.value.explanation : undefined;
}
