// Progress of a batch run: what a progress bar or an editor notification shows (items done of the
// total, verdict counts, tokens, time left). Pure: the runner feeds it, surfaces read snapshots.
import type { FileReport } from '../report/schema';
import type { SolutionJudgement, Usage } from '../types';
import { emptyUsage } from '../types';

export type SolutionVerdictName = SolutionJudgement['verdict'];

export interface BatchProgress {
  /** Items finished, in this run and (resumed) before it. */
  done: number;
  /** All items, when known (a pre-pass counted them); null while unknown. */
  total: number | null;
  /** Items skipped because the run log already had them. */
  resumed: number;
  /** Items finished in this run. */
  finishedThisRun: number;
  inFlight: number;
  /** Solutions judged in this run, by verdict. */
  verdicts: Record<SolutionVerdictName, number>;
  /** Entries of this run that were skipped (not a solution) or failed (could not be read or judged). */
  skipped: number;
  failed: number;
  usage: Usage;
  elapsedMs: number;
  /** Estimated time left, from this run's rate; null until something finished or while the total is unknown. */
  etaMs: number | null;
}

export class ProgressTracker {
  private readonly startedAt = performance.now();
  private finished = 0;
  private resumedCount = 0;
  private skipped = 0;
  private failed = 0;
  private inFlightCount = 0;
  private readonly verdicts: Record<SolutionVerdictName, number> = { correct: 0, incorrect: 0, uncertain: 0, unchecked: 0, error: 0 };
  private readonly usage: Usage = emptyUsage();

  constructor(private total: number | null) {}

  setTotal(total: number | null): void {
    this.total = total;
  }

  resumed(): void {
    this.resumedCount += 1;
  }

  started(): void {
    this.inFlightCount += 1;
  }

  abandoned(): void {
    this.inFlightCount -= 1;
  }

  finishedEntry(entry: FileReport): void {
    this.inFlightCount -= 1;
    this.finished += 1;
    if (entry.status === 'skipped') this.skipped += 1;
    else if (entry.status === 'failed') this.failed += 1;
    if (entry.verdict) this.verdicts[entry.verdict] += 1;
    if (entry.usage) {
      this.usage.requests += entry.usage.requests;
      this.usage.promptTokens += entry.usage.promptTokens;
      this.usage.completionTokens += entry.usage.completionTokens;
      this.usage.cachedSteps += entry.usage.cachedSteps;
    }
  }

  tokensUsed(): number {
    return this.usage.promptTokens + this.usage.completionTokens;
  }

  snapshot(): BatchProgress {
    const elapsedMs = performance.now() - this.startedAt;
    const done = this.finished + this.resumedCount;
    let etaMs: number | null = null;
    if (this.total !== null && this.finished > 0) {
      const left = Math.max(0, this.total - done);
      etaMs = (elapsedMs / this.finished) * left;
    }
    return {
      done,
      total: this.total,
      resumed: this.resumedCount,
      finishedThisRun: this.finished,
      inFlight: this.inFlightCount,
      verdicts: { ...this.verdicts },
      skipped: this.skipped,
      failed: this.failed,
      usage: { ...this.usage },
      elapsedMs,
      etaMs,
    };
  }
}

/** One line for a terminal: `[######----] 412/2000  correct 300  incorrect 98 …  41.2k tokens  ETA 1m 05s`. */
export function formatProgressLine(p: BatchProgress, width = 24): string {
  const parts: string[] = [];
  if (p.total !== null && p.total > 0) {
    const filled = Math.min(width, Math.round((p.done / p.total) * width));
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.done}/${p.total}`);
  } else {
    parts.push(`${p.done} done`);
  }
  const counts = (['correct', 'incorrect', 'uncertain', 'error', 'unchecked'] as const).filter((v) => p.verdicts[v] > 0).map((v) => `${v} ${p.verdicts[v]}`);
  if (p.failed > 0) counts.push(`failed ${p.failed}`);
  if (p.skipped > 0) counts.push(`skipped ${p.skipped}`);
  if (counts.length > 0) parts.push(counts.join('  '));
  const tokens = p.usage.promptTokens + p.usage.completionTokens;
  if (tokens > 0) parts.push(`${formatCount(tokens)} tokens`);
  if (p.etaMs !== null && p.done < (p.total ?? 0)) parts.push(`ETA ${formatEta(p.etaMs)}`);
  return parts.join('  ');
}

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export function formatEta(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
