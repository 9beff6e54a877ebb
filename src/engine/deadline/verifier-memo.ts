// The verifiers' evidence for a document, computed once per step text. Typing changes one step at a
// time; the other steps' computations are the same, only (perhaps) on other lines. The evidence of a
// step depends on the step alone (`verifyStepArithmetic(step)`, as `verifyDocument` uses it), so it
// is kept by the step's text and start column, with its ranges moved to the step's current line.
import { verifyStepArithmetic } from '../verify/arithmetic';
import type { ArithmeticEvidence, Range, Step } from '../types';

/** Steps remembered (their evidence); the oldest are dropped past this: the open documents of an editor (25 at the default step limit), not a whole batch, whose records do not repeat. */
const MAX_STEPS = 5_000;

interface Remembered {
  line: number;
  evidence: ArithmeticEvidence[];
}

const byText = new Map<string, Remembered>();

function shift(range: Range, lines: number): Range {
  return {
    start: { line: range.start.line + lines, character: range.start.character },
    end: { line: range.end.line + lines, character: range.end.character },
  };
}

function moved(evidence: readonly ArithmeticEvidence[], lines: number): ArithmeticEvidence[] {
  return evidence.map((e) => {
    const copy: ArithmeticEvidence = { ...e, range: shift(e.range, lines) };
    if (e.fix) copy.fix = { range: shift(e.fix.range, lines), newText: e.fix.newText };
    return copy;
  });
}

/** One step's verifier evidence (remembered by its text). */
export function stepEvidence(step: Step): ArithmeticEvidence[] {
  const key = `${step.range.start.character}\u0000${step.text}`;
  const known = byText.get(key);
  if (known) return moved(known.evidence, step.range.start.line - known.line);
  const evidence = verifyStepArithmetic(step);
  if (byText.size >= MAX_STEPS) byText.delete(byText.keys().next().value!);
  byText.set(key, { line: step.range.start.line, evidence });
  return moved(evidence, 0);
}
