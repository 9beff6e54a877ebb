// Settings, trust and the API key → the checks a critique may run. Rebuilt whenever one of them
// changes; the critic cache outlives every rebuild (same text + same model = no request).
//   - The verifiers always run (no I/O, no model).
//   - The LLM critic runs only when an endpoint and model are configured (and a key, where the
//     provider needs one); otherwise `criticOffReason` says why.
//   - With `critic: "prm"` a process reward model (stepcritic.prm.*) judges instead, and the chat
//     model, when one is configured, only writes refinements (which the PRM then re-scores).
//   - Code runs only when the workspace is trusted AND `runCodeTests` is on.
//   - In an untrusted workspace the endpoint, model and provider are the user's own — those given at
//     initialization — whatever workspace/configuration or stepcritic/configure say later: a cloned
//     repository must not be able to send the user's text and API key to an endpoint of its choosing.
//     The server enforces this itself, for every LSP client, not only for ours.
//   - `calibration` names a file of `stepcritic calibrate`; it applies only when it was fitted for the
//     critic in use (otherwise a settings problem says why). An untrusted workspace cannot set it either:
//     it would turn every P(True) up.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Calibration, CriticIdentity } from '../engine/calibration/file';
import { calibrationFingerprint, calibrationMismatch, calibrationOf } from '../engine/calibration/file';
import { readCalibrationFile } from '../engine/calibration/read-file';
import { errorMessage } from '../engine/error-message';
import { parseRubricText, type RubricItem } from '../engine/rubric/rubric';
import type { JudgeDependencies } from '../engine/judge';
import type { StepCritic } from '../engine/checks';
import { describePrmConfig, resolvePrmConfig, type PrmCriticConfig } from '../engine/prm/config';
import { createPrmCritic, prmProtocolVersion } from '../engine/prm/critic';
import { formatFingerprint } from '../engine/prm/format';
import { probePrm } from '../engine/prm/probe';
import type { CriticCache } from '../engine/cache/types';
import { createCodeChecker } from '../engine/code/checker';
import { createLlmClient, type LlmClient } from '../engine/llm/client';
import { TokenBudget } from '../engine/llm/budget';
import { createMemoryCapabilityStore } from '../engine/llm/capabilities';
import { describeConfig, resolveCriticConfig, type CriticConfig } from '../engine/llm/config';
import { createLlmCritic, type LlmCritic } from '../engine/llm/critic';
import { PROTOCOL_VERSION } from '../engine/llm/protocol';
import { probeEndpoint, type ProbeResult } from '../engine/llm/probe';
import type { RefineModel } from '../engine/refine';
import type { Thresholds } from '../engine/checks';
import type { CriticStatus, TestConnectionResult } from '../protocol/messages';
import { parseSettings, type StepCriticSettings } from '../protocol/settings';

/** The endpoint settings an untrusted workspace cannot set (as RESTRICTED_KEYS in the client), and the calibration file. */
interface UserEndpoint {
  provider: StepCriticSettings['provider'];
  baseUrl: string;
  model: string;
  prm: { baseUrl: string; model: string };
  calibration: string;
}

/** Completion tokens a refinement reply may use (a step, or the rest of a solution). */
const REFINE_MAX_TOKENS = 2000;

export class CritiqueSetup {
  /** The settings in force: those asked for, less what an untrusted workspace may not set. */
  settings: StepCriticSettings = parseSettings({}).settings;
  settingsProblems: string[] = [];
  trusted = false;
  /** The calibration the critic's P(True) goes through, when one is set and fits the critic. */
  calibration: Calibration | undefined;
  /** The calibration file the setting names (absolute), when a critic is on to apply it to. */
  calibrationPath: string | undefined;
  /** The rubric `stepcritic.rubric` names, read and checked; undefined when none is set or it is malformed. */
  rubric: RubricItem[] | undefined;
  private parsedProblems: string[] = [];
  /** The settings last asked for (by the client's user, or by a workspace). */
  private requested: StepCriticSettings = parseSettings({}).settings;
  /** The endpoint from initialization (the user's own configuration of the server). */
  private userEndpoint: UserEndpoint = pickEndpoint(this.requested);
  private apiKey: string | undefined;
  private config: CriticConfig | undefined;
  private offReason = 'LLM critic off: no endpoint configured.';
  private sharedCritic: StepCritic | undefined;
  private prm: PrmCriticConfig | undefined;
  private prmOffReason = 'PRM critic off: no process reward model configured (set stepcritic.prm.model).';
  private sharedClient: LlmClient | undefined;
  private codeChecker = createCodeChecker({ allowRun: false });
  /** What the critic and Test Connection learned about endpoints, for the server's lifetime. */
  private readonly capabilities = createMemoryCapabilityStore();
  /** Requests the server sustained at once when Test Connection last measured it (used while stepcritic.concurrency is 0). */
  private measuredConcurrency: number | undefined;

