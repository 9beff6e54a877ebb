// The step-state notification for the client's gutter, from a view.
import { StepStateSchema, type SolutionSummary, type StepState, type StepStateEntry, type StepStatesParams } from '../protocol/messages';
import { computationsVerified } from '../engine/combine';
import { solutionPTrue } from '../engine/summary';
import type { StepVerdict } from '../engine/types';
import type { DocumentView } from './document-view';

export function stateOf(view: DocumentView, verdict: StepVerdict): StepState {
  if (verdict.accepted) return 'accepted';
  if (view.pending.has(verdict.stepIndex)) return view.judging ? 'judging' : 'queued';
  return computationsVerified(verdict) ? 'verified' : verdict.verdict;
}

/** Every state at zero (the summary lists them all). */
export function emptyStepCounts(): Record<StepState, number> {
  return Object.fromEntries(StepStateSchema.options.map((state) => [state, 0])) as Record<StepState, number>;
}

export function summarize(view: DocumentView): SolutionSummary {
  const counts = emptyStepCounts();
  for (const verdict of view.judgement.steps) counts[stateOf(view, verdict)]++;
  return {
    counts,
    firstErrorIndex: view.judgement.firstErrorIndex,
    verdict: view.done ? view.judgement.verdict : null,
    pTrue: solutionPTrue(view.judgement),
    finalAnswerPTrue: view.judgement.finalAnswerPTrue,
    ...(view.judgement.answer ? { answer: view.judgement.answer } : {}),
    truncated: view.stepsOverLimit > 0,
    totalSteps: view.document.steps.length + view.stepsOverLimit,
  };
}

export function buildStepStates(view: DocumentView): StepStatesParams {
  const steps: StepStateEntry[] = view.judgement.steps.map((verdict) => {
    const step = view.document.steps[verdict.stepIndex]!;
    const state = stateOf(view, verdict);
    const waiting = state === 'queued' || state === 'judging';
    return {
      index: verdict.stepIndex,
      hash: verdict.stepHash,
      range: step.range,
      state,
      pTrue: waiting ? null : verdict.pTrue,
      source: waiting ? null : verdict.source,
      message: waiting ? (state === 'judging' ? 'Being judged…' : 'Waiting for the critic (save or run Critique).') : verdict.message,
    };
  });
  return {
    uri: view.uri,
    version: view.version,
    steps,
    summary: summarize(view),
    critic: { enabled: view.judgement.critic.enabled, model: view.judgement.critic.model, note: view.judgement.critic.note },
    usage: view.judgement.usage,
    done: view.done,
    warnings: view.judgement.warnings,
  };
}
