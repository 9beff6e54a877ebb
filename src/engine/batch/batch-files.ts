// The two ends of a batch, as reply sources for the critic's client (llm/batch-request.ts):
//
//   - a request file: each request the critic asks is written as one line of the OpenAI batch input
//     format (what `vllm run-batch -i` and a provider's batch API read) and gets no reply now: its
//     steps are "could not judge" in this pass, which nobody keeps (the export writes no run log);
//   - results files (what `vllm run-batch -o` writes, a provider's output and error files): indexed by
//     custom_id once (the line's place in the file, never the line), and read back one reply at a time
//     as the critic asks for it, joined by custom_id whatever the order of the lines. A result that is
//     missing or failed is an error that names why; the critic makes its steps "could not judge".
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import type { BatchRequestLine, ReplySource } from '../llm/batch-request';
import { solutionOfCustomId } from '../llm/batch-request';
import { LlmError } from '../llm/errors';
import type { LinePlace } from './id-index';
import { IdIndex } from './id-index';
import { forEachLine } from './run-log-reader';

/** What one request file may hold (a provider's limits; OpenAI: 50,000 requests and 200 MB). */
export interface BatchLimits {
  maxRequests: number;
  maxBytes: number;
}

export const OPENAI_BATCH_LIMITS: BatchLimits = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 };

export interface RequestFile {
  path: string;
  requests: number;
  bytes: number;
}

export interface RequestFileWriter extends ReplySource {
  /** Requests written, and their bytes (with the newlines). */
  readonly requests: number;
  readonly bytes: number;
  /** Solutions with at least one request. */
  readonly solutions: number;
  /** The files written, in order (one unless `limits` split them). */
  readonly files: readonly RequestFile[];
  close(): void;
}

export interface RequestFileOptions {
  /** Replace an existing file (otherwise a file that exists is an error: nothing the user has is overwritten). */
  overwrite?: boolean;
  /** Go on in the next file (`pathOf(n + 1)`) before a line would pass either limit. */
  limits?: BatchLimits;
  /** Requests not to write (a provider batch answered them already). */
  skip?: (customId: string) => boolean;
}

/** Solutions a writer remembers by their ids, the latest ones: a solution's requests are asked close together. */
const RECENT_SOLUTIONS = 256;

/**
 * Writes every request asked into `pathOf(0)`, and on into `pathOf(1)`, … when `limits` say a file is
 * full. What was written is indexed by custom_id and by solution (id-index.ts), not held as strings: a
 * 100,000-record export held both in sets, about 180 bytes a request on V8's heap.
 */
export function createRequestFileWriter(pathOf: string | ((part: number) => string), options: RequestFileOptions = {}): RequestFileWriter {
  const nameOf = typeof pathOf === 'string' ? () => pathOf : pathOf;
  const limits = options.limits ?? { maxRequests: Infinity, maxBytes: Infinity };
  const files: RequestFile[] = [];
  let fd: number | undefined;
  /** A written request's custom_id, read back from its file (only to tell apart two ids of one hash). */
  const idAt = (place: LinePlace): string => {
    const readFd = openSync(files[place.file]!.path, 'r');
    try {
      const buffer = Buffer.alloc(place.length);
      readSync(readFd, buffer, 0, place.length, place.offset);
      return (JSON.parse(buffer.toString('utf8')) as BatchRequestLine).custom_id;
    } finally {
      closeSync(readFd);
    }
  };
  const written = new IdIndex(idAt);
  const solutions = new IdIndex((place) => solutionOf(idAt(place)));
  const recentSolutions = new Set<string>();
  let bytes = 0;
  let closed = false;
  const fileFor = (size: number): { fd: number; file: RequestFile } => {
    const current = files.at(-1);
    if (fd !== undefined && current && current.requests < limits.maxRequests && current.bytes + size <= limits.maxBytes) return { fd, file: current };
    if (fd !== undefined) closeSync(fd);
    const path = nameOf(files.length);
    fd = openSync(path, options.overwrite ? 'w' : 'wx');
    files.push({ path, requests: 0, bytes: 0 });
    return { fd, file: files.at(-1)! };
  };
  const noteSolution = (solution: string, place: LinePlace) => {
    if (recentSolutions.has(solution)) return;
    solutions.add(solution, place, 0);
    recentSolutions.add(solution);
    if (recentSolutions.size > RECENT_SOLUTIONS) recentSolutions.delete(recentSolutions.values().next().value!);
  };
  return {
    get requests() {
      return written.size;
    },
    get bytes() {
      return bytes;
    },
    get solutions() {
      return solutions.size;
    },
    files,
    reply(line: BatchRequestLine): Promise<unknown> {
      // The same request asked twice (the same solution given twice) is written once.
      if (!closed && written.findExact(line.custom_id) < 0 && options.skip?.(line.custom_id) !== true) {
        const text = Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');
        const target = fileFor(text.length);
        const place = { file: files.length - 1, offset: target.file.bytes, length: text.length - 1 };
        for (let offset = 0; offset < text.length;) offset += writeSync(target.fd, text, offset, text.length - offset);
        target.file.requests += 1;
        target.file.bytes += text.length;
        bytes += text.length;
        written.add(line.custom_id, place, 0);
        noteSolution(solutionOf(line.custom_id), place);
      }
      return Promise.reject(new LlmError('batch', 'written to the batch request file; its reply comes with the import'));
    },
    close() {
      if (closed) return;
      closed = true;
      if (fd !== undefined) closeSync(fd);
    },
  };
}

