// An in-memory critic cache: for tests, and in front of the disk cache in long-lived processes.
import type { CacheEntry, CriticCache } from './types';

/**
 * `maxEntries` bounds it, least recently used out first: in front of the disk cache it must not grow
 * with the number of records a batch run judges.
 */
export function createMemoryCache(options: { maxEntries?: number } = {}): CriticCache & { readonly size: number } {
  const entries = new Map<string, CacheEntry>();
  const limit = options.maxEntries ?? Number.POSITIVE_INFINITY;
  return {
    get size() {
      return entries.size;
    },
    async get(key) {
      const entry = entries.get(key);
      if (entry !== undefined && limit !== Number.POSITIVE_INFINITY) {
        // A Map keeps insertion order: re-inserting makes this the most recently used.
        entries.delete(key);
        entries.set(key, entry);
      }
      return entry;
    },
    async set(key, entry) {
      entries.delete(key);
      entries.set(key, entry);
      while (entries.size > limit) entries.delete(entries.keys().next().value!);
    },
    async clear() {
      const n = entries.size;
      entries.clear();
      return n;
    },
  };
}
