// A finding of a deterministic check, in offsets of the step's text, and the evidence it becomes in
// document coordinates.
import { positionWithin } from '../documents/lines';
import type { ClaimEvidence, ClaimKind, Range, Step } from '../types';

export interface Finding {
  kind: ClaimKind;
  status: ClaimEvidence['status'];
  start: number;
  end: number;
  expected?: string;
  /** The text to replace (offsets in the step) and with what. */
  fix?: { start: number; end: number; newText: string };
  note?: string;
}

function rangeIn(step: Step, start: number, end: number): Range {
  return { start: positionWithin(step.text, step.range.start, start), end: positionWithin(step.text, step.range.start, end) };
}

export function toEvidence(step: Step, finding: Finding): ClaimEvidence {
  const item: ClaimEvidence = {
    kind: finding.kind,
    status: finding.status,
    claim: step.text.slice(finding.start, finding.end),
    range: rangeIn(step, finding.start, finding.end),
  };
  if (finding.expected !== undefined) item.expected = finding.expected;
  if (finding.fix) item.fix = { range: rangeIn(step, finding.fix.start, finding.fix.end), newText: finding.fix.newText };
  if (finding.note) item.note = finding.note;
  return item;
}
