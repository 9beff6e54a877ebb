// What the renderers share: which steps are findings, where a finding points, how counts read.
import type { FindingCode, Position, Verdict } from '../types';
import { isRefutedClaim } from '../types';
import type { FileReport, ReportShards, StepReport } from './schema';

/** Verdicts every renderer reports by default; `correct`/`unchecked`/`downstream` only when asked. */
export const FINDING_VERDICTS: ReadonlySet<Verdict> = new Set<Verdict>(['incorrect', 'uncertain', 'error']);

export function isFinding(step: StepReport): boolean {
  return FINDING_VERDICTS.has(step.verdict);
}

/**
 * Where a step's finding points: the first refuted claim (so the cursor lands on `48 / 2 = 25`), else a
 * syntax error's own position, else the start of the step.
 */
export function findingPosition(step: StepReport): Position {
  for (const e of step.evidence) {
    if (isRefutedClaim(e)) return e.range.start;
  }
  for (const e of step.evidence) {
    if (e.kind === 'syntax' && e.range) return e.range.start;
  }
  return step.range.start;
}

/** The finding code of a step, falling back on its verdict when the judge set none. */
export function findingCode(step: StepReport): FindingCode | 'correct' | 'unchecked' {
  if (step.code) return step.code;
  switch (step.verdict) {
    case 'incorrect':
      return 'logic';
    case 'uncertain':
      return 'low-confidence';
    case 'error':
      return 'judge-error';
    case 'downstream':
      return 'downstream';
    default:
      return step.verdict;
  }
}

/** `3 incorrect, 2 downstream` in a fixed verdict order, leaving out zeros. */
export function countPhrase(counts: Partial<Record<string, number>>, order: readonly string[]): string {
  return order
    .filter((k) => (counts[k] ?? 0) > 0)
    .map((k) => `${counts[k]} ${k}`)
    .join(', ');
}

export const STEP_VERDICT_ORDER: readonly Verdict[] = ['incorrect', 'uncertain', 'error', 'downstream', 'unchecked', 'correct'];
export const SOLUTION_VERDICT_ORDER = ['correct', 'incorrect', 'uncertain', 'error', 'unchecked'] as const;

export function stepCounts(file: FileReport): Partial<Record<Verdict, number>> {
  const counts: Partial<Record<Verdict, number>> = {};
  for (const s of file.steps) counts[s.verdict] = (counts[s.verdict] ?? 0) + 1;
  return counts;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatProbability(p: number | null): string {
  return p === null ? 'n/a' : p.toFixed(2);
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** What a report of some shards covers: `shard 2/4`, `shards 1, 2 and 4 of 4`. */
export function describeShards(shards: ReportShards): string {
  const [only, ...more] = shards.included;
  if (only === undefined) return `none of ${shards.count} shards`;
  if (more.length === 0) return `shard ${only}/${shards.count}`;
  const last = more[more.length - 1]!;
  return `shards ${[only, ...more.slice(0, -1)].join(', ')} and ${last} of ${shards.count}`;
}