  constructor(
    readonly cache: CriticCache,
    private readonly tuning: { timeoutMs?: number; maxRetries?: number; retryBaseMs?: number } = {},
    /** The workspace folders: a relative `calibration` path is read from the first. */
    private readonly workspaceFolders: () => readonly string[] = () => [],
    /** Gets a line whenever the critic adapts to its endpoint (the server's log). */
    private readonly log?: (line: string) => void,
  ) {
    this.rebuild();
  }

  /**
   * Returns what changed, so the server knows whether verdicts must be redone, and which requested
   * settings an untrusted workspace had no say in (`ignored`). `fromUser`: the settings come from
   * initialization, the user's own configuration; only those may set the endpoint (and the calibration)
   * of an untrusted workspace. `thresholdsChanged` covers the calibration too: both turn the critic's
   * P(True) into verdicts, without a new request.
   */
  configure(input: { settings?: unknown; trusted?: boolean; apiKey?: string | null; fromUser?: boolean }): {
    criticChanged: boolean;
    thresholdsChanged: boolean;
    ignored: string[];
  } {
    const before = this.fingerprint();
    const rulesBefore = this.verdictRules();
    if (input.settings !== undefined) {
      const parsed = parseSettings(input.settings);
      this.requested = parsed.settings;
      this.parsedProblems = parsed.problems;
      if (input.fromUser) this.userEndpoint = pickEndpoint(parsed.settings);
    }
    if (input.trusted !== undefined) this.trusted = input.trusted;
    const ignored = this.trusted ? [] : overridden(this.requested, this.userEndpoint);
    this.settings = this.trusted ? this.requested : withEndpoint(this.requested, this.userEndpoint);
    if (input.apiKey !== undefined) this.apiKey = input.apiKey === null || input.apiKey.trim() === '' ? undefined : input.apiKey.trim();
    this.rebuild();
    return { criticChanged: this.fingerprint() !== before, thresholdsChanged: this.verdictRules() !== rulesBefore, ignored };
  }

  /** Reads the calibration file again (it changed on disk); true when the verdicts must be redone. */
  reloadCalibration(): boolean {
    const rulesBefore = this.verdictRules();
    this.loadCalibration();
    return this.verdictRules() !== rulesBefore;
  }

  private verdictRules(): string {
    return JSON.stringify([this.settings.thresholds, calibrationFingerprint(this.calibration)]);
  }

  /** The critic in use as a calibration file names it; undefined when it is off. */
  private criticIdentity(): CriticIdentity | undefined {
    if (this.settings.critic === 'prm')
      return this.prm ? { critic: 'prm', model: this.prm.endpoint.model, protocolVersion: prmProtocolVersion(this.prm) } : undefined;
    return this.config ? { critic: 'llm', model: this.config.model, protocolVersion: PROTOCOL_VERSION } : undefined;
  }

  private loadCalibration(): void {
    this.calibration = undefined;
    this.calibrationPath = undefined;
    const problem = this.readCalibration();
    const rubricProblem = this.readRubric();
    this.settingsProblems = [
      ...this.parsedProblems,
      ...(problem ? [`stepcritic.calibration: ${problem} (P(True) is shown uncalibrated)`] : []),
      ...(rubricProblem ? [`stepcritic.rubric: ${rubricProblem} (solutions are graded only by their own front-matter rubric)`] : []),
    ];
  }

  /** A setting's path: `~/` is the home folder, a relative path is read from the first workspace folder. */
  private settingPath(setting: string): string {
    const folder = this.workspaceFolders()[0];
    return setting.startsWith('~/') ? join(homedir(), setting.slice(2)) : isAbsolute(setting) || !folder ? setting : join(folder, setting);
  }

