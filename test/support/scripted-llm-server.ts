// A scripted OpenAI-compatible server on 127.0.0.1, for every test and bench that touches the LLM path.
// It is a real HTTP server (node:http): the client under test talks to it over a socket exactly as it
// would to OpenAI, vLLM or llama.cpp, so timeouts, aborts, dropped connections and headers are real.
//
// ## Programmatic API
//
//   const server = await startScriptedLlmServer({ handler?, models?, apiKey?, latencyMs?, pace? });
//   server.baseUrl            // 'http://127.0.0.1:PORT/v1'
//   server.requests           // every request received, in order (all routes), see RecordedRequest;
//                             // `aborted` turns true when the client closed it before the reply
//   server.chatRequests()     // only POST /v1/chat/completions
//   server.setHandler(fn)     // (request: ChatRequestView, index: number) => ScriptedResponse | Promise<…>
//                             // `index` counts chat-completion requests from 0 since the handler was set
//   await server.waitFor(() => server.requests[0]?.aborted === true)
//   await server.close()
//
// Routes: `options.routes` first (extra routes such as vLLM's `/pooling`, scripted-prm-server.ts); then
// `GET /v1/models` lists `models`; `POST /v1/chat/completions` asks the handler; anything else is
// a 404 (this is what a base URL without `/v1` hits). With `apiKey` set, a request whose
// `Authorization` is not `Bearer <apiKey>` gets a 401. With `models` set, a chat request for another
// model gets a 404 `model_not_found` (as OpenAI and vLLM answer).
//
// Replies are written as the real servers write them: streamed as server-sent events when the request
// says `stream: true` (a role chunk, one chunk per token with its log-probability entry, a chunk with
// the finish reason, a usage chunk when `stream_options.include_usage`, then `[DONE]`), whole JSON
// otherwise. The completion allowance (`max_completion_tokens` or `max_tokens`) is applied: hidden
// reasoning first, then the content, cut with `finish_reason: "length"` where it runs out. With `pace`,
// requests wait for one of the server's slots, the prompt takes its time and tokens come at a rate.
//
// A ScriptedResponse is one of
//   { type: 'completion', choices: [{ content, logprobs?, reasoningTokens? }], usage?, delayMs? }
//   { type: 'status', status, headers?, body?, delayMs? }   429 + Retry-After, 401, 404, 500 …
//   { type: 'malformed', body?, delayMs? }                  200 with a body (or stream event) that is not JSON
//   { type: 'drop', delayMs? }                              the socket is destroyed, no reply
//   { type: 'hang' }                                        never replies (until the client gives up)
// Builders: completion(), rateLimited(), serverError(), statusReply(), malformedJson(), dropConnection(),
// hang(), delayed(). Usage defaults to token counts estimated from the prompt and the reply with
// src/engine/llm/tokens.ts (the same yardstick the client uses for its budget).
//
// Critic replies in the Step Critic protocol (docs/critic-protocol.md, `"correct": true|false`):
//   criticReply(script, { logprobs, n, topLogprobs, spelling, logprobStyle, reasoningTokens }) → a
//     completion: for each scripted step `{ step /*1-based*/, verdict, pTrue, analysis? }` the reply
//     JSON, and (with logprobs) a token stream whose verdict token's top_logprobs put probability pTrue
//     on spellings of `true` (split over `true`/`True`, or `tr…`) and 1-pTrue on `false` — plus a little
//     mass on an unrelated token, so P(True) only comes out right if it is renormalised over the two
//     words. Without logprobs, `n` choices are returned and round(pTrue·n) of them say true (vote share).
//   finalAnswerReply({ verdict: 'True'|'False', pTrue }, options) → same for the final-answer question.
//   ruleBasedCriticHandler({ incorrectPatterns, pCorrect = 0.95, pIncorrect = 0.05, logprobs = true,
//     supportsN, logprobStyle, malformedRate, analysisWords, reasoningTokens })
//     → a handler that reads the steps to judge out of the prompt and says incorrect (pTrue
//     pIncorrect) for a step whose text matches any pattern, else correct (pCorrect). It honours `n`,
//     `logprobs` and `top_logprobs`, answers final-answer questions (false if the answer matches), a
//     request to write the numbers from 1 to N with them, and any other prompt with
//     `{"analysis": …, "correct": true}`. With malformedRate, that share of the
//     replies to requests without a JSON schema are not the JSON asked for (as small models write).
// The personalities of real servers (OpenAI, vLLM, llama.cpp, Ollama, …) are in llm-personalities.ts.
//
// ## CLI mode (for e2e tests and benches)
//
//   node --import tsx test/support/scripted-llm-server.ts --port N [--latency-ms 100] [--script file.json]
//
// prints its base URL (`http://127.0.0.1:N/v1`) as the first line on stdout and runs until killed.
// `--port 0` picks a free port. The script file (JSON) configures the rule-based critic:
//   { "incorrectPatterns": ["regex", …], "pCorrect": 0.95, "pIncorrect": 0.05, "logprobs": true,
//     "supportsN": true, "malformedRate": 0, "models": ["scripted-critic"], "apiKey": "…", "latencyMs": 0,
//     "sequence": [ScriptedResponse, …] }   // replies for the first requests, then the rule-based critic
// Each request is logged on stderr as one line `METHOD path status` (never a header or key).
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { z } from 'zod';
import type { TokenLogprob } from '../../src/engine/llm/logprobs';
import { parseCriticPrompt } from '../../src/engine/llm/protocol';
import { estimateMessagesTokens, estimateTokens } from '../../src/engine/llm/tokens';

