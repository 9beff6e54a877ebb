// The `stepcritic.*` settings, as the client sends them and the server reads them.
// The client's package.json `contributes.configuration` must match this schema key for key.
// The server parses whatever it receives with `parseSettings`: one bad value falls back to its
// default (and is reported), it never throws away the rest of the user's settings.
import { z } from 'zod';

export const ProviderSchema = z.enum(['openai', 'azure', 'ollama', 'vllm', 'llamacpp', 'lmstudio', 'custom']);
export type Provider = z.infer<typeof ProviderSchema>;

export const CriticKindSchema = z.enum(['llm', 'prm']);

export const TriggerSchema = z.enum(['onSave', 'onIdle', 'manual']);
export type Trigger = z.infer<typeof TriggerSchema>;

export const JsonSchemaModeSchema = z.enum(['auto', 'on', 'off']);
export const RunLogLocationSchema = z.enum(['extensionStorage', 'workspace']);
export type RunLogLocation = z.infer<typeof RunLogLocationSchema>;

export const defaultSettings = {
  enable: true,
  provider: 'openai' as Provider,
  baseUrl: '',
  model: '',
  trigger: 'onSave' as Trigger,
  debounceMs: 800,
  concurrency: 0,
  tokenBudget: 0,
  thresholds: { correct: 0.7, incorrect: 0.3 },
  display: { gutterIcons: true, inlineText: false },
  files: '**/*.solution.md',
  runCodeTests: false,
  samples: 5,
  maxSteps: 200,
  finalAnswerCheck: false,
  jsonSchema: 'auto' as z.infer<typeof JsonSchemaModeSchema>,
  topLogprobs: 20,
  maxTokensPerStep: 150,
  critic: 'llm' as z.infer<typeof CriticKindSchema>,
  prm: {
    baseUrl: '',
    model: '',
    format: '',
    separator: null as string | null,
    template: null as string | null,
    system: null as string | null,
    positiveClass: null as number | null,
    output: null as 'probabilities' | 'logits' | null,
    api: 'auto' as 'auto' | 'current' | 'legacy',
  },
  calibration: '',
  rubric: '',
  runLogLocation: 'extensionStorage' as RunLogLocation,
};

const probability = z.number().min(0).max(1);

/** The exact schema: every key, its type, range and default. */
export const StepCriticSettingsSchema = z.object({
  /** Critique solutions at all. */
  enable: z.boolean().default(defaultSettings.enable),
  /** Which kind of OpenAI-compatible endpoint; picks the default base URL and quirks. */
  provider: ProviderSchema.default(defaultSettings.provider),
  /** The endpoint, e.g. `http://127.0.0.1:11434/v1`; empty = the provider's default. */
  baseUrl: z.string().default(defaultSettings.baseUrl),
  /** The critic model; empty = no LLM critic (the verifiers still run). */
  model: z.string().default(defaultSettings.model),
  trigger: TriggerSchema.default(defaultSettings.trigger),
  /** For `onIdle`: how long the text must be still before a critique starts. */
  debounceMs: z.number().int().min(0).max(60_000).default(defaultSettings.debounceMs),
  /** Most LLM requests in flight at once (over all documents); 0 = what Test Connection measured, else the provider's default. */
  concurrency: z.number().int().min(0).max(64).default(defaultSettings.concurrency),
  /** Tokens one critique run may spend; 0 = no limit. */
  tokenBudget: z.number().int().min(0).default(defaultSettings.tokenBudget),
  thresholds: z
    .object({
      correct: probability.default(defaultSettings.thresholds.correct),
      incorrect: probability.default(defaultSettings.thresholds.incorrect),
    })
    .default(defaultSettings.thresholds),
  display: z
    .object({
      gutterIcons: z.boolean().default(defaultSettings.display.gutterIcons),
      inlineText: z.boolean().default(defaultSettings.display.inlineText),
    })
    .default(defaultSettings.display),
  /** Which files are critiqued without being asked (besides the `stepcritic-solution` language). */
  files: z.string().default(defaultSettings.files),
  /** Run a code solution's tests; never in an untrusted workspace. */
  runCodeTests: z.boolean().default(defaultSettings.runCodeTests),
  /** Sampled verdicts per step when the endpoint gives no log-probabilities. */
  samples: z.number().int().min(1).max(50).default(defaultSettings.samples),
  /** Steps critiqued per document; the rest are left with a notice. */
  maxSteps: z.number().int().min(1).max(100_000).default(defaultSettings.maxSteps),
  /** Ask the critic for P(True) of the final answer too. */
  finalAnswerCheck: z.boolean().default(defaultSettings.finalAnswerCheck),
  /** A JSON schema for the critic's reply: where the endpoint accepts one, always, or never. */
  jsonSchema: JsonSchemaModeSchema.default(defaultSettings.jsonSchema),
  /** Alternatives asked for at the verdict token (fewer when the endpoint allows fewer). */
  topLogprobs: z.number().int().min(2).max(20).default(defaultSettings.topLogprobs),
  /** Completion tokens for each judged step's analysis and verdict. */
  maxTokensPerStep: z.number().int().min(40).max(4000).default(defaultSettings.maxTokensPerStep),
  /** Who judges the reasoning: the LLM (provider/baseUrl/model) or a process reward model (prm.*). */
  critic: CriticKindSchema.default(defaultSettings.critic),
  /** The process reward model on a vLLM server; with `critic: "prm"` the chat model above only refines. */
  prm: z
    .object({
      baseUrl: z.string().default(defaultSettings.prm.baseUrl),
      model: z.string().default(defaultSettings.prm.model),
      /** A preset name; empty: the preset of the model name. */
      format: z.string().default(defaultSettings.prm.format),
      // Overrides of the preset's format (all four needed for a model without a preset); null: the preset's.
      separator: z.string().min(1).nullable().default(defaultSettings.prm.separator),
      template: z.string().min(1).nullable().default(defaultSettings.prm.template),
      system: z.string().nullable().default(defaultSettings.prm.system),
      positiveClass: z.number().int().min(0).nullable().default(defaultSettings.prm.positiveClass),
      output: z.enum(['probabilities', 'logits']).nullable().default(defaultSettings.prm.output),
      api: z.enum(['auto', 'current', 'legacy']).default(defaultSettings.prm.api),
    })
    .default(defaultSettings.prm),
  /** A calibration file (`stepcritic calibrate`) for the critic in use; empty: none. Relative to the first workspace folder. */
  calibration: z.string().default(defaultSettings.calibration),
  /** A rubric file (YAML list of title, points, description) every solution is graded by; empty: a solution's own `rubric:`. Relative to the first workspace folder. */
  rubric: z.string().default(defaultSettings.rubric),
  /** Where "Critique Workspace" keeps its run log and report: the extension's storage, or `.stepcritic/runs` in the workspace. */
  runLogLocation: RunLogLocationSchema.default(defaultSettings.runLogLocation),
});
export type StepCriticSettings = z.infer<typeof StepCriticSettingsSchema>;