  /** Sets the rubric the setting names, or says why there is none. */
  private readRubric(): string | undefined {
    this.rubric = undefined;
    const setting = this.settings.rubric.trim();
    if (setting === '') return undefined;
    let text: string;
    try {
      text = readFileSync(this.settingPath(setting), 'utf8');
    } catch (error) {
      return `cannot read ${setting}: ${errorMessage(error)}`;
    }
    const parsed = parseRubricText(text, setting);
    if (!parsed.ok) return parsed.error;
    this.rubric = parsed.items;
    return undefined;
  }

  /** Sets the calibration the setting names, or says why there is none. */
  private readCalibration(): string | undefined {
    const setting = this.settings.calibration.trim();
    const critic = this.criticIdentity();
    if (setting === '' || !critic) return undefined;
    const path = this.settingPath(setting);
    this.calibrationPath = resolve(path);
    try {
      const file = readCalibrationFile(path, setting);
      const mismatch = calibrationMismatch(file, critic, setting);
      if (mismatch) return mismatch;
      this.calibration = calibrationOf(file);
      return undefined;
    } catch (error) {
      return errorMessage(error);
    }
  }

  private fingerprint(): string {
    const c = this.config;
    const p = this.prm;
    const prm = p ? [p.endpoint.baseUrl, p.endpoint.model, formatFingerprint(p.format), p.api] : undefined;
    return JSON.stringify([
      this.settings.critic,
      c?.baseUrl,
      c?.model,
      c?.samples,
      c?.finalAnswerCheck,
      c?.jsonSchema,
      c?.topLogprobs,
      c?.maxTokensPerStep,
      c?.apiKey !== undefined,
      prm,
      this.trusted && this.settings.runCodeTests,
      this.rubric,
    ]);
  }

  private rebuild(): void {
    const s = this.settings;
    const resolved = resolveCriticConfig({
      explicit: {
        provider: s.provider,
        baseUrl: s.baseUrl,
        model: s.model,
        apiKey: this.apiKey,
        ...(s.concurrency > 0 ? { concurrency: s.concurrency } : this.measuredConcurrency ? { concurrency: this.measuredConcurrency } : {}),
        tokenBudget: s.tokenBudget,
        samples: s.samples,
        finalAnswerCheck: s.finalAnswerCheck,
        jsonSchema: s.jsonSchema,
        topLogprobs: s.topLogprobs,
        maxTokensPerStep: s.maxTokensPerStep,
        ...this.tuning,
      },
    });
    if (resolved.ok) {
      this.config = resolved.config;
      this.sharedClient = createLlmClient(resolved.config);
    } else {
      this.config = undefined;
      this.sharedClient = undefined;
      this.offReason = resolved.reason
        .replace(/--base-url or STEPCRITIC_BASE_URL/, 'stepcritic.baseUrl')
        .replace(/--model or STEPCRITIC_MODEL/, 'stepcritic.model')
        .replace(/set STEPCRITIC_API_KEY or OPENAI_API_KEY/, 'run "Step Critic: Set API Key"');
    }
    this.prm = undefined;
    if (s.critic === 'prm') {
      const p = s.prm;
      const prm = resolvePrmConfig(
        {
          baseUrl: p.baseUrl,
          model: p.model,
          preset: p.format || undefined,
          overrides: { separator: p.separator, template: p.template, system: p.system, positiveClass: p.positiveClass, output: p.output },
          api: p.api,
          ...(s.concurrency > 0 ? { concurrency: s.concurrency } : {}),
          tokenBudget: s.tokenBudget,
          ...this.tuning,
        },
        { model: 'stepcritic.prm.model', format: 'stepcritic.prm.separator, .template, .positiveClass and .output' },
      );
      if (prm.ok) this.prm = prm.config;
      else this.prmOffReason = prm.reason;
    }
    // One critic for every run, unless a token budget asks for a fresh one per run.
    this.sharedCritic = this.budgetPerRun() ? undefined : this.makeCritic();
    this.codeChecker = createCodeChecker({ allowRun: this.trusted && s.runCodeTests });
    this.loadCalibration();
  }

  /** Whether the client handed over an API key (never the key itself). */
  get hasApiKey(): boolean {
    return this.apiKey !== undefined;
  }

  private budgetPerRun(): boolean {
    return this.settings.tokenBudget > 0;
  }

  /** The critic the settings ask for (with a fresh budget), or undefined when it is off. */
  private makeCritic(): StepCritic | undefined {
    if (this.settings.critic === 'prm') return this.prm ? createPrmCritic(this.prm, { cache: this.cache }) : undefined;
    return this.config ? this.llmCritic(this.config) : undefined;
  }

