// A dataset record has no text of its own: its problem and steps are laid out one per paragraph, so
// that every step has a real range (what the reports and the editor point at) and keeps exactly the
// boundaries the dataset gave it (so that the dataset's labels line up with our step indices).
import type { Span, StepSpan } from '../documents/build';

export interface Layout {
  text: string;
  problem?: Span;
  steps: StepSpan[];
  /** Spans of the extra paragraphs appended after the steps (a `#### 72` line, a chosen option). */
  trailer?: Span;
}

export function layoutRecord(problem: string, steps: { text: string; label?: string }[], trailer?: string): Layout {
  const parts: string[] = [];
  let offset = 0;
  const add = (piece: string): Span => {
    if (parts.length > 0) {
      parts.push('\n\n');
      offset += 2;
    }
    parts.push(piece);
    const span = { start: offset, end: offset + piece.length };
    offset += piece.length;
    return span;
  };
  const problemText = problem.trim();
  const layout: Layout = { text: '', steps: [] };
  if (problemText) layout.problem = add(problemText);
  for (const step of steps) {
    // A step keeps its own text; only the whitespace around it goes (the paragraph break stands for it).
    const span: StepSpan = add(step.text.trim());
    if (step.label) span.label = step.label;
    layout.steps.push(span);
  }
  if (trailer !== undefined && trailer.trim()) layout.trailer = add(trailer.trim());
  layout.text = parts.join('');
  return layout;
}
