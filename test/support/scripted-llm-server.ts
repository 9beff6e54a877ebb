// A scripted OpenAI-compatible server on 127.0.0.1, for every test and bench that touches the LLM path.
// It is a real HTTP server (node:http): the client under test talks to it over a socket exactly as it
// would to OpenAI, vLLM or llama.cpp, so timeouts, aborts, dropped connections and headers are real.
//
// ## Programmatic API
//
//   const server = await startScriptedLlmServer({ handler?, models?, apiKey?, latencyMs? });
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
// A ScriptedResponse is one of
//   { type: 'completion', choices: [{ content, logprobs?: TokenLogprob[] | null }], usage?, delayMs? }
//   { type: 'status', status, headers?, body?, delayMs? }   429 + Retry-After, 401, 404, 500 …
//   { type: 'malformed', body?, delayMs? }                  200 with a body that is not JSON
//   { type: 'drop', delayMs? }                              the socket is destroyed, no reply
//   { type: 'hang' }                                        never replies (until the client gives up)
// Builders: completion(), rateLimited(), serverError(), statusReply(), malformedJson(), dropConnection(),
// hang(), delayed(). Usage defaults to token counts estimated from the prompt and the reply with
// src/engine/llm/tokens.ts (the same yardstick the client uses for its budget).
//
// Critic replies in the Step Critic protocol (docs/critic-protocol.md):
//   criticReply(script, { logprobs, n, topLogprobs, spelling })  → a completion: for each scripted step
//     `{ step /*1-based*/, verdict, pTrue, analysis? }` the reply JSON, and (with logprobs) a token
//     stream whose verdict token's top_logprobs put probability pTrue on spellings of `correct`
//     (split over `correct`/`Correct`, or `cor…`) and 1-pTrue on `incorrect` — plus a little mass on an
//     unrelated token, so P(True) only comes out right if it is renormalised over the two words.
//     Without logprobs, `n` choices are returned and round(pTrue·n) of them say `correct` (vote share).
//   finalAnswerReply({ verdict: 'True'|'False', pTrue }, options) → same for the final-answer question.
//   ruleBasedCriticHandler({ incorrectPatterns, pCorrect = 0.95, pIncorrect = 0.05, logprobs = true })
//     → a handler that reads the steps to judge out of the prompt and says `incorrect` (pTrue
//     pIncorrect) for a step whose text matches any pattern, else `correct` (pCorrect). It honours `n`,
//     `logprobs` and `top_logprobs`, and answers final-answer questions (False if the answer matches);
//     any other prompt gets `{"analysis": …, "verdict": "True"}` with P(True) pCorrect.
//
// ## CLI mode (for e2e tests and benches)
//
//   node --import tsx test/support/scripted-llm-server.ts --port N [--latency-ms 100] [--script file.json]
//
// prints its base URL (`http://127.0.0.1:N/v1`) as the first line on stdout and runs until killed.
// `--port 0` picks a free port. The script file (JSON) configures the rule-based critic:
//   { "incorrectPatterns": ["regex", …], "pCorrect": 0.95, "pIncorrect": 0.05, "logprobs": true,
//     "supportsN": true, "models": ["scripted-critic"], "apiKey": "…", "latencyMs": 0,
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
  finishReason?: 'stop' | 'length';
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

/** A reply of an extra route: status and JSON body (e.g. vLLM's `/pooling`, see scripted-prm-server.ts). */
export interface RouteReply {
  status: number;
  body: unknown;
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
  /** Probability on `correct` in the verdict token's distribution (logprobs) or the vote share (samples). */
  pTrue?: number;
  analysis?: string;
}

/** How the verdict word is cut into tokens: `"` + `correct`, `"correct`, or `cor` + `rect`. */
export type VerdictSpelling = 'bare' | 'quoted' | 'split';

export interface CriticReplyOptions {
  logprobs?: boolean;
  /** Alternatives kept per token (the request's top_logprobs). Default 5. */
  topLogprobs?: number;
  /** Number of choices (samples). Default 1. */
  n?: number;
  spelling?: VerdictSpelling;
  delayMs?: number;
  usage?: ScriptedUsage | null;
}

/** Mass put on a token that is neither word, so that an un-normalised reading is visibly wrong. */
const OTHER_MASS = 0.04;

function genericTokens(text: string): string[] {
  return text.match(/\s*[A-Za-z]+|\s*\d+|\s*[^\sA-Za-z\d]|\s+$/g) ?? [];
}

function plainToken(token: string): TokenLogprob {
  return { token, logprob: -0.01, top_logprobs: [{ token, logprob: -0.01 }] };
}