function solutionOf(customId: string): string {
  return solutionOfCustomId(customId) ?? customId;
}

/** One line of a results file: OpenAI's output and error files, `vllm run-batch -o`. */
const ResultLineSchema = z.looseObject({
  custom_id: z.string(),
  response: z
    .looseObject({
      status_code: z.number().int().optional(),
      body: z.unknown().optional(),
    })
    .nullish(),
  error: z.looseObject({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});

const ErrorBodySchema = z.looseObject({ error: z.looseObject({ message: z.string(), param: z.string().nullish() }) });

/** The marks of a result's slot in the index. */
const REPLY = 1;
const ASKED = 2;

export interface BatchResults extends ReplySource {
  /** Result lines indexed (the last line of a custom_id counts). */
  readonly size: number;
  /** Lines that are not a result (not JSON, no custom_id). */
  readonly unreadable: number;
  /** Whether the results hold a reply to this request (not an error). */
  answered(customId: string): boolean;
  /** Results no request asked for (the export was made with other options, or other inputs). */
  unused(): number;
  /** The files the results' solutions are from (a record's dataset once): what an import without paths reads. */
  sources(): Set<string>;
  /** Why each request the results hold no reply to failed (one error per distinct wording), to learn from. */
  failures(): Promise<LlmError[]>;
  close(): Promise<void>;
}

/**
 * Indexes results files by custom_id (id-index.ts: the ids are not held, a line is found by its id's
 * hash and its custom_id checked when it is read); a reply is read from its file when the critic asks.
 */
export async function openBatchResults(paths: readonly string[]): Promise<BatchResults> {
  const syncFiles: (number | undefined)[] = [];
  const readSyncAt = (place: LinePlace): string => {
    const fd = (syncFiles[place.file] ??= openSync(paths[place.file]!, 'r'));
    const buffer = Buffer.alloc(place.length);
    readSync(fd, buffer, 0, place.length, place.offset);
    return buffer.toString('utf8');
  };
  const index = new IdIndex((place) => resultOf(readSyncAt(place))?.id ?? '');
  const sources = new Set<string>();
  let unreadable = 0;
  try {
    for (const [file, path] of paths.entries()) {
      await forEachLine(path, (text, offset, length) => {
        if (text.trim() === '') return;
        const result = resultOf(text);
        if (result === undefined) {
          unreadable++;
          return;
        }
        const solution = solutionOfCustomId(result.id);
        if (solution !== undefined) sources.add(solution.replace(/#[^#]*$/, ''));
        const place = { file, offset, length };
        const { slot, added } = index.add(result.id, place, result.ok ? REPLY : 0);
        // A reply counts over a failure of the same request (a batch resubmitted after one that failed it).
        if (!added && (result.ok || (index.marksOf(slot) & REPLY) === 0)) index.put(slot, place, result.ok ? REPLY : 0);
      });
    }
  } finally {
    for (const fd of syncFiles.splice(0)) if (fd !== undefined) closeSync(fd);
  }
  const handles: (Promise<FileHandle> | undefined)[] = [];
  const read = async (place: LinePlace): Promise<string> => {
    const handle = await (handles[place.file] ??= open(paths[place.file]!, 'r'));
    const buffer = Buffer.alloc(place.length);
    await handle.read(buffer, 0, place.length, place.offset);
    return buffer.toString('utf8');
  };
  /** The result line of a custom_id: the one its hash finds, or (two ids of one hash) the one that has it. */
  const lineOf = async (customId: string): Promise<{ slot: number; line: ResultLine | undefined } | undefined> => {
    const slot = index.find(customId);
    if (slot < 0) return undefined;
    const line = parseResultLine(await read(index.place(slot)));
    if (line?.custom_id === customId) return { slot, line };
    const exact = index.findExact(customId);
    return exact < 0 ? undefined : { slot: exact, line: parseResultLine(await read(index.place(exact))) };
  };
  return {
    size: index.size,
    unreadable,
    answered: (customId) => {
      const slot = index.find(customId);
      return slot >= 0 && (index.marksOf(slot) & REPLY) !== 0;
    },
    unused: () => {
      let unused = 0;
      for (const slot of index.slots()) if ((index.marksOf(slot) & ASKED) === 0) unused++;
      return unused;
    },
    sources: () => new Set(sources),
    async failures() {
      const errors = new Map<string, LlmError>();
      for (const slot of index.slots()) {
        if ((index.marksOf(slot) & REPLY) !== 0) continue;
        const line = parseResultLine(await read(index.place(slot)));
        try {
          replyBody(line?.custom_id ?? 'a request', line);
        } catch (error) {
          if (error instanceof LlmError && !errors.has(error.serverMessage ?? error.message)) errors.set(error.serverMessage ?? error.message, error);
        }
      }
      return [...errors.values()];
    },
    async reply(line: BatchRequestLine): Promise<unknown> {
      const found = await lineOf(line.custom_id);
      if (!found) throw new LlmError('batch', `the batch results have no reply to this request (${line.custom_id})`);
      index.mark(found.slot, ASKED);
      return replyBody(line.custom_id, found.line);
    },
    async close() {
      await Promise.all(handles.map(async (h) => (await h)?.close()));
    },
  };
}

type ResultLine = z.infer<typeof ResultLineSchema>;

/** A line of a results file, or undefined when it is not one (not JSON, no custom_id). */
function parseResultLine(text: string): ResultLine | undefined {
  try {
    const parsed = ResultLineSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The custom_id of a result line, and whether it carries a reply (its body is not read here). */
function resultOf(text: string): { id: string; ok: boolean } | undefined {
  const line = parseResultLine(text);
  if (!line) return undefined;
  const { custom_id: id, response, error } = line;
  return { id, ok: !(error && (error.message || error.code)) && response != null && (response.status_code ?? 200) === 200 };
}

/** The chat completion a result line carries, or the error it reports. */
function replyBody(customId: string, line: ResultLine | undefined): unknown {
  if (!line) throw new LlmError('batch', `the batch result for ${customId} is not a result line`);
  const { response, error } = line;
  if (error && (error.message || error.code)) {
    throw new LlmError('batch', `the batch could not run this request (${[error.code, error.message].filter(Boolean).join(': ')})`);
  }
  if (!response) throw new LlmError('batch', `the batch result for ${customId} has neither a response nor an error`);
  const status = response.status_code ?? 200;
  // OpenAI's and vLLM's lines carry the completion in `response.body`; some writers put it in `response` itself.
  const body = response.body ?? response;
  if (status !== 200) {
    const said = ErrorBodySchema.safeParse(body);
    // The server's wording and the parameter it names, as a live refusal keeps them: the next round learns from them.
    const refusal = said.success ? { serverMessage: said.data.error.message, ...(said.data.error.param ? { param: said.data.error.param } : {}) } : {};
    throw new LlmError('batch', `the batch request failed with status ${status}${said.success ? `: ${said.data.error.message}` : ''}`, { status, ...refusal });
  }
  return body;
}
