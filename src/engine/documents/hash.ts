// Content hashes: a step (and a problem) is identified by what it says, not by where it stands, so a
// verdict, a cache entry or an "accepted" mark survives edits elsewhere in the file.
import { createHash } from 'node:crypto';

/** The characters JavaScript's `\s` matches. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * Stable content hash (sha256, first 16 hex digits) of the normalised text. Same value as hashing
 * `normalizeForHash(text)`, computed in one pass without building the normalised copy (a regex replace
 * over a 10 MB paragraph takes seconds).
 */
export function hashText(text: string): string {
  const hash = createHash('sha256');
  let pending: string[] = [];
  let pendingLength = 0;
  let wordStart = -1;
  let wrote = false;
  const emit = (piece: string) => {
    pending.push(piece);
    pendingLength += piece.length;
    if (pendingLength > 65536) {
      hash.update(pending.join(''), 'utf8');
      pending = [];
      pendingLength = 0;
    }
  };
  for (let i = 0; i <= text.length; i++) {
    const space = i === text.length || isSpace(text.charCodeAt(i));
    if (!space) {
      if (wordStart < 0) wordStart = i;
    } else if (wordStart >= 0) {
      if (wrote) emit(' ');
      emit(text.slice(wordStart, i));
      wrote = true;
      wordStart = -1;
    }
  }
  if (pending.length > 0) hash.update(pending.join(''), 'utf8');
  return hash.digest('hex').slice(0, 16);
}

// A step's own label ("Step 3:", "2.", "- ") is where it stands, not what it says: renumbering the steps
// after an insertion must not change the hashes of the steps that were not edited.
const LEADING_LABEL = /^\s*(?:[-*+]\s+|\d{1,9}[.)]\s+)?(?:\*\*|__)?\s*(?:step\s*\d+\s*(?:[:.)-]\s*)?)?(?:\*\*|__)?(?:\s*[:.)-])?\s*/i;

export function hashStep(text: string): string {
  // (the label is at the start: matching a bounded head keeps a huge step cheap)
  const match = LEADING_LABEL.exec(text.slice(0, 200));
  const body = match ? text.slice(match[0].length) : text;
  return hashText(body.length > 0 ? body : text);
}
