// The one OpenAI-compatible client every LLM feature goes through (critic, final-answer check, refine,
// probe). On top of the `openai` package it adds what a critic run needs and the SDK does not give:
//   - one process-wide concurrency cap (a slot is held only while a request is on the wire, not while
//     backing off);
//   - retries that honour Retry-After / retry-after-ms on 429, and retry 5xx, 408/409, dropped
//     connections, timeouts and broken bodies with exponential back-off (the SDK's own retries are
//     off: they neither release the slot while waiting nor refuse an hour-long Retry-After);
//   - a timeout over the whole attempt, body included (the SDK's stops at the headers);
//   - the caller's AbortSignal on every attempt (aborting closes the HTTP request);
//   - token usage counted from the replies, and a token budget checked before anything is sent;
//   - errors classified and worded so the user knows what to change, with the API key redacted.
import OpenAI from 'openai';
import { z } from 'zod';
import type { TokenBudget } from './budget';
import { globalLlmSemaphore, type Semaphore } from './concurrency';
import type { CriticConfig } from './config';
import { BudgetExceededError, LlmError, redactSecret, type LlmErrorKind } from './errors';
import { LogprobContentSchema, type TokenLogprob } from './logprobs';
import type { ChatMessage } from './protocol';
import { estimateMessagesTokens, estimateTokens } from './tokens';
import { errorMessage } from '../error-message';

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
  jsonMode?: boolean;
  signal?: AbortSignal;
  /** Also counted here (every HTTP attempt, and the tokens of the reply), e.g. per solution. */
  usage?: UsageCounter;
}

export interface ChatChoice {
  content: string;
  logprobs: TokenLogprob[] | null;
  finishReason: string | null;
}

export interface ChatCompletionReply {
  choices: ChatChoice[];
  promptTokens: number;
  completionTokens: number;
  /** True when the endpoint reported no usage and the counts are estimates. */
  usageEstimated: boolean;
  model: string;
  /** HTTP attempts this reply took (1 = no retry). */
  attempts: number;
}

export interface UsageCounter {
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

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

/** The error body shapes vLLM has used: OpenAI's `{"error": {...}}`, the older `{"object": "error", "message": ...}`, FastAPI's `{"detail": ...}`. */
const NestedErrorSchema = z.looseObject({ error: z.looseObject({ message: z.string() }) });
const FlatErrorSchema = z.looseObject({ message: z.string(), type: z.string().nullish() });
const DetailErrorSchema = z.looseObject({ detail: z.unknown() });

/** An error body as the SDK's errors read it (`{ error: { message } }`), or undefined when it is none of the shapes. */
function normaliseErrorBody(text: string): { error: { message: string; code?: string | null } } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const nested = NestedErrorSchema.safeParse(json);
  if (nested.success) return nested.data;
  const flat = FlatErrorSchema.safeParse(json);
  if (flat.success) return { error: { message: flat.data.message, code: flat.data.type } };
  const detail = DetailErrorSchema.safeParse(json);
  if (detail.success) return { error: { message: typeof detail.data.detail === 'string' ? detail.data.detail : JSON.stringify(detail.data.detail) } };
  return undefined;
}

const ChatCompletionBodySchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish() }).nullish(),
        logprobs: z.object({ content: z.unknown().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: z.number().nonnegative(), completion_tokens: z.number().nonnegative() }).nullish(),
});

const ModelListSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

interface AttemptFailure {
  error: LlmError;
  retryable: boolean;
  retryAfterMs?: number;
}

