// The verifiers' evidence for a document, computed once per step text. Typing changes one step at a
// time; the other steps' computations are the same, only (perhaps) on other lines. The evidence of a
// step depends on the step alone (`verifyStepArithmetic(step)`, as `verifyDocument` uses it), so it
// is kept by the step's text and start column, with its ranges moved to the step's current line.
import { verifyStepArithmetic } from '../engine/verify/arithmetic';
import type { ClaimEvidence, Evidence, Range, SolutionDocument, Step } from '../engine/types';

/** Steps remembered (their evidence); the oldest are dropped past this. */
const MAX_STEPS = 20_000;

interface Remembered {
  line: number;
  evidence: ClaimEvidence[];
}

const byText = new Map<string, Remembered>();
const byDocument = new WeakMap<SolutionDocument, Map<number, Evidence[]>>();

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

function stepEvidence(step: Step): ClaimEvidence[] {
  const key = `${step.range.start.character}\u0000${step.text}`;
  const known = byText.get(key);
  if (known) return moved(known.evidence, step.range.start.line - known.line);
  const evidence = verifyStepArithmetic(step);
  if (byText.size >= MAX_STEPS) byText.delete(byText.keys().next().value!);
  byText.set(key, { line: step.range.start.line, evidence });
  return moved(evidence, 0);
}

/** Same result as the engine's `verifyDocument(document)`, without redoing unchanged steps. */
export function verifierEvidence(document: SolutionDocument): Map<number, Evidence[]> {
  let evidence = byDocument.get(document);
  if (!evidence) {
    evidence = new Map();
    if (document.kind === 'math') {
      for (const step of document.steps) {
        const found = stepEvidence(step);
        if (found.length > 0) evidence.set(step.index, found);
      }
    }
    byDocument.set(document, evidence);
  }
  return evidence;
}
