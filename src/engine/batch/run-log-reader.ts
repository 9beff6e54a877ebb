// Reads a run log for a report: one pass that indexes it (the latest line of each item, where it
// stands in the file, the segments of every run that wrote to it), then its entries in input order
// (path order, records in file order), each read from its place when it is needed. Memory holds the
// index, never the entries: a 100,000-record log renders as a stream. A bad line is reported, not
// fatal; a file without a header is not a run log. Several logs (the shards of a run, `--shard I/N`)
// are read the same way into one index: one reader, whether one log or many.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { errorMessage } from '../error-message';
import type { FailOn, ReportMeta } from '../report/build';
import type { ReportShards } from '../report/schema';
import type { RunLogEnd, RunLogHeader, RunLogItem } from './run-log';
import { describeConfigChange, RunLogError, RunLogItemSchema, RunLogLineSchema } from './run-log';

/** Calls `each` for every line of a file, with its byte offset and length (without the newline). */
export async function forEachLine(path: string, each: (text: string, offset: number, length: number) => void): Promise<void> {
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let offset = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, start)) {
      const line = pendingLength > 0 ? Buffer.concat([...pending, chunk.subarray(start, i)]) : chunk.subarray(start, i);
      each(line.toString('utf8'), offset, line.length);
      offset += line.length + 1;
      pending = [];
      pendingLength = 0;
      start = i + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingLength += chunk.length - start;
    }
  }
  if (pendingLength > 0) {
    const line = Buffer.concat(pending);
    each(line.toString('utf8'), offset, line.length);
  }
}

/** The fields of an item line the index needs (the whole entry is read and validated later). */
const IndexedItemSchema = z.looseObject({
  type: z.literal('item'),
  id: z.string(),
  at: z.string(),
  entry: z.looseObject({ path: z.string(), record: z.looseObject({ index: z.number() }).optional() }),
});

interface Place {
  /** Which of the logs read holds the line. */
  log: number;
  offset: number;
  length: number;
  at: string;
  /** The file the entry comes from as shown (its id without `#N`), and the record index (-1 for a file). */
  file: string;
  record: number;
}

/** One run log as read: its header, how its runs went, what could not be read. */
export interface RunLogFile {
  path: string;
  header: RunLogHeader;
  /** The `end` line of the last run, if it stopped in order. */
  end?: RunLogEnd;
  resumes: number;
  /** The runs that wrote to the log, by run id and start, with their wall time (a killed run counts up to its last line). */
  runs: { key: string; durationMs: number }[];
  /** When the last line was written. */
  lastAt: string;
  /** Lines that could not be read. */
  problems: string[];
}

export interface RunLogIndex {
  /** The logs read, in the order given (one, or several merged: shards, copies of a resumed run). */
  logs: RunLogFile[];
  /** The first log's header; every other log was made with the same configuration. */
  header: RunLogHeader;
  /** Items in the logs (the latest line of each). */
  count: number;
  /** Items found in more than one log (overlapping resumes or shards), each counted once. */
  duplicates: number;
  /** Every log's last run stopped in order (no `end` line: still running, or killed). */
  finished: boolean;
  /** A run stopped before every item was judged (Ctrl-C, token budget), or has not finished. */
  interrupted: boolean;
  /** The shards of a sharded run the logs cover, when not all of them (absent: the whole run). */
  shards?: ReportShards;
  /** Wall time over every run that wrote to the logs, summed (machine time); a run found in two logs (a copy) counts once. */
  durationMs: number;
  /** When the last line was written, or the last run ended. */
  lastAt: string;
  /** What a report page says about the run(s): ids, configuration, inputs. */
  run: { id: string; configHash: string; interrupted: boolean; inputs: string[] };
  /**
   * Every item, the latest line of each, in input order. `trusted`: the log was written by this process
   * a moment ago, so its lines are not validated again (a report validates; an exit status need not).
   */
  items(options?: { trusted?: boolean }): AsyncGenerator<RunLogItem>;
}

