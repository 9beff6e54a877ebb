// The text drawn after a step when `display.inlineText` is on, e.g. `P(True) 0.93 · logprobs`.
import { confidenceText, STATE_WORDS, type StepStateEntry } from '../../protocol';

export function inlineTextOf(step: Pick<StepStateEntry, 'state' | 'pTrue' | 'source'>): string | undefined {
  switch (step.state) {
    case 'queued':
    case 'judging':
      return 'judging…';
    case 'unchecked':
      return undefined;
    case 'accepted':
      return STATE_WORDS.accepted;
    case 'verified':
      return 'computations verified';
    case 'downstream': {
      const confidence = confidenceText(step.pTrue, step.source);
      return confidence ? `downstream · ${confidence}` : 'downstream';
    }
    case 'error':
      return STATE_WORDS.error;
    default:
      return confidenceText(step.pTrue, step.source) ?? (step.source && step.source !== 'none' ? `${step.state} · ${step.source}` : step.state);
  }
}
