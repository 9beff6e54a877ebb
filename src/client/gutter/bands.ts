// Which gutter icon a step gets. P(True) decides between the three confidence bands, using the
// user's thresholds, so a step the server called "uncertain" at 0.72 still shows a check when the
// user lowered `thresholds.correct` to 0.7; states that are not about confidence keep their own mark.
import type { StepState } from '../../protocol';

export const BANDS = ['high', 'middle', 'low', 'judging', 'downstream', 'accepted', 'verified', 'unjudged'] as const;
export type Band = (typeof BANDS)[number];

export interface BandThresholds {
  correct: number;
  incorrect: number;
}

export interface BandInput {
  state: StepState;
  pTrue: number | null;
}

/** The band of one step, or undefined when there is nothing to show (no check applied to it). */
export function bandOf(step: BandInput, thresholds: BandThresholds): Band | undefined {
  switch (step.state) {
    case 'queued':
    case 'judging':
      return 'judging';
    case 'accepted':
      return 'accepted';
    // Every computation recomputed and right, the reasoning not judged: a calm mark of its own, not a check.
    case 'verified':
      return 'verified';
    case 'downstream':
      return 'downstream';
    case 'error':
      return 'unjudged';
    case 'unchecked':
      return undefined;
    case 'correct':
    case 'incorrect':
    case 'uncertain':
      if (step.pTrue === null) return step.state === 'correct' ? 'high' : step.state === 'incorrect' ? 'low' : 'middle';
      if (step.pTrue >= thresholds.correct) return 'high';
      if (step.pTrue <= thresholds.incorrect) return 'low';
      return 'middle';
  }
}
