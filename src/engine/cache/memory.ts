// An in-memory critic cache: for tests, and in front of the disk cache in long-lived processes.
import type { CacheEntry, CacheStats, CriticCache } from './types';

export function createMemoryCache(): CriticCache & { readonly size: number } {
  const entries = new Map<string, CacheEntry>();
  return {
    get size() {
      return entries.size;
    },
    async get(key) {
      return entries.get(key);
    },
    async set(key, entry) {
      entries.set(key, entry);
    },
    async stats(): Promise<CacheStats> {
      const times = [...entries.values()].map((e) => e.value.createdAt);
      return {
        entries: entries.size,
        bytes: [...entries.values()].reduce((sum, e) => sum + JSON.stringify(e).length, 0),
        location: 'memory',
        oldest: times.length > 0 ? Math.min(...times) : undefined,
        newest: times.length > 0 ? Math.max(...times) : undefined,
        corrupt: 0,
      };
    },
    async clear() {
      const n = entries.size;
      entries.clear();
      return n;
    },
  };
}
