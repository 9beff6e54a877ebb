// Critic configuration: which endpoint, which model, how to sample, how much to spend.
// Every surface builds a CriticConfig through resolveCriticConfig, so defaults and checks live in one
// place. The API key comes from the caller (CLI: environment; extension: SecretStorage), never from a
// file in the workspace.
import { z } from 'zod';
import { errorMessage } from '../error-message';

export const ProviderSchema = z.enum(['openai', 'azure', 'ollama', 'vllm', 'llamacpp', 'lmstudio', 'custom']);
export type Provider = z.infer<typeof ProviderSchema>;

export interface ProviderPreset {
  label: string;
  /** The usual base URL; undefined when the user must give one (Azure, custom). */
  baseUrl?: string;
  /** Whether the endpoint refuses requests without a key. */
  needsKey: boolean;
  /** Newer OpenAI models reject `max_tokens`; local servers only know it. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Where to look when something is wrong (shown by `stepcritic probe`). */
  hint: string;
  /**
   * Requests in flight at once when none is configured and the probe has measured none: local servers
   * usually work on one request at a time (more only queue there).
   */
  concurrency: number;
}

export const PROVIDER_PRESETS: Record<Provider, ProviderPreset> = {
  openai: {
    label: 'OpenAI',
    baseUrl: 'https://api.openai.com/v1',
    needsKey: true,
    maxTokensField: 'max_completion_tokens',
    hint: 'Create a key at platform.openai.com and set STEPCRITIC_API_KEY.',
    concurrency: 4,
  },
  azure: {
    label: 'Azure OpenAI',
    needsKey: true,
    maxTokensField: 'max_completion_tokens',
    hint: 'Use https://<resource>.openai.azure.com/openai/v1 and the deployment name as the model.',
    concurrency: 4,
  },
  ollama: {
    label: 'Ollama',
    baseUrl: 'http://127.0.0.1:11434/v1',
    needsKey: false,
    maxTokensField: 'max_tokens',
    hint: 'Start it with `ollama serve` and pull the model with `ollama pull <model>`.',
    concurrency: 1,
  },
  vllm: {
    label: 'vLLM',
    baseUrl: 'http://127.0.0.1:8000/v1',
    needsKey: false,
    maxTokensField: 'max_tokens',
    hint: 'Start it with `vllm serve <model>`; the model name is the one it serves (`GET /v1/models`).',
    concurrency: 4,
  },
  llamacpp: {
    label: 'llama.cpp server',
    baseUrl: 'http://127.0.0.1:8080/v1',
    needsKey: false,
    maxTokensField: 'max_tokens',
    hint: 'Start it with `llama-server -m <model.gguf>`.',
    concurrency: 1,
  },
  lmstudio: {
    label: 'LM Studio',
    baseUrl: 'http://127.0.0.1:1234/v1',
    needsKey: false,
    maxTokensField: 'max_tokens',
    hint: 'Start the local server in LM Studio (Developer tab) and load a model.',
    concurrency: 1,
  },
  custom: {
    label: 'OpenAI-compatible endpoint',
    needsKey: false,
    maxTokensField: 'max_tokens',
    hint: 'Give the endpoint base URL, ending in /v1.',
    concurrency: 4,
  },
};

export const LogprobsModeSchema = z.enum(['auto', 'always', 'never']);
/** auto: a JSON schema for the reply where the endpoint accepts one; on: always (a refusal is an error); off: never. */
export const JsonSchemaModeSchema = z.enum(['auto', 'on', 'off']);

