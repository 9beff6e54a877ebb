// The text drawn after a step when `display.inlineText` is on, e.g. `P(True) 0.93 · logprobs`.
import type { StepStateEntry } from '../../protocol';

export function inlineTextOf(step: Pick<StepStateEntry, 'state' | 'pTrue' | 'source'>): string | undefined {
  switch (step.state) {
    case 'queued':
    case 'judging':
      return 'judging…';
    case 'unchecked':
      return undefined;
    case 'accepted':
      return 'marked correct';
    case 'downstream':
      return step.pTrue === null ? 'downstream' : `downstream · P(True) ${step.pTrue.toFixed(2)}`;
    case 'error':
      return 'could not judge';
    default: {
      const source = step.source && step.source !== 'none' ? ` · ${step.source}` : '';
      return step.pTrue === null ? `${step.state}${source}` : `P(True) ${step.pTrue.toFixed(2)}${source}`;
    }
  }
}