/**
 * Reads one run log, or several as one (the shards of a run, a run and a copy resumed elsewhere): an
 * item in more than one log counts once (its latest line), and logs made with different configurations
 * are refused, naming the two files and what differs, so that one report never mixes two judges.
 */
export async function readRunLog(paths: string | readonly string[]): Promise<RunLogIndex> {
  const list = typeof paths === 'string' ? [paths] : paths;
  if (list.length === 0) throw new RunLogError('no run log given');
  const places = new Map<string, Place>();
  const logs: RunLogFile[] = [];
  const duplicated = new Set<string>();
  for (const [log, path] of list.entries()) {
    const first = logs[0];
    const file = await indexRunLog(path, {
      header: (header) => {
        if (first) refuseConflict(first, { path, header });
      },
      item: (id, place) => {
        const earlier = places.get(id);
        if (earlier && earlier.log !== log) {
          duplicated.add(id);
          // The same item in two logs: the later judgement stands (a copy of a log ties: the later log).
          if (earlier.at > place.at) return;
        }
        places.set(id, { log, ...place });
      },
    });
    logs.push(file);
  }
  const ordered = [...places.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.record - b.record));
  const header = logs[0]!.header;
  const finished = logs.every((l) => l.end !== undefined);
  const interrupted = !finished || logs.some((l) => l.end?.interrupted === true);
  const lastAt = logs.map((l) => l.end?.at ?? l.lastAt).reduce((a, b) => (a > b ? a : b));
  const shards = shardsOf(logs);
  return {
    logs,
    header,
    count: ordered.length,
    duplicates: duplicated.size,
    finished,
    interrupted,
    ...(shards ? { shards } : {}),
    durationMs: totalDuration(logs),
    lastAt,
    run: {
      id: logs.map((l) => l.header.runId).join(' + '),
      configHash: header.configHash,
      interrupted,
      inputs: [...new Set(logs.flatMap((l) => l.header.inputs))],
    },
    items: (options = {}) =>
      readPlaces(
        logs.map((l) => l.path),
        ordered,
        options.trusted ?? false,
      ),
  };
}

function totalDuration(logs: readonly RunLogFile[]): number {
  const runs = new Map<string, number>();
  for (const run of logs.flatMap((l) => l.runs)) runs.set(run.key, Math.max(run.durationMs, runs.get(run.key) ?? 0));
  return [...runs.values()].reduce((sum, ms) => sum + ms, 0);
}

function refuseConflict(first: Pick<RunLogFile, 'path' | 'header'>, next: Pick<RunLogFile, 'path' | 'header'>): void {
  const a = first.header;
  const b = next.header;
  if (a.configHash !== b.configHash) {
    throw new RunLogError(
      `${first.path} and ${next.path} were made with different configurations (${describeConfigChange(a.config, b.config) || 'settings differ'}): one report must not mix two judges; report them one at a time`,
    );
  }
  if (a.shard && b.shard && a.shard.count !== b.shard.count) {
    throw new RunLogError(
      `${first.path} and ${next.path} are shards of different splits (--shard ${a.shard.index}/${a.shard.count} and --shard ${b.shard.index}/${b.shard.count}): merge the shards of one split`,
    );
  }
}

/** The shards the logs cover, when every log is a shard of one split and some shards are missing. */
function shardsOf(logs: readonly RunLogFile[]): ReportShards | undefined {
  const shards = logs.map((l) => l.header.shard);
  const count = shards[0]?.count;
  if (count === undefined || shards.some((s) => s === undefined)) return undefined;
  const included = [...new Set(shards.map((s) => s!.index))].sort((a, b) => a - b);
  return included.length === count ? undefined : { count, included };
}

