// `stepcritic probe` and the extension's "Test Connection": prove that an endpoint works for the critic.
//
// It passes only when a real critique of a two-step solution (one step right, one wrong) comes back
// through the critic's own code path and is read, with a verdict for each step. On the way it learns
// what the endpoint does (endpoint.ts: log-probabilities, `n`, the token field, temperature, a JSON
// schema) afresh, then measures the speed (time to the first token, tokens per second) and how many
// requests the server really works on at once (four short requests sent together: do their replies
// stream side by side, or one after another?). All of it is remembered for the endpoint and model, so
// the next `check` starts from it: local presets then send as many requests at once as the server
// sustains. Every failure says what to change.
import type { CriticSource } from '../types';
import { createMemoryCapabilityStore, type CapabilityStore } from './capabilities';
import { LlmClient, type ChatCompletionReply } from './client';
import { Semaphore } from './concurrency';
import { PROVIDER_PRESETS, type CriticConfig } from './config';
import { createLlmCritic } from './critic';
import type { Endpoint } from './endpoint';
import { LlmError } from './errors';
import { buildDocument } from '../documents/build';
import { errorMessage } from '../error-message';

export interface ProbeProblem {
  /** What went wrong, in a sentence. */
  message: string;
  /** What to change. */
  fix: string;
}

export interface ProbeStep {
  step: number;
  verdict: 'correct' | 'incorrect' | 'error';
  pTrue: number | null;
  source: CriticSource;
}

export interface ProbeResult {
  ok: boolean;
  baseUrl: string;
  model: string;
  /** Models the endpoint lists (empty when it lists none or the listing failed). */
  models: string[];
  /** The two-step critique as the critic read it (step 2 is the wrong one). */
  critique?: ProbeStep[];
  /** Whether P(True) will come from log-probabilities; null when the probe did not get that far. */
  logprobs: boolean | null;
  /** How the critic will get P(True) from this endpoint, and why. */
  pTrueSource?: CriticSource;
  pTrueReason?: string;
  /** Whether a JSON schema shapes the replies. */
  structuredOutput?: 'enforced' | 'refused' | 'off';
  /** Time to the first token and tokens per second of the critique. */
  speed?: { firstTokenMs: number | null; tokensPerSecond: number | null };
  /** Requests the server worked on at once when `tested` were sent together. */
  concurrency?: { tested: number; sustained: number };
  /** Milliseconds the critique took. */
  latencyMs?: number;
  /** What the critic adapted to, one phrase each. */
  adaptations: string[];
  /** Things that work but are worth knowing (e.g. the model is not in the listing, it missed the wrong step). */
  notes: string[];
  problem?: ProbeProblem;
}

/** Requests sent together to see how many the server works on at once. */
const CONCURRENCY_PROBES = 4;
const CONCURRENCY_PROBE_TOKENS = 64;

const PROBE_PROBLEM = 'A box holds 3 bags with 4 apples each. Then 5 apples are eaten. How many apples are left in the box?';
const PROBE_STEPS = ['The 3 bags hold 3 × 4 = 12 apples.', 'After 5 are eaten, 12 − 5 = 8 apples are left.'];
const WRONG_STEP = 2;

function probeDocument() {
  let text = `${PROBE_PROBLEM}\n\n`;
  const steps = PROBE_STEPS.map((step) => {
    const start = text.length;
    text += `${step}\n\n`;
    return { start, end: start + step.length };
  });
  return buildDocument({ uri: 'memory://probe.solution.md', format: 'markdown', text, problem: { start: 0, end: PROBE_PROBLEM.length }, steps, warnings: [] });
}

