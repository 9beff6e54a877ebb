// `--critic llm|prm` and the PRM flags shared by `check`, `eval` and `probe`, and the one function that
// turns them (with the LLM flags and the environment) into the run's critic. The PRM's endpoint is its
// own (--prm-base-url, --prm-model, STEPCRITIC_PRM_API_KEY): a key for the chat endpoint is never sent
// to the PRM's server, nor the other way round.
import { readFileSync } from 'node:fs';
import type { CacheStore } from '../../engine/cache/store';
import { createStoredCriticCache } from '../../engine/cache/stored-cache';
import type { CriticCache } from '../../engine/cache/types';
import type { StepCritic } from '../../engine/checks';
import { errorMessage } from '../../engine/error-message';
import { PROTOCOL_VERSION } from '../../engine/llm/protocol';
import type { ReplySource } from '../../engine/llm/batch-request';
import type { LlmCritic } from '../../engine/llm/critic';
import {
  PoolingApiModeSchema,
  PrmFormatOverridesSchema,
  describePrmConfig,
  resolvePrmConfig,
  type PrmConfigInput,
  type ResolvedPrmConfig,
} from '../../engine/prm/config';
import { createPrmCritic, prmProtocolVersion } from '../../engine/prm/critic';
import { PRM_PRESETS, presetNamed } from '../../engine/prm/format';
import type { PrmProbeResult } from '../../engine/prm/probe';
import { poolingUrl } from '../../engine/prm/request';
import type { OptionSpec, ParsedArgs } from '../args';
import { booleanValue, helpHint, integerValue, stringValue } from '../args';
import { UsageError } from '../command';
import { cliCacheStore, createCliCritic } from './llm-options';

export const CRITIC_KINDS = ['llm', 'prm'] as const;

export const PRM_OPTIONS: OptionSpec[] = [
  {
    name: 'critic',
    type: 'string',
    valueName: 'KIND',
    choices: CRITIC_KINDS,
    defaultText: 'llm',
    description: 'Who judges the reasoning: an LLM (--base-url, --model) or a process reward model on a vLLM server (--prm-*)',
  },
  {
    name: 'prm-base-url',
    type: 'string',
    valueName: 'URL',
    description: `The PRM's vLLM server; its /pooling is at the server root [env: STEPCRITIC_PRM_BASE_URL; default: http://127.0.0.1:8000/v1]`,
  },
  { name: 'prm-model', type: 'string', valueName: 'NAME', description: 'The process reward model, e.g. Qwen/Qwen2.5-Math-PRM-7B [env: STEPCRITIC_PRM_MODEL]' },
  {
    name: 'prm-format',
    type: 'string',
    valueName: 'FORMAT',
    description: `A preset (${PRM_PRESETS.map((p) => p.name).join(', ')}; default: the one for --prm-model) or a JSON file with separator, template, system, positiveClass, output`,
  },
  {
    name: 'prm-api',
    type: 'string',
    valueName: 'API',
    choices: PoolingApiModeSchema.options,
    defaultText: 'auto',
    description: 'current: /pooling with task token_classify (vLLM 0.11+); legacy: without a task (older vLLM); auto: current, else legacy',
  },
];

