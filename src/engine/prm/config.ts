// The PRM critic's configuration: the vLLM server and model, the format (a preset, found from the model
// name or named, with any field overridden), and which pooling API to speak. The endpoint part (base
// URL, key, timeout, retries, concurrency, budget) is a CriticConfig, resolved and checked by the LLM
// critic's own resolveCriticConfig: one place for base URLs and limits.
import { z } from 'zod';
import { resolveCriticConfig, type CriticConfig } from '../llm/config';
import { PRM_PRESETS, PrmFormatSchema, presetForModel, presetNamed, type PrmFormat } from './format';
import type { PoolingApi } from './request';

export const PoolingApiModeSchema = z.enum(['auto', 'current', 'legacy']);
export type PoolingApiMode = z.infer<typeof PoolingApiModeSchema>;

/** Fields of a format that override the preset (all of them for a model without a preset); null: the preset's. */
export const PrmFormatOverridesSchema = z
  .object({
    separator: PrmFormatSchema.shape.separator.nullable(),
    template: PrmFormatSchema.shape.template.nullable(),
    system: PrmFormatSchema.shape.system.nullable(),
    positiveClass: PrmFormatSchema.shape.positiveClass.nullable(),
    output: PrmFormatSchema.shape.output.nullable(),
  })
  .partial();
export type PrmFormatOverrides = z.infer<typeof PrmFormatOverridesSchema>;

export interface PrmCriticConfig {
  endpoint: CriticConfig;
  format: PrmFormat;
  /** The preset it came from (`qwen2.5-math-prm-7b`), or `custom`. */
  formatName: string;
  /** `auto`: `token_classify` first, the older request if the server refuses it (learned once per run). */
  api: PoolingApiMode | PoolingApi;
}

export interface PrmConfigInput {
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  /** A preset name; undefined: the preset of the model name. */
  preset?: string;
  overrides?: PrmFormatOverrides;
  api?: PoolingApiMode;
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  concurrency?: number;
  tokenBudget?: number;
}

/** How each surface names the settings, for the reasons it shows. */
export interface PrmSettingNames {
  model: string;
  format: string;
}

export type ResolvedPrmConfig = { ok: true; config: PrmCriticConfig; changes: string[] } | { ok: false; reason: string };

/** vLLM's own default address (`vllm serve` listens on port 8000). */
export const DEFAULT_PRM_BASE_URL = 'http://127.0.0.1:8000/v1';

export function resolvePrmConfig(input: PrmConfigInput, names: PrmSettingNames): ResolvedPrmConfig {
  const model = input.model?.trim();
  if (!model) return { ok: false, reason: `PRM critic off: no process reward model configured (set ${names.model}).` };
  const presetName = input.preset?.trim();
  const preset = presetName ? presetNamed(presetName) : presetForModel(model);
  if (presetName && !preset) {
    return { ok: false, reason: `PRM critic off: no PRM preset "${presetName}" (there are: ${PRM_PRESETS.map((p) => p.name).join(', ')}).` };
  }
  const format = PrmFormatSchema.safeParse({ ...preset?.format, ...stripUndefined(input.overrides ?? {}) });
  if (!format.success) {
    const missing = format.error.issues.map((i) => i.path.join('.')).join(', ');
    return {
      ok: false,
      reason: preset
        ? `PRM critic off: invalid format for ${model} (${missing}): ${format.error.issues[0]?.message ?? 'invalid'}.`
        : `PRM critic off: no preset for the model "${model}" (presets: ${PRM_PRESETS.map((p) => p.name).join(', ')}); describe its format with ${names.format} (separator, template, positiveClass, output; missing: ${missing}).`,
    };
  }
  const endpoint = resolveCriticConfig({
    explicit: {
      provider: 'vllm',
      baseUrl: input.baseUrl?.trim() || DEFAULT_PRM_BASE_URL,
      model,
      apiKey: input.apiKey,
      ...stripUndefined({
        timeoutMs: input.timeoutMs,
        maxRetries: input.maxRetries,
        retryBaseMs: input.retryBaseMs,
        concurrency: input.concurrency,
        tokenBudget: input.tokenBudget,
      }),
    },
  });
  if (!endpoint.ok) return { ok: false, reason: endpoint.reason.replace(/^LLM critic off/, 'PRM critic off') };
  const custom = Object.keys(stripUndefined(input.overrides ?? {})).length > 0;
  return {
    ok: true,
    config: { endpoint: endpoint.config, format: format.data, formatName: preset && !custom ? preset.name : 'custom', api: input.api ?? 'auto' },
    changes: endpoint.changes,
  };
}

/** The fields that are set: undefined and null mean "not given". */
function stripUndefined<T extends Record<string, unknown>>(record: T): { [K in keyof T]?: NonNullable<T[K]> } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined && v !== null)) as { [K in keyof T]?: NonNullable<T[K]> };
}

/** `model (PRM) @ baseURL`, for display. */
export function describePrmConfig(config: PrmCriticConfig): string {
  return `${config.endpoint.model} (PRM, ${config.formatName}) @ ${config.endpoint.baseUrl}`;
}
