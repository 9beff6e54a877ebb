// A cache of whole results: a solution whose exact text (content hash) was judged before, under the
// same configuration (config hash: model, endpoint, prompt version, sampling, triage, …) and the same
// tool version, gets its earlier entry back without being parsed, verified or sent anywhere. This is
// what makes a second run over unchanged input cost (almost) nothing; the critic's own per-step cache
// still covers a solution that changed.
//
// One small JSON file per result under `<dir>/batch-results/`, written atomically (a temporary file
// renamed into place); a file that cannot be read or does not parse is a miss, never an error.
// Only clean results are kept: nothing with a step that could not be judged, nothing that failed.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
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

export function createFileResultCache(root: string): ResultCache {
  const dir = join(root, 'batch-results');
  const pathOf = (key: string) => join(dir, key.slice(0, 2), `${key}.json`);
  return {
    async get(key) {
      try {
        const parsed = CachedResultSchema.safeParse(JSON.parse(await readFile(pathOf(key), 'utf8')));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, value) {
      const path = pathOf(key);
      const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await mkdir(join(dir, key.slice(0, 2)), { recursive: true });
        await writeFile(temporary, JSON.stringify(value), { flag: 'wx' });
        await rename(temporary, path);
      } catch {
        // A cache that cannot be written only costs speed.
        await unlink(temporary).catch(() => undefined);
      }
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
