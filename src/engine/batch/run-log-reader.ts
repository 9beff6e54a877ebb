// Reads a run log for a report: one pass that indexes it (the latest line of each item, where it
// stands in the file, the segments of every run that wrote to it), then its entries in input order
// (path order, records in file order), each read from its place when it is needed. Memory holds the
// index, never the entries: a 100,000-record log renders as a stream. A bad line is reported, not
// fatal; a file without a header is not a run log.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { z } from 'zod';
import { errorMessage } from '../error-message';
import type { FailOn, ReportMeta } from '../report/build';
import type { RunLogEnd, RunLogHeader, RunLogItem } from './run-log';
import { RunLogError, RunLogItemSchema, RunLogLineSchema } from './run-log';

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
  offset: number;
  length: number;
  /** The file the entry comes from as shown (its id without `#N`), and the record index (-1 for a file). */
  file: string;
  record: number;
}

export interface RunLogIndex {
  path: string;
  header: RunLogHeader;
  /** Items in the log (the latest line of each). */
  count: number;
  /** The `end` line of the last run, if it stopped in order. */
  end?: RunLogEnd;
  resumes: number;
  /** Wall time over every run that wrote to the log (a killed run counts up to its last line). */
  durationMs: number;
  /** When the last line was written. */
  lastAt: string;
  /** Lines that could not be read. */
  problems: string[];
  /**
   * Every item, the latest line of each, in input order. `trusted`: the log was written by this process
   * a moment ago, so its lines are not validated again (a report validates; an exit status need not).
   */
  items(options?: { trusted?: boolean }): AsyncGenerator<RunLogItem>;
}

export async function readRunLog(path: string): Promise<RunLogIndex> {
  let header: RunLogHeader | undefined;
  const places = new Map<string, Place>();
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
        segments.push({ start: Date.parse(header.startedAt), last: Date.parse(header.startedAt) });
        lastAt = header.startedAt;
        return;
      }
      const item = IndexedItemSchema.safeParse(value);
      if (item.success) {
        const { id, entry, at } = item.data;
        // A re-judged item (changed content, --retry-errors) replaces its earlier line.
        places.set(id, { offset, length, file: entry.record ? id.replace(/#[^#]*$/, '') : id, record: entry.record?.index ?? -1 });
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
  const ordered = [...places.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.record - b.record));
  return {
    path,
    header,
    count: ordered.length,
    ...(end ? { end } : {}),
    resumes,
    durationMs: segments.reduce((sum, s) => sum + (s.durationMs ?? Math.max(0, s.last - s.start)), 0),
    lastAt,
    problems,
    items: (options = {}) => readPlaces(path, ordered, options.trusted ?? false),
  };
}

async function* readPlaces(path: string, places: readonly Place[], trusted: boolean): AsyncGenerator<RunLogItem> {
  const handle = await open(path, 'r');
  try {
    for (const place of places) {
      const bytes = Buffer.alloc(place.length);
      await handle.read(bytes, 0, place.length, place.offset);
      const value: unknown = JSON.parse(bytes.toString('utf8'));
      yield trusted ? (value as RunLogItem) : RunLogItemSchema.parse(value);
    }
  } finally {
    await handle.close();
  }
}

/** What a report of the log says about the run: its tool, critic, and time over every run. */
export function runLogMeta(log: RunLogIndex, failOn?: FailOn): ReportMeta {
  return {
    toolVersion: log.header.tool.version,
    critic: log.header.critic,
    ...(log.header.tool.protocolVersion !== undefined ? { promptVersion: log.header.tool.protocolVersion } : {}),
    ...(failOn ? { failOn } : {}),
    durationMs: log.durationMs,
    createdAt: new Date(log.end?.at ?? log.lastAt),
  };
}
