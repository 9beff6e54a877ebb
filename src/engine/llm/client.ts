// The one OpenAI-compatible client every LLM feature goes through (critic, final-answer check, refine,
// probe). On top of the `openai` package it adds what a critic run needs and the SDK does not give:
//   - one process-wide concurrency cap (a slot is held only while a request is on the wire, not while
//     backing off);
//   - retries that honour Retry-After / retry-after-ms on 429, and retry 5xx, 408/409, dropped
//     connections, timeouts and broken bodies with exponential back-off (the SDK's own retries are
//     off: they neither release the slot while waiting nor refuse an hour-long Retry-After);
//   - replies streamed (`stream: true`, log-probabilities and usage included), with a timeout on
//     progress rather than on the whole reply: an attempt is abandoned when neither it nor any other
//     request of this process to the same endpoint has received a token for `timeoutMs`. A reply that
//     is being written is never cut, and a request queued at a one-slot server behind our own requests
//     is not blamed for the wait (the SDK's own timeout stops at the headers and would do neither);
//   - error bodies in every shape servers use (OpenAI's `{error: {message, param}}`, a flat
//     `{message, …}` from SGLang and older vLLM, FastAPI's `{detail}`, `{error: "text"}` from LM
//     Studio) read alike;
//   - the caller's AbortSignal on every attempt (aborting closes the HTTP request);
//   - token usage counted from the replies, and a token budget checked before anything is sent;
//   - errors classified and worded so the user knows what to change, with the API key redacted;
//   - a batched client (`replies`, batch-request.ts) sends nothing: each request goes to its reply
//     source as a batch line, and the reply comes back through the same parsing as a live one.
import OpenAI, { type ClientOptions } from 'openai';
import { z } from 'zod';
import type { TokenBudget } from './budget';
import { globalLlmSemaphore, type Semaphore } from './concurrency';
import type { CriticConfig } from './config';
import { BudgetExceededError, EndpointUnreachableError, LlmError, redactSecret, type LlmErrorKind } from './errors';
import type { BatchRequestLine, ReplySource } from './batch-request';
import { LogprobContentSchema, type TokenLogprob } from './logprobs';
import type { ChatMessage, ReplySchema } from './protocol';
import { streamedJson } from './sse';
import { estimateMessagesTokens, estimateTokens } from './tokens';
import { errorMessage } from '../error-message';
import { formatDuration } from '../report/findings';

/** Prompt estimates are chars/4; real tokenizers can need more on math. Reserve with head-room. */
const PROMPT_ESTIMATE_SAFETY = 1.25;

export interface LlmClientOptions {
  baseUrl: string;
  apiKey?: string;
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  maxRetryAfterMs?: number;
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  budget?: TokenBudget;
  /** Defaults to the process-wide cap. */
  semaphore?: Semaphore;
  /** For tests of the retry timing. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Take replies from here (a batch's results) instead of sending requests. */
  replies?: ReplySource;
  /**
   * Wait for an endpoint that refuses connections (a server still starting) for as long as a reply
   * may take to start (the timeout), then stop the run with EndpointUnreachableError; without it, a
   * refused connection is retried like any dropped one and the request fails.
   */
  waitForServer?: boolean;
  /** Told once when an endpoint starts refusing connections and waitForServer waits for it. */
  onWaiting?: (line: string) => void;
}

export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  /** Number of choices (samples) wanted in one request. */
  n?: number;
  logprobs?: boolean;
  topLogprobs?: number;
  /** Completion tokens allowed per choice. */
  maxTokens: number;
  /** The field that carries maxTokens; by default the client's. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** A JSON schema the reply must follow (`response_format: {type: "json_schema"}`). */
  responseSchema?: ReplySchema;
  /** Ask for usage in the stream's last chunk (`stream_options.include_usage`). Default true. */
  streamUsage?: boolean;
  signal?: AbortSignal;
  /** Also counted here (every HTTP attempt, and the tokens of the reply), e.g. per solution. */
  usage?: UsageCounter;
  /** The request's id in a batch (batch-request.ts); a batched client answers only requests that have one. */
  customId?: string;
}

export interface ChatChoice {
  content: string;
  logprobs: TokenLogprob[] | null;
  /** `stop`, `length` (cut off at the allowance), `content_filter` (the provider withheld the reply), … */
  finishReason: string | null;
  /** The model's refusal (OpenAI's `message.refusal`, set instead of content under structured outputs). */
  refusal?: string;
}