export interface RecordedRequest {
  /** Arrival order over all routes, from 0. */
  seq: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: unknown;
  receivedAt: number;
  /** The client closed the connection before the reply was written. */
  aborted: boolean;
  /** The server destroyed the socket on purpose (a scripted `drop`). */
  dropped: boolean;
  /** Status written, once replied. */
  status?: number;
  /** When the reply was written to the end (ms since the epoch). */
  endedAt?: number;
}

const ChatBodySchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.union([z.string(), z.null()]).optional() })).default([]),
  n: z.number().int().positive().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().nonnegative().nullish(),
  temperature: z.number().nullish(),
  max_tokens: z.number().int().nullish(),
  max_completion_tokens: z.number().int().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  response_format: z.looseObject({ type: z.string() }).nullish(),
});
export type ChatBody = z.infer<typeof ChatBodySchema>;

export interface ChatRequestView extends RecordedRequest {
  chat: ChatBody;
  /** The last user message that holds a critic prompt (`<problem>`…), else the last user message. A
   * repair request ends with a complaint, but the tagged prompt is earlier in the conversation. */
  userText: string;
  /** The last user message, whatever it is (a repair request's complaint). */
  lastUserText: string;
}

export interface ScriptedChoice {
  content: string;
  logprobs?: TokenLogprob[] | null;
  finishReason?: 'stop' | 'length' | 'content_filter';
  /** The model refuses instead of answering (OpenAI: `message.refusal` / `delta.refusal`, content null). */
  refusal?: string;
  /** Hidden reasoning tokens the model spent before the content (they count against max_tokens). */
  reasoningTokens?: number;
  /** A streamed reply stops after this many chunks and sends nothing more (a server that hangs mid-reply). */
  stallAfter?: number;
}

export interface ScriptedUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export type ScriptedResponse =
  | { type: 'completion'; choices: ScriptedChoice[]; usage?: ScriptedUsage | null; model?: string; delayMs?: number }
  | { type: 'status'; status: number; headers?: Record<string, string>; body?: unknown; delayMs?: number }
  | { type: 'malformed'; body?: string; delayMs?: number }
  | { type: 'drop'; delayMs?: number }
  | { type: 'hang' };

export type ScriptedHandler = (request: ChatRequestView, index: number) => ScriptedResponse | Promise<ScriptedResponse>;

/**
 * How fast the server works, for local-server personalities: requests wait for one of `slots` (FIFO,
 * like llama.cpp's and Ollama's parallel slots), then the prompt is processed at
 * `promptTokensPerSecond` and the reply written at `tokensPerSecond`. `timeFactor` speeds all of it up
 * (a test at factor 20 scales the client's timeout by the same factor, so the behaviour is the real one).
 */
export interface Pace {
  slots?: number;
  tokensPerSecond?: number;
  promptTokensPerSecond?: number;
  timeFactor?: number;
}

/** A reply of an extra route: status and JSON body (e.g. vLLM's `/pooling`, see scripted-prm-server.ts), or `raw` bytes (a file's content). */
export interface RouteReply {
  status: number;
  body: unknown;
  raw?: string | Buffer;
  headers?: Record<string, string>;
  delayMs?: number;
}

/** Answers a request before the built-in routes, or returns undefined to leave it to them. */
export type ExtraRoute = (request: RecordedRequest) => RouteReply | undefined | Promise<RouteReply | undefined>;

export interface ScriptedServerOptions {
  handler?: ScriptedHandler;
  /** Tried first, in order, for every request (after the API key check). */
  routes?: ExtraRoute[];
  /** Model ids for GET /models; chat requests for other models get 404 model_not_found. Default ['scripted-critic']. */
  models?: string[];
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** Added before every reply. */
  latencyMs?: number;
  /** Slots and speed (without it, replies come at once, after latencyMs and delayMs). */
  pace?: Pace;
  /** Port to listen on (0 = any free one). */
  port?: number;
  /** Called with one line per request (method, path, status). */
  log?: (line: string) => void;
}

export interface ScriptedLlmServer {
  baseUrl: string;
  port: number;
  requests: RecordedRequest[];
  chatRequests(): ChatRequestView[];
  setHandler(handler: ScriptedHandler): void;
  /** Changes the pace's speed-up from the next request on. */
  setTimeFactor(factor: number): void;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_MODEL = 'scripted-critic';

// ---- response builders ---------------------------------------------------------------------

export function completion(
  content: string,
  options: { logprobs?: TokenLogprob[] | null; usage?: ScriptedUsage | null; delayMs?: number } = {},
): ScriptedResponse {
  return { type: 'completion', choices: [{ content, logprobs: options.logprobs }], usage: options.usage, delayMs: options.delayMs };
}

export function statusReply(
  status: number,
  message: string,
  options: { headers?: Record<string, string>; code?: string; delayMs?: number } = {},
): ScriptedResponse {
  return {
    type: 'status',
    status,
    headers: options.headers,
    body: { error: { message, type: 'scripted_error', code: options.code ?? null } },
    delayMs: options.delayMs,
  };
}

export function rateLimited(retryAfterSeconds: number): ScriptedResponse {
  return statusReply(429, 'Rate limit reached, please retry later.', { headers: { 'retry-after': String(retryAfterSeconds) }, code: 'rate_limit_exceeded' });
}

/** llama.cpp's server while it loads its model (its server_state middleware): every request but /models. */
export function loadingModel(): ScriptedResponse {
  return { type: 'status', status: 503, body: { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } } };
}

export function serverError(status = 500): ScriptedResponse {
  return statusReply(status, 'The server had an error while processing your request.');
}

export function malformedJson(body = '{"id": "chatcmpl-broken", "choices": [{"message": {"content": "trunc'): ScriptedResponse {
  return { type: 'malformed', body };
}

