// The run log: one JSON line per finished item, appended and handed to the OS as each item finishes,
// so that Ctrl-C, a crash or a kill loses at most the items still in flight. It is also the input of
// `stepcritic report` (reports are re-rendered from it without re-running) and of `--resume` (items
// already in it are skipped, keyed by id + content hash).
//
// Layout: a header line (run id, config hash, tool and protocol versions), then item lines in the
// order they finished (readers put them back in input order: run-log-reader.ts), a `resume` line each time a run continues the log, and an `end` line when a
// run stops cleanly. A line torn by a kill mid-write is ignored by readers and closed off before the
// next append.
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, fstatSync, writeSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { CriticInfoSchema, FileReportSchema, REPORT_SCHEMA_VERSION } from '../report/schema';
import type { FileReport } from '../report/schema';
import { UsageSchema } from '../types';
import { itemKey } from '../pipeline/items';
import type { Shard } from '../pipeline/shard';
import { describeShard } from '../pipeline/shard';

export const RUN_LOG_VERSION = 1;

export const RunLogToolSchema = z.object({
  name: z.literal('stepcritic'),
  version: z.string(),
  /** The critic protocol (prompt) version, when an LLM critic judged. */
  protocolVersion: z.string().optional(),
  reportSchemaVersion: z.number().int(),
});

export const RunLogHeaderSchema = z.object({
  type: z.literal('header'),
  logVersion: z.literal(RUN_LOG_VERSION),
  runId: z.string(),
  startedAt: z.string(),
  /** Hash of everything that decides a verdict (model, endpoint, prompt version, thresholds, triage). */
  configHash: z.string(),
  /** What was hashed, so a refused resume can say what differs. Never holds a key. */
  config: z.record(z.string(), z.unknown()),
  tool: RunLogToolSchema,
  critic: CriticInfoSchema,
  inputs: z.array(z.string()),
  /** `--shard I/N`: the run judged only this shard of its inputs. */
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).optional(),
});
export type RunLogHeader = z.infer<typeof RunLogHeaderSchema>;

export const TriageInfoSchema = z.object({
  mode: z.enum(['verifiers', 'answer']),
  /** Whether the cheap pass settled the item (no full step critique was made). */
  settled: z.boolean(),
  /** The solution-level P(True) of the answer screen, when it ran. */
  answerPTrue: z.number().min(0).max(1).nullable().optional(),
  threshold: z.number().min(0).max(1).optional(),
  reason: z.string(),
});
export type TriageInfo = z.infer<typeof TriageInfoSchema>;

export const RunLogItemSchema = z.object({
  type: z.literal('item'),
  id: z.string(),
  contentHash: z.string(),
  at: z.string(),
  entry: FileReportSchema,
  triage: TriageInfoSchema.optional(),
  /** `eval`: the split (dataset file) the solution was scored in, so that shards' logs score alike wherever they ran. */
  split: z.string().optional(),
});
export type RunLogItem = z.infer<typeof RunLogItemSchema>;

export const RunLogResumeSchema = z.object({
  type: z.literal('resume'),
  at: z.string(),
  configHash: z.string(),
  toolVersion: z.string(),
  alreadyDone: z.number().int().nonnegative(),
});

export const RunLogEndSchema = z.object({
  type: z.literal('end'),
  at: z.string(),
  /** Stopped before every item was judged (Ctrl-C, token budget). */
  interrupted: z.boolean(),
  reason: z.string().optional(),
  durationMs: z.number().nonnegative(),
  judgedThisRun: z.number().int().nonnegative(),
  usage: UsageSchema,
});
export type RunLogEnd = z.infer<typeof RunLogEndSchema>;

/** A provider batch this run submitted (`--batch-api`): `--resume` re-attaches to it instead of submitting again. */
export const RunLogBatchSchema = z.object({
  type: z.literal('batch'),
  at: z.string(),
  /** The provider's batch id, and the id of the request file it runs. */
  id: z.string(),
  inputFileId: z.string(),
  requests: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});
export type RunLogBatch = z.infer<typeof RunLogBatchSchema>;

/** How a provider batch ended, and where its results are (downloaded beside the run log). */
export const RunLogBatchEndSchema = z.object({
  type: z.literal('batch-end'),
  at: z.string(),
  id: z.string(),
  status: z.string(),
  outputFileId: z.string().nullable(),
  errorFileId: z.string().nullable(),
  counts: z.object({ total: z.number().int(), completed: z.number().int(), failed: z.number().int() }),
});
export type RunLogBatchEnd = z.infer<typeof RunLogBatchEndSchema>;

