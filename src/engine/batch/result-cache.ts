// A cache of whole results: a solution whose exact text (content hash) was judged before, under the
// same configuration (config hash: model, endpoint, prompt version, sampling, triage, …) and the same
// tool version, gets its earlier entry back without being parsed, verified or sent anywhere. This is
// what makes a second run over unchanged input cost (almost) nothing; the critic's own per-step cache
// still covers a solution that changed.
//
// The results live in the cache folder's store (cache/store.ts) beside the critic's verdicts; an entry
// that does not parse is a miss, never an error.
// Only clean results are kept: nothing with a step that could not be judged, nothing that failed.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseJson } from '../cache/stored-cache';
import type { CacheTable } from '../cache/store';
import { FileReportSchema } from '../report/schema';
import type { FileReport } from '../report/schema';
import { hasJudgeErrors } from '../report/build';
import { TriageInfoSchema } from './run-log';

const CachedResultSchema = z.object({ entry: FileReportSchema, triage: TriageInfoSchema.optional() });
export type CachedResult = z.infer<typeof CachedResultSchema>;

export interface ResultCache {
  get(key: string): Promise<CachedResult | undefined>;
  set(key: string, value: CachedResult): Promise<void>;
}

export function resultCacheKey(parts: { toolVersion: string; configHash: string; id: string; contentHash: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([parts.toolVersion, parts.configHash, parts.id, parts.contentHash]))
    .digest('hex');
}

/** Whether a result may be reused: judged, and every step (and rubric item) got a real verdict. */
export function isReusable(entry: FileReport): boolean {
  return entry.status === 'judged' && entry.verdict !== 'error' && !hasJudgeErrors(entry);
}

export function createStoredResultCache(table: CacheTable): ResultCache {
  return {
    async get(key) {
      const text = await table.get(key);
      if (text === undefined) return undefined;
      const parsed = CachedResultSchema.safeParse(parseJson(text));
      return parsed.success ? parsed.data : undefined;
    },
    async set(key, value) {
      await table.set(key, JSON.stringify(value), Date.now());
    },
  };
}

export function createMemoryResultCache(): ResultCache & { readonly size: number } {
  const map = new Map<string, CachedResult>();
  return {
    get size() {
      return map.size;
    },
    async get(key) {
      return map.get(key);
    },
    async set(key, value) {
      map.set(key, structuredClone(value));
    },
  };
}