export function dropConnection(delayMs = 0): ScriptedResponse {
  return { type: 'drop', delayMs };
}

export function hang(): ScriptedResponse {
  return { type: 'hang' };
}

export function delayed(response: ScriptedResponse, delayMs: number): ScriptedResponse {
  return response.type === 'hang' ? response : { ...response, delayMs };
}

// ---- critic replies in the Step Critic protocol ---------------------------------------------

export interface StepScript {
  /** 1-based step number, as in the prompt. */
  step: number;
  verdict: 'correct' | 'incorrect';
  /** Probability on `true` in the verdict token's distribution (logprobs) or the vote share (samples). */
  pTrue?: number;
  analysis?: string;
}

/** A scripted verdict on one rubric item. */
export interface ItemScript {
  /** 1-based item number, as in the prompt. */
  item: number;
  met: boolean;
  /** Probability on `true` at the `"met"` token (logprobs) or the vote share (samples). */
  pTrue?: number;
  /** 1-based step numbers the item rests on. */
  steps?: number[];
  analysis?: string;
}

/**
 * How the verdict is cut into tokens: `true` after `"correct": ` (bare), ` true` with the space
 * (spaced), or `tr` + `ue` (split).
 */
export type VerdictSpelling = 'bare' | 'spaced' | 'split';

/** What the log-probabilities look like: real ones, or DeepSeek's (0 or −9999, no alternatives). */
export type LogprobStyle = 'real' | 'degenerate';

export interface CriticReplyOptions {
  logprobs?: boolean;
  logprobStyle?: LogprobStyle;
  /** Alternatives kept per token (the request's top_logprobs). Default 20. */
  topLogprobs?: number;
  /** Number of choices (samples). Default 1. */
  n?: number;
  spelling?: VerdictSpelling;
  delayMs?: number;
  usage?: ScriptedUsage | null;
  /** Hidden reasoning tokens spent before the reply (a reasoning model). */
  reasoningTokens?: number;
  /** Probability on a token that is neither word (pre-sampling probabilities show what a grammar forbids). */
  otherMass?: number;
  /** Rubric verdicts: a `"rubric"` array after `"steps"`, as the protocol asks when the prompt has a rubric. */
  items?: readonly ItemScript[];
}

/** Mass put on a token that is neither word, so that an un-normalised reading is visibly wrong. */
const OTHER_MASS = 0.04;

function genericTokens(text: string): string[] {
  return text.match(/\s*[A-Za-z]+|\s*\d+|\s*[^\sA-Za-z\d]|\s+$/g) ?? [];
}

/** A token the model was sure of; like a real model's, its alternatives trail far behind. */
function plainToken(token: string): TokenLogprob {
  return {
    token,
    logprob: -0.01,
    top_logprobs: [
      { token, logprob: -0.01 },
      { token: `${token}_`, logprob: -5.3 },
      { token: `_${token}`, logprob: -7.1 },
    ],
  };
}

function verdictAlternatives(
  positive: [string, string],
  negative: [string, string],
  other: string,
  p: number,
  chosen: string,
  otherMass = OTHER_MASS,
): TokenLogprob {
  const scale = 1 - otherMass;
  const masses: [string, number][] = [
    [positive[0], 0.85 * p * scale],
    [positive[1], 0.15 * p * scale],
    [negative[0], 0.85 * (1 - p) * scale],
    [negative[1], 0.15 * (1 - p) * scale],
    [other, otherMass],
  ];
  const alternatives = masses
    .filter(([, m]) => m > 0)
    .map(([token, m]) => ({ token, logprob: Math.log(m) }))
    .sort((a, b) => b.logprob - a.logprob);
  const own = alternatives.find((a) => a.token === chosen);
  return { token: chosen, logprob: own?.logprob ?? -20, top_logprobs: alternatives };
}

/** The verdict's tokens: `true`/`false` (probability p on true) in the given spelling. */
function verdictTokens(verdict: boolean, p: number, spelling: VerdictSpelling, otherMass?: number): TokenLogprob[] {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const word = verdict ? 'true' : 'false';
  if (spelling === 'split') {
    const head = verdict ? 'tr' : 'fa';
    return [verdictAlternatives(['tr', 'true'], ['fa', 'false'], 'null', p, head, otherMass), plainToken(word.slice(head.length))];
  }
  const lead = spelling === 'spaced' ? ' ' : '';
  return [
    verdictAlternatives([`${lead}true`, `${lead}${cap('true')}`], [`${lead}false`, `${lead}${cap('false')}`], `${lead}null`, p, `${lead}${word}`, otherMass),
  ];
}

type Piece = string | { verdict: boolean; p: number };

function streamFor(pieces: readonly Piece[], spelling: VerdictSpelling, topLogprobs: number, otherMass?: number): { content: string; tokens: TokenLogprob[] } {
  let content = '';
  const tokens: TokenLogprob[] = [];
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      // The spaced spelling carries the space after the colon in the verdict token itself.
      const text = spelling === 'spaced' ? piece.replace(/: $/, ':') : piece;
      content += text;
      tokens.push(...genericTokens(text).map(plainToken));
      continue;
    }
    for (const t of verdictTokens(piece.verdict, piece.p, spelling, otherMass)) {
      content += t.token;
      tokens.push(t);
    }
  }
  for (const t of tokens) if (t.top_logprobs) t.top_logprobs = t.top_logprobs.slice(0, Math.max(0, topLogprobs));
  return { content, tokens };
}

