// The PRM critic: a process reward model served by vLLM scores every step of a solution in one forward
// pass — one `POST /pooling` per solution, no generated text. It sits behind the same StepCritic
// interface as the LLM critic, so the verifiers, the earliest wrong step, downstream steps, thresholds
// and the uncertain band apply to its scores unchanged (src/engine/combine.ts).
//
// Per judge() call:
//   1. every step's cache key (a hash chain over the problem and the steps up to it, with the model,
//      the server and the format's fingerprint) is looked up; a PRM is causal — a step's score depends
//      only on the problem and the steps up to it — so cached prefixes are reused exactly;
//   2. if any step from `fromStep` on is not cached, the whole solution goes in one request and the
//      scores at the separators become P(True) of those steps (source `prm`);
//   3. anything that stops the request (a solution longer than the model's context, a model that is not
//      a pooling model, a reply of the wrong shape) leaves those steps "could not judge" with the reason.
// There is no explanation to show: the verdict says the score came from a PRM and which one.
import type { CriticRequest, CriticResult, CriticStepResult, StepCritic } from '../checks';
import { couldNotJudge } from '../checks';
import { stepCacheKeys, type CacheKeyContext } from '../cache/key';
import { readCachedSteps } from '../cache/steps';
import type { CriticCache } from '../cache/types';
import { errorMessage } from '../error-message';
import { TokenBudget } from '../llm/budget';
import { createLlmClient, type LlmClient, type LlmClientOptions, type UsageCounter } from '../llm/client';
import { setGlobalLlmConcurrency } from '../llm/concurrency';
import { LlmError, RunStopError } from '../llm/errors';
import { estimateTokens } from '../llm/tokens';
import type { CriticStop, SolutionDocument, Usage } from '../types';
import { describePrmConfig, type PrmCriticConfig } from './config';
import { formatFingerprint } from './format';
import { buildPoolingBody, poolingUrl, type PoolingApi } from './request';
import { readStepScores } from './response';

/** Part of every PRM cache key and of a run's configuration: bump it when the request changes meaning. */
export const PRM_PROTOCOL_VERSION = 'prm-1';

export interface PrmCritic extends StepCritic {
  readonly prm: PrmCriticConfig;
  readonly client: LlmClient;
  readonly budget: TokenBudget;
  /** Totals over every judge() call. */
  readonly usage: Usage;
}

export interface PrmCriticOptions {
  cache?: CriticCache;
  budget?: TokenBudget;
  client?: LlmClient;
  /** Wait for an endpoint that refuses connections, then stop the run (LlmClientOptions.waitForServer); ignored with `client`. */
  waitForServer?: Pick<LlmClientOptions, 'onWaiting'>;
}

/** What the step's message says in place of the reasons a PRM does not give. */
export function prmExplanation(model: string): string {
  return `Scored by the process reward model ${model}; a PRM gives no reasons.`;
}

/** Why the PRM could not judge, worded for what the user can change. */
export function explainFailure(error: unknown, url: string): string {
  const message = errorMessage(error);
  if (/maximum context length/i.test(message)) return `the solution is longer than the PRM's context (${message})`;
  if (/does not support (the )?pooling api/i.test(message))
    return `the served model is not a pooling model, so it cannot score steps (${message}); serve a process reward model, e.g. vllm serve Qwen/Qwen2.5-Math-PRM-7B`;
  if (error instanceof LlmError && error.kind === 'not-found')
    return `no pooling API at ${url} (${message}); the PRM critic needs a vLLM server, which serves /pooling at its root`;
  return message;
}

/** A 400 about the `task` field: the server predates `token_classify` (or has it turned off). */
function refusesTask(error: unknown): boolean {
  return error instanceof LlmError && error.kind === 'bad-request' && /\btask\b|token_classify/i.test(error.message) && !/maximum context/i.test(error.message);
}

/** The reply arrived but holds no usable scores (ALL pooling, logits read as probabilities, …). */
export class PrmReplyError extends Error {}

export interface PoolingScorer {
  readonly url: string;
  /** P(True) of every step, from one request; throws LlmError (the request failed) or PrmReplyError. */
  score(problem: string, steps: readonly string[], options: { signal?: AbortSignal; usage?: UsageCounter }): Promise<{ pTrue: number[]; classes: number }>;
  /** The pooling API the server speaks, once known. */
  readonly api: PoolingApi | undefined;
}

/** The request and its reading, shared by the critic and the probe. With `auto`, learns the API from the first reply. */
export function createPoolingScorer(config: PrmCriticConfig, client: LlmClient): PoolingScorer {
  const endpoint = config.endpoint;
  const url = poolingUrl(endpoint.baseUrl);
  let api: PoolingApi | undefined = config.api === 'auto' ? undefined : config.api;
  // While the API is unknown, one request finds it out and the others wait for it (not N fallbacks at once).
  let learning: Promise<unknown> | undefined;
  const send = (as: PoolingApi, problem: string, steps: readonly string[], signal?: AbortSignal, usage?: UsageCounter) => {
    const { body, text } = buildPoolingBody({ model: endpoint.model, format: config.format, problem, steps, api: as });
    return client.postJson({ url, body, what: 'pooling API', promptEstimate: estimateTokens(text), signal, usage });
  };
  const learn = async (problem: string, steps: readonly string[], signal?: AbortSignal, usage?: UsageCounter) => {
    try {
      const reply = await send('current', problem, steps, signal, usage);
      api = 'current';
      return reply;
    } catch (error) {
      if (!refusesTask(error)) throw error;
      const reply = await send('legacy', problem, steps, signal, usage);
      api = 'legacy';
      return reply;
    }
  };
  return {
    url,
    get api() {
      return api;
    },
    async score(problem, steps, { signal, usage }) {
      if (api === undefined && learning) await learning.catch(() => undefined);
      let reply;
      if (api === undefined) {
        const attempt = learn(problem, steps, signal, usage);
        learning = attempt;
        reply = await attempt;
      } else {
        reply = await send(api, problem, steps, signal, usage);
      }
      const scores = readStepScores(reply.body, config.format, steps.length);
      if (!scores.ok) throw new PrmReplyError(`the PRM's reply could not be read: ${scores.reason}`);
      return scores;
    },
  };
}

