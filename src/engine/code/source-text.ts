// Line/character bookkeeping for code text, in LSP's terms: lines end at \r\n, \r or \n, characters are
// UTF-16 code units (which is what a JavaScript string index already is).
import type { Position, Range } from '../types';

export class SourceText {
  readonly lineStarts: number[];

  constructor(readonly text: string) {
    this.lineStarts = [0];
    const breaks = /\r\n|\r|\n/g;
    for (let m = breaks.exec(text); m; m = breaks.exec(text)) this.lineStarts.push(m.index + m[0].length);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The text of a line without its line break. */
  line(n: number): string {
    const start = this.lineStarts[n] ?? this.text.length;
    let end = n + 1 < this.lineStarts.length ? this.lineStarts[n + 1]! : this.text.length;
    while (end > start && (this.text[end - 1] === '\n' || this.text[end - 1] === '\r')) end--;
    return this.text.slice(start, end);
  }

  offsetAt(position: Position): number {
    const start = this.lineStarts[position.line];
    if (start === undefined) return this.text.length;
    return Math.min(start + Math.min(position.character, this.line(position.line).length), this.text.length);
  }

  positionAt(offset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: Math.min(offset - this.lineStarts[lo]!, this.line(lo).length) };
  }

  slice(range: Range): string {
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }

  /** The range of a whole line's text, from its first non-blank character. */
  lineRange(n: number): Range {
    const text = this.line(n);
    const indent = text.length - text.trimStart().length;
    return { start: { line: n, character: indent }, end: { line: n, character: text.length } };
  }
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}
