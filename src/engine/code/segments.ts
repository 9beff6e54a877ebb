// Turns a parser's statement pieces (and any `# Step …` / `// Step …` markers) into steps.
//
// Without markers every piece is a step: each simple statement and each compound statement's header,
// nested ones included, so that a verdict lands on the line that is wrong. With markers, the author
// has said what a step is: each marker opens a block that runs until the next marker, or until code
// dedents past the marker (the end of the function the marker was in); code outside every block keeps
// statement-level steps.
import { hashText } from '../documents/hash';
import type { Range, Step, Truncation } from '../types';
import type { SourcePiece, StepMarker } from './python-analyze';
import type { SourceText } from './source-text';
import { comparePositions } from './source-text';

export interface Segmentation {
  steps: Step[];
  /** Set when the step limit cut the steps short. */
  truncated?: Truncation;
}

function toRange(piece: Pick<SourcePiece, 'start' | 'end'>): Range {
  return {
    start: { line: piece.start[0], character: piece.start[1] },
    end: { line: piece.end[0], character: piece.end[1] },
  };
}

export function buildSteps(source: SourceText, pieces: SourcePiece[], markers: StepMarker[], maxSteps?: number): Segmentation {
  const ordered = [...pieces].sort((a, b) => comparePositions(toRange(a).start, toRange(b).start));
  const marks = [...markers].sort((a, b) => a.line - b.line || a.col - b.col);
  const drafts: Array<{ range: Range; label?: string }> = [];

  let p = 0;
  const pieceStart = (i: number) => toRange(ordered[i]!).start;
  for (let m = 0; m <= marks.length; m++) {
    const marker = marks[m];
    const limit = marker ? { line: marker.line, character: marker.col } : undefined;
    // Pieces before this marker and not claimed by the previous block: one step each.
    while (p < ordered.length && (!limit || comparePositions(pieceStart(p), limit) < 0)) {
      drafts.push({ range: toRange(ordered[p]!) });
      p++;
    }
    if (!marker) break;
    const next = marks[m + 1];
    const nextLimit = next ? { line: next.line, character: next.col } : undefined;
    let end = { line: marker.line, character: source.line(marker.line).length };
    while (p < ordered.length && (!nextLimit || comparePositions(pieceStart(p), nextLimit) < 0)) {
      const start = pieceStart(p);
      const indent = source.line(start.line).length - source.line(start.line).trimStart().length;
      if (start.character === indent && indent < marker.col) break; // dedented out of the marker's block
      const pieceEnd = toRange(ordered[p]!).end;
      if (comparePositions(pieceEnd, end) > 0) end = pieceEnd;
      p++;
    }
    drafts.push({ range: { start: { line: marker.line, character: marker.col }, end }, label: marker.label });
  }

  const truncated = maxSteps !== undefined && drafts.length > maxSteps ? { kept: maxSteps, total: drafts.length } : undefined;
  const kept = truncated ? drafts.slice(0, truncated.kept) : drafts;
  const steps = kept.map((draft, index): Step => {
    const text = source.slice(draft.range);
    return { index, text, range: draft.range, hash: hashText(text), ...(draft.label ? { label: draft.label } : {}) };
  });
  return { steps, ...(truncated ? { truncated } : {}) };
}