function explain(error: unknown, config: CriticConfig, stage: 'models' | 'chat'): ProbeProblem {
  const preset = PROVIDER_PRESETS[config.provider];
  const message = errorMessage(error);
  if (!(error instanceof LlmError)) return { message, fix: 'This looks like a bug in Step Critic; please report it with this message.' };
  let host = config.baseUrl;
  try {
    host = new URL(config.baseUrl).host;
  } catch {
    // keep the base URL as it is
  }
  switch (error.kind) {
    case 'connection':
      if (/refused/.test(message)) {
        return {
          message: `Nothing is listening at ${host} (connection refused).`,
          fix: `Start the server, or fix the port in --base-url / STEPCRITIC_BASE_URL. ${preset.hint}`,
        };
      }
      return { message, fix: 'Check the host name and your network, and that the server is running.' };
    case 'auth':
      return {
        message: `The endpoint rejected the request as unauthorised (${error.status}).`,
        fix: config.apiKey
          ? 'The API key is wrong or has no access: set a valid key in STEPCRITIC_API_KEY (or OPENAI_API_KEY).'
          : 'No API key was sent: set STEPCRITIC_API_KEY (or OPENAI_API_KEY).',
      };
    case 'not-found': {
      const path = (() => {
        try {
          return new URL(config.baseUrl).pathname;
        } catch {
          return '';
        }
      })();
      return {
        message: `There is no OpenAI-compatible API at ${config.baseUrl} (${stage === 'models' ? 'GET /models' : 'POST /chat/completions'} answered 404).`,
        fix: `Check the path of the base URL${path ? ` (now ${path})` : ''}: most servers serve the API under /v1, e.g. http://${host}/v1. ${preset.hint}`,
      };
    }
    case 'model-not-found':
      return { message: `The endpoint does not serve the model "${config.model}".`, fix: 'Set --model / STEPCRITIC_MODEL to one of the models it lists.' };
    case 'timeout':
      return {
        message: `Nothing came back for ${config.timeoutMs} ms.`,
        fix: 'The server may still be loading the model: try again, or raise the timeout (--timeout).',
      };
    case 'rate-limit':
      return { message, fix: 'The endpoint is rate limiting this key: wait, or lower --concurrency.' };
    case 'server':
      return { message, fix: 'The server failed: look at its log; a local server may be out of memory for this model.' };
    case 'bad-response':
      return { message, fix: 'The base URL may point at something that is not an OpenAI-compatible API (a web page, a proxy).' };
    case 'bad-request':
      return {
        message,
        fix: /json schema/i.test(message)
          ? 'Use --json-schema auto (a schema where the endpoint accepts one) or off.'
          : 'The endpoint refused the request: check that the model name is right and that it is a chat model.',
      };
    case 'budget':
    case 'aborted':
    case 'batch':
      return { message, fix: 'Run the probe again.' };
  }
}

/** Why P(True) will come from where it will, from what was learned. */
function pTrueReason(ep: Endpoint, source: CriticSource): string {
  const caps = ep.capabilities;
  const config = ep.config;
  const samples =
    caps.n === 'ignored' || caps.n === 'refused'
      ? `${config.samples} separate requests (the endpoint ${caps.n} \`n\`)`
      : `one request with n = ${config.samples}`;
  if (source === 'logprobs')
    return `the endpoint returns log-probabilities (${Math.min(config.topLogprobs, caps.topLogprobs ?? 20)} alternatives at the verdict token)`;
  const why =
    config.logprobs === 'never'
      ? 'log-probabilities are off (logprobs: never)'
      : caps.logprobs === 'refused'
        ? 'the endpoint refuses `logprobs` (400)'
        : caps.logprobs === 'degenerate'
          ? 'its log-probabilities carry no information (0, −9999 or one value for all)'
          : 'no log-probabilities come back';
  if (source === 'samples') return `${why}; the vote share of ${config.samples} sampled verdicts, from ${samples}`;
  return `${why}, and samples is ${config.samples}: verdicts without a probability (raise --samples for a vote share)`;
}

/** Replies faster than this (ms from first token to end) are too quick to tell queueing from parallel work. */
const TOO_FAST_TO_TELL_MS = 20;

/** Whether two replies were written side by side: they overlap for at least half of the shorter one. */
function sideBySide(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  const overlap = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  return overlap >= 0.5 * Math.min(a.end - a.start, b.end - b.start);
}

/**
 * Sends CONCURRENCY_PROBES short requests at once and tells a server that writes them one after another
 * (one slot: llama.cpp, Ollama and LM Studio by default) from one that writes them side by side. It
 * does not count slots beyond that: a server with a few slots is sent as many requests as the others,
 * and what waits its turn there is not timed out (client.ts).
 */
async function measureConcurrency(ep: Endpoint, signal?: AbortSignal): Promise<number> {
  const messages = [{ role: 'user' as const, content: 'Write the numbers from 1 to 100, separated by spaces.' }];
  const replies: ChatCompletionReply[] = await Promise.all(
    Array.from({ length: CONCURRENCY_PROBES }, () =>
      ep.complete({ messages, maxTokens: CONCURRENCY_PROBE_TOKENS, logprobs: false, n: 1, temperature: 0, signal }),
    ),
  );
  const spans = replies.map((r) => ({ start: r.firstTokenAt ?? r.sentAt, end: r.endedAt }));
  if (Math.min(...spans.map((s) => s.end - s.start)) < TOO_FAST_TO_TELL_MS) return CONCURRENCY_PROBES;
  const parallel = spans.some((a, i) => spans.some((b, j) => i < j && sideBySide(a, b)));
  return parallel ? CONCURRENCY_PROBES : 1;
}