export const CriticConfigSchema = z.object({
  provider: ProviderSchema.default('custom'),
  baseUrl: z.string().min(1),
  model: z.string().min(1),
  apiKey: z.string().min(1).optional(),
  /** Per attempt, from sending the request to the end of the reply. */
  timeoutMs: z.number().int().positive().default(120_000),
  /** Retries after the first attempt, for 429, 5xx, dropped connections, timeouts and broken bodies. */
  maxRetries: z.number().int().nonnegative().default(3),
  /** First back-off delay; doubles per retry (a Retry-After header wins). */
  retryBaseMs: z.number().int().nonnegative().default(500),
  /** A Retry-After longer than this ends the retries with a clear error instead of waiting. */
  maxRetryAfterMs: z.number().int().nonnegative().default(60_000),
  /** Requests in flight at once, for the whole process (resolveCriticConfig sets the preset's default). */
  concurrency: z.number().int().positive().default(4),
  /** Prompt + completion tokens a run may spend; 0 = no limit. */
  tokenBudget: z.number().int().nonnegative().default(0),
  /** Sampled verdicts for the vote share when the endpoint gives no log-probabilities. */
  samples: z.number().int().positive().default(5),
  /** Temperature of the main (log-probability) call. */
  temperature: z.number().min(0).max(2).default(0),
  /** Temperature of the sampled calls used for the vote share. */
  sampleTemperature: z.number().min(0).max(2).default(0.7),
  /** Alternatives asked for at each token: as many as the endpoint allows (it says when fewer), up to 20. */
  topLogprobs: z.number().int().min(2).max(20).default(20),
  /** 'auto': ask for log-probabilities and fall back to samples when none come back. */
  logprobs: LogprobsModeSchema.default('auto'),
  /**
   * Completion tokens allowed per judged step (its analysis and verdict); the prompt caps each analysis
   * at a word count that fits (analysisWords), and a reply cut off at the limit says to raise this.
   */
  maxTokensPerStep: z.number().int().min(40).max(4000).default(150),
  /** Ask the solution-level "Is the proposed answer True or False?" question too. */
  finalAnswerCheck: z.boolean().default(false),
  /** A JSON schema for the reply (`response_format: json_schema`): auto, on or off. */
  jsonSchema: JsonSchemaModeSchema.default('auto'),
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
});
export type CriticConfig = z.infer<typeof CriticConfigSchema>;
export type CriticConfigInput = z.input<typeof CriticConfigSchema>;

/** The settings that change what the model would say; they enter every cache key. */
export function samplingSettings(config: CriticConfig): Record<string, unknown> {
  return {
    temperature: config.temperature,
    sampleTemperature: config.sampleTemperature,
    samples: config.samples,
    topLogprobs: config.topLogprobs,
    logprobs: config.logprobs,
    maxTokensPerStep: config.maxTokensPerStep,
    jsonSchema: config.jsonSchema,
  };
}

/** Completion tokens for the reply framing (`{"steps": [`, `]}`) on top of the per-step allowance. */
const REPLY_OVERHEAD_TOKENS = 40;

/** Completion tokens a reply judging `steps` steps may use (visible text; a reasoning model gets more, endpoint.ts). */
export function replyTokens(config: Pick<CriticConfig, 'maxTokensPerStep'>, steps: number): number {
  return REPLY_OVERHEAD_TOKENS + config.maxTokensPerStep * Math.max(1, steps);
}

/** The words one analysis may have so that a step's entry fits maxTokensPerStep (about 1.3 tokens a word, plus the entry's JSON). */
export function analysisWords(config: Pick<CriticConfig, 'maxTokensPerStep'>): number {
  return Math.max(15, Math.floor((config.maxTokensPerStep - 30) / 2));
}

export interface NormalizedBaseUrl {
  url: string;
  /** What was changed, to tell the user (a missing `/v1` is the most common setup error). */
  changes: string[];
}

/**
 * Puts a base URL in the shape the `openai` client expects: scheme present, no trailing slash, no
 * `/chat/completions` suffix pasted from a curl example, and a version segment (`/v1`) present.
 */
export function normalizeBaseUrlWithChanges(raw: string, provider?: Provider): NormalizedBaseUrl {
  const changes: string[] = [];
  let text = raw.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    const local = /^(localhost|127\.|\[::1\]|0\.0\.0\.0)/i.test(text);
    text = `${local ? 'http' : 'https'}://${text}`;
    changes.push(`added ${local ? 'http' : 'https'}://`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${raw}" is not a URL. Give the endpoint's base URL, e.g. http://127.0.0.1:8000/v1.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`"${raw}" is not an http(s) URL.`);
  }
  url.search = '';
  url.hash = '';
  let path = url.pathname.replace(/\/+$/, '');
  const pasted = /\/(chat\/completions|completions|models)$/.exec(path);
  if (pasted) {
    path = path.slice(0, pasted.index);
    changes.push(`removed /${pasted[1]} (the base URL stops before it)`);
  }
  const segments = path.split('/').filter(Boolean);
  const hasVersion = segments.some((s) => /^v\d+[a-z0-9]*$/i.test(s));
  if (!hasVersion) {
    const azure = provider === 'azure' || /\.openai\.azure\.com$/i.test(url.hostname);
    if (azure && !segments.includes('openai')) {
      path = `${path}/openai/v1`;
      changes.push('added /openai/v1');
    } else {
      path = `${path}/v1`;
      changes.push('added /v1');
    }
  }
  const origin = `${url.protocol}//${url.host}`;
  return { url: `${origin}${path}`, changes };
}

