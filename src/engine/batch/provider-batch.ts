// A provider's batch API (`--batch-api`: OpenAI, Azure OpenAI, any server with `/v1/files` and
// `/v1/batches`) through the `openai` package, in rounds:
//
//   1. the requests not answered yet are written (the pipeline's export pass, batch-files.ts), split into
//      files by the provider's limits (requests and bytes per file);
//   2. each file is uploaded (`purpose: "batch"`) and a batch created on it (`completion_window: "24h"`);
//      its id goes into the run log at once, so that `--resume` after Ctrl-C or a crash re-attaches to
//      it instead of paying twice;
//   3. the batches are polled with back-off until each has ended; their output and error files are
//      downloaded beside the run log (`RUNLOG.batches/`), and how each ended is logged;
//   4. a batch that expired, was cancelled or failed keeps what it answered, and the requests it did not
//      answer go into the next round (at most MAX_ROUNDS).
// What comes back is the results, indexed by custom_id; the pipeline then judges with them as a batch
// import does. Indexing parses every results line (gigabytes at 100,000 records): the files are indexed
// once for every use until a round adds files, not once per use.
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import OpenAI from 'openai';
import { errorMessage } from '../error-message';
import { defaultSleep, endpointSdk } from '../llm/client';
import { LlmError, redactSecret } from '../llm/errors';
import type { BatchLimits, BatchResults, RequestFileWriter } from './batch-files';
import { createRequestFileWriter, openBatchResults } from './batch-files';
import type { Prices } from './estimate';
import type { RunLogBatchEnd, RunLogWriter } from './run-log';

const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

/**
 * A request file goes out as a stream. Node's fetch (undici before 8.6, nodejs/undici#4058) otherwise
 * keeps a copy of a streamed body in case a redirect must resend it: the whole file, up to 200 MB, in
 * memory. A request with no window and `redirect: 'error'` is not copied; a streamed body cannot follow a
 * redirect anyway.
 */
const STREAMED_UPLOAD: Pick<RequestInit, 'window' | 'redirect'> = { window: null, redirect: 'error' };

/** Uploads tried again after a failure that may pass. */
const UPLOAD_RETRIES = 3;

function mayPass(error: unknown): boolean {
  if (error instanceof OpenAI.APIUserAbortError) return false;
  if (error instanceof OpenAI.APIConnectionError) return true;
  return error instanceof OpenAI.APIError && typeof error.status === 'number' && (error.status === 408 || error.status === 429 || error.status >= 500);
}

/** Rounds of submitting what is still unanswered, in one run. */
const MAX_ROUNDS = 3;

/** The batch price: half the live one (OpenAI, Azure OpenAI). */
export function batchPrices(live: Prices): Prices {
  return { inputPerMillion: live.inputPerMillion / 2, outputPerMillion: live.outputPerMillion / 2 };
}

export interface BatchState {
  id: string;
  status: string;
  counts: { total: number; completed: number; failed: number };
  outputFileId: string | null;
  errorFileId: string | null;
  /** Why a batch failed as a whole (its input was refused). */
  errors?: string;
}

export interface ProviderBatchOptions {
  baseUrl: string;
  apiKey?: string;
  /** First wait between two polls; it grows by half each time, up to `maxPollMs`. */
  pollMs: number;
  maxPollMs: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** One endpoint's files and batches. */
export class ProviderBatches {
  private readonly sdk: OpenAI;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: ProviderBatchOptions) {
    this.sleep = options.sleep ?? defaultSleep;
    this.sdk = endpointSdk(options.baseUrl, options.apiKey, { maxRetries: 3 });
  }

