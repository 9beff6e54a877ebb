// The LLM flags shared by `check`, `probe` and `eval`, and how they (with the environment) become the
// critic. The API key is read from the environment only (STEPCRITIC_API_KEY, then OPENAI_API_KEY):
// never from a flag (it would land in shell history) and never from a file in the workspace.
// What the critic learns about an endpoint (capabilities.ts) is kept next to the cache, so that
// `stepcritic probe` and every later run share it.
import { defaultCacheDir } from '../../engine/cache/location';
import { openCacheStore, type CacheStore } from '../../engine/cache/store';
import { createStoredCriticCache } from '../../engine/cache/stored-cache';
import type { CriticCache } from '../../engine/cache/types';
import { createFileCapabilityStore, createMemoryCapabilityStore, type CapabilityStore } from '../../engine/llm/capabilities';
import {
  JsonSchemaModeSchema,
  ProviderSchema,
  describeConfig,
  resolveCriticConfig,
  type CriticConfig,
  type CriticConfigSources,
  type ResolvedCriticConfig,
} from '../../engine/llm/config';
import type { ReplySource } from '../../engine/llm/batch-request';
import { createLlmCritic, type LlmCritic } from '../../engine/llm/critic';
import { describeCapabilities } from '../../engine/llm/endpoint';
import type { OptionSpec, ParsedArgs } from '../args';
import { booleanValue, helpHint, integerValue, stringValue } from '../args';
import { UsageError } from '../command';

export const LLM_ENDPOINT_OPTIONS: OptionSpec[] = [
  { name: 'provider', type: 'string', valueName: 'NAME', choices: ProviderSchema.options, description: 'Endpoint preset (sets the usual base URL)' },
  { name: 'base-url', type: 'string', valueName: 'URL', description: 'OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 [env: STEPCRITIC_BASE_URL]' },
  { name: 'model', type: 'string', valueName: 'NAME', description: 'Critic model [env: STEPCRITIC_MODEL]' },
  {
    name: 'timeout',
    type: 'string',
    valueName: 'MS',
    defaultText: '120000',
    description:
      'Give up on a request after MS milliseconds without a token (from it, or from the same endpoint while it waits its turn); check and eval wait as long for a server that is still starting (connection refused, loading its model), then stop',
  },
];

/** How the critique is asked for and read: `check`, `eval` and `probe` take them alike. */
export const LLM_CRITIQUE_OPTIONS: OptionSpec[] = [
  {
    name: 'samples',
    type: 'string',
    valueName: 'K',
    defaultText: '5',
    description: 'Sampled verdicts for P(True) when the endpoint gives no log-probabilities (1: verdicts without a probability)',
  },
  {
    name: 'json-schema',
    type: 'string',
    valueName: 'MODE',
    choices: JsonSchemaModeSchema.options,
    defaultText: 'auto',
    description: 'A JSON schema for the reply: auto (where the endpoint accepts one), on (required), off',
  },
  {
    name: 'top-logprobs',
    type: 'string',
    valueName: 'N',
    defaultText: '20',
    description: 'Alternatives asked for at the verdict token, 2-20 (fewer when the endpoint allows fewer)',
  },
  {
    name: 'max-tokens-per-step',
    type: 'string',
    valueName: 'N',
    defaultText: '150',
    description: "Completion tokens for each judged step's analysis and verdict (a reply cut off at the limit says so)",
  },
];

const CACHE_DIR_OPTION: OptionSpec = {
  name: 'cache-dir',
  type: 'string',
  valueName: 'DIR',
  description: 'Critic cache directory, also where what was learned about endpoints is kept [env: STEPCRITIC_CACHE_DIR; default: the user cache dir]',
};

export const LLM_RUN_OPTIONS: OptionSpec[] = [
  {
    name: 'budget',
    type: 'string',
    valueName: 'TOKENS',
    defaultText: '0 = none',
    description: 'Stop the critic before the run spends more than TOKENS prompt+completion tokens',
  },
  ...LLM_CRITIQUE_OPTIONS,
  CACHE_DIR_OPTION,
  { name: 'cache', type: 'boolean', negatable: true, description: 'Use the critic cache (--no-cache: judge everything afresh, store nothing)' },
  { name: 'final-answer-check', type: 'boolean', description: 'Also ask the critic "Is the proposed answer True or False?" for P(True) of the final answer' },
];

/** `probe`: the endpoint, how the critique is asked for, and where what it learns is kept. */
export const LLM_PROBE_OPTIONS: OptionSpec[] = [...LLM_ENDPOINT_OPTIONS, ...LLM_CRITIQUE_OPTIONS, CACHE_DIR_OPTION];

/** `--llm/--no-llm` for `check`. */
export const LLM_SWITCH_OPTION: OptionSpec = {
  name: 'llm',
  type: 'boolean',
  negatable: true,
  description: 'Use the LLM critic (default: on when an endpoint is configured)',
};