/** DeepSeek's degenerate log-probabilities: 0 for the chosen token (−9999 now and then), no alternatives. */
function degenerate(tokens: readonly TokenLogprob[]): TokenLogprob[] {
  return tokens.map((t, i) => ({ token: t.token, logprob: i % 7 === 3 ? -9999 : 0, top_logprobs: [] }));
}

function voteFor(pTrue: number, choice: number, n: number): boolean {
  return choice < Math.round(pTrue * n);
}

function choiceFrom(pieces: readonly Piece[], options: CriticReplyOptions): ScriptedChoice {
  const { content, tokens } = streamFor(pieces, options.spelling ?? 'bare', options.topLogprobs ?? 20, options.otherMass);
  const logprobs = options.logprobs ? (options.logprobStyle === 'degenerate' ? degenerate(tokens) : tokens) : null;
  return { content, logprobs, ...(options.reasoningTokens ? { reasoningTokens: options.reasoningTokens } : {}) };
}

/** A reply to a step-critique request. */
export function criticReply(script: readonly StepScript[], options: CriticReplyOptions = {}): ScriptedResponse {
  const n = options.n ?? 1;
  const choices: ScriptedChoice[] = [];
  for (let c = 0; c < n; c++) {
    const pieces: Piece[] = ['{"steps": ['];
    script.forEach((s, i) => {
      const p = s.pTrue ?? (s.verdict === 'correct' ? 1 : 0);
      // With logprobs every choice shows the scripted verdict; without, the votes carry pTrue.
      const correct = options.logprobs || n === 1 ? s.verdict === 'correct' : voteFor(p, c, n);
      const analysis = s.analysis ?? `Checked step ${s.step}: ${correct ? 'it follows from the problem and the earlier steps' : 'it does not hold'}.`;
      pieces.push(`${i > 0 ? ', ' : ''}{"step": ${s.step}, "analysis": ${JSON.stringify(analysis)}, "correct": `);
      pieces.push({ verdict: correct, p });
      pieces.push('}');
    });
    pieces.push(']');
    if (options.items) {
      pieces.push(', "rubric": [');
      options.items.forEach((it, i) => {
        const p = it.pTrue ?? (it.met ? 1 : 0);
        const met = options.logprobs || n === 1 ? it.met : voteFor(p, c, n);
        const analysis = it.analysis ?? `Item ${it.item}: ${met ? 'the solution does this' : 'the solution does not do this'}.`;
        pieces.push(`${i > 0 ? ', ' : ''}{"item": ${it.item}, "analysis": ${JSON.stringify(analysis)}, "steps": ${JSON.stringify(it.steps ?? [])}, "met": `);
        pieces.push({ verdict: met, p });
        pieces.push('}');
      });
      pieces.push(']');
    }
    pieces.push('}');
    choices.push(choiceFrom(pieces, options));
  }
  return { type: 'completion', choices, usage: options.usage, delayMs: options.delayMs };
}

/** A reply to the final-answer question. */
export function finalAnswerReply(answer: { verdict: 'True' | 'False'; pTrue?: number; analysis?: string }, options: CriticReplyOptions = {}): ScriptedResponse {
  const n = options.n ?? 1;
  const p = answer.pTrue ?? (answer.verdict === 'True' ? 1 : 0);
  const choices: ScriptedChoice[] = [];
  for (let c = 0; c < n; c++) {
    const verdict = options.logprobs || n === 1 ? answer.verdict === 'True' : voteFor(p, c, n);
    choices.push(choiceFrom([`{"analysis": ${JSON.stringify(answer.analysis ?? 'Checked the answer.')}, "correct": `, { verdict, p }, '}'], options));
  }
  return { type: 'completion', choices, usage: options.usage, delayMs: options.delayMs };
}

/** Text a model without a schema sometimes writes instead of the JSON asked for. */
function malformedCritique(script: readonly StepScript[], kind: number): string {
  const first = script[0]?.step ?? 1;
  switch (kind % 3) {
    case 0:
      return `Step ${first} looks right to me. The rest follows.`;
    case 1:
      return `{"steps": [{"step": ${first}, "analysis": "fine", "correct": true},]}`;
    default:
      return `\`\`\`json\n{"steps": [{"step": ${first}, "analysis": "the value is "12" as stated", "correct": true}]}\n\`\`\``;
  }
}

export interface RuleBasedCriticOptions {
  /** A judged step whose text matches any of these (regex source or RegExp, case-insensitive) is incorrect. */
  incorrectPatterns?: (string | RegExp)[];
  pCorrect?: number;
  pIncorrect?: number;
  /** Whether the backend returns log-probabilities when asked. Default true. */
  logprobs?: boolean;
  logprobStyle?: LogprobStyle;
  /** Whether it honours `n` (false: always one choice, like some local servers). Default true. */
  supportsN?: boolean;
  spelling?: VerdictSpelling;
  /** Share of replies (without a JSON schema in the request) that are not the JSON asked for. */
  malformedRate?: number;
  /** Words of analysis per step (default: one short sentence). */
  analysisWords?: number;
  /** Hidden reasoning tokens spent before every reply. */
  reasoningTokens?: number;
  otherMass?: number;
  /** Verdicts on rubric items by number; an item not listed is met with P(True) `pCorrect`, resting on no step. */
  rubric?: readonly ItemScript[];
  /** Rubric items the reply leaves out (a model that skipped them). */
  rubricOmits?: readonly number[];
}

/** A deterministic stand-in for a model's wording: `words` words about step `step`. */
function analysisOf(step: number, correct: boolean, words: number): string {
  const base = correct
    ? ['the', 'computation', 'follows', 'from', 'the', 'problem', 'and', 'earlier', 'steps']
    : ['the', 'value', 'does', 'not', 'follow', 'from', 'the', 'stated', 'numbers'];
  return [`Step ${step}:`, ...Array.from({ length: Math.max(1, words - 2) }, (_, i) => base[i % base.length]!)].join(' ') + '.';
}