function verdictAlternatives(positive: [string, string], negative: [string, string], other: string, p: number, chosen: string): TokenLogprob {
  const scale = 1 - OTHER_MASS;
  const masses: [string, number][] = [
    [positive[0], 0.85 * p * scale],
    [positive[1], 0.15 * p * scale],
    [negative[0], 0.85 * (1 - p) * scale],
    [negative[1], 0.15 * (1 - p) * scale],
    [other, OTHER_MASS],
  ];
  const alternatives = masses
    .filter(([, m]) => m > 0)
    .map(([token, m]) => ({ token, logprob: Math.log(m) }))
    .sort((a, b) => b.logprob - a.logprob);
  const own = alternatives.find((a) => a.token === chosen);
  return { token: chosen, logprob: own?.logprob ?? -20, top_logprobs: alternatives };
}

/** Tokens for one verdict value given the text before it; returns [prefix tokens, verdict tokens, rest]. */
function verdictTokens(word: string, words: [string, string], p: number, spelling: VerdictSpelling): { lead: string; tokens: TokenLogprob[] } {
  const [pos, neg] = words;
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  if (spelling === 'quoted') {
    const chosen = `"${word}`;
    return { lead: '', tokens: [verdictAlternatives([`"${pos}`, `"${cap(pos)}`], [`"${neg}`, `"${cap(neg)}`], '"unclear', p, chosen)] };
  }
  if (spelling === 'split') {
    const posHead = pos.slice(0, 3);
    const negHead = neg.slice(0, 2);
    const head = word === pos ? posHead : negHead;
    const first = verdictAlternatives([posHead, pos], [negHead, neg], 'part', p, head);
    return { lead: '"', tokens: [first, plainToken(word.slice(head.length))] };
  }
  return { lead: '"', tokens: [verdictAlternatives([pos, cap(pos)], [neg, cap(neg)], 'partial', p, word)] };
}

function streamFor(
  pieces: (string | { word: string; words: [string, string]; p: number })[],
  spelling: VerdictSpelling,
  topLogprobs: number,
): { content: string; tokens: TokenLogprob[] } {
  let content = '';
  const tokens: TokenLogprob[] = [];
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      content += piece;
      tokens.push(...genericTokens(piece).map(plainToken));
      continue;
    }
    const { lead, tokens: vts } = verdictTokens(piece.word, piece.words, piece.p, spelling);
    if (lead) {
      content += lead;
      tokens.push(plainToken(lead));
    }
    for (const t of vts) {
      content += t.token;
      tokens.push(t);
    }
  }
  for (const t of tokens) if (t.top_logprobs) t.top_logprobs = t.top_logprobs.slice(0, Math.max(0, topLogprobs));
  return { content, tokens };
}

function voteFor(pTrue: number, choice: number, n: number): boolean {
  return choice < Math.round(pTrue * n);
}

/** A reply to a step-critique request. */
export function criticReply(script: readonly StepScript[], options: CriticReplyOptions = {}): ScriptedResponse {
  const n = options.n ?? 1;
  const spelling = options.spelling ?? 'bare';
  const choices: ScriptedChoice[] = [];
  for (let c = 0; c < n; c++) {
    const pieces: (string | { word: string; words: [string, string]; p: number })[] = ['{"steps": ['];
    script.forEach((s, i) => {
      const p = s.pTrue ?? (s.verdict === 'correct' ? 1 : 0);
      // With logprobs every choice shows the scripted verdict; without, the votes carry pTrue.
      const word = options.logprobs || n === 1 ? s.verdict : voteFor(p, c, n) ? 'correct' : 'incorrect';
      const analysis =
        s.analysis ?? `Checked step ${s.step}: ${word === 'correct' ? 'it follows from the problem and the earlier steps' : 'it does not hold'}.`;
      pieces.push(`${i > 0 ? ', ' : ''}{"step": ${s.step}, "analysis": ${JSON.stringify(analysis)}, "verdict": `);
      pieces.push({ word, words: ['correct', 'incorrect'], p });
      pieces.push('"}');
    });
    pieces.push(']}');
    const { content, tokens } = streamFor(pieces, spelling, options.topLogprobs ?? 5);
    choices.push({ content, logprobs: options.logprobs ? tokens : null });
  }
  return { type: 'completion', choices, usage: options.usage, delayMs: options.delayMs };
}

