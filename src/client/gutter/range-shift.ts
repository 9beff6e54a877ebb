// Keeps a step's range on its text while the person edits the document: the server's step states
// are for the version it judged, and until it judges the new one we move the ranges ourselves
// (an edit above a step moves it; an edit inside it stretches it). Plain data, no vscode import,
// so the arithmetic is unit-tested.

export interface Pos {
  line: number;
  character: number;
}
export interface Span {
  start: Pos;
  end: Pos;
}
/** One content change, its range in the document as it was before the change. */
export interface Change {
  range: Span;
  text: string;
}

export interface Shifted {
  range: Span;
  /** The change touched the span (inside it or at its edges). */
  touched: boolean;
}

const before = (a: Pos, b: Pos): boolean => a.line < b.line || (a.line === b.line && a.character < b.character);

/** Where a position that stood at or after `change.range.end` lands once the change is applied. */
function movePast(p: Pos, change: Change): Pos {
  const lines = change.text.split('\n');
  const added = lines.length - 1;
  const lastLength = lines[lines.length - 1]!.length;
  const { start, end } = change.range;
  const line = p.line + added - (end.line - start.line);
  if (p.line !== end.line) return { line, character: p.character };
  const base = added === 0 ? start.character + lastLength : lastLength;
  return { line, character: base + (p.character - end.character) };
}

/** The end of the inserted text. */
function insertedEnd(change: Change): Pos {
  const lines = change.text.split('\n');
  const { start } = change.range;
  return lines.length === 1
    ? { line: start.line, character: start.character + lines[0]!.length }
    : { line: start.line + lines.length - 1, character: lines[lines.length - 1]!.length };
}

export function shiftSpan(span: Span, change: Change): Shifted {
  const { start: cs, end: ce } = change.range;
  // Entirely after the span: nothing moves.
  if (before(span.end, cs)) return { range: span, touched: false };
  // Entirely before the span: the span moves.
  if (before(ce, span.start)) return { range: { start: movePast(span.start, change), end: movePast(span.end, change) }, touched: false };
  // Overlapping or adjacent: the span covers whatever now stands where it and the change were.
  const start = before(span.start, cs) ? span.start : cs;
  const end = before(ce, span.end) ? movePast(span.end, change) : insertedEnd(change);
  return { range: { start, end: before(end, start) ? start : end }, touched: true };
}

/** Applies the changes of one edit event, in order (VS Code lists them so that this is right). */
export function shiftThrough(span: Span, changes: readonly Change[]): Shifted {
  let result: Shifted = { range: span, touched: false };
  for (const change of changes) {
    const next = shiftSpan(result.range, change);
    result = { range: next.range, touched: result.touched || next.touched };
  }
  return result;
}
