// Content hashes: a step (and a problem) is identified by what it says, not by where it stands, so a
// verdict, a cache entry or an "accepted" mark survives edits elsewhere in the file.
import { createHash } from 'node:crypto';

/** Whitespace-insensitive: runs of whitespace count as one space; leading and trailing space is ignored. */
export function normalizeForHash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Stable content hash (sha256, first 16 hex digits) of the normalised text. */
export function hashText(text: string): string {
  return createHash('sha256').update(normalizeForHash(text), 'utf8').digest('hex').slice(0, 16);
}

// A step's own label ("Step 3:", "2.", "- ") is where it stands, not what it says: renumbering the steps
// after an insertion must not change the hashes of the steps that were not edited.
const LEADING_LABEL = /^\s*(?:[-*+]\s+|\d{1,9}[.)]\s+)?(?:\*\*|__)?\s*(?:step\s*\d+\s*(?:[:.)-]\s*)?)?(?:\*\*|__)?(?:\s*[:.)-])?\s*/i;

export function hashStep(text: string): string {
  const match = LEADING_LABEL.exec(text);
  const body = match ? text.slice(match[0].length) : text;
  return hashText(body.length > 0 ? body : text);
}