export interface ChatCompletionReply {
  choices: ChatChoice[];
  promptTokens: number;
  completionTokens: number;
  /** Of the completion tokens, those the model spent on reasoning it did not show (0 when not reported). */
  reasoningTokens: number;
  /** True when the endpoint reported no usage and the counts are estimates. */
  usageEstimated: boolean;
  model: string;
  /** HTTP attempts this reply took (1 = no retry). */
  attempts: number;
  /** When the successful attempt was sent, got its first token (null: the reply came whole), and ended (ms since the epoch). */
  sentAt: number;
  firstTokenAt: number | null;
  endedAt: number;
}

export interface UsageCounter {
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

const UsageSchema = z.object({
  prompt_tokens: z.number().nonnegative(),
  completion_tokens: z.number().nonnegative(),
  completion_tokens_details: z.object({ reasoning_tokens: z.number().nonnegative().nullish() }).nullish(),
});

export interface JsonPostRequest {
  /** Absolute URL. */
  url: string;
  body: unknown;
  /** What the request is, for messages: e.g. `pooling API`. */
  what: string;
  /** Prompt tokens the body will cost (for the budget; the reply's `usage.prompt_tokens` replaces it). */
  promptEstimate: number;
  signal?: AbortSignal;
  /** Also counted here (every HTTP attempt, and the prompt tokens of the reply). */
  usage?: UsageCounter;
}

export interface JsonPostReply {
  /** The parsed JSON reply, for the caller to read with its own schema. */
  body: unknown;
  promptTokens: number;
  attempts: number;
}

/** Where a request went and what it is, for error messages. */
interface Target {
  url: string;
  what: string;
}

const UsageOnlySchema = z.looseObject({ usage: z.looseObject({ prompt_tokens: z.number().nonnegative() }).nullish() });

/**
 * The error body shapes servers use: OpenAI's `{"error": {...}}` (vLLM now too), the flat
 * `{"object": "error", "message": ...}` (SGLang, vLLM before 0.9), FastAPI's `{"detail": ...}`, and
 * `{"error": "text"}` (LM Studio).
 */
const NestedErrorSchema = z.looseObject({ error: z.looseObject({ message: z.string() }) });
const StringErrorSchema = z.looseObject({ error: z.string() });
const FlatErrorSchema = z.looseObject({ message: z.string(), type: z.string().nullish(), param: z.string().nullish() });
const DetailErrorSchema = z.looseObject({ detail: z.unknown() });

/** An error body as the SDK's errors read it (`{ error: { message, param? } }`), or undefined when it is none of the shapes. */
function normaliseErrorBody(text: string): { error: { message: string; code?: string | null; param?: string | null } } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const nested = NestedErrorSchema.safeParse(json);
  if (nested.success) return nested.data;
  const string = StringErrorSchema.safeParse(json);
  if (string.success) return { error: { message: string.data.error } };
  const flat = FlatErrorSchema.safeParse(json);
  if (flat.success) return { error: { message: flat.data.message, code: flat.data.type, param: flat.data.param } };
  const detail = DetailErrorSchema.safeParse(json);
  if (detail.success) return { error: { message: typeof detail.data.detail === 'string' ? detail.data.detail : JSON.stringify(detail.data.detail) } };
  return undefined;
}

/** A non-2xx reply with its error body in OpenAI's shape, so that the SDK's error keeps the server's message. */
async function withNormalisedError(response: Response): Promise<Response> {
  if (response.ok) return response;
  const text = await response.text();
  const normalised = normaliseErrorBody(text);
  return new Response(normalised ? JSON.stringify(normalised) : text, { status: response.status, statusText: response.statusText, headers: response.headers });
}

const ChatCompletionBodySchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }).nullish(),
        logprobs: z.object({ content: z.unknown().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: UsageSchema.nullish(),
});

/** One chunk of a streamed chat completion (the last one may carry only `usage`). */
const ChunkSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        index: z.number().int().nonnegative().default(0),
        delta: z
          .object({ content: z.string().nullish(), refusal: z.string().nullish(), reasoning_content: z.string().nullish(), reasoning: z.string().nullish() })
          .nullish(),
        logprobs: z.object({ content: z.unknown().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .default([]),
  usage: UsageSchema.nullish(),
});

const ModelListSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

interface AttemptFailure {
  error: LlmError;
  retryable: boolean;
  retryAfterMs?: number;
  /** The server is up but still loading its model (llama.cpp's 503 "Loading model"): worth waiting for. */
  loadingModel?: true;
  /** Nothing accepted the connection (a server not started yet, a wrong port). */
  refused?: true;
}

