// The eval of a run split over machines: each shard's `eval --shard I/N --run-log` logs its scored
// solutions with their split, and `eval --merge` scores the logs together — the same figures as one
// unsharded run (ECE, Brier and AUROC need every step, so per-shard figures cannot be averaged). The
// logs are read as `stepcritic report` reads them (run-log-reader.ts): a solution in two logs counts
// once, logs made with different configurations are refused.
import { z } from 'zod';
import { RunLogError } from '../batch/run-log';
import type { RunLogIndex } from '../batch/run-log-reader';
import { CalibrationNoteSchema } from '../types';
import {
  assembleEvalReport,
  countSkipped,
  scored,
  skipReason,
  splitOf,
  type EvalItemResult,
  type EvalReport,
  type EvalRunInfo,
  type SkippedRecords,
} from './run';

/** What an eval run log's header keeps of its run (config.eval): what its report says about the run. */
const EvalRunInfoSchema = z.object({
  model: z.string().nullable(),
  critic: z.string(),
  threshold: z.number(),
  protocolVersion: z.string().optional(),
  calibration: CalibrationNoteSchema.optional(),
  sample: z.object({ size: z.number(), seed: z.number() }).optional(),
});

/** The run-log configuration of an eval: the judge's settings and the run's (all of it decides the figures). */
export function evalRunConfig(judge: unknown, run: EvalRunInfo): Record<string, unknown> {
  return { command: 'eval', judge, eval: run };
}

/** The run info an eval log was made with, or why the log is not an eval's. */
function runInfoOf(log: RunLogIndex): EvalRunInfo {
  const path = log.logs[0]!.path;
  if (log.header.config.command !== 'eval')
    throw new RunLogError(`${path} is the run log of a check, not of an eval: 'stepcritic report' renders it (eval --merge scores eval run logs)`);
  const parsed = EvalRunInfoSchema.safeParse(log.header.config.eval);
  if (!parsed.success)
    throw new RunLogError(`${path} is the run log of an eval --batch-api from before scored solutions were logged: run the eval again with --run-log`);
  return parsed.data;
}

/** Scores the solutions of one or several eval run logs as one eval. */
export async function evalFromRunLog(log: RunLogIndex): Promise<EvalReport> {
  const run = runInfoOf(log);
  const results: EvalItemResult[] = [];
  const skipped: SkippedRecords = { count: 0, reasons: {} };
  for await (const item of log.items()) {
    const result = scored(item.entry, item.split ?? splitOf(item.entry.uri.replace(/#[^#]*$/, '')).name);
    if (result) results.push(result);
    else countSkipped(skipped, skipReason(item.entry));
  }
  const interrupted = log.logs.filter((l) => l.end === undefined || l.end.interrupted).map((l) => l.path);
  return assembleEvalReport(results, {
    ...run,
    datasets: [...new Set(log.logs.flatMap((l) => l.header.inputs))],
    timeMs: log.durationMs,
    skipped,
    ...(interrupted.length > 0 ? { stopped: `the run in ${interrupted.join(', ')} has not finished (interrupted, or still running)` } : {}),
    merged: { logs: log.logs.length, duplicates: log.duplicates, ...(log.shards ? { shards: log.shards } : {}) },
  });
}
