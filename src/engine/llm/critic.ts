// The LLM critic: judges a solution's steps with one request per solution (docs/critic-protocol.md).
//
// Per judge() call:
//   1. every step's cache key is computed (a hash chain over the problem and the steps up to it);
//      cached verdicts are returned as they are, and the first step from `fromStep` without one is
//      where judging starts — it and every later step go into ONE request, earlier steps as context;
//   2. the reply is read (zod), repaired once if it is malformed or judges the wrong steps, and the
//      steps still without a verdict become `error` with the reason;
//   3. P(True) comes from the verdict token's log-probabilities; when the endpoint gives none, from the
//      vote share of `samples` sampled replies; with neither, the verdict is verbal (no probability);
//   4. verdicts are cached and reported through onStep.
// A spent token budget stops before the request: what was judged (and cached) is kept, the rest is
// left unjudged with a note. An endpoint that fails after the retries leaves `error` verdicts and a note.
import type { CriticRequest, CriticResult, CriticStepResult, StepCritic } from '../checks';
import { couldNotJudge } from '../checks';
import type { CriticSource, Evidence, SolutionDocument, Usage } from '../types';
import { answerCacheKey, stepCacheKeys, type CacheKeyContext } from '../cache/key';
import { readCachedSteps } from '../cache/steps';
import type { CriticCache } from '../cache/types';
import { TokenBudget } from './budget';
import { createLlmClient, type ChatChoice, type ChatCompletionReply, type LlmClient, type UsageCounter } from './client';
import { setGlobalLlmConcurrency } from './concurrency';
import { describeConfig, samplingSettings, type CriticConfig } from './config';
import { BudgetExceededError, LlmError } from './errors';
import { ANSWER_WORDS, readValues, STEP_WORDS } from './logprobs';
import {
  buildFinalAnswerMessages,
  buildRepairMessages,
  buildStepCritiqueMessages,
  describeEvidence,
  parseFinalAnswerReply,
  parseStepCritiqueReply,
  PROTOCOL_VERSION,
  type ChatMessage,
  type PromptStep,
  type StepReplyParse,
} from './protocol';
import { errorMessage } from '../error-message';

export interface LlmCriticOptions {
  cache?: CriticCache;
  /** The run's token budget; by default one per critic from `config.tokenBudget`. */
  budget?: TokenBudget;
  /** A shared client (e.g. with the refine feature); by default one is made from the config. */
  client?: LlmClient;
}

export interface LlmCritic extends StepCritic {
  readonly config: CriticConfig;
  readonly client: LlmClient;
  readonly budget: TokenBudget;
  /** Totals over every judge() call of this critic. */
  readonly usage: Usage;
}

const EXPLANATION_LIMIT = 400;

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

interface CallOptions {
  messages: ChatMessage[];
  maxTokens: number;
  logprobs: boolean;
  temperature: number;
  n: number;
  signal?: AbortSignal;
  usage: UsageCounter;
}

function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (error instanceof LlmError && error.kind === 'aborted');
}

