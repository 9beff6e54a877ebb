// The judging pipeline: the one road every surface takes from inputs to verdicts.
//
//   items (./items.ts: files, folders, globs, dataset records, open editor documents)
//     → documents (./document.ts: one place for sibling tests, the step limit, front matter)
//     → judgeSolution, with triage and the result cache (./judge-item.ts)
//     → one stream of finished entries, in input order (./in-order.ts)
//
// with one concurrency pool, cancellation (the AbortSignal reaches every request in flight), progress
// events, the run log (appended as each item finishes, so a kill loses only what was in flight) and
// resume (items the log has are passed over, in place). `check` (with or without --run-log), `eval`,
// and the language server's workspace critique are thin callers; every report format, the run log and
// the editor's diagnostics consume the same entries.
//
// Stops are typed: cancelled, or the critic's token budget (`stopped: {kind: 'budget', …}`). A
// solution cut short by either is never logged (its unjudged steps would pass for done): `--resume`
// judges it again. One cut short by the budget is still delivered, marked `stopped`, so that a report
// says how far it got; after a budget stop no new item is taken, and the ones in flight finish.
//
// Extending it: a new input kind is a producer of PipelineItems (items.ts) and, if its source is not
// text or a record, a case in document.ts; a new check is a dependency of judgeSolution (judge.ts,
// checks.ts) that the surfaces wire in; a new consumer is an `onEntry` callback (entries arrive in
// input order, one at a time: a consumer that awaits slows the pipeline down instead of piling up).
import { setMaxListeners } from 'node:events';
import type { JudgeDependencies, JudgeOptions } from '../judge';
import { unjudgedFileReport } from '../report/build';
import type { FileReport } from '../report/schema';
import type { CriticStop, SolutionDocument } from '../types';
import type { BatchProgress } from '../batch/progress';
import { ProgressTracker } from '../batch/progress';
import type { ResultCache } from '../batch/result-cache';
import type { RunLogWriter } from '../batch/run-log';
import type { TriageOptions } from '../batch/triage';
import type { DocumentOptions } from './document';
import { buildItemDocument } from './document';
import { InOrder } from './in-order';
import type { FinishedEntry, HeldJudgement, ItemContext, PipelineEntry } from './judge-item';
import { judgeItem, originOf } from './judge-item';
import type { PipelineItem } from './items';
import { itemKey } from './items';
import { errorMessage } from '../error-message';

export interface PipelineOptions {
  /** The checks the surface allows (critic, code checker, accepted steps). */
  deps: JudgeDependencies;
  judgeOptions?: Omit<JudgeOptions, 'signal' | 'onCriticStep' | 'fromStep' | 'verifier'>;
  document?: DocumentOptions;
  /** Solutions in flight at once (default 4). The LLM client's global cap bounds the requests underneath. */
  concurrency?: number;
  triage?: TriageOptions;
  /** Where finished items go as they finish; its `done` keys are passed over (resume). */
  runLog?: RunLogWriter;
  /** Whole results of earlier runs, by key (result-cache.ts): a hit is not parsed, verified or sent. */
  resultCache?: { cache: ResultCache; keyOf: (item: PipelineItem) => string };
  /** A judgement the surface already holds for an item (the editor's, for an open document). */
  held?: (item: PipelineItem) => Promise<HeldJudgement | undefined>;
  /**
   * Whether an item is judged at all, from its document (eval: labelled solutions only); a reason
   * skips it. With `admit`, documents are built as items are taken, in input order.
   */
  admit?: (document: SolutionDocument, item: PipelineItem) => string | undefined;
  /** Judge at most this many (admitted) items. */
  limit?: number;
  /** Total number of items when known (for the progress bar and the time left). */
  total?: number | null;
  signal?: AbortSignal;
  onProgress?: (progress: BatchProgress) => void;
  /** Every entry, in input order (finished, or resumed from the run log). */
  onEntry?: (entry: PipelineEntry) => void | Promise<void>;
}

export type PipelineStop = { kind: 'cancelled' } | CriticStop;

export interface PipelineResult {
  progress: BatchProgress;
  /** Why the run ended before every item was judged, if it did. */
  stopped?: PipelineStop;
}

/** How far ahead of the next entry to deliver the pool may run, per solution in flight. */
const WINDOW_PER_SLOT = 16;

