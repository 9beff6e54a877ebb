// The LLM critic: judges a solution's steps with one request per solution (docs/critic-protocol.md).
//
// Per judge() call:
//   1. every step's cache key is computed (a hash chain over the problem and the steps up to it);
//      cached verdicts are returned as they are, and the first step from `fromStep` without one is
//      where judging starts — it and every later step go into ONE request, earlier steps as context;
//   2. the request goes through the endpoint layer (endpoint.ts), which shapes it to what the endpoint
//      is known to accept and learns from refusals and replies (remembered per endpoint and model);
//   3. the reply is read (zod). A reply cut off at its token limit keeps the entries it completed and
//      the rest are "could not judge: cut off", with the setting to raise (asking again with the same
//      allowance would be cut off again); any other malformed reply is repaired once, and the steps
//      still without a verdict become `error` with the reason;
//   4. P(True) comes from the verdict token's log-probabilities; when the endpoint gives none (or only
//      degenerate ones), from the vote share of `samples` sampled replies (one request with `n`, or
//      separate requests where `n` is ignored); with neither, the verdict is verbal (no probability);
//   5. verdicts are cached and reported through onStep; what was learned about the endpoint during the
//      call is reported in one line through onAdapt.
// In a batch (options.replies: `stepcritic batch`, --batch-api) nothing is sent: every request goes to
// the reply source under a stable custom_id (batch-request.ts), the further samples with the first
// request (there is no second round), no repair is asked, and what a request asks is decided by the
// options alone (not by what replies showed about the endpoint), so that an import asks exactly what
// the export wrote.
// A spent token budget stops before the request: what was judged (and cached) is kept, the rest is
// left unjudged with a note. An endpoint that fails after the retries leaves `error` verdicts and a note.
import type { CriticRequest, CriticResult, CriticRubricResult, CriticStepResult, StepCritic } from '../checks';
import { couldNotJudge } from '../checks';
import type { CriticSource, CriticStop, Evidence, SolutionDocument, Usage } from '../types';
import { answerCacheKey, rubricCacheKey, stepCacheKeys, type CacheKeyContext } from '../cache/key';
import type { RubricItem } from '../rubric/rubric';
import { readCachedSteps } from '../cache/steps';
import type { CriticCache } from '../cache/types';
import { TokenBudget } from './budget';
import { createMemoryCapabilityStore, type CapabilityStore } from './capabilities';
import { batchCustomId, sampleCustomId, type ReplySource } from './batch-request';
import { createLlmClient, type ChatChoice, type LlmClient, type LlmClientOptions, type UsageCounter } from './client';
import { setGlobalLlmConcurrency } from './concurrency';
import { analysisWords, describeConfig, replyTokens, samplingSettings, type CriticConfig } from './config';
import { Endpoint, type EndpointReply, type EndpointRequest } from './endpoint';
import { LlmError, RunStopError } from './errors';
import { readValues, VERDICT_WORDS, type ValueReading } from './logprobs';
import {
  ANSWER_REPLY_SCHEMA,
  buildFinalAnswerMessages,
  buildRepairMessages,
  buildStepCritiqueMessages,
  describeEvidence,
  MET_KEY,
  parseFinalAnswerReply,
  parseStepCritiqueReply,
  PROTOCOL_VERSION,
  stepReplySchema,
  VERDICT_KEY,
  type ChatMessage,
  type PromptStep,
  type ReplySchema,
  type StepReplyParse,
} from './protocol';
import { errorMessage } from '../error-message';

export interface LlmCriticOptions {
  cache?: CriticCache;
  /** The run's token budget; by default one per critic from `config.tokenBudget`. */
  budget?: TokenBudget;
  /** A shared client (e.g. with the refine feature); by default one is made from the config. */
  client?: LlmClient;
  /**
   * Where what is learned about the endpoint is kept (the CLI: on disk, shared with `stepcritic probe`).
   * By default the store of the client's first critic, else one in memory: critics sharing a client
   * share what they learn.
   */
  capabilities?: CapabilityStore;
  /** Called with one line when the critic adapted to the endpoint: what it found and what it does now. */
  onAdapt?: (line: string) => void;
  /** Throw the endpoint's error instead of making every step "could not judge" (the probe wants to say what to change). */
  failFast?: boolean;
  /** Take the replies from a batch (batch-request.ts) instead of sending the requests; ignored with `client`. */
  replies?: ReplySource;
  /** Wait for an endpoint that refuses connections, then stop the run (LlmClientOptions.waitForServer); ignored with `client`. */
  waitForServer?: Pick<LlmClientOptions, 'onWaiting'>;
}

