// Offsets, positions and minimal edits over a document's text, counted as LSP counts them
// (0-based lines, UTF-16 code units), so an edit made here lands where the editor expects it.
import type { Position, TextEdit } from '../types';

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10 /* \n */) {
      starts.push(i + 1);
    }
  }
  return starts;
}

export function offsetAt(text: string, position: Position): number {
  const starts = lineStarts(text);
  if (position.line >= starts.length) return text.length;
  const start = starts[position.line]!;
  const next = position.line + 1 < starts.length ? starts[position.line + 1]! : text.length;
  return Math.min(start + position.character, next);
}

export function positionAt(text: string, offset: number): Position {
  const starts = lineStarts(text);
  const clamped = Math.max(0, Math.min(offset, text.length));
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= clamped) low = mid;
    else high = mid - 1;
  }
  return { line: low, character: clamped - starts[low]! };
}

/** Applies edits that do not overlap (positions refer to the original text). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = edits
    .map((e) => ({ start: offsetAt(text, e.range.start), end: offsetAt(text, e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Number.POSITIVE_INFINITY;
  for (const e of sorted) {
    if (e.end > limit) throw new Error('overlapping edits');
    out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    limit = e.start;
  }
  return out;
}

/** The one edit that turns `before` into `after`: the differing middle, common prefix and suffix left alone. */
export function minimalEdit(before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  let prefix = 0;
  const max = Math.min(before.length, after.length);
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) {
    suffix++;
  }
  // Never split a surrogate pair or a \r\n.
  while (prefix > 0 && isLowSurrogateOrLf(before, prefix)) prefix--;
  while (suffix > 0 && isLowSurrogateOrLf(before, before.length - suffix)) suffix--;
  return {
    range: { start: positionAt(before, prefix), end: positionAt(before, before.length - suffix) },
    newText: after.slice(prefix, after.length - suffix),
  };
}

function isLowSurrogateOrLf(text: string, offset: number): boolean {
  if (offset <= 0 || offset >= text.length) return false;
  const c = text.charCodeAt(offset);
  const p = text.charCodeAt(offset - 1);
  return (c >= 0xdc00 && c <= 0xdfff && p >= 0xd800 && p <= 0xdbff) || (c === 10 && p === 13);
}