/** Carries an attempt's classified failure out of the attempt (where the timeout state is known). */
class AttemptFailed extends Error {
  constructor(readonly failure: AttemptFailure) {
    super(failure.error.message);
  }
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

function serverMessage(error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string') return body.message;
  return error.message.replace(/^\d{3}\s*/, '');
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
    this.sdk = new OpenAI({
      baseURL: options.baseUrl,
      // Local servers need no key; the SDK insists on one, and would otherwise read OPENAI_API_KEY itself.
      apiKey: options.apiKey ?? 'no-key',
      organization: null,
      project: null,
      webhookSecret: null,
      maxRetries: 0,
      // Our own timer covers the whole attempt; the SDK's is a backstop.
      timeout: this.timeoutMs + 5_000,
      logLevel: 'off',
    });
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
      const { value: reply, attempts } = await this.retrying(request.signal, () => this.attemptChat(request, n, promptEstimate));
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
    for (let tries = 0; ; tries++) {
      if (signal?.aborted) throw new LlmError('aborted', 'the request was cancelled');
      const release = await this.acquire(signal);
      let failure: AttemptFailure;
      try {
        return { value: await attempt(), attempts: tries + 1 };
      } catch (error) {
        failure = error instanceof AttemptFailed ? error.failure : this.classify(error, signal);
      } finally {
        release();
      }
      if (!failure.retryable || tries >= this.maxRetries) throw failure.error;
      let delay = failure.retryAfterMs ?? this.backoff(tries);
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

  /** GET /models: the model ids the endpoint serves. */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    const release = await this.acquire(signal);
    const { signal: attemptSignal, dispose, timedOut } = this.attemptSignal(signal);
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

  private attemptSignal(outer?: AbortSignal): { signal: AbortSignal; dispose: () => void; timedOut: () => boolean } {
    const controller = new AbortController();
    let fired = false;
    const timer = setTimeout(() => {
      fired = true;
      controller.abort(new LlmError('timeout', 'timed out'));
    }, this.timeoutMs);
    const onAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) controller.abort(outer.reason);
    else outer?.addEventListener('abort', onAbort, { once: true });
    return {
      signal: controller.signal,
      timedOut: () => fired,
      dispose: () => {
        clearTimeout(timer);
        outer?.removeEventListener('abort', onAbort);
      },
    };
  }

  private async attemptChat(request: ChatCompletionRequest, n: number, promptEstimate: number): Promise<Omit<ChatCompletionReply, 'attempts'>> {
    const { signal, dispose, timedOut } = this.attemptSignal(request.signal);
    try {
      const params: Record<string, unknown> = {
        model: request.model,
        messages: request.messages,
        [this.maxTokensField]: request.maxTokens,
      };
      if (request.temperature !== undefined) params.temperature = request.temperature;
      if (n > 1) params.n = n;
      if (request.logprobs) {
        params.logprobs = true;
        params.top_logprobs = request.topLogprobs ?? 5;
      }
      if (request.jsonMode) params.response_format = { type: 'json_object' };
      this.usage.requests++;
      if (request.usage) request.usage.requests++;
      let body: unknown;
      try {
        body = await this.sdk.chat.completions.create(params as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, {
          signal,
          maxRetries: 0,
        });
      } catch (error) {
        throw new AttemptFailed(this.classify(error, request.signal, timedOut()));
      }
      const parsed = ChatCompletionBodySchema.safeParse(body);
      if (!parsed.success) {
        const message =
          typeof body === 'string'
            ? `the endpoint at ${this.baseUrl} replied with something that is not JSON (${body.slice(0, 80).replace(/\s+/g, ' ')})`
            : `the endpoint at ${this.baseUrl} replied with JSON that is not a chat completion (no choices)`;
        throw new AttemptFailed({ error: new LlmError('bad-response', this.redact(message)), retryable: true });
      }
      const choices: ChatChoice[] = parsed.data.choices.map((c) => {
        const logprobs = LogprobContentSchema.safeParse(c.logprobs?.content);
        return {
          content: c.message?.content ?? '',
          logprobs: logprobs.success && logprobs.data.length > 0 ? logprobs.data : null,
          finishReason: c.finish_reason ?? null,
        };
      });
      const usage = parsed.data.usage;
      const promptTokens = usage ? usage.prompt_tokens : promptEstimate;
      const completionTokens = usage ? usage.completion_tokens : choices.reduce((sum, c) => sum + estimateTokens(c.content), 0);
      this.usage.promptTokens += promptTokens;
      this.usage.completionTokens += completionTokens;
      return { choices, promptTokens, completionTokens, usageEstimated: !usage, model: parsed.data.model ?? request.model };
    } finally {
      dispose();
    }
  }

  private async attemptPost(request: JsonPostRequest): Promise<Omit<JsonPostReply, 'attempts'>> {
    const target: Target = { url: request.url, what: request.what };
    const { signal, dispose, timedOut } = this.attemptSignal(request.signal);
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
    const make = (kind: LlmErrorKind, message: string, retryable: boolean, status?: number, retryAfterMs?: number): AttemptFailure => ({
      error: new LlmError(kind, this.redact(message), { status }),
      retryable,
      retryAfterMs,
    });
    if (error instanceof BudgetExceededError) return { error, retryable: false };
    if (timedOut || (error instanceof LlmError && error.kind === 'timeout')) {
      return make('timeout', `no complete reply from ${where} within ${this.timeoutMs} ms`, true);
    }
    if (error instanceof LlmError) return { error: new LlmError(error.kind, this.redact(error.message), { status: error.status }), retryable: false };
    if (outer?.aborted) return make('aborted', 'the request was cancelled', false);
    if (error instanceof OpenAI.APIConnectionTimeoutError) return make('timeout', `no reply from ${where} within ${this.timeoutMs} ms`, true);
    if (error instanceof OpenAI.APIUserAbortError) return make('aborted', 'the request was cancelled', false);
    if (error instanceof OpenAI.APIConnectionError) {
      const code = errorCode(error);
      if (code === 'ECONNREFUSED') return make('connection', `could not connect to ${where}: connection refused (is the server running on that port?)`, true);
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return make('connection', `could not resolve the host of ${where} (${code})`, true);
      if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE')
        return make('connection', `the connection to ${where} was dropped before a reply`, true);
      return make('connection', `could not reach ${where}${code ? ` (${code})` : ''}`, true);
    }
    if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
      const status = error.status;
      const message = serverMessage(error);
      const code = (error.error as { code?: unknown } | undefined)?.code;
      if (status === 401 || status === 403) {
        return make('auth', `${status} from ${where}: the endpoint rejected the API key (${message})`, false, status);
      }
      const aboutModel =
        code === 'model_not_found' ||
        /model\b[^.]*\b(not found|does not exist|not exist|unknown|no such)/i.test(message) ||
        /unknown model|model_not_found/i.test(message);
      if ((status === 404 || status === 400) && aboutModel) return make('model-not-found', `${status} from ${where}: ${message}`, false, status);
      if (status === 404) return make('not-found', `404 from ${where}: no ${target.what} at this path (${message})`, false, status);
      if (status === 429) return make('rate-limit', `429 from ${where}: rate limited (${message})`, true, status, parseRetryAfter(error.headers));
      if (status === 408 || status === 409) return make('server', `${status} from ${where}: ${message}`, true, status, parseRetryAfter(error.headers));
      if (status >= 500) return make('server', `${status} from ${where}: ${message}`, true, status, parseRetryAfter(error.headers));
      return make('bad-request', `${status} from ${where}: ${message}`, false, status);
    }
    if (error instanceof SyntaxError) return make('bad-response', `the endpoint at ${where} replied with broken JSON (${error.message})`, true);
    if (error instanceof Error && error.name === 'AbortError') return make('aborted', 'the request was cancelled', false);
    return make('bad-response', `unexpected failure talking to ${where}: ${errorMessage(error)}`, true);
  }
}

export function createLlmClient(
  config: CriticConfig,
  extras: { budget?: TokenBudget; semaphore?: Semaphore; sleep?: LlmClientOptions['sleep'] } = {},
): LlmClient {
  return new LlmClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    retryBaseMs: config.retryBaseMs,
    maxRetryAfterMs: config.maxRetryAfterMs,
    maxTokensField: config.maxTokensField,
    budget: extras.budget,
    semaphore: extras.semaphore,
    sleep: extras.sleep,
  });
}
