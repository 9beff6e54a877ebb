// One solution's judgement in a few numbers: how many steps are in each state, and one P(True) for
// the whole solution — what the code lens, the status bar and the refine titles show.
import type { SolutionJudgement } from './types';

/**
 * P(True) of the solution: the product of the steps' P(True) up to and including the first wrong one
 * (a chain holds only if every link does; downstream steps add nothing once it is broken).
 * 0 when the final answer differs from the expected one, whatever the steps say (a deterministic
 * check is authoritative). Null when no step has a probability.
 */
export function solutionPTrue(judgement: Pick<SolutionJudgement, 'steps' | 'answer'>, fromStep = 0): number | null {
  if (judgement.answer?.status === 'differs') return 0;
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
