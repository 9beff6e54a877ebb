// The critic cache on disk: one small JSON file per entry under <dir>/v1/<first two hex>/<key>.json.
// One file per entry keeps every write atomic on its own (temp file + rename), lets two processes
// (a batch run and the editor) share the cache without a lock, and means an interrupted run loses
// nothing it had finished. A file that cannot be read or parsed is ignored (a miss) and overwritten
// by the next verdict for that key.
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMemoryCache } from './memory';
import { CacheEntrySchema, type CacheStats, type CriticCache } from './types';

const LAYOUT = 'v1';
/** Entries kept in memory in front of the files (the recent ones: a step's prefix is asked for again soon). */
const MEMORY_ENTRIES = 2_000;

export interface FileCache extends CriticCache {
  readonly dir: string;
}

export function createFileCache(dir: string): FileCache {
  const root = join(dir, LAYOUT);
  const memory = createMemoryCache({ maxEntries: MEMORY_ENTRIES });
  // Shard folders known to exist: one mkdir per folder and process, not one per entry.
  const shards = new Set<string>();
  const pathOf = (key: string) => {
    if (!/^[a-f0-9]{16,128}$/.test(key)) throw new Error(`invalid cache key ${JSON.stringify(key.slice(0, 20))}`);
    return join(root, key.slice(0, 2), `${key}.json`);
  };
  let tempCounter = 0;

  return {
    dir,
    async get(key) {
      const hit = await memory.get(key);
      if (hit) return hit;
      let text: string;
      try {
        text = await readFile(pathOf(key), 'utf8');
      } catch {
        return undefined;
      }
      try {
        const parsed = CacheEntrySchema.safeParse(JSON.parse(text));
        if (!parsed.success) return undefined;
        await memory.set(key, parsed.data);
        return parsed.data;
      } catch {
        return undefined;
      }
    },
    async set(key, entry) {
      const file = pathOf(key);
      const shard = join(root, key.slice(0, 2));
      const temp = `${file}.${process.pid}.${tempCounter++}.tmp`;
      const write = async () => {
        if (!shards.has(shard)) {
          await mkdir(shard, { recursive: true });
          shards.add(shard);
        }
        await writeFile(temp, JSON.stringify(entry), 'utf8');
      };
      try {
        try {
          await write();
        } catch (error) {
          // The folder went away under us (another process cleared the cache): make it again, once.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          shards.delete(shard);
          await write();
        }
        await rename(temp, file);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      await memory.set(key, entry);
    },
    async stats(): Promise<CacheStats> {
      const result: CacheStats = { entries: 0, bytes: 0, location: dir, corrupt: 0 };
      for (const file of await listEntryFiles(root)) {
        try {
          const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
          const parsed = CacheEntrySchema.safeParse(JSON.parse(text));
          if (!parsed.success) {
            result.corrupt++;
            continue;
          }
          result.entries++;
          result.bytes += info.size;
          const t = parsed.data.value.createdAt;
          result.oldest = result.oldest === undefined ? t : Math.min(result.oldest, t);
          result.newest = result.newest === undefined ? t : Math.max(result.newest, t);
        } catch {
          result.corrupt++;
        }
      }
      return result;
    },
    async clear() {
      const files = await listEntryFiles(root);
      await rm(root, { recursive: true, force: true });
      shards.clear();
      await memory.clear();
      return files.length;
    },
  };
}

async function listEntryFiles(root: string): Promise<string[]> {
  let shards: string[];
  try {
    shards = await readdir(root);
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const shard of shards) {
    let names: string[];
    try {
      names = await readdir(join(root, shard));
    } catch {
      continue;
    }
    for (const name of names) if (name.endsWith('.json')) files.push(join(root, shard, name));
  }
  return files;
}