/** One pass over a log: its header and runs, and the place of every item line (a later one replaces an earlier one). */
async function indexRunLog(path: string, on: { header(header: RunLogHeader): void; item(id: string, place: Omit<Place, 'log'>): void }): Promise<RunLogFile> {
  let header: RunLogHeader | undefined;
  const problems: string[] = [];
  let end: RunLogEnd | undefined;
  let resumes = 0;
  let lineNumber = 0;
  const segments: { start: number; last: number; durationMs?: number }[] = [];
  let lastAt = '';
  const seen = (at: string) => {
    lastAt = at;
    const segment = segments[segments.length - 1];
    if (segment) segment.last = Math.max(segment.last, Date.parse(at) || segment.last);
  };
  const fail = (message: string): never => {
    throw new RunLogError(`${path} is not a Step Critic run log: ${message}`);
  };
  try {
    await forEachLine(path, (text, offset, length) => {
      lineNumber += 1;
      if (text.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        if (header === undefined) fail(`line ${lineNumber} is not JSON`);
        problems.push(`line ${lineNumber} is not JSON (a line torn by a kill mid-write?)`);
        return;
      }
      if (header === undefined) {
        const parsed = RunLogLineSchema.safeParse(value);
        if (!parsed.success || parsed.data.type !== 'header') fail('it does not start with a header line');
        header = parsed.data as RunLogHeader;
        on.header(header);
        segments.push({ start: Date.parse(header.startedAt), last: Date.parse(header.startedAt) });
        lastAt = header.startedAt;
        return;
      }
      const item = IndexedItemSchema.safeParse(value);
      if (item.success) {
        const { id, entry, at } = item.data;
        // A re-judged item (changed content, --retry-errors) replaces its earlier line.
        on.item(id, { offset, length, at, file: entry.record ? id.replace(/#[^#]*$/, '') : id, record: entry.record?.index ?? -1 });
        seen(at);
        return;
      }
      const line = RunLogLineSchema.safeParse(value);
      if (!line.success) {
        problems.push(`line ${lineNumber} is not a run-log line (${line.error.issues[0]?.message ?? 'invalid'})`);
        return;
      }
      if (line.data.type === 'end') {
        end = line.data;
        segments[segments.length - 1]!.durationMs = line.data.durationMs;
        seen(line.data.at);
      } else if (line.data.type === 'resume') {
        resumes += 1;
        end = undefined;
        segments.push({ start: Date.parse(line.data.at), last: Date.parse(line.data.at) });
        lastAt = line.data.at;
      }
    });
  } catch (error) {
    if (error instanceof RunLogError) throw error;
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    throw new RunLogError(code === 'ENOENT' ? `no such run log: ${path}` : `cannot read the run log ${path}: ${errorMessage(error)}`);
  }
  if (header === undefined) throw new RunLogError(`${path} is empty: not a Step Critic run log`);
  const runId = header.runId;
  const runs = segments.map((s) => ({ key: `${runId}@${s.start}`, durationMs: s.durationMs ?? Math.max(0, s.last - s.start) }));
  return {
    path,
    header,
    ...(end ? { end } : {}),
    resumes,
    runs,
    lastAt,
    problems,
  };
}

async function* readPlaces(paths: readonly string[], places: readonly Place[], trusted: boolean): AsyncGenerator<RunLogItem> {
  const handles: (FileHandle | undefined)[] = paths.map(() => undefined);
  try {
    for (const place of places) {
      const handle = (handles[place.log] ??= await open(paths[place.log]!, 'r'));
      const bytes = Buffer.alloc(place.length);
      await handle.read(bytes, 0, place.length, place.offset);
      const value: unknown = JSON.parse(bytes.toString('utf8'));
      yield trusted ? (value as RunLogItem) : RunLogItemSchema.parse(value);
    }
  } finally {
    await Promise.all(handles.map((h) => h?.close()));
  }
}

/** What a report of the log says about the run: its tool, critic, and time over every run. */
export function runLogMeta(log: RunLogIndex, failOn?: FailOn): ReportMeta {
  return {
    toolVersion: log.header.tool.version,
    critic: log.header.critic,
    ...(log.header.tool.protocolVersion !== undefined ? { promptVersion: log.header.tool.protocolVersion } : {}),
    ...(failOn ? { failOn } : {}),
    ...(log.shards ? { shards: log.shards } : {}),
    durationMs: log.durationMs,
    createdAt: new Date(log.lastAt),
  };
}
