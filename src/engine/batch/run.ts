// runBatch: judges a stream of items with bounded concurrency.
//
// - Items are pulled from the (lazy) source only when a worker is free, so memory holds the items in
//   flight, not the whole dataset.
// - Each item is isolated: a record that cannot be parsed, or a judge that throws, becomes a `failed`
//   entry with the reason and the batch goes on.
// - Each finished item is appended to the run log at once (see run-log.ts); an item already in the
//   log (same id and content hash) is skipped, which is what `--resume` is.
// - Cancelling (the signal) stops taking items and aborts the ones in flight; those are not logged, so
//   a resumed run judges them. A token budget stops taking new items once it is spent; the items in
//   flight finish and are kept.
// The concurrency here is the number of solutions in flight; the LLM client's own global cap still
// bounds the requests underneath.
import type { JudgeDependencies, JudgeOptions } from '../judge';
import type { EntryOrigin } from '../report/build';
import { judgedFileReport, unjudgedFileReport } from '../report/build';
import type { FileReport } from '../report/schema';
import type { SolutionDocument, SolutionJudgement } from '../types';
import type { BatchItem } from './items';
import { itemKey } from './items';
import type { BatchProgress } from './progress';
import { ProgressTracker } from './progress';
import type { RunLogWriter, TriageInfo } from './run-log';
import type { TriageOptions } from './triage';
import { judgeWithTriage } from './triage';

export interface FinishedItem {
  item: BatchItem;
  entry: FileReport;
  /** Present when the item was parsed (for surfaces that show diagnostics on it). */
  document?: SolutionDocument;
  judgement?: SolutionJudgement;
  triage?: TriageInfo;
}

export interface RunBatchOptions {
  /** Solutions in flight at once (default 4). */
  concurrency?: number;
  /** The checks the surface allows (critic, code checker, accepted steps). */
  deps: JudgeDependencies;
  judgeOptions?: Omit<JudgeOptions, 'signal' | 'onCriticStep'>;
  /** Turns an item into a document; the default parses files and dataset records. */
  toDocument: (item: BatchItem) => Promise<SolutionDocument>;
  triage?: TriageOptions;
  /** Where finished items go as they finish; its `done` keys are skipped. */
  runLog?: RunLogWriter;
  /** Total number of items when known (for the progress bar and the time left). */
  total?: number | null;
  /** Stop taking new items once this many prompt + completion tokens are spent (0 or unset: none). */
  tokenBudget?: number;
  signal?: AbortSignal;
  onProgress?: (progress: BatchProgress) => void;
  onItem?: (finished: FinishedItem) => void;
}

export interface BatchResult {
  progress: BatchProgress;
  /** Cancelled, or stopped by the token budget, before every item was taken. */
  interrupted: boolean;
  /** Why it stopped early. */
  reason?: string;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function runBatch(items: AsyncIterable<BatchItem>, options: RunBatchOptions): Promise<BatchResult> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const tracker = new ProgressTracker(options.total ?? null);
  const done = options.runLog?.done;
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) inner.abort(options.signal.reason);

  let stopReason: string | undefined;
  const iterator = items[Symbol.asyncIterator]();
  let exhausted = false;

  const report = () => options.onProgress?.(tracker.snapshot());

  async function nextItem(): Promise<BatchItem | undefined> {
    // Async generators queue concurrent next() calls, so workers can share one iterator.
    while (!exhausted && !inner.signal.aborted && stopReason === undefined) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        return undefined;
      }
      if (done?.has(itemKey(next.value))) {
        tracker.resumed();
        continue;
      }
      return next.value;
    }
    return undefined;
  }

  async function judgeItem(item: BatchItem): Promise<Omit<FinishedItem, 'item'>> {
    const origin: EntryOrigin = { uri: item.id, path: item.path, ...(item.record ? { record: item.record } : {}) };
    if (item.source.kind === 'unreadable') {
      return { entry: unjudgedFileReport(origin, item.source.status, item.source.reason) };
    }
    const started = performance.now();
    let document: SolutionDocument;
    try {
      document = await options.toDocument(item);
    } catch (error) {
      return { entry: unjudgedFileReport(origin, 'failed', `cannot be read as a solution: ${errorMessage(error)}`) };
    }
    const judged = await judgeWithTriage(document, options.deps, { ...options.judgeOptions, signal: inner.signal }, options.triage);
    return {
      document,
      judgement: judged.judgement,
      ...(judged.triage ? { triage: judged.triage } : {}),
      entry: judgedFileReport(origin, document, judged.judgement, performance.now() - started),
    };
  }

  async function worker(): Promise<void> {
    for (;;) {
      const item = await nextItem();
      if (item === undefined) return;
      tracker.started();
      let finished: FinishedItem;
      try {
        finished = { item, ...(await judgeItem(item)) };
      } catch (error) {
        if (inner.signal.aborted) {
          // Interrupted mid-judgement: not logged, so a resumed run judges it again.
          tracker.abandoned();
          return;
        }
        const origin: EntryOrigin = { uri: item.id, path: item.path, ...(item.record ? { record: item.record } : {}) };
        finished = { item, entry: unjudgedFileReport(origin, 'failed', `could not be judged: ${errorMessage(error)}`) };
      }
      if (inner.signal.aborted && finished.entry.status === 'judged' && finished.judgement?.critic.enabled && hasErrors(finished.entry)) {
        // The abort reached the critic, which turned it into "could not judge": not a real verdict.
        tracker.abandoned();
        return;
      }
      options.runLog?.append(finished.entry, { id: item.id, contentHash: item.contentHash }, finished.triage);
      tracker.finishedEntry(finished.entry);
      options.onItem?.(finished);
      if (options.tokenBudget && options.tokenBudget > 0 && tracker.tokensUsed() >= options.tokenBudget && stopReason === undefined) {
        stopReason = `the token budget of ${options.tokenBudget} tokens is spent`;
      }
      report();
    }
  }

  report();
  try {
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    if (!exhausted) await iterator.return?.(undefined);
  }
  const interrupted = inner.signal.aborted || stopReason !== undefined;
  const reason = inner.signal.aborted ? 'cancelled' : stopReason;
  const progress = tracker.snapshot();
  if (!interrupted && progress.total === null) tracker.setTotal(progress.done);
  return { progress: tracker.snapshot(), interrupted, ...(reason ? { reason } : {}) };
}

function hasErrors(entry: FileReport): boolean {
  return entry.steps.some((s) => s.verdict === 'error');
}