export function ruleBasedCriticHandler(options: RuleBasedCriticOptions = {}): ScriptedHandler {
  const patterns = (options.incorrectPatterns ?? []).map((p) => (typeof p === 'string' ? new RegExp(p, 'i') : p));
  const pCorrect = options.pCorrect ?? 0.95;
  const pIncorrect = options.pIncorrect ?? 0.05;
  const matches = (text: string) =>
    patterns.some((p) => {
      p.lastIndex = 0;
      return p.test(text);
    });
  let samplesServed = 0;
  let unconstrained = 0;
  return (request) => {
    const parsed = parseCriticPrompt(request.userText);
    const wantLogprobs = options.logprobs !== false && request.chat.logprobs === true;
    const n = options.supportsN === false ? 1 : (request.chat.n ?? 1);
    const reply: CriticReplyOptions = {
      logprobs: wantLogprobs,
      n,
      topLogprobs: request.chat.top_logprobs ?? 0,
      spelling: options.spelling,
      ...(options.logprobStyle ? { logprobStyle: options.logprobStyle } : {}),
      ...(options.reasoningTokens ? { reasoningTokens: options.reasoningTokens } : {}),
      ...(options.otherMass !== undefined ? { otherMass: options.otherMass } : {}),
    };
    if (!parsed) {
      // The probe's concurrency test asks for a long plain answer (cut at its max_tokens).
      const count = /numbers from 1 to (\d+)/.exec(request.lastUserText);
      if (count) return completion(Array.from({ length: Number(count[1]) }, (_, i) => String(i + 1)).join(' '));
      // Anything else (e.g. a plain question) gets a true/false answer in the same JSON shape.
      return finalAnswerReply({ verdict: 'True', pTrue: pCorrect, analysis: 'Checked.' }, reply);
    }
    if (parsed.kind === 'answer') {
      const wrong = matches(parsed.answer);
      return finalAnswerReply({ verdict: wrong ? 'False' : 'True', pTrue: wrong ? pIncorrect : pCorrect }, reply);
    }
    const script: StepScript[] = parsed.judged.map((s) => {
      const wrong = matches(s.text);
      return {
        step: s.number,
        verdict: wrong ? 'incorrect' : 'correct',
        pTrue: wrong ? pIncorrect : pCorrect,
        ...(options.analysisWords ? { analysis: analysisOf(s.number, !wrong, options.analysisWords) } : {}),
      };
    });
    if (options.malformedRate && !hasJsonSchema(request.chat)) {
      // Every k-th unconstrained reply is malformed, k = 1/rate: a rate, reproducibly.
      const index = unconstrained++;
      if (Math.floor((index + 1) * options.malformedRate) > Math.floor(index * options.malformedRate)) {
        const text = malformedCritique(script, index);
        const tokens = genericTokens(text).map(plainToken);
        for (const t of tokens) t.top_logprobs = t.top_logprobs!.slice(0, Math.max(0, reply.topLogprobs ?? 0));
        return completion(text, { logprobs: wantLogprobs ? tokens : null });
      }
    }
    if (parsed.rubric.length > 0) {
      reply.items = parsed.rubric
        .filter((it) => !options.rubricOmits?.includes(it.number))
        .map((it) => {
          const item = options.rubric?.find((r) => r.item === it.number) ?? { item: it.number, met: true, pTrue: pCorrect };
          return options.analysisWords && item.analysis === undefined ? { ...item, analysis: analysisOf(it.number, item.met, options.analysisWords) } : item;
        });
    }
    if (!wantLogprobs && n === 1 && request.chat.temperature !== undefined && (request.chat.temperature ?? 0) > 0) {
      // One sample per call (a backend without `n`): vary the votes across calls so shares come out.
      const c = samplesServed++ % 5;
      return criticReply(
        script.map((s) => ({ ...s, verdict: voteFor(s.pTrue ?? 0, c, 5) ? 'correct' : 'incorrect' })),
        reply,
      );
    }
    return criticReply(script, reply);
  };
}

/** Whether the request asks for a reply shaped by a JSON schema. */
export function hasJsonSchema(chat: ChatBody): boolean {
  return chat.response_format?.type === 'json_schema';
}

// ---- the server -------------------------------------------------------------------------------

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A choice as the server writes it: cut at the completion allowance, with its stream units. */
interface WrittenChoice {
  stallAfter?: number;
  /** The units are a refusal, not content. */
  refusal?: boolean;
  content: string;
  /** The content in stream chunks, with the log-probability entry of each when they line up. */
  units: { text: string; logprob?: TokenLogprob }[];
  logprobs: TokenLogprob[] | null;
  finishReason: string;
  reasoningTokens: number;
}

/** The completion tokens a request allows per choice (max_completion_tokens or max_tokens). */
function allowance(chat: ChatBody): number | undefined {
  return chat.max_completion_tokens ?? chat.max_tokens ?? undefined;
}

/**
 * Applies the allowance as a real server does: hidden reasoning first, then the content up to the
 * limit (tokens counted with the client's own estimate), `finish_reason: "length"` when it was cut.
 */
