// How a rubric result reads, in one place for every surface (text and Markdown reports, HTML, the
// editor's code lens and hover): "Rubric 3/5 · expected 3.4", and one line per item.
import type { RubricItemResult, RubricResult } from '../types';

/** Points as a person writes them: 3, 3.4, 2.55 (at most two decimals, no thousands separators). */
export function formatPoints(value: number): string {
  return String(Math.round(value * 100) / 100);
}

export function rubricScoreText(rubric: RubricResult): string {
  const max = formatPoints(rubric.maxPoints);
  if (rubric.score === null) return `Rubric not scored (of ${max})`;
  const expected = rubric.expectedScore === null ? '' : ` · expected ${formatPoints(rubric.expectedScore)}`;
  return `Rubric ${formatPoints(rubric.score)}/${max}${expected}`;
}

/** The item's status with its P(True): "met (P 0.90)", "unmet (verifier)", "unjudged". */
export function rubricItemStatus(item: RubricItemResult): string {
  if (item.status === 'unjudged') return 'unjudged';
  if (item.source === 'verifier') return `${item.status} (verifier)`;
  return item.pTrue === null ? `${item.status} (no probability)` : `${item.status} (P(True) ${item.pTrue.toFixed(2)})`;
}

/** Points awarded for an item: its points when met, 0 when not, undefined when it was not judged. */
export function awardedPoints(item: RubricItemResult): number | undefined {
  return item.status === 'met' ? item.points : item.status === 'unmet' ? 0 : undefined;
}

/** One line: `item 2 "Solves it" 0/2 unmet (P(True) 0.20) · steps 2, 3 · why`. */
export function rubricItemLine(item: RubricItemResult): string {
  const awarded = awardedPoints(item);
  const parts = [
    `item ${item.number} "${item.title}" ${awarded === undefined ? '–' : formatPoints(awarded)}/${formatPoints(item.points)} ${rubricItemStatus(item)}`,
  ];
  if (item.steps.length > 0) parts.push(`step${item.steps.length === 1 ? '' : 's'} ${item.steps.map((s) => s + 1).join(', ')}`);
  const why = item.note ?? item.explanation;
  if (why) parts.push(why);
  return parts.join(' · ');
}