export function normalizeBaseUrl(raw: string, provider?: Provider): string {
  return normalizeBaseUrlWithChanges(raw, provider).url;
}

/** Where the pieces of a configuration may come from, most specific first. */
export interface CriticConfigSources {
  /** Explicit values (CLI flags, extension settings); undefined or '' means "not given". */
  explicit?: Partial<Omit<CriticConfigInput, 'apiKey'>> & { apiKey?: string };
  /** CLI only: the process environment (STEPCRITIC_BASE_URL, STEPCRITIC_MODEL, STEPCRITIC_API_KEY, OPENAI_API_KEY). */
  env?: Readonly<Record<string, string | undefined>>;
}

export type ResolvedCriticConfig = { ok: true; config: CriticConfig; changes: string[]; keySource?: string } | { ok: false; reason: string };

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Builds the critic configuration, or says why there is none. No endpoint configured is not an
 * error: the caller runs the verifiers alone and shows `reason`.
 */
export function resolveCriticConfig(sources: CriticConfigSources): ResolvedCriticConfig {
  const explicit = sources.explicit ?? {};
  const env = sources.env ?? {};
  const provider = ProviderSchema.catch('custom').parse(explicit.provider ?? present(env.STEPCRITIC_PROVIDER) ?? 'custom');
  const preset = PROVIDER_PRESETS[provider];
  const baseUrlRaw = present(explicit.baseUrl) ?? present(env.STEPCRITIC_BASE_URL) ?? (provider !== 'custom' ? preset.baseUrl : undefined);
  if (baseUrlRaw === undefined) {
    return {
      ok: false,
      reason:
        provider === 'azure'
          ? 'LLM critic off: the Azure provider needs a base URL (https://<resource>.openai.azure.com/openai/v1).'
          : 'LLM critic off: no endpoint configured (set --base-url or STEPCRITIC_BASE_URL, or choose a provider).',
    };
  }
  const model = present(explicit.model) ?? present(env.STEPCRITIC_MODEL);
  if (model === undefined) {
    return { ok: false, reason: `LLM critic off: no model configured for ${baseUrlRaw} (set --model or STEPCRITIC_MODEL).` };
  }
  let keySource: string | undefined;
  let apiKey = present(explicit.apiKey);
  if (apiKey !== undefined) keySource = 'given';
  else if (present(env.STEPCRITIC_API_KEY) !== undefined) {
    apiKey = present(env.STEPCRITIC_API_KEY);
    keySource = 'STEPCRITIC_API_KEY';
  } else if (present(env.OPENAI_API_KEY) !== undefined) {
    apiKey = present(env.OPENAI_API_KEY);
    keySource = 'OPENAI_API_KEY';
  }
  if (preset.needsKey && apiKey === undefined) {
    return { ok: false, reason: `LLM critic off: ${preset.label} needs an API key (set STEPCRITIC_API_KEY or OPENAI_API_KEY).` };
  }
  let normalized: NormalizedBaseUrl;
  try {
    normalized = normalizeBaseUrlWithChanges(baseUrlRaw, provider);
  } catch (error) {
    return { ok: false, reason: `LLM critic off: ${errorMessage(error)}` };
  }
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(explicit)) if (value !== undefined && value !== '') input[key] = value;
  const parsed = CriticConfigSchema.safeParse({
    ...input,
    provider,
    baseUrl: normalized.url,
    model,
    apiKey,
    maxTokensField: explicit.maxTokensField ?? preset.maxTokensField,
    concurrency: explicit.concurrency ?? preset.concurrency,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `LLM critic off: invalid setting ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, config: parsed.data, changes: normalized.changes, keySource };
}

/** `model @ baseURL`, for display (never the key). */
export function describeConfig(config: Pick<CriticConfig, 'model' | 'baseUrl'>): string {
  return `${config.model} @ ${config.baseUrl}`;
}
