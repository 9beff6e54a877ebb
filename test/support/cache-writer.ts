// A process that writes into one cache folder at the same time as others (cache-store.test.ts):
// `node --import tsx cache-writer.ts DIR WRITER COUNT` says it is ready (DIR/ready-WRITER), waits for
// DIR/go so that all writers start together, writes COUNT verdicts of its own and COUNT of a key range
// every writer shares, reading them back, and prints one JSON line of what it saw.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCacheStore } from '../../src/engine/cache/store';
import { createStoredCriticCache } from '../../src/engine/cache/stored-cache';
import { cacheEntry, cacheKey } from './cache-entries';

async function main(): Promise<void> {
  const [dir, writer, count] = process.argv.slice(2) as [string, string, string];
  writeFileSync(join(dir, `ready-${writer}`), '');
  while (!existsSync(join(dir, 'go'))) await new Promise((resolve) => setTimeout(resolve, 5));
  const notices: string[] = [];
  const store = openCacheStore(dir, { onNotice: (line) => notices.push(line) });
  const cache = createStoredCriticCache(store.table('critic'));
  let misses = 0;
  for (let i = 0; i < Number(count); i++) {
    await cache.set(cacheKey(`${writer}-${i}`), cacheEntry(`${writer}-${i}`));
    await cache.set(cacheKey(`shared-${i}`), cacheEntry(`shared-${i}`));
    // Give the other writers a turn now and then, as a run waiting for its critic does.
    if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    if ((await cache.get(cacheKey(`shared-${Math.floor(i / 2)}`))) === undefined) misses++;
  }
  store.close();
  process.stdout.write(`${JSON.stringify({ kind: store.kind, misses, notices })}\n`);
}

void main();
