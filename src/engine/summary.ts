// One solution's judgement in a few numbers: how many steps are in each state, and one P(True) for
// the whole solution — what the code lens, the status bar and the refine titles show.
import type { SolutionJudgement, StepVerdict, Verdict } from './types';

export type VerdictCounts = Record<Verdict | 'accepted', number>;

export function countVerdicts(steps: readonly StepVerdict[]): VerdictCounts {
  const counts: VerdictCounts = { correct: 0, incorrect: 0, uncertain: 0, downstream: 0, unchecked: 0, error: 0, accepted: 0 };
  for (const step of steps) {
    if (step.accepted) counts.accepted++;
    else counts[step.verdict]++;
  }
  return counts;
}

/**
 * P(True) of the solution: the product of the steps' P(True) up to and including the first wrong one
 * (a chain holds only if every link does; downstream steps add nothing once it is broken).
 * Null when no step has a probability.
 */
export function solutionPTrue(judgement: Pick<SolutionJudgement, 'steps'>, fromStep = 0): number | null {
  let product = 1;
  let any = false;
  for (const step of judgement.steps) {
    if (step.stepIndex < fromStep) continue;
    if (step.verdict === 'downstream') break;
    if (step.pTrue === null) continue;
    any = true;
    product *= step.pTrue;
    if (step.verdict === 'incorrect') break;
  }
  return any ? Math.round(product * 1000) / 1000 : null;
}