  /** Uploads a request file and creates a batch on it. */
  async submit(path: string, signal?: AbortSignal): Promise<{ id: string; inputFileId: string }> {
    return this.calling('submitting a batch', signal, async (callSignal) => {
      const file = await this.upload(path, callSignal);
      const batch = await this.sdk.batches.create(
        { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
        { signal: callSignal },
      );
      return { id: batch.id, inputFileId: file.id };
    });
  }

  /**
   * Uploads a request file, again from its start after a failure that may pass (a 5xx, a 429, a dropped
   * connection): the SDK does not send a streamed body twice, and a run that stops here must export again.
   */
  private async upload(path: string, signal: AbortSignal): Promise<OpenAI.Files.FileObject> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.sdk.files.create({ file: createReadStream(path), purpose: 'batch' }, { signal, maxRetries: 0, fetchOptions: STREAMED_UPLOAD });
      } catch (error) {
        if (attempt >= UPLOAD_RETRIES || !mayPass(error)) throw error;
        await this.sleep(1000 * 2 ** attempt, signal);
      }
    }
  }

  /** Polls the batches (back-off between rounds) until every one has ended; `onState` sees each round. */
  async waitAll(ids: readonly string[], signal: AbortSignal | undefined, onState: (states: BatchState[]) => void): Promise<BatchState[]> {
    const states = new Map<string, BatchState>();
    let wait = this.options.pollMs;
    for (;;) {
      for (const id of ids) {
        if (TERMINAL.has(states.get(id)?.status ?? '')) continue;
        states.set(
          id,
          await this.calling('polling a batch', signal, async (callSignal) => stateOf(await this.sdk.batches.retrieve(id, { signal: callSignal }))),
        );
      }
      const all = ids.map((id) => states.get(id)!);
      onState(all);
      if (all.every((s) => TERMINAL.has(s.status))) return all;
      await this.sleep(wait, signal);
      wait = Math.min(this.options.maxPollMs, wait * 1.5);
    }
  }

  /** Downloads a file's content to `path` (through a temporary file: a kill leaves no half file). */
  async download(fileId: string, path: string, signal?: AbortSignal): Promise<void> {
    await this.calling('downloading batch results', signal, async (callSignal) => {
      const response = await this.sdk.files.content(fileId, { signal: callSignal });
      if (!response.body) throw new Error(`file ${fileId} has no content`);
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(`${path}.part`));
      renameSync(`${path}.part`, path);
    });
  }

  /** One call, cancelled with `signal` (through a signal of its own: the SDK leaves a listener on the one it is given). */
  private async calling<T>(what: string, signal: AbortSignal | undefined, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    if (signal?.aborted) controller.abort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await call(controller.signal);
    } catch (error) {
      if (error instanceof OpenAI.APIUserAbortError) throw new LlmError('aborted', 'the request was cancelled');
      throw new LlmError('batch', redactSecret(`${what} at ${this.options.baseUrl} failed: ${errorMessage(error)}`, this.options.apiKey));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

function stateOf(batch: OpenAI.Batches.Batch): BatchState {
  const errors = batch.errors?.data?.map((e) => [e.line != null ? `line ${e.line}` : '', e.message].filter(Boolean).join(': ')).join('; ');
  return {
    id: batch.id,
    status: batch.status,
    counts: { total: batch.request_counts?.total ?? 0, completed: batch.request_counts?.completed ?? 0, failed: batch.request_counts?.failed ?? 0 },
    outputFileId: batch.output_file_id ?? null,
    errorFileId: batch.error_file_id ?? null,
    ...(errors ? { errors } : {}),
  };
}

export interface BatchRoundsOptions {
  batches: ProviderBatches;
  runLog: RunLogWriter;
  limits: BatchLimits;
  /** Runs the pipeline's export pass with `writer` as the critic's reply source. */
  exportRequests: (writer: RequestFileWriter) => Promise<void>;
  signal?: AbortSignal;
  onState?: (states: BatchState[]) => void;
  /** One line about what happens (submitted, re-attached, resubmitted). */
  onNote?: (line: string) => void;
  /**
   * Learns from a request the endpoint refused as sent (a parameter the model does not take); true when
   * the critic now asks differently, so that the refused requests are worth another round.
   */
  learnFromRefusal?: (refusal: LlmError) => Promise<boolean>;
}

/** Rounds that resubmit requests the endpoint refused, each after learning from the refusals. */
const MAX_LEARNING_ROUNDS = 3;

/** Runs the rounds; returns the results of every batch of the run log (earlier runs' too), for the caller to close. */
export async function runBatchRounds(options: BatchRoundsOptions): Promise<BatchResults> {
  const reader = new ResultsReader();
  try {
    const results = await runRounds(options, reader);
    return await reader.of(results);
  } catch (error) {
    await reader.close();
    throw error;
  }
}

/** The results files, indexed again only when the list changes. */
class ResultsReader {
  private key: string | undefined;
  private opened: BatchResults | undefined;

  async of(paths: readonly string[]): Promise<BatchResults> {
    const key = paths.join('\n');
    if (this.opened && this.key === key) return this.opened;
    await this.close();
    this.opened = await openBatchResults(paths);
    this.key = key;
    return this.opened;
  }

  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    this.key = undefined;
    await opened?.close();
  }
}