export function createLlmCritic(config: CriticConfig, options: LlmCriticOptions = {}): LlmCritic {
  const budget = options.budget ?? options.client?.budget ?? new TokenBudget(config.tokenBudget);
  const client = options.client ?? createLlmClient(config, { budget });
  const cache = options.cache;
  setGlobalLlmConcurrency(config.concurrency);
  const totals: Usage = { requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: 0 };
  // Learned about the endpoint as the run goes (never cached across runs: endpoints change).
  let logprobsUnavailable = config.logprobs === 'never';
  let nUnsupported = false;

  const keyContext = (document: SolutionDocument): CacheKeyContext => ({
    protocolVersion: PROTOCOL_VERSION,
    model: config.model,
    baseUrl: config.baseUrl,
    sampling: samplingSettings(config),
    problem: document.problem.trim(),
  });

  const call = (o: CallOptions): Promise<ChatCompletionReply> =>
    client.chat({
      model: config.model,
      messages: o.messages,
      maxTokens: o.maxTokens,
      logprobs: o.logprobs,
      topLogprobs: config.topLogprobs,
      temperature: o.temperature,
      n: o.n,
      jsonMode: config.jsonMode,
      signal: o.signal,
      usage: o.usage,
    });

  /** First call of a request: with log-probabilities unless the endpoint is known to give none. */
  async function firstCall(
    messages: ChatMessage[],
    maxTokens: number,
    signal: AbortSignal | undefined,
    usage: UsageCounter,
  ): Promise<{ reply: ChatCompletionReply; sampled: boolean }> {
    if (!logprobsUnavailable) {
      try {
        return { reply: await call({ messages, maxTokens, logprobs: true, temperature: config.temperature, n: 1, signal, usage }), sampled: false };
      } catch (error) {
        // Some servers refuse the `logprobs` parameter outright (400): learn it and sample instead.
        if (!(error instanceof LlmError && error.kind === 'bad-request' && /logprob/i.test(error.message))) throw error;
        logprobsUnavailable = true;
      }
    }
    const k = config.samples;
    const reply = await call({
      messages,
      maxTokens,
      logprobs: false,
      temperature: k > 1 ? config.sampleTemperature : config.temperature,
      n: nUnsupported ? 1 : k,
      signal,
      usage,
    });
    return { reply, sampled: true };
  }

  /** Extra sampled replies so that there are `config.samples` in all; stops early on budget or failure. */
  async function extraSamples(
    messages: ChatMessage[],
    maxTokens: number,
    have: number,
    signal: AbortSignal | undefined,
    usage: UsageCounter,
  ): Promise<{ choices: ChatChoice[]; stopped?: string }> {
    const choices: ChatChoice[] = [];
    let need = config.samples - have;
    try {
      if (need > 1 && !nUnsupported) {
        const reply = await call({ messages, maxTokens, logprobs: false, temperature: config.sampleTemperature, n: need, signal, usage });
        choices.push(...reply.choices);
        if (reply.choices.length < need) nUnsupported = true;
        need -= reply.choices.length;
      }
      while (need > 0) {
        const reply = await call({ messages, maxTokens, logprobs: false, temperature: config.sampleTemperature, n: 1, signal, usage });
        choices.push(...reply.choices.slice(0, need));
        need -= Math.max(1, reply.choices.length);
      }
      return { choices };
    } catch (error) {
      if (isAbort(error, signal)) throw error;
      return { choices, stopped: errorMessage(error) };
    }
  }

  async function judgeRange(
    document: SolutionDocument,
    start: number,
    evidence: ReadonlyMap<number, readonly Evidence[]>,
    keys: readonly string[],
    usage: UsageCounter,
    emit: (result: CriticStepResult) => void,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    const toPrompt = (s: { index: number; text: string }): PromptStep => ({ index: s.index, text: s.text });
    const judged = document.steps.slice(start);
    const messages = buildStepCritiqueMessages({
      kind: document.kind,
      problem: document.problem,
      context: document.steps.slice(0, start).map(toPrompt),
      judged: judged.map(toPrompt),
      evidence,
    });
    const expected = judged.map((s) => s.index);
    const maxTokens = config.maxTokensPerStep * judged.length + 200;

    const { reply: first, sampled } = await firstCall(messages, maxTokens, signal, usage);
    let principal: ChatChoice = first.choices[0]!;
    let parsed: StepReplyParse = parseStepCritiqueReply(principal.content, expected);
    let repairNote: string | undefined;
    if (!parsed.ok || parsed.problem !== undefined) {
      const complaint = parsed.ok ? parsed.problem! : parsed.error;
      try {
        const repair = await call({
          messages: buildRepairMessages(messages, principal.content, complaint),
          maxTokens,
          logprobs: !logprobsUnavailable,
          temperature: config.temperature,
          n: 1,
          signal,
          usage,
        });
        const reparsed = parseStepCritiqueReply(repair.choices[0]!.content, expected);
        if (reparsed.ok && (!parsed.ok || reparsed.entries.size >= parsed.entries.size)) {
          parsed = reparsed;
          principal = repair.choices[0]!;
        } else if (!reparsed.ok) {
          repairNote = reparsed.error;
        }
      } catch (error) {
        if (isAbort(error, signal)) throw error;
        repairNote = `the repair request failed: ${errorMessage(error)}`;
      }
    }
    if (!parsed.ok) {
      const reason = `the critic's reply could not be read, even after one repair request (${repairNote ?? parsed.error})`;
      for (const index of expected) emit(couldNotJudge(index, reason));
      return reason;
    }
    const afterRepair = parsed.problem !== undefined ? `after one repair request the reply still had problems: ${parsed.problem}` : undefined;

    const readings = principal.logprobs ? readValues(principal.logprobs, 'verdict', STEP_WORDS) : undefined;
    let votes: Map<number, Votes> | undefined;
    let samplingNote: string | undefined;
    if (!readings || sampled) {
      if (!readings && !sampled && config.logprobs === 'auto') logprobsUnavailable = true;
      if (config.samples > 1) {
        const pool: ChatChoice[] = [principal, ...(sampled ? first.choices.slice(1) : [])];
        const extra = await extraSamples(messages, maxTokens, pool.length, signal, usage);
        pool.push(...extra.choices);
        samplingNote = extra.stopped;
        votes = new Map();
        for (const choice of pool) {
          const sample = choice === principal ? parsed : parseStepCritiqueReply(choice.content, expected);
          if (!sample.ok) continue;
          for (const [index, entry] of sample.entries) {
            const v = votes.get(index) ?? { correct: 0, total: 0 };
            v.total++;
            if (entry.verdict === 'correct') v.correct++;
            votes.set(index, v);
          }
        }
      }
    }

    const now = Date.now();
    for (const [position, step] of judged.entries()) {
      const index = step.index;
      const entry = parsed.entries.get(index);
      if (!entry) {
        emit(couldNotJudge(index, parsed.stepProblems.get(index) ?? 'no verdict'));
        continue;
      }
      let pTrue: number | null = null;
      let source: CriticSource = 'verbal';
      const reading = readings?.[entry.position];
      if (reading && reading.pTrue !== null && reading.value.trim().toLowerCase() === entry.verdict) {
        pTrue = reading.pTrue;
        source = 'logprobs';
      } else if (votes) {
        const v = votes.get(index);
        if (v && v.total >= 2) {
          pTrue = v.correct / v.total;
          source = 'samples';
        }
      }
      const explanation = shortenExplanation(entry.analysis);
      const result: CriticStepResult = { index, verdict: entry.verdict, pTrue, source, explanation, cached: false };
      if (cache) {
        await cache
          .set(keys[start + position]!, { kind: 'step', value: { verdict: entry.verdict, pTrue, source, explanation, model: config.model, createdAt: now } })
          .catch(() => undefined);
      }
      emit(result);
    }
    return [afterRepair, samplingNote && `sampling stopped early: ${samplingNote}`].filter(Boolean).join('; ') || undefined;
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
    const messages = buildFinalAnswerMessages({ problem: document.problem, steps: document.steps, answer });
    const maxTokens = config.maxTokensPerStep + 200;
    const { reply: first, sampled } = await firstCall(messages, maxTokens, signal, usage);
    let principal = first.choices[0]!;
    let parsed = parseFinalAnswerReply(principal.content);
    if (!parsed.ok) {
      const repair = await call({
        messages: buildRepairMessages(messages, principal.content, parsed.error),
        maxTokens,
        logprobs: !logprobsUnavailable,
        temperature: config.temperature,
        n: 1,
        signal,
        usage,
      });
      principal = repair.choices[0]!;
      parsed = parseFinalAnswerReply(principal.content);
      if (!parsed.ok) return { pTrue: null, cached: false, note: `the final-answer check could not be read: ${parsed.error}` };
    }
    let pTrue: number | null = null;
    let source: CriticSource = 'verbal';
    const reading = principal.logprobs ? readValues(principal.logprobs, 'verdict', ANSWER_WORDS).at(-1) : undefined;
    if (reading && reading.pTrue !== null && reading.value.trim().toLowerCase() === parsed.verdict.toLowerCase()) {
      pTrue = reading.pTrue;
      source = 'logprobs';
    } else if (config.samples > 1) {
      const pool = [principal, ...(sampled ? first.choices.slice(1) : [])];
      const extra = await extraSamples(messages, maxTokens, pool.length, signal, usage);
      const verdicts = [...pool, ...extra.choices].map((c) => parseFinalAnswerReply(c.content)).filter((p) => p.ok);
      if (verdicts.length >= 2) {
        pTrue = verdicts.filter((v) => v.ok && v.verdict === 'True').length / verdicts.length;
        source = 'samples';
      }
    }
    await cache?.set(key, { kind: 'answer', value: { pTrue, verdict: parsed.verdict, source, createdAt: Date.now() } }).catch(() => undefined);
    return { pTrue, cached: false };
  }

  return {
    description: describeConfig(config),
    config,
    client,
    budget,
    usage: totals,

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
      const cached = await readCachedSteps(cache, keys, request.fromStep);
      for (const [position, { verdict, pTrue, source, explanation }] of cached.hits) {
        emit({ index: steps[position]!.index, verdict, pTrue, source, explanation, cached: true });
      }
      const cachedSteps = cached.hits.size;
      const start = cached.start;

      const notes: string[] = [];
      let stoppedByBudget = false;
      if (start < steps.length) {
        try {
          const note = await judgeRange(document, start, request.evidence, keys, usage, emit, signal);
          if (note) notes.push(note);
        } catch (error) {
          if (isAbort(error, signal)) throw error;
          if (error instanceof BudgetExceededError) {
            stoppedByBudget = true;
            const range = start === steps.length - 1 ? `step ${start + 1} was` : `steps ${start + 1}–${steps.length} were`;
            notes.push(`${error.message}; ${range} not judged`);
          } else {
            const message = errorMessage(error);
            notes.push(message);
            for (const step of steps.slice(start)) {
              if (!results.has(step.index)) emit(couldNotJudge(step.index, message));
            }
          }
        }
      }

      let finalAnswerPTrue: number | null = null;
      if (config.finalAnswerCheck && document.finalAnswer && !stoppedByBudget) {
        try {
          const answer = await judgeAnswer(document, usage, signal);
          finalAnswerPTrue = answer.pTrue;
          if (answer.note) notes.push(answer.note);
        } catch (error) {
          if (isAbort(error, signal)) throw error;
          notes.push(`final-answer check: ${errorMessage(error)}`);
        }
      }

      const result: CriticResult = {
        model: config.model,
        steps: [...results.values()].sort((a, b) => a.index - b.index),
        finalAnswerPTrue,
        usage: { ...usage, cachedSteps },
        note: notes.length > 0 ? notes.join('; ') : undefined,
      };
      totals.requests += usage.requests;
      totals.promptTokens += usage.promptTokens;
      totals.completionTokens += usage.completionTokens;
      totals.cachedSteps += cachedSteps;
      return result;
    },
  };
}
