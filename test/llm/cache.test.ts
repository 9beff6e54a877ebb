import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createFileCache } from '../../src/engine/cache/file';
import { createMemoryCache } from '../../src/engine/cache/memory';
import type { CacheEntry } from '../../src/engine/cache/types';

const entry = (explanation: string): CacheEntry => ({
  kind: 'step',
  value: { verdict: 'correct', pTrue: 0.9, source: 'logprobs', explanation, model: 'm', createdAt: 0 },
});

const explanationOf = (found: CacheEntry | undefined) => (found?.kind === 'step' ? found.value.explanation : undefined);

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

  it('the disk cache keeps entries beyond what it holds in memory, and survives its folder being cleared by another process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stepcritic-cache-'));
    try {
      const writer = createFileCache(dir);
      const keys = Array.from({ length: 2_100 }, (_, i) => i.toString(16).padStart(64, '0'));
      for (const key of keys) await writer.set(key, entry(key));
      // The first entry is long out of the writer's memory: it comes back from its file.
      assert.equal(explanationOf(await writer.get(keys[0]!)), keys[0]);
      assert.equal((await createFileCache(dir).stats()).entries, 2_100);

      await createFileCache(dir).clear();
      await writer.set(keys[1]!, entry('after clear'));
      assert.equal(explanationOf(await createFileCache(dir).get(keys[1]!)), 'after clear');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
