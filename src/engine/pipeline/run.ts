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
import { hasJudgeErrors, unjudgedFileReport } from '../report/build';
import type { CriticStop, SolutionDocument } from '../types';
import type { BatchProgress } from '../batch/progress';
import { CheckPool, defaultCheckWorkers } from '../deadline/check-pool';
import { ProgressTracker } from '../batch/progress';
import type { ResultCache } from '../batch/result-cache';
import type { RunLogWriter } from '../batch/run-log';
import type { TriageOptions } from '../batch/triage';
import type { DocumentOptions } from './document';
import { buildItemDocument } from './document';
import { InOrder } from './in-order';
import type { FinishedEntry, HeldJudgement, ItemContext, ItemOutcome, PipelineEntry } from './judge-item';
import { judgeItem, originOf } from './judge-item';
import type { PipelineItem } from './items';
import { itemKey } from './items';
import { errorMessage } from '../error-message';

export interface PipelineOptions {
  /** The checks the surface allows (critic, code checker, accepted steps). */
  deps: JudgeDependencies;
  judgeOptions?: Omit<JudgeOptions, 'signal' | 'onCriticStep' | 'fromStep' | 'checked'>;
  document?: DocumentOptions;
  /**
   * Where each text is read and verified under a deadline (the server's, the CLI's); without one the
   * run has its own (defaultCheckWorkers(), fewer for fewer solutions in flight), ended with the run.
   */
  checks?: CheckPool;
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
  return new PipelineRun(items, options).run();
}

/** One run of the pipeline: the shared state of its workers. */
class PipelineRun {
  private readonly concurrency: number;
  private readonly tracker: ProgressTracker;
  /** Aborted by the caller's signal; every request in flight listens on it. */
  private readonly inner = new AbortController();
  private readonly context: ItemContext;
  /** The run's own check pool, when the caller gave none. */
  private readonly ownChecks: CheckPool | undefined;
  private readonly ordered: InOrder<PipelineEntry>;
  private readonly iterator: AsyncIterator<PipelineItem>;
  private budgetStop: CriticStop | undefined;
  private exhausted = false;
  private sequence = 0;
  private admitted = 0;
  /** Workers take items one at a time, so that order, the limit and admission are decided exactly. */
  private takeQueue: Promise<unknown> = Promise.resolve();

