// `eval --run-log FILE`: every scored solution is logged with its split (and, with --batch-api, the
// batches), so that the logs of an eval's shards are scored together by `eval --merge`, as `report`
// merges the shards of a check. The log is keyed by the judge's settings and the run's (threshold,
// calibration, sample): logs of two different evals are never scored as one.
import { resolve } from 'node:path';
import { hashConfig } from '../../engine/batch/config-hash';
import type { RunLogWriter } from '../../engine/batch/run-log';
import { openRunLog, RunLogError } from '../../engine/batch/run-log';
import { evalFromRunLog, evalRunConfig } from '../../engine/eval/merge';
import type { EvalReport, EvalRunInfo } from '../../engine/eval/run';
import { samplingSettings } from '../../engine/llm/config';
import type { Shard } from '../../engine/pipeline/shard';
import { TOOL_VERSION } from '../../engine/version';
import type { CliContext } from '../command';
import { UsageError } from '../command';
import type { CliStepCritic } from './prm-options';
import { readRunLogs } from './run-logs';

export interface EvalRunLogSettings {
  path: string;
  resume: boolean;
  inputs: readonly string[];
  shard?: Shard;
}

/** Opens (or with --resume continues) the run log of an eval; refused when it would mix two configurations. */
export async function openEvalRunLog(context: CliContext, settings: EvalRunLogSettings, setup: CliStepCritic, run: EvalRunInfo): Promise<RunLogWriter> {
  const llm = setup.llm?.config;
  const judge = llm ? { model: llm.model, baseUrl: llm.baseUrl, sampling: samplingSettings(llm) } : (setup.critic?.description ?? 'off');
  const config = evalRunConfig(judge, run);
  try {
    return await openRunLog({
      path: resolve(context.cwd, settings.path),
      resume: settings.resume,
      configHash: hashConfig(config),
      config,
      tool: { version: TOOL_VERSION, ...(setup.protocolVersion !== undefined ? { protocolVersion: setup.protocolVersion } : {}) },
      critic: setup.critic ? { enabled: true, model: setup.model ?? setup.critic.description } : { enabled: false, note: setup.offReason ?? 'off' },
      inputs: settings.inputs,
      ...(settings.shard ? { shard: settings.shard } : {}),
    });
  } catch (error) {
    if (error instanceof RunLogError) throw new UsageError(error.message);
    throw error;
  }
}

/** `eval --merge RUNLOG…`: the logs' solutions scored as one eval, with what the user should know about the logs. */
export async function mergeEvalRunLogs(context: CliContext, paths: readonly string[]): Promise<EvalReport> {
  const log = await readRunLogs(
    context,
    paths.map((p) => resolve(context.cwd, p)),
  );
  try {
    return await evalFromRunLog(log);
  } catch (error) {
    if (error instanceof RunLogError) throw new UsageError(error.message);
    throw error;
  }
}
