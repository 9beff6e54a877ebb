// Triage: a cheap first pass that settles the items it can be sure about, so that the full step
// critique (the expensive call) is spent only where it is needed.
//
// - `verifiers`: the deterministic checks alone (no model). A solution they prove wrong (a refuted
//   computation, a failing test, a final answer that differs from the expected one) is settled as
//   incorrect; every other solution gets the full critique.
// - `answer`: the verifiers, then one short solution-level call ("Is the proposed answer True or
//   False?", P(True) from its log-probabilities). A solution whose answer P(True) is at or above the
//   threshold is settled as correct without a step critique; below it — where the critic is unsure or
//   thinks the answer wrong, and where the earliest wrong step is worth finding — the full critique
//   runs. The settled entry says so, with the P(True) it was settled on.
import type { JudgeDependencies, JudgeOptions } from '../judge';
import { judgeSolution } from '../judge';
import type { CriticStop, SolutionDocument, SolutionJudgement, Usage } from '../types';
import type { TriageInfo } from './run-log';

/** The solution-level P(True) call the `answer` triage makes. */
export interface AnswerScreen {
  readonly model: string;
  screen(document: SolutionDocument, signal?: AbortSignal): Promise<{ pTrue: number | null; usage: Usage; note?: string; stopped?: CriticStop }>;
}

export type TriageOptions = { mode: 'verifiers' } | { mode: 'answer'; threshold: number; screen: AnswerScreen };

export const DEFAULT_TRIAGE_THRESHOLD = 0.9;

export interface TriagedJudgement {
  judgement: SolutionJudgement;
  triage?: TriageInfo;
}

function addUsage(a: Usage, b: Usage): Usage {
  return {
    requests: a.requests + b.requests,
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    cachedSteps: a.cachedSteps + b.cachedSteps,
  };
}

export async function judgeWithTriage(
  document: SolutionDocument,
  deps: JudgeDependencies,
  options: JudgeOptions,
  triage: TriageOptions | undefined,
): Promise<TriagedJudgement> {
  if (!triage || !deps.critic) return { judgement: await judgeSolution(document, deps, options) };

  const cheap = await judgeSolution(document, { ...deps, critic: undefined, criticOffReason: 'Triage first pass: verifiers only.' }, options);
  if (cheap.verdict === 'incorrect') {
    const where = cheap.firstErrorIndex >= 0 ? `at step ${cheap.firstErrorIndex + 1}` : 'in its tests or final answer';
    const reason = `Triage: the deterministic checks found the error ${where}; no step critique was needed.`;
    return {
      judgement: { ...cheap, critic: { enabled: false, note: reason } },
      triage: { mode: triage.mode, settled: true, reason },
    };
  }

  if (triage.mode === 'verifiers') {
    const full = await judgeSolution(document, deps, options);
    return { judgement: full, triage: { mode: 'verifiers', settled: false, reason: 'The deterministic checks did not settle it; full step critique.' } };
  }

  if (document.finalAnswer === undefined) {
    const full = await judgeSolution(document, deps, options);
    return {
      judgement: full,
      triage: { mode: 'answer', settled: false, answerPTrue: null, threshold: triage.threshold, reason: 'No final answer to screen; full step critique.' },
    };
  }

  const screened = await triage.screen.screen(document, options.signal);
  // The budget ran out before the screen could answer: the solution is not judged (the caller stops).
  if (screened.stopped) return { judgement: { ...cheap, usage: addUsage(cheap.usage, screened.usage), stopped: screened.stopped } };
  const p = screened.pTrue;
  if (p !== null && p >= triage.threshold) {
    const reason = `Triage: answer P(True) ${p.toFixed(2)} ≥ ${triage.threshold.toFixed(2)}; the steps were not critiqued.`;
    return {
      judgement: {
        ...cheap,
        verdict: 'correct',
        finalAnswerPTrue: p,
        critic: { enabled: true, model: triage.screen.model, note: reason },
        usage: addUsage(cheap.usage, screened.usage),
        warnings: [...cheap.warnings, reason],
      },
      triage: { mode: 'answer', settled: true, answerPTrue: p, threshold: triage.threshold, reason },
    };
  }

  const full = await judgeSolution(document, deps, options);
  const why =
    p === null
      ? `The answer screen gave no probability${screened.note ? ` (${screened.note})` : ''}; full step critique.`
      : `Answer P(True) ${p.toFixed(2)} < ${triage.threshold.toFixed(2)}; full step critique.`;
  return {
    judgement: { ...full, finalAnswerPTrue: full.finalAnswerPTrue ?? p, usage: addUsage(full.usage, screened.usage) },
    triage: { mode: 'answer', settled: false, answerPTrue: p, threshold: triage.threshold, reason: why },
  };
}
