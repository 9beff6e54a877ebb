// The critic cache over a store's table (store.ts): the recent entries in memory in front (a step's
// prefix is asked for again soon), every entry checked against its schema when read back, so a value
// from another version or a damaged one is a miss, never an error.
import { createMemoryCache } from './memory';
import type { CacheTable } from './store';
import { CacheEntrySchema, type CriticCache } from './types';

/** Entries kept in memory in front of the store. */
const MEMORY_ENTRIES = 2_000;

export function createStoredCriticCache(table: CacheTable): CriticCache {
  const memory = createMemoryCache({ maxEntries: MEMORY_ENTRIES });
  return {
    async get(key) {
      const hit = await memory.get(key);
      if (hit) return hit;
      const text = await table.get(key);
      if (text === undefined) return undefined;
      const parsed = CacheEntrySchema.safeParse(parseJson(text));
      if (!parsed.success) return undefined;
      await memory.set(key, parsed.data);
      return parsed.data;
    },
    async set(key, entry) {
      await table.set(key, JSON.stringify(entry), entry.value.createdAt);
      await memory.set(key, entry);
    },
    async clear() {
      await memory.clear();
      return table.clear();
    },
  };
}

/** JSON text as a value, or undefined when it does not parse. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
