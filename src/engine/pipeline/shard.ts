// `--shard I/N`: one of N disjoint parts of a run, so that N machines (CI jobs, Kubernetes jobs) judge
// one dataset without talking to each other, and `stepcritic report` merges their run logs. An item's
// shard follows its content hash, the half of its run-log key (id + content hash) that does not depend
// on where it stands: the id is `data.jsonl#N` (its position) and relative to the working directory,
// so a dataset read from another folder, reordered or appended to keeps every record in its shard.
// An input that could not be read at all has no content: its name decides.
import { describeShards } from '../report/findings';
import type { ReportShards } from '../report/schema';
import type { PipelineItem } from './items';
import { contentHash, UNREAD } from './items';

/** Shard `index` (1-based, as pytest-shard and `jest --shard` count) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

export const MAX_SHARDS = 10_000;

/** Reads `I/N` (1 ≤ I ≤ N); an error message says what is wrong. */
export function parseShard(text: string): { ok: true; shard: Shard } | { ok: false; message: string } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return { ok: false, message: `--shard must be I/N, e.g. --shard 1/4 (got '${text}')` };
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) return { ok: false, message: `--shard ${text}: N must be between 1 and ${MAX_SHARDS}` };
  if (index < 1 || index > count) {
    return { ok: false, message: `--shard ${text}: I must be between 1 and ${count} (shards count from 1: --shard 1/${count} … --shard ${count}/${count})` };
  }
  return { ok: true, shard: { index, count } };
}

export function describeShard(shard: Shard): string {
  return describeShards(shardScope(shard));
}

/** What a report of one shard's run covers. */
export function shardScope(shard: Shard): ReportShards;
export function shardScope(shard: Shard | undefined): ReportShards | undefined;
export function shardScope(shard: Shard | undefined): ReportShards | undefined {
  return shard ? { count: shard.count, included: [shard.index] } : undefined;
}

/** The shard (1-based) an item belongs to among `count`. */
export function shardOf(item: Pick<PipelineItem, 'id' | 'contentHash'>, count: number): number {
  const hash = item.contentHash === UNREAD ? contentHash(item.id) : item.contentHash;
  // The first 48 bits of a SHA-256 hex digest: uniform, and exact as a JavaScript number.
  return (Number.parseInt(hash.slice(0, 12), 16) % count) + 1;
}

export function inShard(item: Pick<PipelineItem, 'id' | 'contentHash'>, shard: Shard | undefined): boolean {
  return shard === undefined || shardOf(item, shard.count) === shard.index;
}

/** The items of one shard, streamed (every item is still read and hashed, none is judged twice). */
export async function* shardItems(items: AsyncIterable<PipelineItem>, shard: Shard | undefined): AsyncGenerator<PipelineItem> {
  for await (const item of items) if (inShard(item, shard)) yield item;
}