export interface LlmCritic extends StepCritic {
  readonly config: CriticConfig;
  readonly client: LlmClient;
  readonly budget: TokenBudget;
  /** Totals over every judge() call of this critic. */
  readonly usage: Usage;
  /** The endpoint as this critic uses it (what is known about it). */
  endpoint(): Promise<Endpoint>;
}

const EXPLANATION_LIMIT = 400;

/** A reply stopped for length with fewer tokens than this share of its allowance ran out of context, not allowance. */
const CONTEXT_FULL_SHARE = 0.75;

/** The analysis, cut at a sentence end near the limit. */
export function shortenExplanation(text: string, limit = EXPLANATION_LIMIT): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= limit) return clean;
  const cut = clean.slice(0, limit);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('? '), cut.lastIndexOf('! '));
  return end > limit / 2 ? cut.slice(0, end + 1) : `${cut.trimEnd()}…`;
}

interface Votes {
  correct: number;
  total: number;
}

function vote(votes: Map<number, Votes>, key: number, yes: boolean): void {
  const v = votes.get(key) ?? { correct: 0, total: 0 };
  v.total++;
  if (yes) v.correct++;
  votes.set(key, v);
}

/** The result for a rubric item the critic was asked about and could not judge, saying why. */
function itemCouldNotJudge(number: number, reason: string): CriticRubricResult {
  return { number, verdict: 'error', pTrue: null, source: 'verbal', steps: [], explanation: '', cached: false, error: reason };
}

function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (error instanceof LlmError && error.kind === 'aborted');
}

/** The store each client's critics share when none is given. */
const clientStores = new WeakMap<LlmClient, CapabilityStore>();

function storeFor(client: LlmClient, given?: CapabilityStore): CapabilityStore {
  const store = given ?? clientStores.get(client) ?? createMemoryCapabilityStore();
  if (!clientStores.has(client)) clientStores.set(client, store);
  return store;
}

/** Whether a log-probability reading is of the verdict the model wrote (`true` for correct). */
function readingOf(reading: ValueReading | undefined, verdict: 'correct' | 'incorrect'): number | null {
  if (!reading || reading.pTrue === null) return null;
  const written = reading.value.toLowerCase();
  return written === (verdict === 'correct' ? 'true' : 'false') ? reading.pTrue : null;
}