function writeChoice(choice: ScriptedChoice, limit: number | undefined): WrittenChoice {
  const reasoning = choice.reasoningTokens ?? 0;
  if (choice.refusal !== undefined) {
    const units = genericTokens(choice.refusal).map((text) => ({ text }));
    return { refusal: true, content: choice.refusal, units, logprobs: null, finishReason: choice.finishReason ?? 'stop', reasoningTokens: reasoning };
  }
  const lined = choice.logprobs && choice.logprobs.map((t) => t.token).join('') === choice.content;
  const all = lined ? choice.logprobs!.map((t) => ({ text: t.token, logprob: t })) : genericTokens(choice.content).map((text) => ({ text }));
  const stall = choice.stallAfter !== undefined ? { stallAfter: choice.stallAfter } : {};
  if (limit === undefined) {
    return {
      ...stall,
      content: choice.content,
      units: all,
      logprobs: choice.logprobs ?? null,
      finishReason: choice.finishReason ?? 'stop',
      reasoningTokens: reasoning,
    };
  }
  const units: WrittenChoice['units'] = [];
  let text = '';
  for (const unit of all) {
    if (reasoning + estimateTokens(text + unit.text) > limit) break;
    units.push(unit);
    text += unit.text;
  }
  const cut = units.length < all.length;
  const logprobs = choice.logprobs ? (lined ? choice.logprobs.slice(0, units.length) : choice.logprobs) : null;
  return {
    ...stall,
    content: text,
    units,
    logprobs,
    finishReason: cut ? 'length' : (choice.finishReason ?? 'stop'),
    reasoningTokens: cut ? Math.min(reasoning, limit) : reasoning,
  };
}

function usageOf(response: Extract<ScriptedResponse, { type: 'completion' }>, written: readonly WrittenChoice[], chat: ChatBody): unknown {
  if (response.usage === null) return undefined;
  if (response.usage) return { ...response.usage, total_tokens: response.usage.prompt_tokens + response.usage.completion_tokens };
  const promptTokens = estimateMessagesTokens(chat.messages.map((m) => ({ content: m.content ?? '' })));
  const reasoning = written.reduce((sum, c) => sum + c.reasoningTokens, 0);
  const completionTokens = written.reduce((sum, c) => sum + estimateTokens(c.content), 0) + reasoning;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    ...(reasoning > 0 ? { completion_tokens_details: { reasoning_tokens: reasoning } } : {}),
  };
}

function chatCompletionBody(response: Extract<ScriptedResponse, { type: 'completion' }>, written: readonly WrittenChoice[], chat: ChatBody): unknown {
  const usage = usageOf(response, written, chat);
  return {
    id: `chatcmpl-scripted-${Math.random().toString(36).slice(2, 10)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: response.model ?? chat.model ?? DEFAULT_MODEL,
    choices: written.map((choice, index) => ({
      index,
      message: { role: 'assistant', content: choice.refusal ? null : choice.content, refusal: choice.refusal ? choice.content : null },
      logprobs: choice.logprobs ? { content: choice.logprobs, refusal: null } : null,
      finish_reason: choice.finishReason,
    })),
    ...(usage ? { usage } : {}),
  };
}

/**
 * What the server answers a chat request body with, whole (not streamed), as a batch runner writes it
 * into a result line (`vllm run-batch`, a provider's batch: scripted-batch.ts): the status and the body.
 */
export async function answerChatBody(
  handler: ScriptedHandler,
  body: unknown,
  index: number,
  models: readonly string[] = [DEFAULT_MODEL],
): Promise<{ status: number; body: unknown }> {
  const parsed = ChatBodySchema.safeParse(body);
  if (!parsed.success)
    return { status: 400, body: { error: { message: 'The request body is not a valid chat completion request.', type: 'invalid_request_error' } } };
  const chat = parsed.data;
  if (chat.model !== undefined && !models.includes(chat.model)) {
    return { status: 404, body: { error: { message: `The model \`${chat.model}\` does not exist.`, type: 'invalid_request_error', code: 'model_not_found' } } };
  }
  const users = chat.messages.filter((m) => m.role === 'user');
  const lastUserText = users[users.length - 1]?.content ?? '';
  const prompt = [...users].reverse().find((m) => (m.content ?? '').includes('<problem>'));
  const rawBody = JSON.stringify(body);
  const record: RecordedRequest = {
    seq: index,
    method: 'POST',
    path: '/v1/chat/completions',
    headers: {},
    rawBody,
    body,
    receivedAt: Date.now(),
    aborted: false,
    dropped: false,
  };
  const response = await handler(Object.assign(record, { chat, userText: prompt?.content ?? lastUserText, lastUserText }), index);
  switch (response.type) {
    case 'completion': {
      const written = response.choices.map((c) => writeChoice(c, allowance(chat)));
      return { status: 200, body: chatCompletionBody(response, written, chat) };
    }
    case 'status':
      return { status: response.status, body: response.body ?? { error: { message: `status ${response.status}` } } };
    default:
      return { status: 500, body: { error: { message: 'The server had an error while processing your request.', type: 'server_error' } } };
  }
}