  /** The LLM critic, sharing what is learned about the endpoint with Test Connection and reporting adaptations to the log. */
  private llmCritic(config: CriticConfig): LlmCritic {
    return createLlmCritic(config, {
      cache: this.cache,
      capabilities: this.capabilities,
      ...(this.budgetPerRun() ? { budget: new TokenBudget(config.tokenBudget) } : { client: this.sharedClient }),
      ...(this.log ? { onAdapt: this.log } : {}),
    });
  }

  get criticEnabled(): boolean {
    return this.settings.critic === 'prm' ? this.prm !== undefined : this.config !== undefined;
  }

  get thresholds(): Thresholds {
    return this.settings.thresholds;
  }

  criticStatus(): CriticStatus {
    if (this.settings.critic === 'prm') return this.prm ? { enabled: true, model: describePrmConfig(this.prm) } : { enabled: false, note: this.prmOffReason };
    return this.config ? { enabled: true, model: describeConfig(this.config) } : { enabled: false, note: this.offReason };
  }

  /** The checks for one run. With a token budget, every run gets a critic with a fresh budget. */
  dependencies(isAccepted: JudgeDependencies['isAccepted']): JudgeDependencies {
    const deps: JudgeDependencies = {
      codeChecker: this.codeChecker,
      isAccepted,
      ...(this.calibration ? { calibration: this.calibration } : {}),
      ...(this.rubric ? { rubric: this.rubric } : {}),
    };
    const critic = this.sharedCritic ?? this.makeCritic();
    if (critic) deps.critic = critic;
    else deps.criticOffReason = this.criticStatus().note;
    return deps;
  }

  /** Why the refine actions cannot run (no chat model), worded with the settings to change. */
  refineUnavailableReason(): string {
    if (this.settings.critic === 'prm') {
      return `Refinement needs a chat model to write the rewrite: the PRM critic only scores steps. Set stepcritic.model (with stepcritic.provider or stepcritic.baseUrl); the PRM then re-scores every proposal before it is offered. (${this.offReason})`;
    }
    return `Refinement needs the LLM critic. ${this.offReason}`;
  }

  refineModel(): RefineModel | undefined {
    const config = this.config;
    const client = this.sharedClient;
    if (!config || !client) return undefined;
    return {
      async complete(messages, options) {
        const reply = await client.chat({
          model: config.model,
          messages,
          maxTokens: REFINE_MAX_TOKENS,
          temperature: 0.2,
          signal: options.signal,
        });
        return { content: reply.choices[0]?.content ?? '', usage: { promptTokens: reply.promptTokens, completionTokens: reply.completionTokens } };
      },
    };
  }

  /** The shared probe (a two-step critique, P(True) source, speed, concurrency), worded for the editor. */
  async testConnection(signal?: AbortSignal): Promise<TestConnectionResult> {
    if (this.settings.critic === 'prm') return this.testPrm(signal);
    const config = this.config;
    if (!config) return { ok: false, logprobs: null, latencyMs: null, message: this.offReason };
    const probe = await probeEndpoint({ ...config, maxRetries: 0 }, { signal, capabilities: this.capabilities });
    if (probe.concurrency && probe.concurrency.sustained !== this.measuredConcurrency) {
      this.measuredConcurrency = probe.concurrency.sustained;
      if (this.settings.concurrency === 0) this.rebuild();
    }
    const where = describeConfig(config);
    const editorFix = (fix: string) =>
      fix
        .replace(/--base-url \/ STEPCRITIC_BASE_URL/g, 'stepcritic.baseUrl')
        .replace(/--model \/ STEPCRITIC_MODEL/g, 'stepcritic.model')
        .replace(/--max-tokens-per-step/g, 'stepcritic.maxTokensPerStep')
        .replace(/--json-schema/g, 'stepcritic.jsonSchema')
        .replace(/set (a valid key in )?STEPCRITIC_API_KEY \(or OPENAI_API_KEY\)/g, 'run "Step Critic: Set API Key"');
    const message = probe.ok
      ? `Connected to ${where}: ${summariseProbe(probe)}`
      : `Could not use ${where}: ${probe.problem?.message ?? 'unknown problem'}${probe.problem ? ` ${editorFix(probe.problem.fix)}` : ''}`;
    return { ok: probe.ok, baseUrl: probe.baseUrl, model: probe.model, logprobs: probe.logprobs, latencyMs: probe.latencyMs ?? null, message };
  }