/** A --prm-format value: a preset name, or a JSON file whose fields override the model's preset. */
function readFormat(command: string, value: string | undefined): Pick<PrmConfigInput, 'preset' | 'overrides'> {
  if (value === undefined) return {};
  if (presetNamed(value)) return { preset: value };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(value, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--prm-format: '${value}' is neither a preset (${PRM_PRESETS.map((p) => p.name).join(', ')}) nor a readable JSON file (${errorMessage(error)})`,
      helpHint(command),
    );
  }
  const parsed = PrmFormatOverridesSchema.strict().safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`--prm-format ${value}: ${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'invalid'}`, helpHint(command));
  }
  return { overrides: parsed.data };
}

export function resolveCliPrmConfig(command: string, args: ParsedArgs, env: NodeJS.ProcessEnv, extra: { concurrency?: number } = {}): ResolvedPrmConfig {
  const budget = args.values.budget !== undefined ? integerValue(command, args, 'budget', 0) : undefined;
  return resolvePrmConfig(
    {
      baseUrl: stringValue(args, 'prm-base-url') ?? env.STEPCRITIC_PRM_BASE_URL,
      model: stringValue(args, 'prm-model') ?? env.STEPCRITIC_PRM_MODEL,
      apiKey: env.STEPCRITIC_PRM_API_KEY?.trim() || undefined,
      ...readFormat(command, stringValue(args, 'prm-format')),
      api: PoolingApiModeSchema.optional().parse(stringValue(args, 'prm-api')),
      timeoutMs: integerValue(command, args, 'timeout', 1, 3_600_000),
      tokenBudget: budget,
      concurrency: extra.concurrency,
    },
    { model: '--prm-model or STEPCRITIC_PRM_MODEL', format: '--prm-format FILE' },
  );
}

export function wantsPrm(args: ParsedArgs): boolean {
  return stringValue(args, 'critic') === 'prm';
}

export interface CliStepCritic {
  /** Which critic the flags ask for (it may still be off). */
  kind: (typeof CRITIC_KINDS)[number];
  critic?: StepCritic;
  /** The same critic when it is the LLM one (its configuration: concurrency, sampling, answer triage). */
  llm?: LlmCritic;
  /** The model reports name. */
  model?: string;
  /** Requests in flight at once that the critic's configuration settled on (what the probe measured, a preset's default). */
  concurrency?: number;
  cache?: CriticCache;
  /** The store the cache lives in (the run's result cache shares it); closed once after the run. */
  store?: CacheStore;
  /** The critic's protocol (prompt version, or the PRM's request format), for reports and run logs. */
  protocolVersion?: string;
  /** Why there is no critic, when there is none. */
  offReason?: string;
  /** One line for stderr: which critic judges, or that none does. */
  notice: string;
}

/**
 * The critic a CLI run uses: the LLM critic (llm-options.ts) or, with --critic prm, the PRM. `report`
 * gets a line whenever the LLM critic adapts to its endpoint.
 */
export async function createCliStepCritic(
  command: string,
  args: ParsedArgs,
  env: NodeJS.ProcessEnv,
  extra: { concurrency?: number; report?: (line: string) => void; replies?: ReplySource } = {},
): Promise<CliStepCritic> {
  if (!wantsPrm(args) || booleanValue(args, 'llm') === false) {
    const llm = await createCliCritic(command, args, env, extra);
    return {
      kind: 'llm',
      critic: llm.critic,
      ...(llm.critic ? { llm: llm.critic } : {}),
      model: llm.config?.model,
      concurrency: llm.config?.concurrency,
      cache: llm.cache,
      ...(llm.store ? { store: llm.store } : {}),
      ...(llm.critic ? { protocolVersion: PROTOCOL_VERSION } : {}),
      offReason: llm.offReason,
      notice: llm.notice,
    };
  }
  if (extra.replies) throw new UsageError('a batch is made of chat requests: it needs the LLM critic, not --critic prm', helpHint(command));
  const resolved = resolveCliPrmConfig(command, args, env, { concurrency: extra.concurrency });
  if (!resolved.ok) throw new UsageError(`--critic prm: ${resolved.reason.replace(/^PRM critic off: /, '')}`, helpHint(command));
  const config = resolved.config;
  const store = cliCacheStore(args, env, extra.report);
  const cache = store ? createStoredCriticCache(store.table('critic')) : undefined;
  const ignored = booleanValue(args, 'final-answer-check') === true ? '; --final-answer-check does not apply to a PRM' : '';
  const budget = config.endpoint.tokenBudget > 0 ? `, budget ${config.endpoint.tokenBudget} tokens` : '';
  return {
    kind: 'prm',
    critic: createPrmCritic(config, { cache, waitForServer: { ...(extra.report ? { onWaiting: extra.report } : {}) } }),
    model: config.endpoint.model,
    concurrency: config.endpoint.concurrency,
    cache,
    ...(store ? { store } : {}),
    protocolVersion: prmProtocolVersion(config),
    notice: `PRM critic: ${describePrmConfig(config)} (POST ${poolingUrl(config.endpoint.baseUrl)})${budget}${store ? '' : ', cache off'}${ignored}`,
  };
}

export function formatPrmProbe(result: PrmProbeResult, changes: readonly string[]): string[] {
  const lines = [
    `Pooling:   POST ${result.url}${changes.length > 0 ? `  (base URL: ${changes.join(', ')})` : ''}`,
    `Model:     ${result.model} (format ${result.formatName})`,
  ];
  if (result.models.length > 0)
    lines.push(`Models:    ${result.models.slice(0, 8).join(', ')}${result.models.length > 8 ? `, … (${result.models.length})` : ''}`);
  if (result.ok) {
    lines.push(`Request:   ok in ${result.latencyMs} ms`);
    lines.push(
      `Format:    a pooling model; ${result.api === 'legacy' ? 'older pooling API (no `token_classify` task)' : '`token_classify` task'}, ${result.classes} ${result.classes === 1 ? 'score' : 'classes'} per step`,
    );
    lines.push(`P(True):   test solution (a right step, then a wrong one): ${(result.samplePTrue ?? []).map((p) => p.toFixed(3)).join(', ')}`);
  }
  for (const note of result.notes) lines.push(`Note:      ${note}`);
  if (result.problem) {
    lines.push(`Problem:   ${result.problem.message}`);
    lines.push(`Fix:       ${result.problem.fix}`);
  }
  lines.push(result.ok ? 'The PRM works for the critic.' : 'The PRM does not work for the critic yet.');
  return lines;
}