export const RunLogLineSchema = z.discriminatedUnion('type', [
  RunLogHeaderSchema,
  RunLogItemSchema,
  RunLogResumeSchema,
  RunLogEndSchema,
  RunLogBatchSchema,
  RunLogBatchEndSchema,
]);
export type RunLogLine = z.infer<typeof RunLogLineSchema>;

export class RunLogError extends Error {
  override readonly name = 'RunLogError';
}

/** Just what resuming needs from an item line: its key and whether it should be judged again. */
const ResumeItemSchema = z.looseObject({
  type: z.literal('item'),
  id: z.string(),
  contentHash: z.string(),
  entry: z.looseObject({
    status: z.string(),
    verdict: z.string().nullable(),
    steps: z.array(z.looseObject({ verdict: z.string() })),
    critic: z.looseObject({ enabled: z.boolean() }).optional(),
    rubric: z.looseObject({ items: z.array(z.looseObject({ status: z.string() })) }).optional(),
  }),
});

export interface RunLogWriterOptions {
  path: string;
  /** Continue an existing log (its items are skipped); otherwise the file must not exist yet or be empty. */
  resume: boolean;
  configHash: string;
  config: Record<string, unknown>;
  tool: Omit<z.infer<typeof RunLogToolSchema>, 'name' | 'reportSchemaVersion'>;
  critic: RunLogHeader['critic'];
  inputs: readonly string[];
  /** `--shard I/N`: a resumed log must be of the same shard. */
  shard?: Shard;
  /** Resume even though the configuration differs from the one the log was started with. */
  allowConfigChange?: boolean;
  /** On resume: also re-judge items whose entry has steps that could not be judged, or failed. */
  retryErrors?: boolean;
}

export interface RunLogWriter {
  readonly path: string;
  readonly runId: string;
  /** Keys (id + content hash) of the items already in the log: a resumed run skips them. */
  readonly done: ReadonlySet<string>;
  append(entry: FileReport, key: { id: string; contentHash: string }, about?: { triage?: TriageInfo; split?: string }): void;
  /** The provider batches of the log (`--batch-api`), in the order submitted, with how each ended if it did. */
  readonly batches: { batch: RunLogBatch; end?: RunLogBatchEnd }[];
  /** Records a provider batch submitted, or ended. */
  appendBatch(line: Omit<RunLogBatch, 'type' | 'at'> | Omit<RunLogBatchEnd, 'type' | 'at'>): void;
  close(end: Omit<RunLogEnd, 'type' | 'at'>): void;
}

/** What differs between two run configurations (the first few keys), for a refusal. */
export function describeConfigChange(before: Record<string, unknown>, after: Record<string, unknown>): string {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changed = keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return changed
    .slice(0, 4)
    .map((k) => `${k}: ${JSON.stringify(before[k]) ?? 'unset'} → ${JSON.stringify(after[k]) ?? 'unset'}`)
    .join('; ');
}

/** An entry --retry-errors judges again: it failed, a step could not be judged, or the critic could not judge a rubric item. */
function needsRetry(entry: z.infer<typeof ResumeItemSchema>['entry']): boolean {
  if (entry.status === 'failed' || entry.verdict === 'error' || entry.steps.some((s) => s.verdict === 'error')) return true;
  // Without a critic a rubric item is unjudged by design; with one, it is a reply that did not judge it.
  return entry.critic?.enabled === true && (entry.rubric?.items.some((i) => i.status === 'unjudged') ?? false);
}

/**
 * Opens a run log for appending. A new log must not overwrite anything; a resumed one must have been
 * made with the same configuration (unless allowed), so that one report never mixes two judges.
 */