export function createLlmCritic(config: CriticConfig, options: LlmCriticOptions = {}): LlmCritic {
  const budget = options.budget ?? options.client?.budget ?? new TokenBudget(config.tokenBudget);
  const client =
    options.client ??
    createLlmClient(config, {
      budget,
      ...(options.replies ? { replies: options.replies } : {}),
      ...(options.waitForServer ? { waitForServer: true, ...options.waitForServer } : {}),
    });
  const batched = client.batched;
  const cache = options.cache;
  const store = storeFor(client, options.capabilities);
  setGlobalLlmConcurrency(config.concurrency);
  const totals: Usage = { requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: 0 };
  let endpointPromise: Promise<Endpoint> | undefined;
  const endpoint = () => (endpointPromise ??= store.profile(config.baseUrl, config.model).then((profile) => new Endpoint(client, config, profile)));

  const keyContext = (document: SolutionDocument): CacheKeyContext => ({
    protocolVersion: PROTOCOL_VERSION,
    model: config.model,
    baseUrl: config.baseUrl,
    sampling: samplingSettings(config),
    problem: document.problem.trim(),
    ...(document.reference ? { reference: document.reference.text } : {}),
  });

  interface Ask {
    messages: ChatMessage[];
    maxTokens: number;
    schema: ReplySchema;
    signal?: AbortSignal;
    usage: UsageCounter;
    /** In a batch: the request's custom_id. */
    customId?: string;
  }

  /** The custom_id of a request in a batch (none when live). */
  const customIdOf = (document: SolutionDocument, part: string, messages: readonly ChatMessage[]) =>
    batched ? { customId: batchCustomId(document.uri, part, messages) } : {};

  /** Whether the requests ask for log-probabilities; in a batch from the options alone. */
  const logprobsPlanned = (ep: Endpoint) => (batched ? config.logprobs !== 'never' : ep.logprobsUsable);

  /** Whether the first request already asks for the k samples (no log-probabilities to read P(True) from). */
  const samplesFirst = (ep: Endpoint) => !logprobsPlanned(ep) && config.samples > 1;

  /** The first request: with log-probabilities while they may come, else already the k samples. */
  async function firstCall(ep: Endpoint, ask: Ask): Promise<{ reply: EndpointReply; sampled: boolean }> {
    const sampling = samplesFirst(ep);
    const request: EndpointRequest = {
      ...ask,
      logprobs: logprobsPlanned(ep),
      n: sampling ? config.samples : 1,
      temperature: sampling ? config.sampleTemperature : config.temperature,
    };
    const reply = await ep.complete(request);
    return { reply, sampled: sampling };
  }

  type Samples = { choices: ChatChoice[]; stopped?: string };

  /**
   * In a batch, the further samples are asked together with the first request, each under its own
   * custom_id (they are used only when the first reply gives no P(True) of its own); live, undefined.
   */
  function samplesAhead(ep: Endpoint, ask: Ask): Promise<Samples> | undefined {
    if (!batched || samplesFirst(ep) || config.samples <= 1 || config.logprobs === 'always' || ask.customId === undefined) return undefined;
    const customId = ask.customId;
    const asks = Array.from({ length: config.samples - 1 }, (_, i) =>
      ep.complete({ ...ask, customId: sampleCustomId(customId, i + 2), logprobs: false, n: 1, temperature: config.sampleTemperature }),
    );
    return Promise.allSettled(asks).then((settled) => {
      const failed = settled.find((s) => s.status === 'rejected');
      return {
        choices: settled.flatMap((s) => (s.status === 'fulfilled' ? s.value.choices.slice(0, 1) : [])),
        ...(failed ? { stopped: errorMessage(failed.reason) } : {}),
      };
    });
  }

  /** Extra sampled replies so that there are `config.samples` in all (a batch's, asked ahead); stops early on budget or failure. */
  async function extraSamples(ep: Endpoint, ask: Ask, have: number, ahead?: Promise<Samples>): Promise<Samples> {
    if (ahead) return ahead;
    const choices: ChatChoice[] = [];
    let need = config.samples - have;
    try {
      while (need > 0) {
        const reply = await ep.complete({ ...ask, logprobs: false, n: need, temperature: config.sampleTemperature });
        choices.push(...reply.choices.slice(0, need));
        need -= Math.max(1, reply.choices.length);
      }
      return { choices };
    } catch (error) {
      if (isAbort(error, ask.signal)) throw error;
      return { choices, stopped: errorMessage(error) };
    }
  }

  /**
   * Why steps got no verdict from a reply that stopped with `finish_reason: "length"`, and what to change:
   * its allowance was spent, or (the server's own count well short of it) the server's context was full,
   * as on a local server with a small context (llama.cpp stops there without context shift).
   */
  function cutOffReason(reply: EndpointReply, steps: number): { reason: string; cause: 'cut-off' | 'context-full' } {
    const used = reply.completionTokens;
    if (!reply.usageEstimated && reply.sent.n === 1 && used > 0 && used < CONTEXT_FULL_SHARE * reply.sent.maxTokens) {
      return {
        reason:
          `the reply was cut off after ${used} tokens, short of its limit of ${reply.sent.maxTokens}: the server's context (prompt and reply, ` +
          `${reply.promptTokens + used} tokens) is full; give the model a larger context (llama-server -c, Ollama num_ctx, vLLM --max-model-len)`,
        cause: 'context-full',
      };
    }
    const hidden = reply.reasoningTokens > 0 ? `, ${reply.reasoningTokens} of them hidden reasoning` : '';
    return {
      reason:
        `the reply was cut off at ${reply.sent.maxTokens} tokens (the limit for ${steps} step${steps === 1 ? '' : 's'}${hidden}): ` +
        `raise maxTokensPerStep (--max-tokens-per-step, stepcritic.maxTokensPerStep; now ${config.maxTokensPerStep})`,
      cause: 'cut-off',
    };
  }

  /**
   * Why a reply holds no critique on purpose: the model refused (`refusal`) or the provider's content
   * filter withheld it. Asking again, or for a repair, gets the same answer, so neither is done.
   */
  function declinedReason(choice: ChatChoice): string | undefined {
    if (choice.refusal) return `the model declined to judge ("${choice.refusal.trim().slice(0, 200)}")`;
    if (choice.finishReason === 'content_filter') return "the provider's content filter withheld the reply (finish_reason content_filter)";
    return undefined;
  }

  /** Reads a reply's text for the steps and rubric items asked for. */
  type ReplyParser = (content: string, cutOff: boolean) => StepReplyParse;

  /** Reads the principal reply, repairing it once when it is malformed (never when it was cut off or declined). */
  async function readReply(
    ep: Endpoint,
    ask: Ask,
    first: EndpointReply,
    parse: ReplyParser,
  ): Promise<{ parsed: StepReplyParse; principal: ChatChoice; from: EndpointReply; repairNote?: string }> {
    let principal = first.choices[0]!;
    let from = first;
    const cutOff = principal.finishReason === 'length';
    let parsed = parse(principal.content, cutOff);
    if (cutOff || declinedReason(principal) !== undefined || (parsed.ok && parsed.problem === undefined)) return { parsed, principal, from };
    if (batched) return { parsed, principal, from, ...(parsed.ok ? {} : { repairNote: parsed.error }) };
    const complaint = parsed.ok ? parsed.problem! : parsed.error;
    try {
      const repair = await ep.complete({
        ...ask,
        messages: buildRepairMessages(ask.messages, principal.content, complaint),
        logprobs: ep.logprobsUsable,
        n: 1,
        temperature: config.temperature,
      });
      const choice = repair.choices[0]!;
      const reparsed = parse(choice.content, choice.finishReason === 'length');
      if (reparsed.ok && (!parsed.ok || reparsed.entries.size + reparsed.items.size >= parsed.entries.size + parsed.items.size)) {
        parsed = reparsed;
        principal = choice;
        from = repair;
      } else if (!reparsed.ok) {
        return { parsed, principal, from, repairNote: reparsed.error };
      }
    } catch (error) {
      if (isAbort(error, ask.signal)) throw error;
      return { parsed, principal, from, repairNote: `the repair request failed: ${errorMessage(error)}` };
    }
    return { parsed, principal, from };
  }

  /** What judgeRange is asked: steps `start` to `until` (exclusive) judged, the rest context, and the rubric items if any. */
  interface Range {
    start: number;
    until: number;
    rubric: readonly RubricItem[] | undefined;
  }

  async function judgeRange(
    document: SolutionDocument,
    range: Range,
    evidence: ReadonlyMap<number, readonly Evidence[]>,
    keys: readonly string[],
    usage: UsageCounter,
    emit: (result: CriticStepResult) => void,
    emitItems: (results: CriticRubricResult[]) => Promise<void>,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    const ep = await endpoint();
    const { start, until, rubric } = range;
    const toPrompt = (s: { index: number; text: string }): PromptStep => ({ index: s.index, text: s.text });
    const judged = document.steps.slice(start, until);
    const expected = judged.map((s) => s.index);
    const itemCount = rubric?.length ?? 0;
    const messages = buildStepCritiqueMessages({
      kind: document.kind,
      problem: document.problem,
      context: [...document.steps.slice(0, start), ...document.steps.slice(until)].map(toPrompt),
      judged: judged.map(toPrompt),
      evidence,
      analysisWords: analysisWords(config),
      ...(rubric ? { rubric } : {}),
      ...(document.reference ? { reference: document.reference.text } : {}),
    });
    const ask: Ask = {
      messages,
      ...customIdOf(document, start < until ? `steps-${start + 1}-${until}` : 'rubric', messages),
      maxTokens: replyTokens(config, judged.length + itemCount),
      schema: stepReplySchema(
        expected.map((i) => i + 1),
        rubric ? { items: itemCount, steps: document.steps.map((s) => s.index + 1) } : undefined,
      ),
      signal,
      usage,
    };
    const parse: ReplyParser = (content, cutOff) =>
      parseStepCritiqueReply(content, expected, { cutOff, rubricItems: itemCount, stepCount: document.steps.length });
    const itemsCouldNotJudge = (reason: string) => emitItems(Array.from({ length: itemCount }, (_, i) => itemCouldNotJudge(i + 1, reason)));

    const firstReply = firstCall(ep, ask);
    const ahead = samplesAhead(ep, ask);
    const { reply: first, sampled } = await firstReply;
    const { parsed, principal, from, repairNote } = await readReply(ep, ask, first, parse);
    // A reply that stopped short on purpose: its completed entries stand, the rest say why.
    const declined = declinedReason(principal);
    const stopped: { reason: string; cause: NonNullable<CriticStepResult['cause']> } | undefined =
      principal.finishReason === 'length' ? cutOffReason(from, judged.length) : declined ? { reason: declined, cause: 'declined' } : undefined;
    if (!parsed.ok) {
      const reason =
        stopped?.reason ??
        (batched
          ? `the critic's reply could not be read (a batch has no second round to repair it): ${repairNote ?? parsed.error}`
          : `the critic's reply could not be read, even after one repair request (${repairNote ?? parsed.error})`);
      for (const index of expected) emit(couldNotJudge(index, reason, stopped?.cause ?? 'unreadable'));
      await itemsCouldNotJudge(reason);
      return reason;
    }
    const afterRepair =
      parsed.problem !== undefined && !stopped
        ? batched
          ? `the reply had problems (a batch has no second round to repair it): ${parsed.problem}`
          : `after one repair request the reply still had problems: ${parsed.problem}`
        : undefined;

    const readings = principal.logprobs ? readValues(principal.logprobs, VERDICT_KEY, VERDICT_WORDS) : undefined;
    const itemReadings = principal.logprobs && itemCount > 0 ? readValues(principal.logprobs, MET_KEY, VERDICT_WORDS) : undefined;
    const informative = [...(readings ?? []), ...(itemReadings ?? [])].some((r) => r.pTrue !== null);
    let votes: Map<number, Votes> | undefined;
    let itemVotes: Map<number, Votes> | undefined;
    let samplingNote: string | undefined;
    // Samples only for verdicts there are: a reply cut off before its first one would be cut off again.
    if ((sampled || !informative) && config.samples > 1 && config.logprobs !== 'always' && parsed.entries.size + parsed.items.size > 0) {
      const pool: ChatChoice[] = [principal, ...(sampled ? first.choices.slice(1) : [])];
      const extra = await extraSamples(ep, ask, pool.length, ahead);
      pool.push(...extra.choices);
      samplingNote = extra.stopped;
      votes = new Map();
      itemVotes = new Map();
      for (const choice of pool) {
        const sample = choice === principal ? parsed : parse(choice.content, choice.finishReason === 'length');
        if (!sample.ok) continue;
        for (const [index, entry] of sample.entries) vote(votes, index, entry.verdict === 'correct');
        for (const [item, entry] of sample.items) vote(itemVotes, item, entry.met);
      }
    }

    const now = Date.now();
    for (const [position, step] of judged.entries()) {
      const index = step.index;
      const entry = parsed.entries.get(index);
      if (!entry) {
        const problem = parsed.stepProblems.get(index);
        emit(
          problem !== undefined || !stopped ? couldNotJudge(index, problem ?? 'no verdict', 'unreadable') : couldNotJudge(index, stopped.reason, stopped.cause),
        );
        continue;
      }
      const { pTrue, source } = confidenceOf(readingOf(readings?.[entry.position], entry.verdict), votes?.get(index));
      const explanation = shortenExplanation(entry.analysis);
      const result: CriticStepResult = { index, verdict: entry.verdict, pTrue, source, explanation, cached: false };
      if (cache) {
        await cache
          .set(keys[start + position]!, { kind: 'step', value: { verdict: entry.verdict, pTrue, source, explanation, model: config.model, createdAt: now } })
          .catch(() => undefined);
      }
      emit(result);
    }
    if (rubric) {
      const items: CriticRubricResult[] = [];
      for (let item = 1; item <= itemCount; item++) {
        const entry = parsed.items.get(item);
        if (!entry) {
          const problem = parsed.itemProblems.get(item);
          items.push(itemCouldNotJudge(item, problem ?? stopped?.reason ?? 'no verdict'));
          continue;
        }
        const { pTrue, source } = confidenceOf(readingOf(itemReadings?.[entry.position], entry.met ? 'correct' : 'incorrect'), itemVotes?.get(item));
        const explanation = shortenExplanation(entry.analysis);
        items.push({ number: item, verdict: entry.met ? 'met' : 'unmet', pTrue, source, steps: entry.steps, explanation, cached: false });
      }
      await emitItems(items);
    }
    return [stopped?.reason, afterRepair, samplingNote && `sampling stopped early: ${samplingNote}`].filter(Boolean).join('; ') || undefined;
  }

  async function judgeAnswer(
    document: SolutionDocument,
    usage: UsageCounter,
    signal: AbortSignal | undefined,
  ): Promise<{ pTrue: number | null; cached: boolean; note?: string }> {
    const answer = document.finalAnswer!.text;
    const key = answerCacheKey(keyContext(document), document.steps, answer);
    const hit = await cache?.get(key);
    if (hit?.kind === 'answer') return { pTrue: hit.value.pTrue, cached: true };
    const ep = await endpoint();
    const messages = buildFinalAnswerMessages({ problem: document.problem, steps: document.steps, answer });
    const ask: Ask = {
      messages,
      ...customIdOf(document, 'answer', messages),
      maxTokens: replyTokens(config, 1),
      schema: ANSWER_REPLY_SCHEMA,
      signal,
      usage,
    };
    const firstReply = firstCall(ep, ask);
    const ahead = samplesAhead(ep, ask);
    const { reply: first, sampled } = await firstReply;
    let principal = first.choices[0]!;
    let parsed = parseFinalAnswerReply(principal.content);
    if (!parsed.ok && principal.finishReason === 'length') {
      return { pTrue: null, cached: false, note: `the final-answer check could not be read: ${cutOffReason(first, 1).reason}` };
    }
    const declined = declinedReason(principal);
    if (!parsed.ok && declined) return { pTrue: null, cached: false, note: `the final-answer check: ${declined}` };
    if (!parsed.ok && batched)
      return { pTrue: null, cached: false, note: `the final-answer check could not be read (a batch has no repair round): ${parsed.error}` };
    if (!parsed.ok) {
      const repair = await ep.complete({
        ...ask,
        messages: buildRepairMessages(ask.messages, principal.content, parsed.error),
        logprobs: ep.logprobsUsable,
        n: 1,
        temperature: config.temperature,
      });
      principal = repair.choices[0]!;
      parsed = parseFinalAnswerReply(principal.content);
      if (!parsed.ok) return { pTrue: null, cached: false, note: `the final-answer check could not be read: ${parsed.error}` };
    }
    const verdict = parsed.verdict ? 'correct' : 'incorrect';
    let pTrue = readingOf(principal.logprobs ? readValues(principal.logprobs, VERDICT_KEY, VERDICT_WORDS).at(-1) : undefined, verdict);
    let source: CriticSource = pTrue === null ? 'verbal' : 'logprobs';
    if (pTrue === null && config.samples > 1 && config.logprobs !== 'always') {
      const pool = [principal, ...(sampled ? first.choices.slice(1) : [])];
      const extra = await extraSamples(ep, ask, pool.length, ahead);
      const verdicts = [...pool, ...extra.choices].map((c) => parseFinalAnswerReply(c.content)).filter((p) => p.ok);
      if (verdicts.length >= 2) {
        pTrue = verdicts.filter((v) => v.ok && v.verdict).length / verdicts.length;
        source = 'samples';
      }
    }
    await cache
      ?.set(key, { kind: 'answer', value: { pTrue, verdict: parsed.verdict ? 'True' : 'False', source, createdAt: Date.now() } })
      .catch(() => undefined);
    return { pTrue, cached: false };
  }

  /** One line for what this call (and any running alongside) learned about the endpoint. */
  async function reportAdaptations(): Promise<void> {
    if (!endpointPromise || !options.onAdapt) return;
    const ep = await endpointPromise;
    const notes = ep.profile.takeNotes();
    if (notes.length > 0) options.onAdapt(`adapted to ${describeConfig(config)}: ${notes.join('; ')}`);
  }

  return {
    description: describeConfig(config),
    config,
    client,
    budget,
    usage: totals,
    endpoint,

    async judge(request: CriticRequest): Promise<CriticResult> {
      const { document, signal } = request;
      const steps = document.steps;
      const usage: UsageCounter = { requests: 0, promptTokens: 0, completionTokens: 0 };
      const results = new Map<number, CriticStepResult>();
      const emit = (result: CriticStepResult) => {
        results.set(result.index, result);
        request.onStep?.(result);
      };
      const evidenceLines = (index: number) => describeEvidence(request.evidence.get(index) ?? []);
      const keys = stepCacheKeys(
        keyContext(document),
        steps.map((s) => ({ text: s.text, evidence: evidenceLines(s.index) })),
      );
      const until = Math.min(request.judgeUntil ?? steps.length, steps.length);
      const cached = await readCachedSteps(cache, keys.slice(0, until), request.fromStep);
      for (const [position, { verdict, pTrue, source, explanation }] of cached.hits) {
        emit({ index: steps[position]!.index, verdict, pTrue, source, explanation, cached: true });
      }
      const cachedSteps = cached.hits.size;
      const start = cached.start;

      // The rubric is judged over the whole solution, cached under one key for it and the rubric.
      const rubric = request.rubric && request.rubric.length > 0 ? request.rubric : undefined;
      const rubricKey = rubric
        ? rubricCacheKey(
            keyContext(document),
            steps.map((s) => ({ text: s.text, evidence: evidenceLines(s.index) })),
            rubric,
          )
        : undefined;
      let items: CriticRubricResult[] | undefined;
      const rubricHit = rubricKey ? await cache?.get(rubricKey) : undefined;
      if (rubricHit?.kind === 'rubric' && rubricHit.value.items.length === rubric?.length) {
        items = rubricHit.value.items.map((i) => ({ ...i, verdict: i.met ? 'met' : 'unmet', cached: true }));
      }
      const emitItems = async (results: CriticRubricResult[]) => {
        items = results;
        if (!cache || !rubricKey || results.some((r) => r.verdict === 'error')) return;
        const value = results.map(({ number, verdict, pTrue, source, steps: on, explanation }) => ({
          number,
          met: verdict === 'met',
          pTrue,
          source,
          steps: on,
          explanation,
        }));
        await cache.set(rubricKey, { kind: 'rubric', value: { items: value, createdAt: Date.now() } }).catch(() => undefined);
      };
      const askRubric = rubric && !items ? rubric : undefined;

      const notes: string[] = [];
      let stopped: CriticStop | undefined;
      if (start < until || askRubric) {
        try {
          const note = await judgeRange(document, { start, until, rubric: askRubric }, request.evidence, keys, usage, emit, emitItems, signal);
          if (note) notes.push(note);
        } catch (error) {
          if (isAbort(error, signal)) throw error;
          if (options.failFast && error instanceof LlmError && !(error instanceof RunStopError)) throw error;
          if (error instanceof RunStopError) {
            stopped = error.toStop();
            const range = start >= until ? 'the rubric was' : start === until - 1 ? `step ${start + 1} was` : `steps ${start + 1}–${until} were`;
            notes.push(`${error.message}; ${range} not judged`);
            if (askRubric) items ??= askRubric.map((_, i) => itemCouldNotJudge(i + 1, error.message));
          } else {
            const message = errorMessage(error);
            notes.push(message);
            for (const step of steps.slice(start, until)) {
              if (!results.has(step.index)) emit(couldNotJudge(step.index, message));
            }
            if (askRubric) items ??= askRubric.map((_, i) => itemCouldNotJudge(i + 1, message));
          }
        }
      }

      let finalAnswerPTrue: number | null = null;
      if (config.finalAnswerCheck && document.finalAnswer && !stopped) {
        try {
          const answer = await judgeAnswer(document, usage, signal);
          finalAnswerPTrue = answer.pTrue;
          if (answer.note) notes.push(answer.note);
        } catch (error) {
          if (isAbort(error, signal)) throw error;
          if (error instanceof RunStopError) stopped = error.toStop();
          notes.push(`final-answer check: ${errorMessage(error)}`);
        }
      }

      const result: CriticResult = {
        model: config.model,
        steps: [...results.values()].sort((a, b) => a.index - b.index),
        finalAnswerPTrue,
        usage: { ...usage, cachedSteps },
        note: notes.length > 0 ? notes.join('; ') : undefined,
        ...(stopped ? { stopped } : {}),
        ...(items ? { rubric: items } : {}),
      };
      totals.requests += usage.requests;
      totals.promptTokens += usage.promptTokens;
      totals.completionTokens += usage.completionTokens;
      totals.cachedSteps += cachedSteps;
      await reportAdaptations();
      return result;
    },
  };
}

/** P(True) of a verdict (a step's, a rubric item's): from the verdict token's log-probabilities, else the vote share of two or more samples, else none (verbal). */
function confidenceOf(fromLogprobs: number | null, votes: { correct: number; total: number } | undefined): { pTrue: number | null; source: CriticSource } {
  if (fromLogprobs !== null) return { pTrue: fromLogprobs, source: 'logprobs' };
  if (votes && votes.total >= 2) return { pTrue: votes.correct / votes.total, source: 'samples' };
  return { pTrue: null, source: 'verbal' };
}
