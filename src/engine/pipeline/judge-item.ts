// One item through the pipeline: the result cache, a judgement the surface already holds, the
// document (./document.ts), admission, the judge (with triage) and the report entry. What comes out
// is a finished entry, or a stop: the item was cut short (cancelled, or the critic's token budget ran
// out) and must not count as done.
import { performance } from 'node:perf_hooks';
import type { JudgeDependencies, JudgeOptions } from '../judge';
import type { EntryOrigin } from '../report/build';
import { judgedFileReport, unjudgedFileReport } from '../report/build';
import type { FileReport } from '../report/schema';
import type { CriticStop, SolutionDocument, SolutionJudgement } from '../types';
import type { ResultCache } from '../batch/result-cache';
import { isReusable } from '../batch/result-cache';
import type { TriageInfo } from '../batch/run-log';
import type { TriageOptions } from '../batch/triage';
import { judgeWithTriage } from '../batch/triage';
import type { CheckPool } from '../deadline/check-pool';
import type { DocumentOptions } from './document';
import { checkItem } from './document';
import type { PipelineItem } from './items';
import { errorMessage } from '../error-message';

/** A solution that went through the pipeline, as every consumer (reports, run log, editor) sees it. */
export interface FinishedEntry {
  kind: 'finished';
  /** Position of the item in the input, from 0. */
  sequence: number;
  item: PipelineItem;
  entry: FileReport;
  /** Present when the item was parsed (for surfaces that show diagnostics on it). */
  document?: SolutionDocument;
  judgement?: SolutionJudgement;
  triage?: TriageInfo;
  /** The whole result came from the result cache (nothing was parsed or judged). */
  cached?: boolean;
  /** The judgement is one the surface held (the editor's, for an open document). */
  held?: boolean;
  /**
   * The critic stopped before judging it (the token budget): its report says so, but it is not done —
   * it is not logged (a resumed run judges it again), not cached, and not scored.
   */
  stopped?: CriticStop;
}

/** An item the run log already has (`--resume`): nothing is judged; consumers keep its place. */
export interface ResumedEntry {
  kind: 'resumed';
  sequence: number;
  item: PipelineItem;
}

export type PipelineEntry = FinishedEntry | ResumedEntry;

/** A judgement the surface already holds for an item (the editor's critique of an open document). */
export type HeldJudgement = { document: SolutionDocument; judgement: SolutionJudgement };

export interface ItemContext {
  deps: JudgeDependencies;
  judgeOptions: Omit<JudgeOptions, 'onCriticStep' | 'checked'>;
  document: DocumentOptions;
  /** Reads and verifies each text under a deadline, off this thread. */
  checks: CheckPool;
  triage?: TriageOptions;
  resultCache?: { cache: ResultCache; keyOf: (item: PipelineItem) => string };
  held?: (item: PipelineItem) => Promise<HeldJudgement | undefined>;
}

export type ItemOutcome = Omit<FinishedEntry, 'sequence' | 'item'>;

/** Where an entry comes from, as the user names it: the path as shown (for a record, its dataset's). */
export function originOf(item: PipelineItem): EntryOrigin {
  return { uri: item.id, path: item.record ? item.id.replace(/#[^#]*$/, '') : item.id, ...(item.record ? { record: item.record } : {}) };
}

/** Through the pipeline, up to the entry. `built` is the document when the caller made it already. */
export async function judgeItem(item: PipelineItem, context: ItemContext, built?: SolutionDocument): Promise<ItemOutcome> {
  const origin = originOf(item);
  if (item.source.kind === 'unreadable') return { kind: 'finished', entry: unjudgedFileReport(origin, item.source.status, item.source.reason) };
  const cacheKey = context.resultCache?.keyOf(item);
  const hit = cacheKey !== undefined ? await context.resultCache!.cache.get(cacheKey) : undefined;
  if (hit) {
    // Nothing was spent on it this time: the usage says so (its steps count as cached).
    const entry: FileReport = { ...hit.entry, usage: { requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: hit.entry.steps.length } };
    return { kind: 'finished', entry, cached: true, ...(hit.triage ? { triage: hit.triage } : {}) };
  }

  const started = performance.now();
  const held = await context.held?.(item);
  if (held)
    return { kind: 'finished', held: true, document: held.document, judgement: held.judgement, entry: judgedFileReport(origin, held.document, held.judgement) };
  const made = await checkItem(item, context.checks, { ...context.document, ...signalOf(context) }, built);
  if (!made.ok) return { kind: 'finished', entry: unjudgedFileReport(origin, made.status, made.reason) };
  const { document, checked } = made;
  let judged;
  try {
    judged = await judgeWithTriage(document, context.deps, { ...context.judgeOptions, checked }, context.triage);
  } catch (error) {
    if (context.judgeOptions.signal?.aborted) throw error;
    const reason = `could not be judged: ${errorMessage(error)}`;
    return { kind: 'finished', document, entry: unjudgedFileReport(origin, 'failed', reason, { format: document.format, kind: document.kind }) };
  }
  const entry = judgedFileReport(origin, document, judged.judgement, performance.now() - started);
  const stopped = judged.judgement.stopped;
  if (stopped) return { kind: 'finished', document, judgement: judged.judgement, entry, stopped };
  if (cacheKey !== undefined && isReusable(entry)) {
    await context.resultCache!.cache.set(cacheKey, { entry, ...(judged.triage ? { triage: judged.triage } : {}) });
  }
  return { kind: 'finished', document, judgement: judged.judgement, entry, ...(judged.triage ? { triage: judged.triage } : {}) };
}

function signalOf(context: ItemContext): { signal?: AbortSignal } {
  return context.judgeOptions.signal ? { signal: context.judgeOptions.signal } : {};
}
