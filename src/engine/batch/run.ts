// runBatch: judges a stream of items with bounded concurrency.
//
// - Items are pulled from the (lazy) source only when a worker is free, so memory holds the items in
//   flight, not the whole dataset.
// - Each item is isolated: a record that cannot be parsed, or a judge that throws, becomes a `failed`
//   entry with the reason and the batch goes on.
// - Each finished item is appended to the run log at once (see run-log.ts); an item already in the
//   log (same id and content hash) is skipped, which is what `--resume` is.
// - Cancelling (the signal) stops taking items and aborts the ones in flight; those are not logged, so
//   a resumed run judges them. When the LLM client's token budget is spent, the item that hit it is
//   not logged either (its unjudged steps would otherwise pass for done), no new item is taken, and
//   the items in flight finish; what was judged is in the log and the critic's cache, so `--resume`
//   with a larger budget carries on where it stopped.
// The concurrency here is the number of solutions in flight; the LLM client's own global cap still
// bounds the requests underneath.
import { setMaxListeners } from 'node:events';
import type { JudgeDependencies, JudgeOptions } from '../judge';
import { BUDGET_REACHED, LlmError } from '../llm/errors';
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
import type { ResultCache } from './result-cache';
import { isReusable } from './result-cache';
import { itemToDocument } from './to-document';
import { errorMessage } from '../error-message';

export interface FinishedItem {
  item: BatchItem;
  /** The result came from the result cache (nothing was judged). */
  cached?: boolean;
  /** Position of the item in the input (from 0, counting items skipped as already done). */
  sequence: number;
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
  toDocument?: (item: BatchItem) => Promise<SolutionDocument>;
  triage?: TriageOptions;
  /** Where finished items go as they finish; its `done` keys are skipped. */
  runLog?: RunLogWriter;
  /** Total number of items when known (for the progress bar and the time left). */
  total?: number | null;
  signal?: AbortSignal;
  onProgress?: (progress: BatchProgress) => void;
  onItem?: (finished: FinishedItem) => void;
  /** An item skipped because the run log already has it (for surfaces that print in input order). */
  onResumed?: (item: BatchItem, sequence: number) => void;
  /**
   * Whole results of earlier runs, by key (see result-cache.ts): a hit is logged and reported without
   * being parsed, verified or sent to the critic.
   */
  resultCache?: { cache: ResultCache; keyOf: (item: BatchItem) => string };
}

export interface BatchResult {
  progress: BatchProgress;
  /** Cancelled, or stopped by the token budget, before every item was taken. */
  interrupted: boolean;
  /** Why it stopped early. */
  reason?: string;
}

export async function runBatch(items: AsyncIterable<BatchItem>, options: RunBatchOptions): Promise<BatchResult> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const toDocument = options.toDocument ?? ((item: BatchItem) => itemToDocument(item));
  const tracker = new ProgressTracker(options.total ?? null);
  const done = options.runLog?.done;
  const inner = new AbortController();
  // Every request in flight listens on this signal: more than Node's default of 10 is expected.
  setMaxListeners(Math.max(10, concurrency * 8), inner.signal);
  const onOuterAbort = () => inner.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) inner.abort(options.signal.reason);

  let stopReason: string | undefined;
  const iterator = items[Symbol.asyncIterator]();
  let exhausted = false;

  const report = () => options.onProgress?.(tracker.snapshot());

  let taken = 0;
  async function nextItem(): Promise<{ item: BatchItem; sequence: number } | undefined> {
    // Async generators queue concurrent next() calls, so workers can share one iterator.
    while (!exhausted && !inner.signal.aborted && stopReason === undefined) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        return undefined;
      }
      const sequence = taken++;
      if (done?.has(itemKey(next.value))) {
        tracker.resumed();
        options.onResumed?.(next.value, sequence);
        continue;
      }
      return { item: next.value, sequence };
    }
    return undefined;
  }

  async function judgeItem(item: BatchItem): Promise<Omit<FinishedItem, 'item' | 'sequence'>> {
    const origin: EntryOrigin = { uri: item.id, path: item.path, ...(item.record ? { record: item.record } : {}) };
    if (item.source.kind === 'unreadable') {
      return { entry: unjudgedFileReport(origin, item.source.status, item.source.reason) };
    }
    const started = performance.now();
    let document: SolutionDocument;
    try {
      document = await toDocument(item);
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
      const next = await nextItem();
      if (next === undefined) return;
      const { item, sequence } = next;
      tracker.started();
      let finished: FinishedItem;
      const cacheKey = options.resultCache && item.source.kind !== 'unreadable' ? options.resultCache.keyOf(item) : undefined;
      const hit = cacheKey !== undefined ? await options.resultCache!.cache.get(cacheKey) : undefined;
      if (hit) {
        // Nothing was spent on it this time: the usage says so (its steps count as cached).
        const entry: FileReport = { ...hit.entry, usage: { requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: hit.entry.steps.length } };
        options.runLog?.append(entry, { id: item.id, contentHash: item.contentHash }, hit.triage);
        tracker.finishedEntry(entry);
        options.onItem?.({ item, sequence, entry, cached: true, ...(hit.triage ? { triage: hit.triage } : {}) });
        report();
        continue;
      }
      try {
        finished = { item, sequence, ...(await judgeItem(item)) };
      } catch (error) {
        if (inner.signal.aborted) {
          // Interrupted mid-judgement: not logged, so a resumed run judges it again.
          tracker.abandoned();
          return;
        }
        if (error instanceof LlmError && error.kind === 'budget') {
          stopReason ??= error.message;
          tracker.abandoned();
          return;
        }
        const origin: EntryOrigin = { uri: item.id, path: item.path, ...(item.record ? { record: item.record } : {}) };
        finished = { item, sequence, entry: unjudgedFileReport(origin, 'failed', `could not be judged: ${errorMessage(error)}`) };
      }
      if (inner.signal.aborted && finished.entry.status === 'judged' && finished.judgement?.critic.enabled && hasErrors(finished.entry)) {
        // The abort reached the critic, which turned it into "could not judge": not a real verdict.
        tracker.abandoned();
        return;
      }
      const budgetNote = finished.judgement?.critic.note;
      if (budgetNote?.includes(BUDGET_REACHED)) {
        stopReason ??= budgetNote.slice(budgetNote.indexOf(BUDGET_REACHED)).split(';')[0];
        tracker.abandoned();
        return;
      }
      options.runLog?.append(finished.entry, { id: item.id, contentHash: item.contentHash }, finished.triage);
      if (cacheKey !== undefined && isReusable(finished.entry)) {
        await options.resultCache!.cache.set(cacheKey, { entry: finished.entry, ...(finished.triage ? { triage: finished.triage } : {}) });
      }
      tracker.finishedEntry(finished.entry);
      options.onItem?.(finished);
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