/** What the client may send: any subset, values not yet checked. */

export interface ParsedSettings {
  settings: StepCriticSettings;
  /** One line per value that was ignored, e.g. `stepcritic.debounceMs: expected number (using 800)`. */
  problems: string[];
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function deleteAt(target: Record<string, unknown>, path: readonly PropertyKey[]): boolean {
  let node: unknown = target;
  for (let i = 0; i < path.length - 1; i++) {
    if (!isRecord(node)) return false;
    node = node[String(path[i])];
  }
  if (!isRecord(node) || path.length === 0) return false;
  const key = String(path[path.length - 1]);
  if (!(key in node)) return false;
  delete node[key];
  return true;
}

function defaultAt(path: readonly PropertyKey[]): string {
  let node: unknown = defaultSettings;
  for (const key of path) node = isRecord(node) ? node[String(key)] : undefined;
  return JSON.stringify(node);
}

/** Parses settings leniently: invalid values fall back to their defaults and are listed in `problems`. */
export function parseSettings(raw: unknown): ParsedSettings {
  const problems: string[] = [];
  const input: Record<string, unknown> = isRecord(raw) ? structuredClone(raw) : {};
  if (raw !== undefined && raw !== null && !isRecord(raw)) problems.push('stepcritic: expected an object of settings (using the defaults)');

  for (let attempt = 0; attempt < 32; attempt++) {
    const result = StepCriticSettingsSchema.safeParse(input);
    if (result.success) {
      const settings = result.data;
      if (settings.thresholds.incorrect >= settings.thresholds.correct) {
        problems.push(
          `stepcritic.thresholds: incorrect (${settings.thresholds.incorrect}) must be below correct (${settings.thresholds.correct}) (using ${JSON.stringify(defaultSettings.thresholds)})`,
        );
        settings.thresholds = { ...defaultSettings.thresholds };
      }
      return { settings, problems };
    }
    let removed = false;
    for (const issue of result.error.issues) {
      const name = ['stepcritic', ...issue.path.map(String)].join('.');
      if (deleteAt(input, issue.path)) {
        problems.push(`${name}: ${issue.message} (using ${defaultAt(issue.path)})`);
        removed = true;
      }
    }
    if (!removed) break;
  }
  return { settings: StepCriticSettingsSchema.parse({}), problems };
}
