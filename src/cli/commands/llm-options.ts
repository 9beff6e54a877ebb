// The LLM flags shared by `check`, `probe` and `eval`, and how they (with the environment) become the
// critic. The API key is read from the environment only (STEPCRITIC_API_KEY, then OPENAI_API_KEY):
// never from a flag (it would land in shell history) and never from a file in the workspace.
import { createFileCache } from '../../engine/cache/file';
import { defaultCacheDir } from '../../engine/cache/location';
import type { CriticCache } from '../../engine/cache/types';
import { ProviderSchema, describeConfig, resolveCriticConfig, type CriticConfig, type ResolvedCriticConfig } from '../../engine/llm/config';
import { createLlmCritic, type LlmCritic } from '../../engine/llm/critic';
import type { OptionSpec, ParsedArgs } from '../args';
import { booleanValue, helpHint, integerValue, stringValue } from '../args';
import { UsageError } from '../command';

export const LLM_ENDPOINT_OPTIONS: OptionSpec[] = [
  { name: 'provider', type: 'string', valueName: 'NAME', choices: ProviderSchema.options, description: 'Endpoint preset (sets the usual base URL)' },
  { name: 'base-url', type: 'string', valueName: 'URL', description: 'OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 [env: STEPCRITIC_BASE_URL]' },
  { name: 'model', type: 'string', valueName: 'NAME', description: 'Critic model [env: STEPCRITIC_MODEL]' },
  { name: 'timeout', type: 'string', valueName: 'MS', defaultText: '120000', description: 'Per-request timeout in milliseconds' },
];

export const LLM_RUN_OPTIONS: OptionSpec[] = [
  {
    name: 'budget',
    type: 'string',
    valueName: 'TOKENS',
    defaultText: '0 = none',
    description: 'Stop the critic before the run spends more than TOKENS prompt+completion tokens',
  },
  {
    name: 'samples',
    type: 'string',
    valueName: 'K',
    defaultText: '5',
    description: 'Sampled verdicts for P(True) when the endpoint gives no log-probabilities',
  },
  { name: 'cache-dir', type: 'string', valueName: 'DIR', description: 'Critic cache directory [env: STEPCRITIC_CACHE_DIR; default: the user cache dir]' },
  { name: 'cache', type: 'boolean', negatable: true, description: 'Use the critic cache (--no-cache: judge everything afresh, store nothing)' },
  { name: 'final-answer-check', type: 'boolean', description: 'Also ask the critic "Is the proposed answer True or False?" for P(True) of the final answer' },
];

/** `--llm/--no-llm` for `check`. */
export const LLM_SWITCH_OPTION: OptionSpec = {
  name: 'llm',
  type: 'boolean',
  negatable: true,
  description: 'Use the LLM critic (default: on when an endpoint is configured)',
};

export function resolveCliCriticConfig(command: string, args: ParsedArgs, env: NodeJS.ProcessEnv, extra: { concurrency?: number } = {}): ResolvedCriticConfig {
  const timeoutMs = integerValue(command, args, 'timeout', 1, 3_600_000);
  const tokenBudget = args.values.budget !== undefined ? integerValue(command, args, 'budget', 0) : undefined;
  const samples = args.values.samples !== undefined ? integerValue(command, args, 'samples', 1, 50) : undefined;
  return resolveCriticConfig({
    explicit: {
      provider: stringValue(args, 'provider') as CriticConfig['provider'] | undefined,
      baseUrl: stringValue(args, 'base-url'),
      model: stringValue(args, 'model'),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(tokenBudget !== undefined ? { tokenBudget } : {}),
      ...(samples !== undefined ? { samples } : {}),
      ...(extra.concurrency !== undefined ? { concurrency: extra.concurrency } : {}),
      ...(booleanValue(args, 'final-answer-check') === true ? { finalAnswerCheck: true } : {}),
    },
    env,
  });
}

export function cliCacheDir(args: ParsedArgs, env: NodeJS.ProcessEnv): string {
  return stringValue(args, 'cache-dir') ?? defaultCacheDir(env);
}

export interface CliCritic {
  critic?: LlmCritic;
  config?: CriticConfig;
  cache?: CriticCache;
  /** Why there is no critic, when there is none. */
  offReason?: string;
  /** One line for stderr: which endpoint is used, or that the critic is off. */
  notice: string;
}

/**
 * The critic a CLI run uses: on when an endpoint is configured (or `--llm`), off with `--no-llm` or
 * when nothing is configured. `--llm` without an endpoint is a usage error.
 */
export function createCliCritic(command: string, args: ParsedArgs, env: NodeJS.ProcessEnv, extra: { concurrency?: number } = {}): CliCritic {
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
  const config = resolved.config;
  const useCache = booleanValue(args, 'cache') !== false;
  const cache = useCache ? createFileCache(cliCacheDir(args, env)) : undefined;
  const critic = createLlmCritic(config, { cache });
  const changes = resolved.changes.length > 0 ? ` (base URL: ${resolved.changes.join(', ')})` : '';
  const budget = config.tokenBudget > 0 ? `, budget ${config.tokenBudget} tokens` : '';
  return {
    critic,
    config,
    cache,
    notice: `LLM critic: ${describeConfig(config)}${changes}${budget}${useCache ? '' : ', cache off'}`,
  };
}
