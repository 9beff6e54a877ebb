// The verifiers' step results, computed once per step text and context. Typing changes one step at a
// time; the other steps' computations are the same, only (perhaps) on other lines. The evidence of a
// step depends on its text and on what earlier steps defined (functions, the last equation): the
// engine's StepCache keys it by both, and this memo keeps it by the step's text and start column,
// with its ranges moved to the step's current line.
import type { ClaimEvidence, Range, Step } from '../types';
import type { StepCache, StepResult } from '../verify/steps';

/**
 * Steps a memo remembers by default (their evidence); the oldest are dropped past this: the open
 * documents of an editor (25 at the default step limit). A batch, whose records do not repeat, keeps
 * none (pipeline/run.ts): a memo of 5,000 steps is some 10 MB of a worker's heap that no record reads.
 */
export const EDITOR_MEMO_STEPS = 5_000;

interface Remembered {
  line: number;
  result: StepResult;
}

function shift(range: Range, lines: number): Range {
  return {
    start: { line: range.start.line + lines, character: range.start.character },
    end: { line: range.end.line + lines, character: range.end.character },
  };
}

function moved(evidence: readonly ClaimEvidence[], lines: number): ClaimEvidence[] {
  return evidence.map((e) => {
    const copy: ClaimEvidence = { ...e, range: shift(e.range, lines) };
    if (e.fix) copy.fix = { range: shift(e.fix.range, lines), newText: e.fix.newText };
    return copy;
  });
}

const key = (step: Step, context: string) => `${step.range.start.character}\u0000${context}\u0000${step.text}`;

/** A check worker's memo of step results (it lives as long as the worker), of at most `maxSteps` steps; none for 0. */
export function createStepMemo(maxSteps: number): StepCache | undefined {
  if (maxSteps <= 0) return undefined;
  const byText = new Map<string, Remembered>();
  return {
    get(step, context) {
      const known = byText.get(key(step, context));
      return known ? { ...known.result, evidence: moved(known.result.evidence, step.range.start.line - known.line) } : undefined;
    },
    set(step, context, result) {
      if (byText.size >= maxSteps) byText.delete(byText.keys().next().value!);
      byText.set(key(step, context), { line: step.range.start.line, result });
    },
  };
}