/** Lists the models, has a two-step solution critiqued, measures speed and concurrency, and says what it found. */
export async function probeEndpoint(config: CriticConfig, options: { signal?: AbortSignal; capabilities?: CapabilityStore } = {}): Promise<ProbeResult> {
  // The probe must answer honestly: no retries, its own slots (the concurrency test sends several at once).
  const client = new LlmClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    timeoutMs: config.timeoutMs,
    maxRetries: 0,
    maxTokensField: config.maxTokensField,
    semaphore: new Semaphore(CONCURRENCY_PROBES),
  });
  const result: ProbeResult = { ok: false, baseUrl: config.baseUrl, model: config.model, models: [], logprobs: null, adaptations: [], notes: [] };

  try {
    result.models = await client.listModels(options.signal);
    if (result.models.length > 0 && !result.models.includes(config.model)) {
      const shown = result.models.slice(0, 10).join(', ') + (result.models.length > 10 ? `, … (${result.models.length} in all)` : '');
      result.notes.push(`The model "${config.model}" is not in the endpoint's list (${shown}).`);
    }
  } catch (error) {
    const problem = explain(error, config, 'models');
    // Some servers have no model listing; only a failure that stops everything ends the probe here.
    if (!(error instanceof LlmError) || error.kind !== 'not-found') {
      result.problem = problem;
      return result;
    }
    result.notes.push('The endpoint has no model listing (GET /models answered 404); trying a critique.');
  }

  const store = options.capabilities ?? createMemoryCapabilityStore();
  const profile = await store.profile(config.baseUrl, config.model);
  profile.reset();
  const critic = createLlmCritic({ ...config, concurrency: CONCURRENCY_PROBES }, { client, capabilities: store, failFast: true });
  const ep = await critic.endpoint();
  const started = Date.now();
  try {
    const judged = await critic.judge({ document: probeDocument(), evidence: new Map(), fromStep: 0, signal: options.signal });
    result.latencyMs = Date.now() - started;
    result.critique = judged.steps.map((s) => ({ step: s.index + 1, verdict: s.verdict, pTrue: s.pTrue, source: s.source }));
    const failed = judged.steps.find((s) => s.verdict === 'error');
    if (failed) {
      result.problem = {
        message: `The critique came back, but step ${failed.index + 1} could not be judged: ${failed.error ?? 'no verdict'}.`,
        fix:
          failed.cause === 'cut-off'
            ? `Raise --max-tokens-per-step (now ${config.maxTokensPerStep}).`
            : failed.cause === 'context-full'
              ? "Give the model a larger context on the server (llama-server -c, Ollama's num_ctx, vLLM --max-model-len): the probe's short solution did not fit."
              : failed.cause === 'declined'
                ? 'The model or the provider declines to critique even a two-line sum: use another model (or another provider through your router).'
                : config.jsonSchema === 'off' || ep.capabilities.jsonSchema === 'refused'
                  ? 'The model does not write the JSON the critic asks for: use a larger or instruction-tuned model, or a server that enforces a JSON schema (--json-schema auto).'
                  : 'The model does not write the JSON the critic asks for: use a larger or instruction-tuned model.',
      };
    } else {
      const wrong = judged.steps.find((s) => s.index === WRONG_STEP - 1);
      if (wrong?.verdict === 'correct')
        result.notes.push(`The model called step ${WRONG_STEP} (12 − 5 = 8) correct: it may be too weak to be a useful critic.`);
    }
    const source = judged.steps.find((s) => s.verdict !== 'error')?.source ?? 'verbal';
    result.pTrueSource = source;
    result.logprobs = source === 'logprobs';
    result.pTrueReason = pTrueReason(ep, source);
    result.structuredOutput = config.jsonSchema === 'off' ? 'off' : ep.capabilities.jsonSchema === 'yes' ? 'enforced' : 'refused';
    const timing = ep.lastReply;
    if (timing) {
      const firstTokenMs = timing.firstTokenAt === null ? null : timing.firstTokenAt - timing.sentAt;
      const generating = timing.firstTokenAt === null ? 0 : (timing.endedAt - timing.firstTokenAt) / 1000;
      const tokensPerSecond = generating > 0 && !timing.usageEstimated ? timing.completionTokens / generating : null;
      result.speed = { firstTokenMs, tokensPerSecond };
      profile.learn({
        ...(firstTokenMs !== null ? { firstTokenMs } : {}),
        ...(tokensPerSecond !== null ? { tokensPerSecond: Math.round(tokensPerSecond * 10) / 10 } : {}),
      });
    }
    if (!result.problem) {
      const sustained = await measureConcurrency(ep, options.signal);
      result.concurrency = { tested: CONCURRENCY_PROBES, sustained };
      profile.learn({ concurrency: sustained });
      result.ok = true;
    }
  } catch (error) {
    if (error instanceof LlmError && error.kind === 'not-found' && result.models.length > 0 && !result.models.includes(config.model)) {
      result.problem = explain(new LlmError('model-not-found', error.message), config, 'chat');
    } else {
      result.problem = explain(error, config, 'chat');
    }
    if (result.problem && result.models.length > 0 && /model/.test(result.problem.message)) {
      result.problem.fix += ` It lists: ${result.models.slice(0, 10).join(', ')}.`;
    }
  }
  result.adaptations = profile.takeNotes();
  if (ep.lastReply?.usageEstimated) result.notes.push('The endpoint reports no token usage; usage will be estimated.');
  await profile.flushed();
  return result;
}
