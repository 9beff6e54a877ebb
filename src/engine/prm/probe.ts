// `stepcritic probe --critic prm` and the editor's "test connection" for a PRM: is the server up, does
// it serve the model, is the model a pooling model, which pooling API does it speak (`token_classify`
// or the older one), and does a two-step test solution come back as one probability per step? Also
// `detectPoolingModel`: a chat probe that fails may be pointed at a PRM, and should say so.
import { LlmClient } from '../llm/client';
import { Semaphore } from '../llm/concurrency';
import type { CriticConfig } from '../llm/config';
import { LlmError } from '../llm/errors';
import type { ProbeProblem } from '../llm/probe';
import { errorMessage } from '../error-message';
import type { PrmCriticConfig } from './config';
import { createPoolingScorer, explainFailure, PrmReplyError } from './critic';
import { presetForModel, type PrmFormat } from './format';
import type { PoolingApi } from './request';

export interface PrmProbeResult {
  ok: boolean;
  /** Where the pooling requests go. */
  url: string;
  model: string;
  formatName: string;
  models: string[];
  /** The pooling API found: `current` (`token_classify`, vLLM 0.11+) or `legacy` (no task). */
  api?: PoolingApi;
  /** Classes per step in the reply (2 for Qwen2.5-Math-PRM). */
  classes?: number;
  /** P(True) of the test solution's two steps (a correct one, then a wrong one). */
  samplePTrue?: number[];
  latencyMs?: number;
  notes: string[];
  problem?: ProbeProblem;
}

const TEST_PROBLEM = 'What is 2 + 3?';
const TEST_STEPS = ['2 + 3 = 5.', 'So the answer is 6.'];

/** A client that answers quickly and honestly: no retries, its own slot. */
function probeClient(endpoint: CriticConfig): LlmClient {
  return new LlmClient({ baseUrl: endpoint.baseUrl, apiKey: endpoint.apiKey, timeoutMs: endpoint.timeoutMs, maxRetries: 0, semaphore: new Semaphore(1) });
}

function fixFor(error: unknown): string {
  if (error instanceof PrmReplyError) return 'Serve the model with STEP pooling at its separator, or describe its format (--prm-format FILE).';
  if (!(error instanceof LlmError)) return 'This looks like a bug in Step Critic; please report it with this message.';
  switch (error.kind) {
    case 'connection':
    case 'timeout':
      return 'Start the vLLM server (vllm serve Qwen/Qwen2.5-Math-PRM-7B), or fix --prm-base-url / STEPCRITIC_PRM_BASE_URL.';
    case 'not-found':
      return 'Point --prm-base-url at a vLLM server (its OpenAI base URL, e.g. http://host:8000/v1: /pooling is served beside /v1).';
    case 'model-not-found':
      return 'Set --prm-model / STEPCRITIC_PRM_MODEL to the name the server serves (GET /v1/models).';
    default:
      return /pooling api/i.test(error.message)
        ? 'Serve a process reward model: vllm serve Qwen/Qwen2.5-Math-PRM-7B.'
        : 'Look at the message above and at the vLLM server log.';
  }
}

export async function probePrm(config: PrmCriticConfig, options: { signal?: AbortSignal } = {}): Promise<PrmProbeResult> {
  const client = probeClient(config.endpoint);
  const scorer = createPoolingScorer(config, client);
  const model = config.endpoint.model;
  const result: PrmProbeResult = { ok: false, url: scorer.url, model, formatName: config.formatName, models: [], notes: [] };
  try {
    result.models = await client.listModels(options.signal);
    if (result.models.length > 0 && !result.models.includes(model))
      result.notes.push(`The model "${model}" is not in the server's list (${result.models.slice(0, 10).join(', ')}).`);
  } catch (error) {
    result.notes.push(`GET /v1/models failed (${errorMessage(error)}); trying the pooling request.`);
  }
  const started = Date.now();
  try {
    const scores = await scorer.score(TEST_PROBLEM, TEST_STEPS, { signal: options.signal });
    result.latencyMs = Date.now() - started;
    result.api = scorer.api;
    result.classes = scores.classes;
    result.samplePTrue = scores.pTrue;
    if (scorer.api === 'legacy') result.notes.push('The server does not know the `token_classify` task (vLLM 0.10 or older): requests go without a task.');
    if (scores.pTrue[0]! <= scores.pTrue[1]!) {
      result.notes.push("The test solution's wrong step did not score below its right one: check the format (separator, positive class, template).");
    }
    result.ok = true;
  } catch (error) {
    result.problem = { message: explainFailure(error, scorer.url), fix: fixFor(error) };
  }
  return result;
}

/**
 * Whether the model at a chat endpoint is a pooling model (a PRM or another reward model), found by one
 * pooling request; the API it answered with, or undefined when it is not one (or the server is down).
 */
export async function detectPoolingModel(endpoint: CriticConfig, options: { signal?: AbortSignal } = {}): Promise<PoolingApi | undefined> {
  const format: PrmFormat = presetForModel(endpoint.model)?.format ?? { separator: '\n', template: '{problem}\n{steps}', positiveClass: 0, output: 'logits' };
  const scorer = createPoolingScorer({ endpoint, format, formatName: 'probe', api: 'auto' }, probeClient(endpoint));
  try {
    await scorer.score(TEST_PROBLEM, TEST_STEPS, options);
    return scorer.api;
  } catch (error) {
    // Scores in an unexpected shape still come from a pooling model.
    return error instanceof PrmReplyError ? scorer.api : undefined;
  }
}
