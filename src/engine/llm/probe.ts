// `stepcritic probe` and the extension's "test connection": find out whether an endpoint works for the
// critic, whether it returns log-probabilities, and, when something fails, say what to change.
import { LlmClient } from './client';
import { Semaphore } from './concurrency';
import { PROVIDER_PRESETS, type CriticConfig } from './config';
import { LlmError } from './errors';
import { ANSWER_WORDS, readValues } from './logprobs';
import { errorMessage } from '../error-message';

export interface ProbeProblem {
  /** What went wrong, in a sentence. */
  message: string;
  /** What to change. */
  fix: string;
}

export interface ProbeResult {
  ok: boolean;
  baseUrl: string;
  model: string;
  /** Models the endpoint lists (empty when it lists none or the listing failed). */
  models: string[];
  /** Whether the tiny call came back with log-probabilities; null when the call failed. */
  logprobs: boolean | null;
  /** How the critic will get P(True) from this endpoint. */
  pTrueSource?: 'logprobs' | 'samples';
  /** P(True) the model gave the tiny question (a sanity check that reading the verdict token works). */
  samplePTrue?: number | null;
  latencyMs?: number;
  /** Things that work but are worth knowing (e.g. the model is not in the listing). */
  notes: string[];
  problem?: ProbeProblem;
}

const PROBE_MESSAGES = [
  { role: 'system' as const, content: 'Reply with only a JSON object.' },
  { role: 'user' as const, content: 'Is 2 + 2 = 4? Reply {"verdict": "True"} or {"verdict": "False"}.' },
];

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
        message: `No reply within ${config.timeoutMs} ms.`,
        fix: 'The server may still be loading the model: try again, or raise the timeout (--timeout).',
      };
    case 'rate-limit':
      return { message, fix: 'The endpoint is rate limiting this key: wait, or lower --concurrency.' };
    case 'server':
      return { message, fix: 'The server failed: look at its log; a local server may be out of memory for this model.' };
    case 'bad-response':
      return { message, fix: 'The base URL may point at something that is not an OpenAI-compatible API (a web page, a proxy).' };
    case 'bad-request':
      return { message, fix: 'The endpoint refused the request: check that the model name is right and that it is a chat model.' };
    case 'budget':
    case 'aborted':
      return { message, fix: 'Run the probe again.' };
  }
}

/** Lists the models, makes one tiny call with log-probabilities asked for, and says what it found. */
export async function probeEndpoint(config: CriticConfig, options: { signal?: AbortSignal } = {}): Promise<ProbeResult> {
  // The probe must answer quickly and honestly: no retries, its own slot.
  const client = new LlmClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    timeoutMs: config.timeoutMs,
    maxRetries: 0,
    maxTokensField: config.maxTokensField,
    semaphore: new Semaphore(1),
  });
  const result: ProbeResult = { ok: false, baseUrl: config.baseUrl, model: config.model, models: [], logprobs: null, notes: [] };

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
    result.notes.push('The endpoint has no model listing (GET /models answered 404); trying a chat request.');
  }

  const started = Date.now();
  try {
    let reply;
    try {
      reply = await client.chat({
        model: config.model,
        messages: PROBE_MESSAGES,
        maxTokens: 16,
        temperature: 0,
        logprobs: true,
        topLogprobs: config.topLogprobs,
        signal: options.signal,
      });
    } catch (error) {
      if (!(error instanceof LlmError && error.kind === 'bad-request' && /logprob/i.test(error.message))) throw error;
      result.notes.push('The endpoint refuses the `logprobs` parameter.');
      reply = await client.chat({ model: config.model, messages: PROBE_MESSAGES, maxTokens: 16, temperature: 0, signal: options.signal });
    }
    result.latencyMs = Date.now() - started;
    const choice = reply.choices[0]!;
    result.logprobs = choice.logprobs !== null;
    result.pTrueSource = result.logprobs ? 'logprobs' : 'samples';
    if (choice.logprobs) result.samplePTrue = readValues(choice.logprobs, 'verdict', ANSWER_WORDS)[0]?.pTrue ?? null;
    if (result.logprobs === false) {
      result.notes.push(
        `No log-probabilities came back: P(True) will be the vote share of ${config.samples} sampled verdicts (${config.samples}× the completion tokens).`,
      );
    }
    if (reply.usageEstimated) result.notes.push('The endpoint reports no token usage; usage will be estimated.');
    result.ok = true;
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
  return result;
}
