// `eval --batch-api`: the run log keeps the batches (not the judged solutions: eval scores every
// solution afresh from the batches' results, which stay downloaded beside it), so a run stopped while
// the batches are in flight is continued with --resume and pays nothing twice. The export pass is
// eval's own judging pass with a critic whose requests are written, so that --sample, --limit, --split
// and --shard ask about exactly the solutions that are then scored.
import { resolve } from 'node:path';
import type { BatchResults } from '../../engine/batch/batch-files';
import { hashConfig } from '../../engine/batch/config-hash';
import type { RunLogWriter } from '../../engine/batch/run-log';
import { openRunLog, RunLogError } from '../../engine/batch/run-log';
import type { SwitchedReplySource } from '../../engine/llm/batch-request';
import { samplingSettings } from '../../engine/llm/config';
import type { LlmCritic } from '../../engine/llm/critic';
import { PROTOCOL_VERSION } from '../../engine/llm/protocol';
import { TOOL_VERSION } from '../../engine/version';
import type { CliContext } from '../command';
import { UsageError } from '../command';
import { batchApiResults } from './batch-api';
import type { BatchApiSettings } from './check-options';

export interface EvalBatchSettings {
  batchApi: BatchApiSettings;
  runLog: string;
  resume: boolean;
  inputs: readonly string[];
}

export interface EvalBatches {
  results: BatchResults;
  runLog: RunLogWriter;
}

/** Runs the batches of an eval (or re-attaches to them) and returns their results, or the exit status when they could not run. */
export async function evalBatchReplies(
  context: CliContext,
  settings: EvalBatchSettings,
  critic: LlmCritic,
  replies: SwitchedReplySource,
  exportPass: () => Promise<unknown>,
): Promise<EvalBatches | { exit: number }> {
  const config = {
    command: 'eval',
    critic: { model: critic.config.model, baseUrl: critic.config.baseUrl, sampling: samplingSettings(critic.config) },
    promptVersion: PROTOCOL_VERSION,
  };
  let runLog: RunLogWriter;
  try {
    runLog = await openRunLog({
      path: resolve(context.cwd, settings.runLog),
      resume: settings.resume,
      configHash: hashConfig(config),
      config,
      tool: { version: TOOL_VERSION, protocolVersion: PROTOCOL_VERSION },
      critic: { enabled: true, model: critic.config.model },
      inputs: settings.inputs,
    });
  } catch (error) {
    if (error instanceof RunLogError) throw new UsageError(error.message);
    throw error;
  }
  const ran = await batchApiResults(
    context,
    { batchApi: settings.batchApi, quiet: false, resumeHint: 'the same command with --resume re-attaches to them' },
    critic,
    runLog,
    replies,
    exportPass,
  );
  return 'exit' in ran ? ran : { results: ran, runLog };
}
