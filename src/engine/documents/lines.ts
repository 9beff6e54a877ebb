// Line bookkeeping shared by every parser: where each line starts and ends in the text, and how an
// offset becomes an LSP position. LSP counts lines by \n, \r\n and \r, and characters in UTF-16 code
// units — which is exactly what JavaScript string offsets are, so a character is `offset - lineStart`.
import type { Position, Range } from '../types';

export interface Line {
  /** Offset of the first character of the line. */
  start: number;
  /** Offset just past the last character of the line (before its line break). */
  end: number;
}

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      lines.push({ start, end: i });
      start = i + 1;
    } else if (c === 13 /* \r */) {
      lines.push({ start, end: i });
      if (i + 1 < n && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  lines.push({ start, end: n });
  return lines;
}

/** Maps offsets to positions over a fixed list of lines (binary search, so any order of calls is fine). */
export class LineIndex {
  readonly lines: Line[];

  constructor(
    readonly text: string,
    lines?: Line[],
  ) {
    this.lines = lines ?? splitLines(text);
  }

  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lines[mid]!.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineOf(clamped);
    const info = this.lines[line]!;
    // An offset inside a \r\n pair (or past the line's end) stays at the end of its line.
    return { line, character: Math.min(clamped, info.end) - info.start };
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }
}

/**
 * The position of `offset` inside `text`, given that `text` starts at `origin` in its document.
 * Used for ranges inside a step: a step's text is a verbatim slice of the document.
 */
export function positionWithin(text: string, origin: Position, offset: number): Position {
  let line = origin.line;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      if (c === 13 && i + 1 < text.length && text.charCodeAt(i + 1) === 10) {
        if (i + 1 >= end) break; // the offset sits between \r and \n: still on this line
        i++;
      }
      line++;
      lineStart = i + 1;
    }
  }
  if (line === origin.line) return { line, character: origin.character + end };
  return { line, character: end - lineStart };
}

/** Offset of the first non-blank character in [start, end), or `end`. */
export function skipBlank(text: string, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 0xfeff && c !== 0x0c && c !== 0x0b && c !== 0xa0) break;
    i++;
  }
  return i;
}

/** Offset just past the last non-blank character in [start, end), or `start`. */
export function trimBlankEnd(text: string, start: number, end: number): number {
  let i = end;
  while (i > start) {
    const c = text.charCodeAt(i - 1);
    if (c !== 32 && c !== 9 && c !== 0xfeff && c !== 0x0c && c !== 0x0b && c !== 0xa0 && c !== 10 && c !== 13) break;
    i--;
  }
  return i;
}