async function runRounds(options: BatchRoundsOptions, reader: ResultsReader): Promise<string[]> {
  const { batches, runLog, signal } = options;
  const dir = `${runLog.path}.batches`;
  mkdirSync(dir, { recursive: true });
  const results: string[] = [];
  for (const { end } of runLog.batches) if (end) results.push(...(await fetchResults(batches, dir, end, signal)));
  let inFlight = runLog.batches.filter((b) => !b.end).map((b) => b.batch.id);
  if (inFlight.length > 0) options.onNote?.(`re-attached to ${inFlight.length === 1 ? 'batch' : 'batches'} ${inFlight.join(', ')} (nothing uploaded again)`);
  // A run stopped before it learned from its ended batches' refusals learns now, before it asks again.
  let learningRounds = inFlight.length === 0 && results.length > 0 && (await learnFromRefusals(options, await reader.of(results))) ? 1 : 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (inFlight.length === 0) {
      const submitted = await submitUnanswered(options, dir, await reader.of(results), results.length, round);
      if (submitted.length === 0) break;
      inFlight = submitted;
    }
    const ended = await batches.waitAll(inFlight, signal, (states) => options.onState?.(states));
    for (const state of ended) {
      const end: Omit<RunLogBatchEnd, 'type' | 'at'> = {
        id: state.id,
        status: state.status,
        outputFileId: state.outputFileId,
        errorFileId: state.errorFileId,
        counts: state.counts,
      };
      results.push(...(await fetchResults(batches, dir, end, signal)));
      runLog.appendBatch(end);
      if (state.status !== 'completed') {
        options.onNote?.(`batch ${state.id} ${state.status}${state.errors ? ` (${state.errors})` : ''}: its ${state.counts.completed} answers are kept`);
      }
    }
    inFlight = [];
    if (learningRounds < MAX_LEARNING_ROUNDS && (await learnFromRefusals(options, await reader.of(results)))) {
      learningRounds++;
      round--; // a round that taught the critic how to ask is not one of the resubmissions of the unanswered
      continue;
    }
    if (ended.every((s) => s.status === 'completed')) break;
  }
  return results;
}

/** Whether the results' refusals taught the critic to ask differently (then the refused requests go again). */
async function learnFromRefusals(options: BatchRoundsOptions, results: BatchResults): Promise<boolean> {
  if (!options.learnFromRefusal) return false;
  let learned = false;
  for (const failure of await results.failures()) {
    if (failure.status !== undefined && failure.status >= 400 && failure.status < 500 && (await options.learnFromRefusal(failure))) learned = true;
  }
  if (learned) options.onNote?.('the endpoint refused requests as they were sent: asking the refused ones again, adapted');
  return learned;
}

/** The export pass, skipping what the results answer; each file written is submitted and logged. */
async function submitUnanswered(options: BatchRoundsOptions, dir: string, answered: BatchResults, earlierFiles: number, round: number): Promise<string[]> {
  const stamp = Date.now().toString(36);
  const writer = createRequestFileWriter((n) => join(dir, `requests-${stamp}-${n + 1}.jsonl`), { limits: options.limits, skip: (id) => answered.answered(id) });
  try {
    await options.exportRequests(writer);
  } finally {
    writer.close();
  }
  if (options.signal?.aborted) throw new LlmError('aborted', 'the request was cancelled');
  const ids: string[] = [];
  for (const file of writer.files) {
    const { id, inputFileId } = await options.batches.submit(file.path, options.signal);
    options.runLog.appendBatch({ id, inputFileId, requests: file.requests, bytes: file.bytes });
    ids.push(id);
  }
  if (ids.length > 0) {
    const what = `${writer.requests} request${writer.requests === 1 ? '' : 's'} in ${ids.length} batch${ids.length === 1 ? '' : 'es'} (${ids.join(', ')})`;
    options.onNote?.(round === 0 && earlierFiles === 0 ? `submitted ${what}` : `resubmitted the unanswered: ${what}`);
  }
  return ids;
}

/** A batch's output and error files, downloaded once beside the run log. */
async function fetchResults(batches: ProviderBatches, dir: string, end: Omit<RunLogBatchEnd, 'type' | 'at'>, signal?: AbortSignal): Promise<string[]> {
  const paths: string[] = [];
  for (const [kind, fileId] of [
    ['output', end.outputFileId],
    ['error', end.errorFileId],
  ] as const) {
    if (!fileId) continue;
    const path = join(dir, `${end.id}.${kind}.jsonl`);
    if (!existsSync(path)) await batches.download(fileId, path, signal);
    paths.push(path);
  }
  return paths;
}