export function resolveCliCriticConfig(command: string, args: ParsedArgs, env: NodeJS.ProcessEnv, extra: { concurrency?: number } = {}): ResolvedCriticConfig {
  const optional = (name: string, min: number, max?: number) => (args.values[name] !== undefined ? integerValue(command, args, name, min, max) : undefined);
  const explicit: NonNullable<CriticConfigSources['explicit']> = {
    provider: stringValue(args, 'provider') as CriticConfig['provider'] | undefined,
    baseUrl: stringValue(args, 'base-url'),
    model: stringValue(args, 'model'),
    timeoutMs: integerValue(command, args, 'timeout', 1, 3_600_000),
    tokenBudget: optional('budget', 0),
    samples: optional('samples', 1, 50),
    topLogprobs: optional('top-logprobs', 2, 20),
    maxTokensPerStep: optional('max-tokens-per-step', 40, 4000),
    jsonSchema: stringValue(args, 'json-schema') as CriticConfig['jsonSchema'] | undefined,
    concurrency: extra.concurrency,
    ...(booleanValue(args, 'final-answer-check') === true ? { finalAnswerCheck: true } : {}),
  };
  return resolveCriticConfig({ explicit, env });
}

export function cliCacheDir(args: ParsedArgs, env: NodeJS.ProcessEnv): string {
  return stringValue(args, 'cache-dir') ?? defaultCacheDir(env);
}

/** The cache folder's store, or none with --no-cache; `report` gets a line when it falls back or starts afresh. */
export function cliCacheStore(args: ParsedArgs, env: NodeJS.ProcessEnv, report?: (line: string) => void): CacheStore | undefined {
  if (booleanValue(args, 'cache') === false) return undefined;
  return openCacheStore(cliCacheDir(args, env), report ? { onNotice: report } : {});
}

/** Where what is learned about endpoints is kept: beside the cache, or in memory with --no-cache. */
export function cliCapabilityStore(args: ParsedArgs, env: NodeJS.ProcessEnv): CapabilityStore {
  return booleanValue(args, 'cache') === false ? createMemoryCapabilityStore() : createFileCapabilityStore(cliCacheDir(args, env));
}

export interface CliCritic {
  critic?: LlmCritic;
  config?: CriticConfig;
  cache?: CriticCache;
  /** The store the cache lives in (the run's result cache shares it); closed once after the run. */
  store?: CacheStore;
  /** Why there is no critic, when there is none. */
  offReason?: string;
  /** One line for stderr: which endpoint is used (and what is known of it), or that the critic is off. */
  notice: string;
}

/**
 * The critic a CLI run uses: on when an endpoint is configured (or `--llm`), off with `--no-llm` or
 * when nothing is configured. `--llm` without an endpoint is a usage error. Without --concurrency, as
 * many requests go at once as the probe measured the server to sustain (else the preset's default).
 * `report` gets a line whenever the critic adapts to the endpoint.
 */
export async function createCliCritic(
  command: string,
  args: ParsedArgs,
  env: NodeJS.ProcessEnv,
  extra: { concurrency?: number; report?: (line: string) => void; replies?: ReplySource } = {},
): Promise<CliCritic> {
  const wanted = booleanValue(args, 'llm');
  if (wanted === false) {
    const offReason = 'LLM critic off (--no-llm)';
    return { offReason, notice: `${offReason}; only the deterministic verifiers run.` };
  }
  const resolved = resolveCliCriticConfig(command, args, env, extra);
  if (!resolved.ok) {
    if (wanted === true) throw new UsageError(`--llm: ${resolved.reason.replace(/^LLM critic off: /, '')}`, helpHint(command));
    return { offReason: resolved.reason, notice: `${resolved.reason.replace(/\.$/, '')}; only the deterministic verifiers run.` };
  }
  const capabilities = cliCapabilityStore(args, env);
  const profile = await capabilities.profile(resolved.config.baseUrl, resolved.config.model);
  const measured = extra.concurrency === undefined ? profile.capabilities.concurrency : undefined;
  const config = measured !== undefined ? { ...resolved.config, concurrency: measured } : resolved.config;
  // Replies from a batch (export, import, --batch-api) are judged afresh: a cache hit would leave a request out of the batch.
  const store = extra.replies ? undefined : cliCacheStore(args, env, extra.report);
  const cache = store ? createStoredCriticCache(store.table('critic')) : undefined;
  const critic = createLlmCritic(config, {
    cache,
    capabilities,
    ...(extra.report ? { onAdapt: extra.report } : {}),
    ...(extra.replies ? { replies: extra.replies } : {}),
    // A run of many solutions waits for a server still starting, and stops when none comes (not one could-not-judge per solution).
    waitForServer: { ...(extra.report ? { onWaiting: extra.report } : {}) },
  });
  const changes = resolved.changes.length > 0 ? ` (base URL: ${resolved.changes.join(', ')})` : '';
  const budget = config.tokenBudget > 0 ? `, budget ${config.tokenBudget} tokens` : '';
  const known = profile.remembered ? describeCapabilities(profile.capabilities, config) : [];
  const requests = `${config.concurrency} ${config.concurrency === 1 ? 'request' : 'requests'} at a time${measured !== undefined ? ' (measured by stepcritic probe)' : ''}`;
  return {
    critic,
    config,
    cache,
    ...(store ? { store } : {}),
    notice: `LLM critic: ${describeConfig(config)}${changes}${budget}${store ? '' : ', cache off'}; ${[...known, requests].join(', ')}`,
  };
}