/** How often a server that is loading its model is asked again. */
const LOADING_POLL_MS = 2000;

/** Carries an attempt's classified failure out of the attempt (where the timeout state is known). */
class AttemptFailed extends Error {
  constructor(readonly failure: AttemptFailure) {
    super(failure.error.message);
  }
}

/** The openai SDK for one endpoint, from our settings alone (it would otherwise read OPENAI_* from the environment). */
export function endpointSdk(baseUrl: string, apiKey: string | undefined, options: Pick<ClientOptions, 'maxRetries' | 'timeout' | 'fetch'>): OpenAI {
  // Local servers need no key; the SDK insists on one.
  return new OpenAI({ baseURL: baseUrl, apiKey: apiKey ?? 'no-key', organization: null, project: null, webhookSecret: null, logLevel: 'off', ...options });
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new LlmError('aborted', 'the request was cancelled'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new LlmError('aborted', 'the request was cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Seconds or an HTTP date (Retry-After), or milliseconds (retry-after-ms, OpenAI's own). */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The server's own message and the parameter it named, from an SDK error (bodies normalised by normaliseErrorBody). */
function serverError(error: InstanceType<typeof OpenAI.APIError>): { message: string; param?: string } {
  const body = error.error as { message?: unknown; param?: unknown } | undefined;
  const param = typeof body?.param === 'string' ? body.param : typeof error.param === 'string' ? error.param : undefined;
  if (body && typeof body.message === 'string') return { message: body.message, param };
  return { message: error.message.replace(/^\d{3}\s*/, ''), param };
}

/**
 * llama.cpp's server refuses some parameters with a 500 (`server_error`: its request parsing throws a
 * runtime error): asking again gets the same answer, so these are refusals to adapt to, not failures to retry.
 */
const LLAMA_CPP_REFUSAL = /^only one completion choice is allowed|^unsupported param/i;

/** llama.cpp's server while it loads its model answers every request `503 {"error": {"type": "unavailable_error", "message": "Loading model"}}`. */
function isLoadingModel(body: unknown, message: string): boolean {
  const type = typeof body === 'object' && body !== null && 'type' in body ? body.type : undefined;
  return type === 'unavailable_error' || /^loading model/i.test(message);
}

/** When each endpoint last sent this process a token: a request queued behind others is not stalled while they progress. */
const lastTokenAt = new Map<string, number>();

/** A reply as read, before its usage is counted. */
interface WholeReply {
  choices: ChatChoice[];
  usage?: z.infer<typeof UsageSchema> | null;
  model?: string;
  firstTokenAt: null;
}
type StreamedReply = Omit<WholeReply, 'firstTokenAt'> & { firstTokenAt: number | null };

/** Per-choice state while a streamed reply comes in. */
interface ChoiceBuffer {
  content: string;
  refusal: string;
  logprobs: TokenLogprob[];
  sawLogprobs: boolean;
  finishReason: string | null;
}

/** Adds a chunk's choices to their buffers; whether any of them carried text (the reply is progressing). */
function addChoices(buffers: Map<number, ChoiceBuffer>, choices: z.infer<typeof ChunkSchema>['choices'], logprobs: boolean): boolean {
  let progressed = false;
  for (const choice of choices) {
    let buffer = buffers.get(choice.index);
    if (!buffer) {
      buffer = { content: '', refusal: '', logprobs: [], sawLogprobs: false, finishReason: null };
      buffers.set(choice.index, buffer);
    }
    const delta = choice.delta;
    if (delta?.content) buffer.content += delta.content;
    if (delta?.refusal) buffer.refusal += delta.refusal;
    if (delta?.content || delta?.refusal || delta?.reasoning_content || delta?.reasoning) progressed = true;
    const tokens = logprobs ? LogprobContentSchema.safeParse(choice.logprobs?.content) : undefined;
    if (tokens?.success) {
      buffer.sawLogprobs = true;
      buffer.logprobs.push(...tokens.data);
    }
    if (choice.finish_reason) buffer.finishReason = choice.finish_reason;
  }
  return progressed;
}

export class LlmClient {
  readonly usage: UsageCounter = { requests: 0, promptTokens: 0, completionTokens: 0 };
  readonly baseUrl: string;
  private readonly sdk: OpenAI;
  private readonly apiKey?: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly maxTokensField: 'max_tokens' | 'max_completion_tokens';
  private readonly semaphore: Semaphore;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly replies?: ReplySource;
  private readonly waitForServer: boolean;
  private readonly onWaiting?: (line: string) => void;
  /** Since when the endpoint has refused every connection (undefined while it accepts them). */
  private refusedSince: number | undefined;
  readonly budget?: TokenBudget;

  constructor(options: LlmClientOptions) {
    this.baseUrl = options.baseUrl;
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.maxRetries = options.maxRetries ?? 3;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.maxTokensField = options.maxTokensField ?? 'max_tokens';
    this.semaphore = options.semaphore ?? globalLlmSemaphore;
    this.sleep = options.sleep ?? defaultSleep;
    this.budget = options.budget;
    this.replies = options.replies;
    this.waitForServer = options.waitForServer ?? false;
    this.onWaiting = options.onWaiting;
    this.sdk = endpointSdk(options.baseUrl, options.apiKey, {
      maxRetries: 0,
      // Our progress watchdog decides; the SDK's timeout (which stops at the headers) must not cut a queued request.
      timeout: 24 * 3_600_000,
      fetch: async (url, init) => withNormalisedError(await fetch(url, init)),
    });
  }

  /** Whether replies come from a batch (nothing is sent; there is no second round to repair a reply). */
  get batched(): boolean {
    return this.replies !== undefined;
  }

  /** Redacts the key from any text this client hands out. */
  redact(text: string): string {
    return redactSecret(text, this.apiKey);
  }

  async chat(request: ChatCompletionRequest): Promise<ChatCompletionReply> {
    const n = Math.max(1, request.n ?? 1);
    const promptEstimate = estimateMessagesTokens(request.messages);
    const reservation = this.budget?.reserve(Math.ceil(promptEstimate * PROMPT_ESTIMATE_SAFETY) + request.maxTokens * n);
    try {
      const { value: reply, attempts } = this.replies
        ? { value: await this.fromBatch(this.replies, request, n, promptEstimate), attempts: 1 }
        : await this.retrying(request.signal, () => this.attemptChat(request, n, promptEstimate));
      reservation?.commit(reply.promptTokens + reply.completionTokens);
      if (request.usage) {
        request.usage.promptTokens += reply.promptTokens;
        request.usage.completionTokens += reply.completionTokens;
      }
      return { ...reply, attempts };
    } catch (error) {
      reservation?.cancel();
      throw error;
    }
  }

  /**
   * POSTs a JSON body to an absolute URL of the same server (vLLM serves `/pooling` at its root, beside
   * `/v1`) with everything chat() gives: the concurrency cap, retries, the timeout, the budget, the
   * caller's signal and worded errors. Error bodies are read in every shape vLLM has used (OpenAI's
   * `{"error": {...}}`, the older `{"object": "error", "message": ...}`, FastAPI's `{"detail": ...}`).
   */
  async postJson(request: JsonPostRequest): Promise<JsonPostReply> {
    const reservation = this.budget?.reserve(Math.ceil(request.promptEstimate * PROMPT_ESTIMATE_SAFETY));
    try {
      const { value: reply, attempts } = await this.retrying(request.signal, () => this.attemptPost(request));
      reservation?.commit(reply.promptTokens);
      if (request.usage) request.usage.promptTokens += reply.promptTokens;
      return { ...reply, attempts };
    } catch (error) {
      reservation?.cancel();
      throw error;
    }
  }

  /** Runs attempts until one succeeds, a failure is final, or the retries are spent; a slot is held only during an attempt. */
  private async retrying<T>(signal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<{ value: T; attempts: number }> {
    let retries = 0;
    let loadingSince: number | undefined;
    for (let tries = 0; ; tries++) {
      if (signal?.aborted) throw new LlmError('aborted', 'the request was cancelled');
      const release = await this.acquire(signal);
      let failure: AttemptFailure;
      try {
        const value = await attempt();
        this.refusedSince = undefined;
        return { value, attempts: tries + 1 };
      } catch (error) {
        failure = error instanceof AttemptFailed ? error.failure : this.classify(error, signal);
      } finally {
        release();
      }
      if (failure.loadingModel) {
        // A model takes seconds to minutes to load: waited for as long as a reply may take to start, not given up after the retries.
        loadingSince ??= Date.now();
        const waited = Date.now() - loadingSince;
        if (waited >= this.timeoutMs) {
          throw new LlmError(failure.error.kind, `${failure.error.message}; waited ${Math.round(waited / 1000)} s for it (--timeout)`, {
            status: failure.error.status,
          });
        }
        await this.sleep(Math.min(LOADING_POLL_MS, this.timeoutMs - waited), signal);
        continue;
      }
      if (failure.refused && this.waitForServer) {
        await this.waitForConnection(signal);
        continue;
      }
      if (!failure.retryable || retries >= this.maxRetries) throw failure.error;
      let delay = failure.retryAfterMs ?? this.backoff(retries);
      retries++;
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > this.maxRetryAfterMs) {
        throw new LlmError(
          failure.error.kind,
          `${failure.error.message} (the server asks to wait ${Math.ceil(failure.retryAfterMs / 1000)} s, longer than the ${Math.round(this.maxRetryAfterMs / 1000)} s this run will wait)`,
          { status: failure.error.status },
        );
      }
      delay = Math.max(0, delay);
      await this.sleep(delay, signal);
    }
  }

  /**
   * One outage for every request in flight: they wait together from the first refusal, so that a run
   * of many solutions stops after the timeout once, not after a timeout per solution.
   */
  private async waitForConnection(signal: AbortSignal | undefined): Promise<void> {
    const now = Date.now();
    if (this.refusedSince === undefined) {
      this.refusedSince = now;
      this.onWaiting?.(
        `nothing accepts connections at ${this.redact(this.baseUrl)} (connection refused): waiting up to ${formatDuration(this.timeoutMs)} for the server to start (--timeout)`,
      );
    }
    const waited = now - this.refusedSince;
    if (waited >= this.timeoutMs) throw new EndpointUnreachableError(this.redact(this.baseUrl), waited);
    await this.sleep(Math.min(LOADING_POLL_MS, this.timeoutMs - waited), signal);
  }

  /** GET /models: the model ids the endpoint serves. */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    const release = await this.acquire(signal);
    const { signal: attemptSignal, dispose, timedOut } = this.watchdog(signal);
    try {
      this.usage.requests++;
      const body: unknown = await this.sdk.get('/models', { signal: attemptSignal, maxRetries: 0 });
      const parsed = ModelListSchema.safeParse(body);
      if (!parsed.success) throw new LlmError('bad-response', `GET ${this.baseUrl}/models did not return a model list`);
      return parsed.data.data.map((m) => m.id);
    } catch (error) {
      if (error instanceof LlmError) throw error;
      throw this.classify(error, signal, timedOut()).error;
    } finally {
      dispose();
      release();
    }
  }

  private async acquire(signal?: AbortSignal): Promise<() => void> {
    try {
      return await this.semaphore.acquire(signal);
    } catch {
      throw new LlmError('aborted', 'the request was cancelled');
    }
  }

  private backoff(attempt: number): number {
    const base = this.retryBaseMs * 2 ** attempt;
    return Math.min(30_000, base * (0.8 + Math.random() * 0.4));
  }

  /**
   * The attempt's abort signal: the caller's, plus a timeout that fires once `timeoutMs` have passed
   * since the later of the attempt's start and the last token any request got from this endpoint.
   */
  private watchdog(outer?: AbortSignal): { signal: AbortSignal; controller: AbortController; dispose: () => void; timedOut: () => boolean } {
    const controller = new AbortController();
    const started = Date.now();
    let fired = false;
    let timer: NodeJS.Timeout | undefined;
    const check = () => {
      const idle = Date.now() - Math.max(started, lastTokenAt.get(this.baseUrl) ?? 0);
      if (idle >= this.timeoutMs) {
        fired = true;
        controller.abort(new LlmError('timeout', 'timed out'));
      } else timer = setTimeout(check, this.timeoutMs - idle);
    };
    timer = setTimeout(check, this.timeoutMs);
    const onAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) controller.abort(outer.reason);
    else outer?.addEventListener('abort', onAbort, { once: true });
    return {
      signal: controller.signal,
      controller,
      timedOut: () => fired,
      dispose: () => {
        clearTimeout(timer);
        outer?.removeEventListener('abort', onAbort);
      },
    };
  }

  private params(request: ChatCompletionRequest, n: number, stream = true): Record<string, unknown> {
    const params: Record<string, unknown> = {
      model: request.model,
      messages: request.messages,
      [request.maxTokensField ?? this.maxTokensField]: request.maxTokens,
    };
    if (stream) params.stream = true;
    if (stream && request.streamUsage !== false) params.stream_options = { include_usage: true };
    if (request.temperature !== undefined) params.temperature = request.temperature;
    if (n > 1) params.n = n;
    if (request.logprobs) {
      params.logprobs = true;
      params.top_logprobs = request.topLogprobs ?? 20;
    }
    if (request.responseSchema) {
      params.response_format = { type: 'json_schema', json_schema: { name: request.responseSchema.name, strict: true, schema: request.responseSchema.schema } };
    }
    return params;
  }

  private async attemptChat(request: ChatCompletionRequest, n: number, promptEstimate: number): Promise<Omit<ChatCompletionReply, 'attempts'>> {
    const { signal, controller, dispose, timedOut } = this.watchdog(request.signal);
    const sentAt = Date.now();
    try {
      this.usage.requests++;
      if (request.usage) request.usage.requests++;
      let response: Response;
      try {
        response = await this.sdk.chat.completions
          .create(this.params(request, n) as unknown as OpenAI.Chat.ChatCompletionCreateParamsStreaming, { signal, maxRetries: 0 })
          .asResponse();
      } catch (error) {
        throw new AttemptFailed(this.classify(error, request.signal, timedOut()));
      }
      const streamed = (response.headers.get('content-type') ?? '').includes('text/event-stream');
      try {
        const reply = streamed ? await this.readStream(response, controller, request) : await this.readWhole(response, request);
        // The SDK's stream ends quietly when it is aborted: a reply cut by the watchdog or the caller is no reply.
        if (signal.aborted) throw new AttemptFailed(this.classify(signal.reason, request.signal, timedOut()));
        return this.completed(reply, request, promptEstimate, sentAt);
      } catch (error) {
        if (error instanceof AttemptFailed) throw error;
        throw new AttemptFailed(this.classify(error, request.signal, timedOut()));
      }
    } finally {
      dispose();
    }
  }

  /** A server that ignored `stream: true` and sent the whole completion as JSON. */
  private async readWhole(response: Response, request: ChatCompletionRequest): Promise<WholeReply> {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // reported below as not JSON
    }
    const reply = this.readCompletion(body, request);
    if (!reply) {
      const message =
        typeof body === 'string'
          ? `the endpoint at ${this.baseUrl} replied with something that is not JSON (${body.slice(0, 80).replace(/\s+/g, ' ')})`
          : `the endpoint at ${this.baseUrl} replied with JSON that is not a chat completion (no choices)`;
      throw new AttemptFailed({ error: new LlmError('bad-response', this.redact(message)), retryable: true });
    }
    lastTokenAt.set(this.baseUrl, Date.now());
    return reply;
  }

  /** A whole chat completion (a reply that was not streamed, a batch result's body), or undefined when it is none. */
  private readCompletion(body: unknown, request: ChatCompletionRequest): WholeReply | undefined {
    const parsed = ChatCompletionBodySchema.safeParse(body);
    if (!parsed.success) return undefined;
    const choices = parsed.data.choices.map((c) => {
      const logprobs = request.logprobs ? LogprobContentSchema.safeParse(c.logprobs?.content) : undefined;
      return {
        content: c.message?.content ?? '',
        logprobs: logprobs?.success && logprobs.data.length > 0 ? logprobs.data : null,
        finishReason: c.finish_reason ?? null,
        ...(c.message?.refusal ? { refusal: c.message.refusal } : {}),
      };
    });
    return { choices, usage: parsed.data.usage, model: parsed.data.model, firstTokenAt: null };
  }

  /** The reply a batch gave to this request: the same reading, usage and counting as a live reply. */
  private async fromBatch(
    replies: ReplySource,
    request: ChatCompletionRequest,
    n: number,
    promptEstimate: number,
  ): Promise<Omit<ChatCompletionReply, 'attempts'>> {
    if (request.customId === undefined) throw new LlmError('bad-request', 'this request cannot be answered by a batch (it has no custom_id)');
    const line: BatchRequestLine = { custom_id: request.customId, method: 'POST', url: '/v1/chat/completions', body: this.params(request, n, false) };
    const sentAt = Date.now();
    const body = await replies.reply(line);
    const reply = this.readCompletion(body, request);
    if (!reply) throw new LlmError('bad-response', `the batch result for ${request.customId} is not a chat completion (no choices)`);
    this.usage.requests++;
    if (request.usage) request.usage.requests++;
    return this.completed(reply, request, promptEstimate, sentAt);
  }

  /** Usage counted (the server's, else estimated) and the reply's timing. */
  private completed(
    reply: WholeReply | StreamedReply,
    request: ChatCompletionRequest,
    promptEstimate: number,
    sentAt: number,
  ): Omit<ChatCompletionReply, 'attempts'> {
    const { choices, usage } = reply;
    const promptTokens = usage ? usage.prompt_tokens : promptEstimate;
    const completionTokens = usage ? usage.completion_tokens : choices.reduce((sum, c) => sum + estimateTokens(c.content), 0);
    this.usage.promptTokens += promptTokens;
    this.usage.completionTokens += completionTokens;
    return {
      choices,
      promptTokens,
      completionTokens,
      reasoningTokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
      usageEstimated: !usage,
      model: reply.model ?? request.model,
      sentAt,
      firstTokenAt: reply.firstTokenAt,
      endedAt: Date.now(),
    };
  }

  /** Server-sent events: content, reasoning and log-probabilities per choice, usage at the end. */
  private async readStream(response: Response, controller: AbortController, request: ChatCompletionRequest): Promise<StreamedReply> {
    const buffers = new Map<number, ChoiceBuffer>();
    let usage: z.infer<typeof UsageSchema> | null | undefined;
    let model: string | undefined;
    let firstTokenAt: number | null = null;
    for await (const batch of streamedJson(response, controller)) {
      let progressed = false;
      for (const raw of batch) {
        const chunk = ChunkSchema.safeParse(raw);
        if (!chunk.success) {
          throw new AttemptFailed({
            error: new LlmError('bad-response', `the endpoint at ${this.baseUrl} streamed a chunk that is not a chat completion chunk`),
            retryable: true,
          });
        }
        if (chunk.data.usage) usage = chunk.data.usage;
        model ??= chunk.data.model;
        if (addChoices(buffers, chunk.data.choices, request.logprobs === true)) progressed = true;
      }
      if (progressed) {
        const now = Date.now();
        firstTokenAt ??= now;
        lastTokenAt.set(this.baseUrl, now);
      }
    }
    if (buffers.size === 0) {
      throw new AttemptFailed({ error: new LlmError('bad-response', `the stream from ${this.baseUrl} ended without a reply`), retryable: true });
    }
    const choices = [...buffers.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, b]) => ({
        content: b.content,
        logprobs: b.sawLogprobs && b.logprobs.length > 0 ? b.logprobs : null,
        finishReason: b.finishReason,
        ...(b.refusal ? { refusal: b.refusal } : {}),
      }));
    return { choices, usage, model, firstTokenAt };
  }

  private async attemptPost(request: JsonPostRequest): Promise<Omit<JsonPostReply, 'attempts'>> {
    const target: Target = { url: request.url, what: request.what };
    const { signal, dispose, timedOut } = this.watchdog(request.signal);
    try {
      this.usage.requests++;
      if (request.usage) request.usage.requests++;
      let response: Response;
      let text: string;
      try {
        response = await fetch(request.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}) },
          body: JSON.stringify(request.body),
          signal,
        });
        text = await response.text();
      } catch (error) {
        // fetch says `TypeError: fetch failed` with the socket error as its cause: classify it as the SDK's would be.
        const cause = error instanceof TypeError ? new OpenAI.APIConnectionError({ cause: error }) : error;
        throw new AttemptFailed(this.classify(cause, request.signal, timedOut(), target));
      }
      if (!response.ok) {
        const sdkError = OpenAI.APIError.generate(response.status, normaliseErrorBody(text), text.slice(0, 200) || undefined, response.headers);
        throw new AttemptFailed(this.classify(sdkError, request.signal, false, target));
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        const shown = text.slice(0, 80).replace(/\s+/g, ' ');
        throw new AttemptFailed({
          error: new LlmError('bad-response', this.redact(`${request.url} replied with something that is not JSON (${shown})`)),
          retryable: true,
        });
      }
      const usage = UsageOnlySchema.safeParse(body);
      const promptTokens = usage.success && usage.data.usage ? usage.data.usage.prompt_tokens : request.promptEstimate;
      this.usage.promptTokens += promptTokens;
      return { body, promptTokens };
    } finally {
      dispose();
    }
  }

  /** Turns anything thrown by an attempt into a worded, redacted LlmError and says whether to retry. */
  private classify(error: unknown, outer?: AbortSignal, timedOut = false, target: Target = { url: this.baseUrl, what: 'chat endpoint' }): AttemptFailure {
    const where = target.url;
    const make = (
      kind: LlmErrorKind,
      message: string,
      retryable: boolean,
      status?: number,
      retryAfterMs?: number,
      extra: { param?: string; serverMessage?: string } = {},
    ): AttemptFailure => ({
      error: new LlmError(kind, this.redact(message), {
        status,
        ...extra,
        ...(extra.serverMessage ? { serverMessage: this.redact(extra.serverMessage) } : {}),
      }),
      retryable,
      retryAfterMs,
    });
    if (error instanceof BudgetExceededError) return { error, retryable: false };
    if (timedOut || (error instanceof LlmError && error.kind === 'timeout')) {
      return make('timeout', `nothing came from ${where} for ${this.timeoutMs} ms`, true);
    }
    if (error instanceof LlmError) return { error: new LlmError(error.kind, this.redact(error.message), { status: error.status }), retryable: false };
    if (outer?.aborted) return make('aborted', 'the request was cancelled', false);
    if (error instanceof OpenAI.APIConnectionTimeoutError) return make('timeout', `no reply from ${where} within ${this.timeoutMs} ms`, true);
    if (error instanceof OpenAI.APIUserAbortError) return make('aborted', 'the request was cancelled', false);
    if (error instanceof OpenAI.APIConnectionError) {
      const code = errorCode(error);
      if (code === 'ECONNREFUSED') {
        return { ...make('connection', `could not connect to ${where}: connection refused (is the server running on that port?)`, true), refused: true };
      }
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return make('connection', `could not resolve the host of ${where} (${code})`, true);
      if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE')
        return make('connection', `the connection to ${where} was dropped before a reply`, true);
      return make('connection', `could not reach ${where}${code ? ` (${code})` : ''}`, true);
    }
    if (error instanceof OpenAI.APIError && error.status === undefined) {
      // An error event inside the stream (the server failed while writing the reply).
      return make('server', `${where} failed while streaming the reply: ${serverError(error).message}`, true);
    }
    if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
      const status = error.status;
      const { message, param } = serverError(error);
      const extra = { param, serverMessage: message };
      const code = (error.error as { code?: unknown } | undefined)?.code;
      if (status === 401 || status === 403) {
        const why = this.apiKey ? 'the endpoint rejected the API key' : 'the endpoint needs an API key and none is set';
        return make('auth', `${status} from ${where}: ${why} (${message})`, false, status);
      }
      const aboutModel =
        code === 'model_not_found' ||
        /model\b[^.]*\b(not found|does not exist|not exist|unknown|no such)/i.test(message) ||
        /unknown model|model_not_found/i.test(message);
      if ((status === 404 || status === 400) && aboutModel) return make('model-not-found', `${status} from ${where}: ${message}`, false, status);
      if (status === 404) return make('not-found', `404 from ${where}: no ${target.what} at this path (${message})`, false, status);
      if (status === 429) return make('rate-limit', `429 from ${where}: rate limited (${message})`, true, status, parseRetryAfter(error.headers));
      if (status === 408 || status === 409) return make('server', `${status} from ${where}: ${message}`, true, status, parseRetryAfter(error.headers));
      if (status === 500 && LLAMA_CPP_REFUSAL.test(message)) return make('bad-request', `${status} from ${where}: ${message}`, false, status, undefined, extra);
      if (status === 503 && isLoadingModel(error.error, message)) {
        return {
          ...make('server', `503 from ${where}: the server is still loading its model (${message})`, true, status, undefined, extra),
          loadingModel: true,
        };
      }
      if (status >= 500) return make('server', `${status} from ${where}: ${message}`, true, status, parseRetryAfter(error.headers), extra);
      return make('bad-request', `${status} from ${where}: ${message}`, false, status, undefined, extra);
    }
    if (error instanceof SyntaxError) return make('bad-response', `the endpoint at ${where} replied with broken JSON (${error.message})`, true);
    if (error instanceof Error && error.name === 'AbortError') return make('aborted', 'the request was cancelled', false);
    if (error instanceof TypeError && /terminated|fetch failed|other side closed/i.test(error.message)) {
      return make('connection', `the connection to ${where} was dropped before the reply was complete`, true);
    }
    return make('bad-response', `unexpected failure talking to ${where}: ${errorMessage(error)}`, true);
  }
}

export function createLlmClient(
  config: CriticConfig,
  extras: Pick<LlmClientOptions, 'budget' | 'semaphore' | 'sleep' | 'replies' | 'waitForServer' | 'onWaiting'> = {},
): LlmClient {
  return new LlmClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    retryBaseMs: config.retryBaseMs,
    maxRetryAfterMs: config.maxRetryAfterMs,
    maxTokensField: config.maxTokensField,
    ...extras,
  });
}
