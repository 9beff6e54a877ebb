// Where a solution states its final answer: an `Answer:` line, a GSM8K-style `#### x` line, or the last
// `\boxed{…}`. Only these explicit forms count; the answer is never guessed from prose.
import type { Span } from './build';

/** `#### 72`: four hashes and something that starts like a number (a real `####` heading does not). */
export const HASH_ANSWER = /^ {0,3}####[ \t]+(?=[-−+$\\(.\d])/;

/** `Answer: 72`, `**Final answer:** 72`, `The final answer is: 72` at the start of a line. */
export const ANSWER_LINE = /^ {0,3}(?:[*_]{1,2})?(?:the\s+)?(?:final\s+)?answer(?:\s+is)?(?:[*_]{1,2})?\s*[:：](?:[*_]{1,2})?/i;

const BOX_COMMANDS = ['\\boxed{', '\\fbox{'];
const MAX_BOX_LENGTH = 2000;

/** The content of the box opened at `at` (braces matched, at most MAX_BOX_LENGTH), if it closes before `end`. */
function boxAt(text: string, at: number, command: string, end: number): Span | undefined {
  const open = at + command.length;
  let depth = 1;
  const limit = Math.min(end, open + MAX_BOX_LENGTH);
  for (let i = open; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x7b /* { */) depth++;
    else if (c === 0x7d /* } */ && --depth === 0) return i > open ? { start: open, end: i } : undefined;
  }
  return undefined;
}

/** At most this many boxes are tried, from the last one back, before giving up (bounded time). */
const MAX_BOXES_TRIED = 100;

/**
 * The content of the last `\boxed{…}` that stands inside one of `spans` (sorted, not overlapping).
 * All occurrences are found in one forward pass, so a document with many steps and no box costs
 * linear time (searching backwards step by step would rescan the text once per step).
 */
export function lastBoxedIn(text: string, spans: readonly Span[]): Span | undefined {
  if (spans.length === 0) return undefined;
  const from = spans[0]!.start;
  const to = spans[spans.length - 1]!.end;
  const found: { at: number; command: string }[] = [];
  for (const command of BOX_COMMANDS) {
    for (let at = text.indexOf(command, from); at >= 0 && at < to; at = text.indexOf(command, at + 1)) found.push({ at, command });
  }
  found.sort((a, b) => b.at - a.at);
  for (const { at, command } of found.slice(0, MAX_BOXES_TRIED)) {
    // binary search for the span that starts at or before `at`
    let lo = 0;
    let hi = spans.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (spans[mid]!.start <= at) lo = mid;
      else hi = mid - 1;
    }
    const inside = spans[lo]!;
    if (inside.start > at || at >= inside.end) continue;
    const box = boxAt(text, at, command, inside.end);
    if (box) return box;
  }
  return undefined;
}

/** The content of the last `\boxed{…}` in text[start, end), braces matched. */
export function lastBoxed(text: string, start: number, end: number): Span | undefined {
  return lastBoxedIn(text, [{ start, end }]);
}

/** Trims the answer's decoration (`**`, `$`, a trailing full stop) and returns the span of what is left. */
export function answerSpan(text: string, start: number, end: number): Span | undefined {
  const boxed = lastBoxed(text, start, end);
  if (boxed) return trimAnswer(text, boxed.start, boxed.end);
  return trimAnswer(text, start, end);
}

function trimAnswer(text: string, start: number, end: number): Span | undefined {
  let s = start;
  let e = end;
  const strip = (c: string) => c === ' ' || c === '\t' || c === '*' || c === '_' || c === '\r' || c === '\n';
  while (s < e && strip(text[s]!)) s++;
  while (e > s && (strip(text[e - 1]!) || (text[e - 1] === '.' && !/\d/.test(text[e - 2] ?? '')))) e--;
  // A whole answer in inline math: `$72$`, `\(72\)`.
  if (text.startsWith('\\(', s) && text.endsWith('\\)', e) && e - s > 4) {
    s += 2;
    e -= 2;
  } else if (text[s] === '$' && text[e - 1] === '$' && e - s > 2) {
    s += 1;
    e -= 1;
  }
  while (s < e && (text[s] === ' ' || text[s] === '\t')) s++;
  while (e > s && (text[e - 1] === ' ' || text[e - 1] === '\t')) e--;
  return e > s ? { start: s, end: e } : undefined;
}
