// What `check` settles before the first solution is judged: the configuration a run log is keyed by,
// the run log itself (continued with --resume, refused when it would mix two configurations), and —
// with a critic — a streamed pre-pass that counts the items and estimates the cost, asking on a
// terminal before a large run.
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { hashConfig } from '../../engine/batch/config-hash';
import { CONFIRM_ABOVE_TOKENS, describeEstimate, estimateRun } from '../../engine/batch/estimate';
import { batchPrices } from '../../engine/batch/provider-batch';
import type { RunLogWriter } from '../../engine/batch/run-log';
import { openRunLog, RunLogError } from '../../engine/batch/run-log';
import { samplingSettings } from '../../engine/llm/config';
import type { PipelineItem } from '../../engine/pipeline/items';
import { emptyUsage } from '../../engine/types';
import { TOOL_VERSION } from '../../engine/version';
import { calibrationFingerprint } from '../../engine/calibration/file';
import type { CliContext } from '../command';
import { EXIT_CLEAN, EXIT_INTERRUPTED, UsageError } from '../command';
import type { CheckDependencies } from '../deps';
import type { CheckSettings } from './check-options';

/** Everything that decides a verdict; a resumed run must match it. */
export function runConfig(settings: CheckSettings, dependencies: CheckDependencies): Record<string, unknown> {
  const llm = dependencies.llm;
  return {
    critic: dependencies.critic.enabled
      ? {
          model: llm?.config.model ?? dependencies.critic.model,
          baseUrl: llm?.config.baseUrl,
          sampling: llm ? samplingSettings(llm.config) : undefined,
          finalAnswerCheck: llm?.config.finalAnswerCheck,
        }
      : 'off',
    promptVersion: dependencies.promptVersion,
    calibration: calibrationFingerprint(dependencies.deps.calibration),
    rubric: dependencies.deps.rubric ?? 'front matter',
    runCode: dependencies.runCode,
    triage: settings.triage ? { mode: settings.triage, ...(settings.triage === 'answer' ? { threshold: settings.triageThreshold } : {}) } : 'off',
    maxSteps: settings.maxSteps,
    datasetFormat: settings.datasetFormat,
  };
}

export type Prepared = { ok: true; runLog?: RunLogWriter; total: number | null; configHash: string } | { ok: false; exit: number };

export async function prepareRun(
  context: CliContext,
  settings: CheckSettings,
  dependencies: CheckDependencies,
  items: () => AsyncIterable<PipelineItem>,
  inputs: readonly string[],
): Promise<Prepared> {
  const config = runConfig(settings, dependencies);
  const configHash = hashConfig(config);
  const openLog = async () => {
    if (settings.runLog === undefined) return undefined;
    try {
      return await openRunLog({
        path: resolve(context.cwd, settings.runLog),
        resume: settings.resume,
        retryErrors: settings.retryErrors,
        configHash,
        config,
        tool: { version: TOOL_VERSION, ...(dependencies.promptVersion !== undefined ? { protocolVersion: dependencies.promptVersion } : {}) },
        critic: dependencies.critic,
        inputs,
        ...(settings.shard ? { shard: settings.shard } : {}),
      });
    } catch (error) {
      if (error instanceof RunLogError) throw new UsageError(error.message);
      throw error;
    }
  };
  // A resumed run needs the log's done items before the estimate; a new log is made only once the
  // run is sure to start, so that a declined estimate leaves nothing behind.
  const resumed = settings.resume ? await openLog() : undefined;
  // Replies from a batch import cost nothing now: no estimate; --batch-api's are at the batch price.
  const criticOn = dependencies.deps.critic !== undefined && (dependencies.llm?.client.batched !== true || settings.batchApi !== undefined);
  const prices = settings.prices && settings.batchApi ? batchPrices(settings.prices) : settings.prices;
  let total: number | null = null;
  if (criticOn) {
    const estimate = await estimateRun(items(), {
      done: resumed?.done,
      critic: true,
      document: { maxSteps: settings.maxSteps },
      ...(prices ? { prices } : {}),
      signal: context.signal,
    });
    // A batch asks each request's samples with it (they are used only when its reply has no log-probabilities).
    const llmConfig = dependencies.llm?.config;
    if (settings.batchApi && llmConfig && llmConfig.samples > 1 && llmConfig.logprobs !== 'always') {
      for (const key of ['requests', 'promptTokens', 'completionTokens', 'costUsd'] as const) {
        if (estimate[key] !== undefined) estimate[key] *= llmConfig.samples;
      }
    }
    const stop = (reason: string, exit: number): Prepared => {
      resumed?.close({ interrupted: true, reason, durationMs: 0, judgedThisRun: 0, usage: emptyUsage() });
      return { ok: false, exit };
    };
    if (context.signal.aborted) return stop('cancelled before starting', EXIT_INTERRUPTED);
    total = estimate.items;
    if (!settings.quiet) {
      const batch = settings.batchApi && estimate.costUsd !== undefined ? ' at the batch price (half the live one)' : '';
      context.stderr.write(`stepcritic: ${describeEstimate(estimate, dependencies.critic.model)}${batch}${settings.triage ? ' (before triage)' : ''}\n`);
      const limit = dependencies.llm?.budget.limit ?? 0;
      if (limit > 0 && estimate.promptTokens + estimate.completionTokens > limit) {
        context.stderr.write(
          `stepcritic: the token budget of ${limit.toLocaleString('en-US')} will stop the run before the end; --resume with a larger --budget continues it\n`,
        );
      }
    }
    const large = estimate.promptTokens + estimate.completionTokens > CONFIRM_ABOVE_TOKENS;
    if (large && !settings.yes && process.stdin.isTTY === true && context.stderr.isTTY === true && !(await confirm('Start this run? [y/N] '))) {
      context.stderr.write('stepcritic: not started; nothing was judged (--yes skips this question)\n');
      return stop('not started', EXIT_CLEAN);
    }
  }
  const runLog = resumed ?? (await openLog());
  return { ok: true, total, configHash, ...(runLog ? { runLog } : {}) };
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