/** A FIFO of `limit` slots: a request waits for one before the server works on it. */
function slotQueue(limit: number): { acquire(): Promise<() => void> } {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    active--;
    const next = waiting.shift();
    if (next) {
      active++;
      next();
    }
  };
  return {
    async acquire() {
      if (active < limit) active++;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      let released = false;
      return () => {
        if (!released) {
          released = true;
          release();
        }
      };
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startScriptedLlmServer(options: ScriptedServerOptions = {}): Promise<ScriptedLlmServer> {
  let handler: ScriptedHandler = options.handler ?? ruleBasedCriticHandler();
  const models = options.models ?? [DEFAULT_MODEL];
  const requests: RecordedRequest[] = [];
  const chatViews: ChatRequestView[] = [];
  let handlerCalls = 0;
  const pace = options.pace;
  let factor = pace?.timeFactor ?? 1;
  const slots = pace?.slots ? slotQueue(pace.slots) : undefined;
  const tokenDelay = () => (pace?.tokensPerSecond ? 1000 / pace.tokensPerSecond / factor : 0);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    const record: RecordedRequest = {
      seq: requests.length,
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      headers: req.headers,
      rawBody: '',
      body: undefined,
      receivedAt: Date.now(),
      aborted: false,
      dropped: false,
    };
    requests.push(record);
    let timer: NodeJS.Timeout | undefined;
    // The response closing before it finished means the client went away (abort, timeout).
    res.on('close', () => {
      if (!res.writableFinished && !record.dropped) record.aborted = true;
      if (timer) clearTimeout(timer);
    });
    res.on('finish', () => (record.endedAt = Date.now()));
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      record.rawBody = Buffer.concat(chunks).toString('utf8');
      try {
        record.body = record.rawBody ? (JSON.parse(record.rawBody) as unknown) : undefined;
      } catch {
        record.body = undefined;
      }
      void route(record, res, (t) => (timer = t));
    });
  });

  const finish = (record: RecordedRequest, res: ServerResponse, status: number) => {
    record.status = status;
    options.log?.(`${record.method} ${record.path} ${status}`);
    void res;
  };
  const gone = (record: RecordedRequest, res: ServerResponse) => record.aborted || res.destroyed;

  /** Server-sent events as OpenAI streams them: a role chunk, content chunks, finish chunks, usage, [DONE]. */
  async function stream(
    record: RecordedRequest,
    res: ServerResponse,
    response: Extract<ScriptedResponse, { type: 'completion' }>,
    chat: ChatBody,
    written: WrittenChoice[],
  ) {
    const base = {
      id: `chatcmpl-scripted-${Math.random().toString(36).slice(2, 10)}`,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: response.model ?? chat.model ?? DEFAULT_MODEL,
    };
    const send = (chunk: Record<string, unknown>) => res.write(`data: ${JSON.stringify({ ...base, ...chunk })}\n\n`);
    finish(record, res, 200);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    send({ choices: written.map((_, index) => ({ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null })) });
    // Hidden reasoning takes its time before the first visible token.
    const tokenDelayMs = tokenDelay();
    const reasoning = Math.max(0, ...written.map((w) => w.reasoningTokens));
    if (tokenDelayMs > 0 && reasoning > 0) await sleep(reasoning * tokenDelayMs);
    const wantLogprobs = chat.logprobs === true;
    const longest = Math.max(0, ...written.map((w) => w.units.length));
    const writing = Date.now();
    let text = '';
    for (let k = 0; k < longest; k++) {
      // A chunk is due when the tokens written so far (counted as in the usage) have taken their time;
      // timers are coarser than a sped-up token, so the schedule is kept, not each gap.
      text += written[0]?.units[k]?.text ?? '';
      const wait = writing + Math.max(k + 1, estimateTokens(text)) * tokenDelayMs - Date.now();
      if (wait >= 1) await sleep(wait);
      if (gone(record, res)) return;
      if (written.some((w) => w.stallAfter === k)) {
        while (!gone(record, res)) await sleep(10);
        return;
      }
      written.forEach((w, index) => {
        const unit = w.units[k];
        if (!unit) return;
        // Log-probabilities that do not line up with the content come whole with the first chunk.
        const logprobs = !wantLogprobs || !w.logprobs ? null : unit.logprob ? [unit.logprob] : k === 0 ? w.logprobs : [];
        const delta = w.refusal ? { refusal: unit.text } : { content: unit.text };
        send({ choices: [{ index, delta, logprobs: logprobs ? { content: logprobs, refusal: null } : null, finish_reason: null }] });
      });
    }
    if (gone(record, res)) return;
    written.forEach((w, index) => send({ choices: [{ index, delta: {}, logprobs: null, finish_reason: w.finishReason }] }));
    const usage = usageOf(response, written, chat);
    if (chat.stream_options?.include_usage && usage) send({ choices: [], usage });
    res.end('data: [DONE]\n\n');
  }

  async function complete(record: RecordedRequest, res: ServerResponse, response: Extract<ScriptedResponse, { type: 'completion' }>, chat: ChatBody) {
    const release = slots ? await slots.acquire() : undefined;
    try {
      if (gone(record, res)) return;
      if (pace?.promptTokensPerSecond) {
        const prompt = estimateMessagesTokens(chat.messages.map((m) => ({ content: m.content ?? '' })));
        await sleep((1000 * prompt) / pace.promptTokensPerSecond / factor);
        if (gone(record, res)) return;
      }
      const written = response.choices.map((c) => writeChoice(c, allowance(chat)));
      if (chat.stream) await stream(record, res, response, chat, written);
      else {
        const tokenDelayMs = tokenDelay();
        if (tokenDelayMs > 0) await sleep(tokenDelayMs * Math.max(0, ...written.map((w) => estimateTokens(w.content) + w.reasoningTokens)));
        if (gone(record, res)) return;
        finish(record, res, 200);
        sendJson(res, 200, chatCompletionBody(response, written, chat));
      }
    } finally {
      release?.();
    }
  }

  async function route(record: RecordedRequest, res: ServerResponse, setTimer: (t: NodeJS.Timeout) => void): Promise<void> {
    if (options.apiKey !== undefined && record.headers.authorization !== `Bearer ${options.apiKey}`) {
      finish(record, res, 401);
      sendJson(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } });
      return;
    }
    for (const extra of options.routes ?? []) {
      const reply = await extra(record);
      if (!reply) continue;
      const send = () => {
        if (record.aborted || res.destroyed) return;
        finish(record, res, reply.status);
        if (reply.raw === undefined) sendJson(res, reply.status, reply.body, reply.headers);
        else {
          res.writeHead(reply.status, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(reply.raw), ...reply.headers });
          res.end(reply.raw);
        }
      };
      const delay = (options.latencyMs ?? 0) + (reply.delayMs ?? 0);
      if (delay > 0) setTimer(setTimeout(send, delay));
      else send();
      return;
    }
    if (record.method === 'GET' && record.path === '/v1/models') {
      finish(record, res, 200);
      sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'scripted' })) });
      return;
    }
    if (record.method !== 'POST' || record.path !== '/v1/chat/completions') {
      finish(record, res, 404);
      sendJson(res, 404, { error: { message: `Unknown route ${record.method} ${record.path}`, type: 'invalid_request_error', code: 'unknown_url' } });
      return;
    }
    const parsed = ChatBodySchema.safeParse(record.body);
    if (!parsed.success) {
      finish(record, res, 400);
      sendJson(res, 400, { error: { message: 'The request body is not a valid chat completion request.', type: 'invalid_request_error', code: null } });
      return;
    }
    const chat = parsed.data;
    if (chat.model !== undefined && !models.includes(chat.model)) {
      finish(record, res, 404);
      sendJson(res, 404, {
        error: {
          message: `The model \`${chat.model}\` does not exist or you do not have access to it.`,
          type: 'invalid_request_error',
          code: 'model_not_found',
        },
      });
      return;
    }
    const users = chat.messages.filter((m) => m.role === 'user');
    const lastUserText = users[users.length - 1]?.content ?? '';
    const prompt = [...users].reverse().find((m) => (m.content ?? '').includes('<problem>'));
    const view: ChatRequestView = Object.assign(record, { chat, userText: prompt?.content ?? lastUserText, lastUserText });
    const index = handlerCalls++;
    chatViews.push(view);
    let response: ScriptedResponse;
    try {
      response = await handler(view, index);
    } catch (error) {
      finish(record, res, 500);
      sendJson(res, 500, {
        error: { message: `scripted handler threw: ${error instanceof Error ? error.message : String(error)}`, type: 'server_error', code: null },
      });
      return;
    }
    if (response.type === 'hang') return;
    const delay = (options.latencyMs ?? 0) + (response.delayMs ?? 0);
    const reply = () => {
      if (gone(record, res)) return;
      switch (response.type) {
        case 'completion':
          void complete(record, res, response, chat);
          break;
        case 'status':
          finish(record, res, response.status);
          sendJson(res, response.status, response.body ?? { error: { message: `status ${response.status}` } }, response.headers);
          break;
        case 'malformed': {
          finish(record, res, 200);
          const body = response.body ?? '{';
          if (chat.stream) {
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.end(`data: ${body}\n\n`);
          } else {
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
            res.end(body);
          }
          break;
        }
        case 'drop':
          record.dropped = true;
          finish(record, res, 0);
          res.socket?.destroy();
          break;
      }
    };
    if (delay > 0) setTimer(setTimeout(reply, delay));
    else reply();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    chatRequests: () => chatViews,
    setHandler(next) {
      handler = next;
      handlerCalls = 0;
    },
    setTimeFactor(next) {
      factor = next;
    },
    async waitFor(predicate, timeoutMs = 5000) {
      const start = Date.now();
      while (!predicate()) {
        if (Date.now() - start > timeoutMs) throw new Error(`scripted server: condition not met within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

// ---- CLI mode ---------------------------------------------------------------------------------

const ScriptFileSchema = z.object({
  incorrectPatterns: z.array(z.string()).default([]),
  pCorrect: z.number().min(0).max(1).optional(),
  pIncorrect: z.number().min(0).max(1).optional(),
  logprobs: z.boolean().optional(),
  supportsN: z.boolean().optional(),
  spelling: z.enum(['bare', 'spaced', 'split']).optional(),
  malformedRate: z.number().min(0).max(1).optional(),
  models: z.array(z.string()).optional(),
  apiKey: z.string().optional(),
  latencyMs: z.number().nonnegative().optional(),
  sequence: z.array(z.custom<ScriptedResponse>((v) => typeof v === 'object' && v !== null && 'type' in v)).default([]),
});

async function main(argv: string[]): Promise<void> {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const scriptPath = flag('--script');
  const script = ScriptFileSchema.parse(scriptPath ? JSON.parse(readFileSync(scriptPath, 'utf8')) : {});
  const rules = ruleBasedCriticHandler(script);
  const handler: ScriptedHandler = (request, index) => script.sequence[index] ?? rules(request, index);
  const server = await startScriptedLlmServer({
    handler,
    port: Number(flag('--port') ?? 0),
    latencyMs: Number(flag('--latency-ms') ?? script.latencyMs ?? 0),
    models: script.models,
    apiKey: script.apiKey,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  serveUntilSignalled(server);
}

/** CLI mode of a scripted server: its base URL on the first line of stdout, then serve until SIGTERM/SIGINT. */
export function serveUntilSignalled(server: { baseUrl: string; close(): Promise<void> }): void {
  process.stdout.write(`${server.baseUrl}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Runs `main` when `file` is the program (tsx loads these files as CommonJS, where `__filename` is defined), not when imported. */
export function runIfProgram(file: string | undefined, name: string, main: (argv: string[]) => Promise<void>): void {
  const entryFile = process.argv[1];
  if (entryFile === undefined || file === undefined || resolvePath(entryFile) !== resolvePath(file)) return;
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  });
}

runIfProgram(typeof __filename === 'string' ? __filename : undefined, 'scripted-llm-server', main);
