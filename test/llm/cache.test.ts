// The critic cache: the memory front, and the stores on disk (one SQLite file for the CLI, one file per
// entry for the language server): shared by several processes writing at once, and a damaged file
// that gives a clear notice and a fresh start, never a crash.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { createMemoryCache } from '../../src/engine/cache/memory';
import { SQLITE_FILE } from '../../src/engine/cache/sqlite-store';
import { openCacheStore, type OpenStoreOptions } from '../../src/engine/cache/store';
import { createStoredCriticCache } from '../../src/engine/cache/stored-cache';
import { cacheEntry as entry, cacheKey, explanationOf } from '../support/cache-entries';

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'stepcritic-cache-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('critic cache', () => {
  it('a bounded memory cache drops the least recently used entry, not the one just read', async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    await cache.set('a', entry('a'));
    await cache.set('b', entry('b'));
    assert.ok(await cache.get('a'));
    await cache.set('c', entry('c'));
    assert.equal(cache.size, 2);
    assert.ok(await cache.get('a'));
    assert.equal(await cache.get('b'), undefined);
    assert.ok(await cache.get('c'));
  });

  for (const [name, options] of [
    ['SQLite', {}],
    ['per-file', { portable: true }],
  ] as [string, OpenStoreOptions][]) {
    it(`the ${name} store keeps entries beyond what the cache holds in memory, for the next process too`, async () => {
      await withDir(async (dir) => {
        const store = openCacheStore(dir, options);
        assert.equal(store.kind, options.portable ? 'files' : 'sqlite');
        const writer = createStoredCriticCache(store.table('critic'));
        const keys = Array.from({ length: 2_100 }, (_, i) => cacheKey(`k${i}`));
        for (const key of keys) await writer.set(key, entry(key));
        // The first entry is long out of the writer's memory: it comes back from the store.
        assert.equal(explanationOf(await writer.get(keys[0]!)), keys[0]);
        store.close();
        const next = openCacheStore(dir, options);
        assert.equal((await next.table('critic').stats()).entries, 2_100);
        assert.equal(explanationOf(await createStoredCriticCache(next.table('critic')).get(keys[2_099]!)), keys[2_099]);
        assert.equal((await next.table('results').stats()).entries, 0, 'the tables are apart');
        assert.equal(await next.clear(), 2_100);
        assert.equal((await next.table('critic').stats()).entries, 0);
        next.close();
      });
    });
  }

  it('several processes writing one SQLite store at once lose nothing and see no error', async () => {
    await withDir(async (dir) => {
      const writers = 4;
      const count = 300;
      const script = join(__dirname, '..', 'support', 'cache-writer.ts');
      const running = Array.from({ length: writers }, (_, w) =>
        promisify(execFile)(process.execPath, ['--import', 'tsx', script, dir, `w${w}`, String(count)], { timeout: 120_000 }),
      );
      // All of them start writing together, once every one is up.
      while (Array.from({ length: writers }, (_, w) => existsSync(join(dir, `ready-w${w}`))).includes(false)) await delay(10);
      await writeFile(join(dir, 'go'), '');
      const runs = await Promise.all(running);
      for (const run of runs) {
        assert.deepEqual(JSON.parse(run.stdout), { kind: 'sqlite', misses: 0, notices: [] });
        assert.equal(run.stderr, '');
      }
      const store = openCacheStore(dir);
      const cache = createStoredCriticCache(store.table('critic'));
      assert.equal((await store.table('critic').stats()).entries, writers * count + count);
      for (let w = 0; w < writers; w++) assert.equal(explanationOf(await cache.get(cacheKey(`w${w}-${count - 1}`))), `w${w}-${count - 1}`);
      assert.equal(explanationOf(await cache.get(cacheKey(`shared-${count - 1}`))), `shared-${count - 1}`);
      store.close();
    });
  });

  it('a cache file that is not a database is moved aside with a clear notice, and a fresh cache starts', async () => {
    await withDir(async (dir) => {
      await writeFile(join(dir, SQLITE_FILE), 'this is not a database, it is a note someone saved here by mistake\n'.repeat(100));
      const notices: string[] = [];
      const store = openCacheStore(dir, { onNotice: (line) => notices.push(line) });
      const cache = createStoredCriticCache(store.table('critic'));
      assert.equal(await cache.get(cacheKey('a')), undefined);
      await cache.set(cacheKey('a'), entry('after'));
      store.close();
      assert.equal(notices.length, 1);
      assert.match(notices[0]!, /cache\.sqlite was damaged \(file is not a database\); it was moved to cache\.sqlite\.corrupt and a new cache started/);
      assert.ok(existsSync(join(dir, `${SQLITE_FILE}.corrupt`)));
      const again = openCacheStore(dir);
      assert.equal(explanationOf(await createStoredCriticCache(again.table('critic')).get(cacheKey('a'))), 'after');
      again.close();
    });
  });

  it('damaged pages inside the database are found when read: a notice, a fresh cache, and the run goes on', async () => {
    await withDir(async (dir) => {
      const store = openCacheStore(dir);
      const cache = createStoredCriticCache(store.table('critic'));
      for (let i = 0; i < 3_000; i++) await cache.set(cacheKey(`k${i}`), entry(`a verdict explained at some length ${i}`.repeat(4)));
      store.close();
      // Keep the header (the file still opens), scribble over the pages after it.
      const file = await open(join(dir, SQLITE_FILE), 'r+');
      await file.write(Buffer.alloc(64 * 4096, 0xa5), 0, 64 * 4096, 8 * 4096);
      await file.close();
      const notices: string[] = [];
      const reopened = openCacheStore(dir, { onNotice: (line) => notices.push(line) });
      const stats = await reopened.table('critic').stats();
      assert.equal(stats.entries, 0);
      assert.equal(notices.length, 1);
      assert.match(notices[0]!, /was damaged \(database disk image is malformed\); it was moved to cache\.sqlite\.corrupt/);
      const fresh = createStoredCriticCache(reopened.table('critic'));
      await fresh.set(cacheKey('x'), entry('x'));
      assert.equal(explanationOf(await fresh.get(cacheKey('x'))), 'x');
      reopened.close();
    });
  });

  it('the SQLite store ignores the per-file caches of older versions, and clearing removes them', async () => {
    await withDir(async (dir) => {
      const old = openCacheStore(dir, { portable: true });
      await createStoredCriticCache(old.table('critic')).set(cacheKey('old'), entry('old'));
      await old.table('results').set(cacheKey('old result'), '{}', 0);
      await mkdir(join(dir, 'v1', 'zz'), { recursive: true });
      const store = openCacheStore(dir);
      assert.equal(await createStoredCriticCache(store.table('critic')).get(cacheKey('old')), undefined);
      assert.deepEqual(await store.leftovers(), [join(dir, 'v1'), join(dir, 'batch-results')]);
      await store.table('critic').set(cacheKey('new'), JSON.stringify(entry('new')), 0);
      assert.equal(await store.clear(), 3);
      assert.deepEqual(await store.leftovers(), []);
      assert.ok(!existsSync(join(dir, 'v1')));
      store.close();
    });
  });
});