export async function runPipeline(items: AsyncIterable<PipelineItem> | Iterable<PipelineItem>, options: PipelineOptions): Promise<PipelineResult> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const tracker = new ProgressTracker(options.total ?? null);
  const inner = new AbortController();
  // Every request in flight listens on this signal: more than Node's default of 10 is expected.
  setMaxListeners(Math.max(10, concurrency * 8), inner.signal);
  const onOuterAbort = () => inner.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) inner.abort(options.signal.reason);

  const context: ItemContext = {
    deps: options.deps,
    judgeOptions: { ...options.judgeOptions, signal: inner.signal },
    document: options.document ?? {},
    ...(options.triage ? { triage: options.triage } : {}),
    ...(options.resultCache ? { resultCache: options.resultCache } : {}),
    ...(options.held ? { held: options.held } : {}),
  };
  const ordered = new InOrder<PipelineEntry>(concurrency * WINDOW_PER_SLOT, async (entry) => options.onEntry?.(entry));
  const report = () => options.onProgress?.(tracker.snapshot());
  const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : toAsync(items[Symbol.iterator]());
  let budgetStop: CriticStop | undefined;
  let exhausted = false;
  let sequence = 0;
  let admitted = 0;
  let failure: unknown;

  const finish = (finished: FinishedEntry) => {
    options.runLog?.append(finished.entry, { id: finished.item.id, contentHash: finished.item.contentHash }, finished.triage);
    tracker.finishedEntry(finished.entry);
    ordered.put(finished.sequence, finished);
    report();
  };

  /** The next item to judge (and its document, with `admit`); resumed and refused items are settled here. */
  const takeOne = async (): Promise<{ item: PipelineItem; sequence: number; document?: SolutionDocument } | undefined> => {
    while (!exhausted && !inner.signal.aborted && budgetStop === undefined && !ordered.failed) {
      if (options.limit !== undefined && admitted >= options.limit) return undefined;
      await ordered.room(sequence);
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        return undefined;
      }
      const item = next.value;
      const place = sequence++;
      if (options.runLog?.done.has(itemKey(item))) {
        tracker.resumed();
        ordered.put(place, { kind: 'resumed', sequence: place, item });
        continue;
      }
      if (!options.admit) return { item, sequence: place };
      const built = await buildItemDocument(item, context.document);
      const refusal = built.ok ? options.admit(built.document, item) : undefined;
      if (built.ok && refusal === undefined) {
        admitted += 1;
        return { item, sequence: place, document: built.document };
      }
      tracker.started();
      const entry = built.ok ? unjudgedFileReport(originOf(item), 'skipped', refusal!) : unjudgedFileReport(originOf(item), built.status, built.reason);
      finish({ kind: 'finished', sequence: place, item, entry });
    }
    return undefined;
  };
  // Workers take items one at a time, so that order, the limit and admission are decided exactly.
  let queue: Promise<unknown> = Promise.resolve();
  const take = () => {
    const taken = queue.then(takeOne);
    queue = taken.catch(() => undefined);
    return taken;
  };

  const worker = async (): Promise<void> => {
    for (let next = await take(); next; next = await take()) {
      const { item, sequence: place } = next;
      tracker.started();
      let outcome;
      try {
        outcome = await judgeItem(item, context, next.document);
      } catch (error) {
        if (inner.signal.aborted) {
          // Interrupted mid-judgement: not logged, so a resumed run judges it again.
          abandon(place);
          return;
        }
        outcome = { kind: 'finished' as const, entry: unjudgedFileReport(originOf(item), 'failed', `could not be judged: ${errorMessage(error)}`) };
      }
      if (outcome.stopped) {
        // Reported as far as it got, but not done: not logged, and no new item is taken.
        budgetStop ??= outcome.stopped;
        tracker.abandoned();
        ordered.put(place, { ...outcome, sequence: place, item });
        report();
        return;
      }
      if (inner.signal.aborted && outcome.judgement?.critic.enabled && hasErrors(outcome.entry)) {
        // The abort reached the critic, which turned it into "could not judge": not a real verdict.
        abandon(place);
        return;
      }
      finish({ ...outcome, sequence: place, item });
    }
  };
  const abandon = (place: number) => {
    tracker.abandoned();
    ordered.skip(place);
  };

  report();
  try {
    await Promise.all(Array.from({ length: concurrency }, () => worker().catch((error: unknown) => void (failure ??= error))));
    await ordered.drained();
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    if (!exhausted) await iterator.return?.(undefined);
  }
  if (failure !== undefined) throw failure;
  const stopped: PipelineStop | undefined = inner.signal.aborted ? { kind: 'cancelled' } : budgetStop;
  if (!stopped && tracker.snapshot().total === null && exhausted) tracker.setTotal(tracker.snapshot().done);
  return { progress: tracker.snapshot(), ...(stopped ? { stopped } : {}) };
}

function hasErrors(entry: FileReport): boolean {
  return entry.steps.some((s) => s.verdict === 'error');
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return { next: async () => iterator.next() };
}

/** What a stop says in one line (the run log's end line, a terminal message). */
export function describeStop(stop: PipelineStop): string {
  return stop.kind === 'cancelled' ? 'cancelled' : stop.message;
}