export async function openRunLog(options: RunLogWriterOptions): Promise<RunLogWriter> {
  const done = new Set<string>();
  const batches: RunLogWriter['batches'] = [];
  const noteBatch = (value: unknown) => {
    const started = RunLogBatchSchema.safeParse(value);
    if (started.success) batches.push({ batch: started.data });
    const ended = RunLogBatchEndSchema.safeParse(value);
    const known = ended.success ? batches.find((b) => b.batch.id === ended.data.id) : undefined;
    if (known && ended.success) known.end = ended.data;
  };
  let runId: string = randomUUID();
  let existingSize: number;
  try {
    const fd = openSync(options.path, 'r');
    existingSize = fstatSync(fd).size;
    closeSync(fd);
  } catch {
    existingSize = 0;
  }

  if (existingSize > 0 && !options.resume) {
    throw new RunLogError(`the run log ${options.path} already exists; pass --resume to continue it, or choose another file`);
  }

  if (existingSize > 0) {
    // The header is validated in full; item lines only as far as resuming needs (a full validation of
    // every entry would cost a large log seconds before the run can start).
    let header: RunLogHeader | undefined;
    const lines = createInterface({ input: createReadStream(options.path, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const text of lines) {
      if (text.trim().length === 0) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        if (header === undefined) throw new RunLogError(`${options.path} is not a Step Critic run log: its first line is not JSON`);
        continue;
      }
      if (header === undefined) {
        const parsed = RunLogHeaderSchema.safeParse(value);
        if (!parsed.success) throw new RunLogError(`${options.path} is not a Step Critic run log: it does not start with a header line`);
        header = parsed.data;
        continue;
      }
      const item = ResumeItemSchema.safeParse(value);
      if (!item.success) {
        noteBatch(value);
        continue;
      }
      const key = itemKey(item.data);
      if (options.retryErrors && needsRetry(item.data.entry)) done.delete(key);
      else done.add(key);
    }
    if (header === undefined) throw new RunLogError(`${options.path} is not a Step Critic run log`);
    if (header.configHash !== options.configHash && !options.allowConfigChange) {
      throw new RunLogError(
        `the run log ${options.path} was made with another configuration (${describeConfigChange(header.config, options.config) || 'settings differ'}); resume with the same options, or start a new run log`,
      );
    }
    const shardOf = (shard: Shard | undefined) => (shard ? describeShard(shard) : 'every shard');
    if (shardOf(header.shard) !== shardOf(options.shard)) {
      throw new RunLogError(
        `the run log ${options.path} holds ${shardOf(header.shard)} of its inputs, not ${shardOf(options.shard)}; resume it with ${header.shard ? `--shard ${header.shard.index}/${header.shard.count}` : 'no --shard'}, or start a new run log`,
      );
    }
    runId = header.runId;
  }

  const fd = openSync(options.path, 'a');
  const write = (line: RunLogLine) => {
    const text = `${JSON.stringify(line)}\n`;
    // One write per line, straight to the OS: a process that dies after this returns loses nothing.
    let offset = 0;
    const bytes = Buffer.from(text, 'utf8');
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  };

  if (existingSize > 0) {
    // A kill mid-write can leave a last line without its newline; close it off so the next line
    // starts clean (readers skip the torn one).
    const last = Buffer.alloc(1);
    const readFd = openSync(options.path, 'r');
    try {
      readSync(readFd, last, 0, 1, existingSize - 1);
    } finally {
      closeSync(readFd);
    }
    if (last[0] !== 0x0a) writeSync(fd, '\n');
    write({ type: 'resume', at: new Date().toISOString(), configHash: options.configHash, toolVersion: options.tool.version, alreadyDone: done.size });
  } else {
    write({
      type: 'header',
      logVersion: RUN_LOG_VERSION,
      runId,
      startedAt: new Date().toISOString(),
      configHash: options.configHash,
      config: options.config,
      tool: { name: 'stepcritic', ...options.tool, reportSchemaVersion: REPORT_SCHEMA_VERSION },
      critic: options.critic,
      inputs: [...options.inputs],
      ...(options.shard ? { shard: options.shard } : {}),
    });
  }

  let closed = false;
  return {
    path: options.path,
    runId,
    done,
    batches,
    append(entry, key, about = {}) {
      if (closed) throw new RunLogError('the run log is closed');
      write({ type: 'item', id: key.id, contentHash: key.contentHash, at: new Date().toISOString(), entry, ...about });
    },
    appendBatch(line) {
      if (closed) throw new RunLogError('the run log is closed');
      const full =
        'status' in line
          ? { type: 'batch-end' as const, at: new Date().toISOString(), ...line }
          : { type: 'batch' as const, at: new Date().toISOString(), ...line };
      write(full);
      noteBatch(full);
    },
    close(end) {
      if (closed) return;
      closed = true;
      // No fsync: every line is already with the OS, which is what survives a crash or a kill; only a
      // power cut could lose the tail, and syncing a large log costs the run noticeable time.
      try {
        write({ type: 'end', at: new Date().toISOString(), ...end });
      } finally {
        closeSync(fd);
      }
    },
  };
}