export function createPrmCritic(config: PrmCriticConfig, options: PrmCriticOptions = {}): PrmCritic {
  const endpoint = config.endpoint;
  const budget = options.budget ?? options.client?.budget ?? new TokenBudget(endpoint.tokenBudget);
  const client = options.client ?? createLlmClient(endpoint, { budget, ...(options.waitForServer ? { waitForServer: true, ...options.waitForServer } : {}) });
  const cache = options.cache;
  const scorer = createPoolingScorer(config, client);
  const explanation = prmExplanation(endpoint.model);
  setGlobalLlmConcurrency(endpoint.concurrency);
  const totals: Usage = { requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: 0 };

  const keyContext = (document: SolutionDocument): CacheKeyContext => ({
    protocolVersion: PRM_PROTOCOL_VERSION,
    model: endpoint.model,
    baseUrl: endpoint.baseUrl,
    sampling: { format: formatFingerprint(config.format) },
    problem: document.problem.trim(),
  });

  /** Scores steps `start`… in one request (the whole solution goes in); says why when they could not be judged, and a budget stop as such. */
  async function judgeFrom(
    document: SolutionDocument,
    start: number,
    keys: readonly string[],
    usage: UsageCounter,
    emit: (result: CriticStepResult) => void,
    signal: AbortSignal | undefined,
  ): Promise<{ note?: string; stopped?: CriticStop }> {
    const steps = document.steps;
    let pTrue: number[];
    try {
      ({ pTrue } = await scorer.score(
        document.problem,
        steps.map((s) => s.text),
        { signal, usage },
      ));
    } catch (error) {
      if (signal?.aborted || (error instanceof LlmError && error.kind === 'aborted')) throw error;
      if (error instanceof RunStopError) {
        const range = start === steps.length - 1 ? `step ${start + 1} was` : `steps ${start + 1}–${steps.length} were`;
        return { note: `${error.message}; ${range} not judged`, stopped: error.toStop() };
      }
      const reason = explainFailure(error, scorer.url);
      for (const step of steps.slice(start)) emit(couldNotJudge(step.index, reason));
      return { note: reason };
    }
    const now = Date.now();
    for (let position = start; position < steps.length; position++) {
      const p = pTrue[position]!;
      const verdict = p >= 0.5 ? 'correct' : 'incorrect';
      await cache
        ?.set(keys[position]!, { kind: 'step', value: { verdict, pTrue: p, source: 'prm', explanation: '', model: endpoint.model, createdAt: now } })
        .catch(() => undefined);
      emit({ index: steps[position]!.index, verdict, pTrue: p, source: 'prm', explanation, cached: false });
    }
    return {};
  }

  return {
    description: describePrmConfig(config),
    prm: config,
    client,
    budget,
    usage: totals,

    async judge(request: CriticRequest): Promise<CriticResult> {
      const { signal } = request;
      // A PRM judges no rubric: steps from `judgeUntil` on (shown to an LLM critic for its rubric) are not scored.
      const document =
        request.judgeUntil === undefined ? request.document : { ...request.document, steps: request.document.steps.slice(0, request.judgeUntil) };
      const steps = document.steps;
      const usage: UsageCounter = { requests: 0, promptTokens: 0, completionTokens: 0 };
      const results: CriticStepResult[] = [];
      const emit = (result: CriticStepResult) => {
        results.push(result);
        request.onStep?.(result);
      };
      const keys = stepCacheKeys(
        keyContext(document),
        steps.map((s) => ({ text: s.text })),
      );
      const cached = await readCachedSteps(cache, keys, request.fromStep);
      for (const [position, value] of cached.hits) {
        emit({ index: steps[position]!.index, verdict: value.verdict, pTrue: value.pTrue, source: 'prm', explanation, cached: true });
      }
      const { note, stopped }: { note?: string; stopped?: CriticStop } =
        cached.start < steps.length ? await judgeFrom(document, cached.start, keys, usage, emit, signal) : {};

      const cachedSteps = cached.hits.size;
      totals.requests += usage.requests;
      totals.promptTokens += usage.promptTokens;
      totals.cachedSteps += cachedSteps;
      return {
        model: endpoint.model,
        steps: results.sort((a, b) => a.index - b.index),
        finalAnswerPTrue: null,
        usage: { requests: usage.requests, promptTokens: usage.promptTokens, completionTokens: 0, cachedSteps },
        note,
        ...(stopped ? { stopped } : {}),
      };
    },
  };
}

/** The protocol a PRM critic speaks, for reports and a run's configuration: the version, the format and its fingerprint. */
export function prmProtocolVersion(config: PrmCriticConfig): string {
  return `${PRM_PROTOCOL_VERSION}:${config.formatName}:${formatFingerprint(config.format)}`;
}
