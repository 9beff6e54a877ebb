// The two ends of a batch, as reply sources for the critic's client (llm/batch-request.ts):
//
//   - a request file: each request the critic asks is written as one line of the OpenAI batch input
//     format (what `vllm run-batch -i` and a provider's batch API read) and gets no reply now: its
//     steps are "could not judge" in this pass, which nobody keeps (the export writes no run log);
//   - results files (what `vllm run-batch -o` writes, a provider's output and error files): indexed by
//     custom_id once (the line's place in the file, never the line), and read back one reply at a time
//     as the critic asks for it, joined by custom_id whatever the order of the lines. A result that is
//     missing or failed is an error that names why; the critic makes its steps "could not judge".
import { closeSync, openSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import type { BatchRequestLine, ReplySource } from '../llm/batch-request';
import { solutionOfCustomId } from '../llm/batch-request';
import { LlmError } from '../llm/errors';
import { forEachLine } from './run-log-reader';

export interface RequestFileWriter extends ReplySource {
  /** Requests written, and their bytes (with the newlines). */
  readonly requests: number;
  readonly bytes: number;
  /** Solutions with at least one request. */
  readonly solutions: number;
  close(): void;
}

/** Writes every request asked into `path`, a new file (`wx`: nothing the user has is overwritten unless `overwrite`). */
export function createRequestFileWriter(path: string, options: { overwrite?: boolean } = {}): RequestFileWriter {
  const fd = openSync(path, options.overwrite ? 'w' : 'wx');
  const written = new Set<string>();
  const solutions = new Set<string>();
  let bytes = 0;
  let closed = false;
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
    reply(line: BatchRequestLine): Promise<unknown> {
      // The same request asked twice (the same solution given twice) is written once.
      if (!closed && !written.has(line.custom_id)) {
        written.add(line.custom_id);
        solutions.add(solutionOfCustomId(line.custom_id) ?? line.custom_id);
        const text = Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');
        for (let offset = 0; offset < text.length;) offset += writeSync(fd, text, offset, text.length - offset);
        bytes += text.length;
      }
      return Promise.reject(new LlmError('batch', 'written to the batch request file; its reply comes with the import'));
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
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

const ErrorBodySchema = z.looseObject({ error: z.looseObject({ message: z.string() }) });

interface Place {
  file: number;
  offset: number;
  length: number;
}

export interface BatchResults extends ReplySource {
  /** Result lines indexed (the last line of a custom_id counts). */
  readonly size: number;
  /** Lines that are not a result (not JSON, no custom_id). */
  readonly unreadable: number;
  /** Results no request asked for (the export was made with other options, or other inputs). */
  unused(): number;
  /** The solutions the results name (for an import without paths: the files to read). */
  solutions(): Set<string>;
  close(): Promise<void>;
}

/** Indexes results files by custom_id; a reply is read from its file when the critic asks for it. */
export async function openBatchResults(paths: readonly string[]): Promise<BatchResults> {
  const index = new Map<string, Place>();
  let unreadable = 0;
  for (const [file, path] of paths.entries()) {
    await forEachLine(path, (text, offset, length) => {
      if (text.trim() === '') return;
      const id = customIdOf(text);
      if (id === undefined) unreadable++;
      else index.set(id, { file, offset, length });
    });
  }
  const handles: (Promise<FileHandle> | undefined)[] = [];
  const used = new Set<string>();
  const read = async (place: Place): Promise<string> => {
    const handle = await (handles[place.file] ??= open(paths[place.file]!, 'r'));
    const buffer = Buffer.alloc(place.length);
    await handle.read(buffer, 0, place.length, place.offset);
    return buffer.toString('utf8');
  };
  return {
    size: index.size,
    unreadable,
    unused: () => [...index.keys()].filter((id) => !used.has(id)).length,
    solutions: () => new Set([...index.keys()].flatMap((id) => solutionOfCustomId(id) ?? [])),
    async reply(line: BatchRequestLine): Promise<unknown> {
      const place = index.get(line.custom_id);
      if (!place) throw new LlmError('batch', `the batch results have no reply to this request (${line.custom_id})`);
      used.add(line.custom_id);
      return replyBody(line.custom_id, await read(place));
    },
    async close() {
      await Promise.all(handles.map(async (h) => (await h)?.close()));
    },
  };
}

/** The custom_id of a result line, read without parsing the reply it carries. */
function customIdOf(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    const parsed = z.looseObject({ custom_id: z.string() }).safeParse(value);
    return parsed.success ? parsed.data.custom_id : undefined;
  } catch {
    return undefined;
  }
}

/** The chat completion a result line carries, or the error it reports. */
function replyBody(customId: string, text: string): unknown {
  const parsed = ResultLineSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new LlmError('batch', `the batch result for ${customId} is not a result line`);
  const { response, error } = parsed.data;
  if (error && (error.message || error.code)) {
    throw new LlmError('batch', `the batch could not run this request (${[error.code, error.message].filter(Boolean).join(': ')})`);
  }
  if (!response) throw new LlmError('batch', `the batch result for ${customId} has neither a response nor an error`);
  const status = response.status_code ?? 200;
  // OpenAI's and vLLM's lines carry the completion in `response.body`; some writers put it in `response` itself.
  const body = response.body ?? response;
  if (status !== 200) {
    const said = ErrorBodySchema.safeParse(body);
    throw new LlmError('batch', `the batch request failed with status ${status}${said.success ? `: ${said.data.error.message}` : ''}`, { status });
  }
  return body;
}