  /** The PRM probe (pooling model? which API? a test solution's scores), worded for the editor. */
  private async testPrm(signal?: AbortSignal): Promise<TestConnectionResult> {
    const prm = this.prm;
    if (!prm) return { ok: false, logprobs: null, latencyMs: null, message: this.prmOffReason };
    const probe = await probePrm({ ...prm, endpoint: { ...prm.endpoint, timeoutMs: Math.min(prm.endpoint.timeoutMs, 30_000) } }, { signal });
    const where = describePrmConfig(prm);
    const scores = (probe.samplePTrue ?? []).map((p) => p.toFixed(2)).join(', ');
    const refine = this.config ? ` Refinement: ${describeConfig(this.config)}.` : ' No chat model for refinement (stepcritic.model).';
    const message = probe.ok
      ? `Connected to ${where} in ${probe.latencyMs ?? 0} ms: a pooling model (${probe.api === 'legacy' ? 'older pooling API' : 'token_classify'}); test steps scored ${scores}.${probe.notes.length > 0 ? ` ${probe.notes.join(' ')}` : ''}${refine}`
      : `Could not use ${where}: ${probe.problem?.message ?? 'unknown problem'} ${(probe.problem?.fix ?? '')
          .replace(/--prm-base-url \/ STEPCRITIC_PRM_BASE_URL/g, 'stepcritic.prm.baseUrl')
          .replace(/--prm-model \/ STEPCRITIC_PRM_MODEL/g, 'stepcritic.prm.model')
          .replace(/--prm-format FILE/g, 'stepcritic.prm.separator, .template, .positiveClass and .output')}`.trim();
    return { ok: probe.ok, baseUrl: probe.url, model: probe.model, logprobs: null, latencyMs: probe.latencyMs ?? null, message };
  }
}

/** A working probe in a few sentences: the critique, P(True), structured output, speed, concurrency. */
function summariseProbe(probe: ProbeResult): string {
  const parts = [`a two-step critique came back judged${probe.latencyMs !== undefined ? ` in ${probe.latencyMs} ms` : ''}.`];
  if (probe.pTrueSource) parts.push(`P(True) from ${probe.pTrueSource}: ${probe.pTrueReason ?? ''}.`);
  if (probe.structuredOutput === 'enforced') parts.push('A JSON schema shapes the replies.');
  if (probe.speed?.tokensPerSecond) parts.push(`${probe.speed.tokensPerSecond.toFixed(0)} tokens/s.`);
  if (probe.concurrency && probe.concurrency.sustained < probe.concurrency.tested) {
    parts.push(`The server answers ${probe.concurrency.sustained} request${probe.concurrency.sustained === 1 ? '' : 's'} at a time; the critic sends no more.`);
  }
  return [...parts, ...probe.adaptations.map((a) => `Adapted: ${a}.`), ...probe.notes].join(' ');
}

function pickEndpoint(settings: StepCriticSettings): UserEndpoint {
  return {
    provider: settings.provider,
    baseUrl: settings.baseUrl,
    model: settings.model,
    prm: { baseUrl: settings.prm.baseUrl, model: settings.prm.model },
    calibration: settings.calibration,
  };
}

/** The settings with the user's own endpoint, and no code run. */
function withEndpoint(settings: StepCriticSettings, endpoint: UserEndpoint): StepCriticSettings {
  const { provider, baseUrl, model, calibration } = endpoint;
  return { ...settings, provider, baseUrl, model, prm: { ...settings.prm, ...endpoint.prm }, calibration, runCodeTests: false };
}

/** The settings asked for that an untrusted workspace has no say in, by name. */
function overridden(requested: StepCriticSettings, endpoint: UserEndpoint): string[] {
  const pairs: [string, unknown, unknown][] = [
    ['provider', requested.provider, endpoint.provider],
    ['baseUrl', requested.baseUrl, endpoint.baseUrl],
    ['model', requested.model, endpoint.model],
    ['prm.baseUrl', requested.prm.baseUrl, endpoint.prm.baseUrl],
    ['prm.model', requested.prm.model, endpoint.prm.model],
    ['calibration', requested.calibration, endpoint.calibration],
    ['runCodeTests', requested.runCodeTests, false],
  ];
  return pairs.filter(([, asked, used]) => asked !== used).map(([key]) => `stepcritic.${key}`);
}