  constructor(
    items: AsyncIterable<PipelineItem> | Iterable<PipelineItem>,
    private readonly options: PipelineOptions,
  ) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
    this.tracker = new ProgressTracker(options.total ?? null);
    // More than Node's default of 10 listeners is expected on the signal.
    setMaxListeners(Math.max(10, this.concurrency * 8), this.inner.signal);
    // Its texts (a batch's records and files) do not repeat: no worker keeps a memo of their steps.
    this.ownChecks = options.checks
      ? undefined
      : new CheckPool({ maxWorkers: Math.min(this.concurrency, defaultCheckWorkers()), memoSteps: 0, retryTimedOut: true });
    this.context = {
      checks: options.checks ?? this.ownChecks!,
      deps: options.deps,
      judgeOptions: { ...options.judgeOptions, signal: this.inner.signal },
      document: options.document ?? {},
      ...(options.triage ? { triage: options.triage } : {}),
      ...(options.resultCache ? { resultCache: options.resultCache } : {}),
      ...(options.held ? { held: options.held } : {}),
    };
    this.ordered = new InOrder<PipelineEntry>(this.concurrency * WINDOW_PER_SLOT, async (entry) => options.onEntry?.(entry));
    this.iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : toAsync(items[Symbol.iterator]());
  }

  async run(): Promise<PipelineResult> {
    const { signal } = this.options;
    const onOuterAbort = () => this.inner.abort(signal?.reason);
    signal?.addEventListener('abort', onOuterAbort, { once: true });
    if (signal?.aborted) this.inner.abort(signal.reason);
    let failure: unknown;
    this.report();
    try {
      await Promise.all(Array.from({ length: this.concurrency }, () => this.worker().catch((error: unknown) => void (failure ??= error))));
      await this.ordered.drained();
    } finally {
      signal?.removeEventListener('abort', onOuterAbort);
      if (!this.exhausted) await this.iterator.return?.(undefined);
      await this.ownChecks?.close();
    }
    if (failure !== undefined) throw failure;
    const stopped: PipelineStop | undefined = this.inner.signal.aborted ? { kind: 'cancelled' } : this.budgetStop;
    if (!stopped && this.exhausted && this.tracker.snapshot().total === null) this.tracker.setTotal(this.tracker.snapshot().done);
    return { progress: this.tracker.snapshot(), ...(stopped ? { stopped } : {}) };
  }

  private report(): void {
    this.options.onProgress?.(this.tracker.snapshot());
  }

  private take(): Promise<Taken | undefined> {
    const taken = this.takeQueue.then(() => this.takeOne());
    this.takeQueue = taken.catch(() => undefined);
    return taken;
  }

  /** The next item to judge (and its document, with `admit`); resumed and refused items are settled here. */
  private async takeOne(): Promise<Taken | undefined> {
    const { options } = this;
    while (!this.exhausted && !this.inner.signal.aborted && this.budgetStop === undefined && !this.ordered.failed) {
      if (options.limit !== undefined && this.admitted >= options.limit) return undefined;
      await this.ordered.room(this.sequence);
      const next = await this.iterator.next();
      if (next.done) {
        this.exhausted = true;
        return undefined;
      }
      const item = next.value;
      const place = this.sequence++;
      if (options.runLog?.done.has(itemKey(item))) {
        this.tracker.resumed();
        this.ordered.put(place, { kind: 'resumed', sequence: place, item });
        continue;
      }
      if (!options.admit) return { item, sequence: place };
      const built = await buildItemDocument(item, this.context.document);
      const refusal = built.ok ? options.admit(built.document, item) : undefined;
      if (built.ok && refusal === undefined) {
        this.admitted += 1;
        return { item, sequence: place, document: built.document };
      }
      this.tracker.started();
      const entry = built.ok ? unjudgedFileReport(originOf(item), 'skipped', refusal!) : unjudgedFileReport(originOf(item), built.status, built.reason);
      this.finish({ kind: 'finished', sequence: place, item, entry });
    }
    return undefined;
  }

  private async worker(): Promise<void> {
    for (let next = await this.take(); next; next = await this.take()) {
      this.tracker.started();
      if (!(await this.judge(next))) return;
    }
  }

  /** Judges one item; false when the run is stopping (this worker takes no more). */
  private async judge({ item, sequence, document }: Taken): Promise<boolean> {
    let outcome: ItemOutcome;
    try {
      outcome = await judgeItem(item, this.context, document);
    } catch (error) {
      // Interrupted mid-judgement: not logged, so a resumed run judges it again.
      if (this.inner.signal.aborted) return this.abandon(sequence);
      outcome = { kind: 'finished', entry: unjudgedFileReport(originOf(item), 'failed', `could not be judged: ${errorMessage(error)}`) };
    }
    if (outcome.stopped) {
      // Reported as far as it got, but not done: not logged, and no new item is taken.
      this.budgetStop ??= outcome.stopped;
      this.tracker.abandoned();
      this.ordered.put(sequence, { ...outcome, sequence, item });
      this.report();
      return false;
    }
    // The abort reached the critic, which turned it into "could not judge": not a real verdict.
    if (this.inner.signal.aborted && outcome.judgement?.critic.enabled && hasJudgeErrors(outcome.entry)) return this.abandon(sequence);
    this.finish({ ...outcome, sequence, item });
    return true;
  }

  private finish(finished: FinishedEntry): void {
    this.options.runLog?.append(
      finished.entry,
      { id: finished.item.id, contentHash: finished.item.contentHash },
      finished.triage ? { triage: finished.triage } : {},
    );
    this.tracker.finishedEntry(finished.entry);
    this.ordered.put(finished.sequence, finished);
    this.report();
  }

  private abandon(sequence: number): false {
    this.tracker.abandoned();
    this.ordered.skip(sequence);
    return false;
  }
}

interface Taken {
  item: PipelineItem;
  sequence: number;
  /** Built as the item was taken (with `admit`). */
  document?: SolutionDocument;
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return { next: async () => iterator.next() };
}

/** What a stop says in one line (the run log's end line, a terminal message). */
export function describeStop(stop: PipelineStop): string {
  return stop.kind === 'cancelled' ? 'cancelled' : stop.message;
}
