// What the server shows for one version of one document: the parsed solution, its (possibly partial)
// judgement, and which steps still wait for the critic. Every presentation (diagnostics, step states,
// hover, code lens, code actions) is computed from a view, and a view is only ever published for the
// version it was made for.
import type { SolutionDocument, SolutionJudgement, StepVerdict } from '../engine/types';

export interface DocumentView {
  uri: string;
  version: number;
  document: SolutionDocument;
  judgement: SolutionJudgement;
  /** Steps whose critic verdict is not in yet for this version. */
  pending: ReadonlySet<number>;
  /** A run is judging the pending steps now (else they wait for a trigger). */
  judging: boolean;
  /** Steps the document has beyond the step limit (0 when none). */
  stepsOverLimit: number;
  /** The run for this version has finished (or none is needed). */
  done: boolean;
}

export function stepAt(view: DocumentView, line: number, character: number): StepVerdict | undefined {
  for (const step of view.document.steps) {
    const { start, end } = step.range;
    const afterStart = line > start.line || (line === start.line && character >= start.character);
    const beforeEnd = line < end.line || (line === end.line && character <= end.character);
    if (afterStart && beforeEnd) return view.judgement.steps[step.index];
  }
  return undefined;
}

/** Steps whose range meets the given one (inclusive), in order. */
export function stepsIn(view: DocumentView, range: { start: { line: number; character: number }; end: { line: number; character: number } }): StepVerdict[] {
  const before = (a: { line: number; character: number }, b: { line: number; character: number }) =>
    a.line < b.line || (a.line === b.line && a.character < b.character);
  const found: StepVerdict[] = [];
  for (const step of view.document.steps) {
    if (before(step.range.end, range.start) || before(range.end, step.range.start)) continue;
    const verdict = view.judgement.steps[step.index];
    if (verdict) found.push(verdict);
  }
  return found;
}
