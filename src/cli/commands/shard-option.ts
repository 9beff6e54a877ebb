// `--shard I/N` as `check` and `eval` read it: one of N disjoint parts of the input, by content hash
// (src/engine/pipeline/shard.ts).
import type { Shard } from '../../engine/pipeline/shard';
import { parseShard } from '../../engine/pipeline/shard';
import type { OptionSpec, ParsedArgs } from '../args';
import { helpHint, stringValue } from '../args';
import { UsageError } from '../command';

/** The --shard option, saying how the shards' logs come together again (`merged`). */
export function shardOption(merged: string): OptionSpec {
  return {
    name: 'shard',
    type: 'string',
    valueName: 'I/N',
    description: `Judge only shard I of N (I from 1 to N): the solutions whose content hash falls in it, so N machines split one run without talking to each other; ${merged}`,
  };
}

export function readShard(command: string, args: ParsedArgs): Shard | undefined {
  const text = stringValue(args, 'shard');
  if (text === undefined) return undefined;
  const parsed = parseShard(text);
  if (!parsed.ok) throw new UsageError(parsed.message, helpHint(command));
  return parsed.shard;
}
