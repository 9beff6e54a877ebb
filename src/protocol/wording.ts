// How a critique reads, worded once for every place that shows it (hover, diagnostics, inline text,
// the code lens, the status bar, messages): a step's confidence, and one solution in one line — its
// verdict as the engine decided it, the steps per state, P(True). Zero counts and unknown figures
// are left out rather than shown as 0 or n/a.
import type { VerdictSource } from '../engine/types';
import type { SolutionSummary, StepState } from './messages';

/** `P(True) 0.93 · logprobs`; undefined when nothing gave a probability. */
export function confidenceText(pTrue: number | null, source: VerdictSource | null): string | undefined {
  if (pTrue === null) return undefined;
  return source && source !== 'none' ? `P(True) ${pTrue.toFixed(2)} · ${source}` : `P(True) ${pTrue.toFixed(2)}`;
}

const STATE_ORDER: readonly StepState[] = [
  'correct',
  'accepted',
  'incorrect',
  'uncertain',
  'downstream',
  'error',
  'verified',
  'unchecked',
  'judging',
  'queued',
];

/** How each state reads after its count: `2 correct`, `1 could not judge`, `3 verified by computation`. */
export const STATE_WORDS: Record<StepState, string> = {
  correct: 'correct',
  accepted: 'marked correct',
  incorrect: 'incorrect',
  uncertain: 'uncertain',
  downstream: 'downstream',
  error: 'could not judge',
  verified: 'verified by computation',
  unchecked: 'unchecked',
  judging: 'judging',
  queued: 'waiting',
};

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The solution as a whole, once its critique is done: `incorrect: final answer 73, expected 72`. */
export function solutionVerdictText(summary: Pick<SolutionSummary, 'verdict' | 'firstErrorIndex' | 'answer'>): string | undefined {
  const given = summary.answer?.fromReference ? 'the reference has' : 'expected';
  const answer = summary.answer?.status === 'differs' ? `final answer ${summary.answer.actual}, ${given} ${summary.answer.expected}` : undefined;
  switch (summary.verdict) {
    case 'incorrect':
      if (summary.firstErrorIndex >= 0) return `incorrect from step ${summary.firstErrorIndex + 1}${answer ? ` (${answer})` : ''}`;
      return answer ? `incorrect: ${answer}` : 'incorrect';
    case 'correct':
      return 'correct';
    case 'uncertain':
      return 'uncertain';
    case 'error':
      return 'could not judge every step';
    case 'unchecked':
    case null:
      return undefined;
  }
}

/** `incorrect from step 3 · 1 incorrect, 1 downstream, 2 verified by computation · P(True) 0.00` */
export function summaryText(summary: SolutionSummary): string {
  const counts = STATE_ORDER.filter((state) => (summary.counts[state] ?? 0) > 0).map((state) => `${summary.counts[state]} ${STATE_WORDS[state]}`);
  const parts = [solutionVerdictText(summary), counts.length > 0 ? counts.join(', ') : 'no steps found'];
  if (summary.pTrue !== null) parts.push(`P(True) ${summary.pTrue.toFixed(2)}`);
  if (summary.finalAnswerPTrue !== null) parts.push(`final answer P(True) ${summary.finalAnswerPTrue.toFixed(2)}`);
  if (summary.truncated)
    parts.push(
      `only the first ${plural(
        Object.values(summary.counts).reduce((a, b) => a + b, 0),
        'step',
      )} (stepcritic.maxSteps)`,
    );
  return parts.filter((p): p is string => p !== undefined).join(' · ');
}
