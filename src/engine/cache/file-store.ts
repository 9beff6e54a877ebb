// The per-file cache store: one small JSON file per entry under <dir>/<table folder>/<first two hex>/<key>.json.
// One file per entry keeps every write atomic on its own (temp file + rename) and lets two processes
// share the folder without a lock. It needs no native code, which is why the language server uses it
// (store.ts); at the editor's scale (thousands of entries) one file per entry costs little. A file
// that cannot be read is a miss, and the next verdict for that key overwrites it.
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheStore, CacheTable, CacheTableName, TableStats } from './store';

/** The folder of each table: the layouts the per-file caches have always used. */
export const TABLE_FOLDERS: Readonly<Record<CacheTableName, string>> = { critic: 'v1', results: 'batch-results' };

export function createFileStore(dir: string): CacheStore {
  const tables = new Map<CacheTableName, CacheTable>();
  const table = (name: CacheTableName) => {
    let found = tables.get(name);
    if (!found) tables.set(name, (found = createFileTable(join(dir, TABLE_FOLDERS[name]))));
    return found;
  };
  return {
    dir,
    kind: 'files',
    table,
    leftovers: async () => [],
    async clear() {
      return (await table('critic').clear()) + (await table('results').clear());
    },
    close: () => undefined,
  };
}

function createFileTable(root: string): CacheTable {
  // Shard folders known to exist: one mkdir per folder and process, not one per entry.
  const shards = new Set<string>();
  const pathOf = (key: string) => {
    if (!/^[a-f0-9]{16,128}$/.test(key)) throw new Error(`invalid cache key ${JSON.stringify(key.slice(0, 20))}`);
    return join(root, key.slice(0, 2), `${key}.json`);
  };
  let tempCounter = 0;

  return {
    async get(key) {
      try {
        return await readFile(pathOf(key), 'utf8');
      } catch {
        return undefined;
      }
    },
    async set(key, json) {
      const file = pathOf(key);
      const shard = join(root, key.slice(0, 2));
      const temp = `${file}.${process.pid}.${tempCounter++}.tmp`;
      const write = async () => {
        if (!shards.has(shard)) {
          await mkdir(shard, { recursive: true });
          shards.add(shard);
        }
        await writeFile(temp, json, 'utf8');
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
      } catch {
        // A cache that cannot be written only costs speed.
        await unlink(temp).catch(() => undefined);
      }
    },
    async stats(): Promise<TableStats> {
      const result: TableStats = { entries: 0, bytes: 0 };
      for (const file of await listEntryFiles(root)) {
        const info = await stat(file).catch(() => undefined);
        if (!info) continue;
        result.entries++;
        result.bytes += info.size;
        const t = info.mtimeMs;
        result.oldest = result.oldest === undefined ? t : Math.min(result.oldest, t);
        result.newest = result.newest === undefined ? t : Math.max(result.newest, t);
      }
      return result;
    },
    async clear() {
      const files = await listEntryFiles(root);
      await rm(root, { recursive: true, force: true });
      shards.clear();
      return files.length;
    },
  };
}

/** Every entry file under a table folder (also how many an older layout left behind). */
export async function listEntryFiles(root: string): Promise<string[]> {
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
