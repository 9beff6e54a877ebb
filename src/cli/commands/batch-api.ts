// `check --batch-api` and `eval --batch-api`: before the judging pass, the critic's requests go through
// the endpoint's batch API (engine/batch/provider-batch.ts) and the judging pass takes its replies from
// the results, as `batch import` does. The export pass is the command's own judging pass with a critic
// whose requests are written (check: only for the solutions the run log does not have yet); a status
// line follows the batches while they run.
import type { BatchResults } from '../../engine/batch/batch-files';
import type { BatchState } from '../../engine/batch/provider-batch';
import { ProviderBatches, runBatchRounds } from '../../engine/batch/provider-batch';
import type { RunLogWriter } from '../../engine/batch/run-log';
import type { SwitchedReplySource } from '../../engine/llm/batch-request';
import type { LlmCritic } from '../../engine/llm/critic';
import type { PipelineItem } from '../../engine/pipeline/items';
import { itemKey } from '../../engine/pipeline/items';
import { performance } from 'node:perf_hooks';
import { errorMessage } from '../../engine/error-message';
import { LlmError } from '../../engine/llm/errors';
import { emptyUsage } from '../../engine/types';
import type { CliContext } from '../command';
import { EXIT_INTERRUPTED, EXIT_USAGE } from '../command';
import type { BatchApiSettings } from './check-options';

/** The longest wait between two polls. */
const MAX_POLL_MS = 300_000;

/**
 * Runs the batches for what the run log lacks and returns their results, now the critic's reply source;
 * or, when they could not run (interrupted, the endpoint refused), closes the log and returns the exit
 * status, having said how to re-attach (`resumeHint`).
 */
export async function batchApiResults(
  context: CliContext,
  settings: { batchApi: BatchApiSettings; quiet: boolean; resumeHint: string },
  critic: LlmCritic,
  runLog: RunLogWriter,
  replies: SwitchedReplySource,
  exportPass: () => Promise<unknown>,
): Promise<BatchResults | { exit: number }> {
  const started = performance.now();
  try {
    return await runBatches(context, settings, critic, runLog, replies, exportPass);
  } catch (error) {
    const interrupted = context.signal.aborted;
    const reason = interrupted ? 'cancelled while the batches ran' : errorMessage(error);
    runLog.close({ interrupted: true, reason, durationMs: performance.now() - started, judgedThisRun: 0, usage: emptyUsage() });
    if (!interrupted && !(error instanceof LlmError)) throw error;
    context.stderr.write(`stepcritic: ${interrupted ? 'interrupted' : reason}; the batches in flight go on at the provider, and ${settings.resumeHint}\n`);
    return { exit: interrupted ? EXIT_INTERRUPTED : EXIT_USAGE };
  }
}

async function runBatches(
  context: CliContext,
  settings: { batchApi: BatchApiSettings; quiet: boolean },
  critic: LlmCritic,
  runLog: RunLogWriter,
  replies: SwitchedReplySource,
  exportPass: () => Promise<unknown>,
): Promise<BatchResults> {
  const { baseUrl, apiKey } = critic.config;
  const batches = new ProviderBatches({
    baseUrl,
    ...(apiKey !== undefined ? { apiKey } : {}),
    pollMs: settings.batchApi.pollMs,
    maxPollMs: Math.max(settings.batchApi.pollMs, MAX_POLL_MS),
  });
  const line = statusLine(context, settings.quiet);
  try {
    const results = await runBatchRounds({
      batches,
      runLog,
      limits: settings.batchApi.limits,
      signal: context.signal,
      onState: line.update,
      onNote: (note) => line.note(note),
      learnFromRefusal: async (refusal) => (await critic.endpoint()).learnFromBatchRefusal(refusal),
      exportRequests: async (writer) => {
        replies.current = writer;
        await exportPass();
      },
    });
    replies.current = results;
    return results;
  } finally {
    line.finish();
  }
}

/** The items a run log does not have yet: what check's export pass asks about. */
export async function* notDone(items: AsyncIterable<PipelineItem>, done: ReadonlySet<string>): AsyncGenerator<PipelineItem> {
  for await (const item of items) if (!done.has(itemKey(item))) yield item;
}

/** `batch: in_progress, 1,234 of 10,000 answered, 3 failed`: redrawn on a terminal, else a line when a status changes. */
function statusLine(context: CliContext, quiet: boolean): { update: (states: BatchState[]) => void; note: (text: string) => void; finish: () => void } {
  const tty = context.stderr.isTTY === true;
  let shown = false;
  let lastStatuses = '';
  const clear = () => {
    if (shown) context.stderr.write('\r\x1b[K');
    shown = false;
  };
  return {
    update(states) {
      if (quiet) return;
      const statuses = [...new Set(states.map((s) => s.status))].join(', ');
      const total = states.reduce((sum, s) => sum + s.counts.total, 0);
      const completed = states.reduce((sum, s) => sum + s.counts.completed, 0);
      const failed = states.reduce((sum, s) => sum + s.counts.failed, 0);
      const text = `batch${states.length === 1 ? '' : 'es'}: ${statuses}, ${completed.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} answered${failed > 0 ? `, ${failed.toLocaleString('en-US')} failed` : ''}`;
      if (tty) {
        context.stderr.write(`\r${text.slice(0, (context.stderr.columns ?? 80) - 1)}\x1b[K`);
        shown = true;
      } else if (statuses !== lastStatuses) context.stderr.write(`stepcritic: ${text}\n`);
      lastStatuses = statuses;
    },
    note(text) {
      if (quiet) return;
      clear();
      context.stderr.write(`stepcritic: ${text}\n`);
    },
    finish: clear,
  };
}
