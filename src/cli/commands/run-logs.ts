// Run logs read for a report (`stepcritic report`, `stepcritic eval --merge`): one log or the shards
// of a run, with what the user should know about them said once on stderr — lines that could not be
// read, a run that has not finished, solutions found in two logs, shards not given.
import type { RunLogFile, RunLogIndex } from '../../engine/batch/run-log-reader';
import { readRunLog } from '../../engine/batch/run-log-reader';
import { RunLogError } from '../../engine/batch/run-log';
import { describeShards } from '../../engine/report/findings';
import type { CliContext } from '../command';
import { UsageError } from '../command';

export async function readRunLogs(context: CliContext, paths: readonly string[]): Promise<RunLogIndex> {
  let log: RunLogIndex;
  try {
    log = await readRunLog(paths);
  } catch (error) {
    if (error instanceof RunLogError) throw new UsageError(error.message);
    throw error;
  }
  for (const file of log.logs) describeLogFile(context, file, log.logs.length === 1 ? `the ${log.count}` : 'the');
  if (log.duplicates > 0) {
    context.stderr.write(
      `stepcritic: ${log.duplicates} ${log.duplicates === 1 ? 'solution is' : 'solutions are'} in more than one run log: each counted once (its latest judgement)\n`,
    );
  }
  if (log.shards) {
    const missing = Array.from({ length: log.shards.count }, (_, i) => i + 1).filter((i) => !log.shards!.included.includes(i));
    context.stderr.write(
      `stepcritic: the report covers ${describeShards(log.shards)}: ${missing.length === 1 ? 'shard' : 'shards'} ${missing.join(', ')} of ${log.shards.count} not given\n`,
    );
  }
  return log;
}

/** What the user should know about one log: lines it could not read, a run that has not finished. */
function describeLogFile(context: CliContext, file: RunLogFile, items: string): void {
  for (const problem of file.problems.slice(0, 5)) context.stderr.write(`stepcritic: ${file.path}: ${problem}; skipped\n`);
  if (file.problems.length > 5) context.stderr.write(`stepcritic: ${file.path}: ${file.problems.length - 5} more unreadable lines skipped\n`);
  const command = file.header.config.command === 'eval' ? 'eval' : 'check';
  if (file.end === undefined) {
    context.stderr.write(`stepcritic: the run in ${file.path} has not finished (still running, or stopped): reporting ${items} items done so far\n`);
  } else if (file.end.interrupted) {
    context.stderr.write(
      `stepcritic: the run in ${file.path} was interrupted (${file.end.reason ?? 'stopped'}): reporting ${items} items done; 'stepcritic ${command} … --run-log ${file.path} --resume' continues it\n`,
    );
  }
}