/** A reply to the final-answer question. */
export function finalAnswerReply(answer: { verdict: 'True' | 'False'; pTrue?: number; analysis?: string }, options: CriticReplyOptions = {}): ScriptedResponse {
  const n = options.n ?? 1;
  const spelling = options.spelling ?? 'bare';
  const p = answer.pTrue ?? (answer.verdict === 'True' ? 1 : 0);
  const choices: ScriptedChoice[] = [];
  for (let c = 0; c < n; c++) {
    const word = options.logprobs || n === 1 ? answer.verdict : voteFor(p, c, n) ? 'True' : 'False';
    const { content, tokens } = streamFor(
      [`{"analysis": ${JSON.stringify(answer.analysis ?? 'Checked the answer.')}, "verdict": `, { word, words: ['True', 'False'], p }, '"}'],
      spelling,
      options.topLogprobs ?? 5,
    );
    choices.push({ content, logprobs: options.logprobs ? tokens : null });
  }
  return { type: 'completion', choices, usage: options.usage, delayMs: options.delayMs };
}

export interface RuleBasedCriticOptions {
  /** A judged step whose text matches any of these (regex source or RegExp, case-insensitive) is incorrect. */
  incorrectPatterns?: (string | RegExp)[];
  pCorrect?: number;
  pIncorrect?: number;
  /** Whether the backend returns log-probabilities when asked. Default true. */
  logprobs?: boolean;
  /** Whether it honours `n` (false: always one choice, like some local servers). Default true. */
  supportsN?: boolean;
  spelling?: VerdictSpelling;
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
  return (request) => {
    const parsed = parseCriticPrompt(request.userText);
    const wantLogprobs = options.logprobs !== false && request.chat.logprobs === true;
    const n = options.supportsN === false ? 1 : (request.chat.n ?? 1);
    const reply: CriticReplyOptions = {
      logprobs: wantLogprobs,
      n,
      topLogprobs: request.chat.top_logprobs ?? 0,
      spelling: options.spelling,
    };
    // Anything else (e.g. the probe's tiny question) gets a True/False answer in the same JSON shape.
    if (!parsed) return finalAnswerReply({ verdict: 'True', pTrue: pCorrect, analysis: 'Checked.' }, reply);
    if (parsed.kind === 'answer') {
      const wrong = matches(parsed.answer);
      return finalAnswerReply({ verdict: wrong ? 'False' : 'True', pTrue: wrong ? pIncorrect : pCorrect }, reply);
    }
    const script: StepScript[] = parsed.judged.map((s) => {
      const wrong = matches(s.text);
      return { step: s.number, verdict: wrong ? 'incorrect' : 'correct', pTrue: wrong ? pIncorrect : pCorrect };
    });
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

// ---- the server -------------------------------------------------------------------------------

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function chatCompletionBody(response: Extract<ScriptedResponse, { type: 'completion' }>, chat: ChatBody): unknown {
  const promptTokens = estimateMessagesTokens(chat.messages.map((m) => ({ content: m.content ?? '' })));
  const completionTokens = response.choices.reduce((sum, c) => sum + estimateTokens(c.content), 0);
  return {
    id: `chatcmpl-scripted-${Math.random().toString(36).slice(2, 10)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: response.model ?? chat.model ?? DEFAULT_MODEL,
    choices: response.choices.map((choice, index) => ({
      index,
      message: { role: 'assistant', content: choice.content, refusal: null },
      logprobs: choice.logprobs ? { content: choice.logprobs, refusal: null } : null,
      finish_reason: choice.finishReason ?? 'stop',
    })),
    ...(response.usage === null
      ? {}
      : {
          usage: response.usage
            ? { ...response.usage, total_tokens: response.usage.prompt_tokens + response.usage.completion_tokens }
            : { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
        }),
  };
}

export async function startScriptedLlmServer(options: ScriptedServerOptions = {}): Promise<ScriptedLlmServer> {
  let handler: ScriptedHandler = options.handler ?? ruleBasedCriticHandler();
  const models = options.models ?? [DEFAULT_MODEL];
  const requests: RecordedRequest[] = [];
  const chatViews: ChatRequestView[] = [];
  let handlerCalls = 0;

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
        sendJson(res, reply.status, reply.body, reply.headers);
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
      if (record.aborted || res.destroyed) return;
      switch (response.type) {
        case 'completion':
          finish(record, res, 200);
          sendJson(res, 200, chatCompletionBody(response, chat));
          break;
        case 'status':
          finish(record, res, response.status);
          sendJson(res, response.status, response.body ?? { error: { message: `status ${response.status}` } }, response.headers);
          break;
        case 'malformed': {
          finish(record, res, 200);
          const body = response.body ?? '{';
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
          res.end(body);
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
  spelling: z.enum(['bare', 'quoted', 'split']).optional(),
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
