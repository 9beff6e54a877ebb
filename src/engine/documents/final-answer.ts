// Where a solution states its final answer: an `Answer:` line, a GSM8K-style `#### x` line, or the last
// `\boxed{…}`. Only these explicit forms count; the answer is never guessed from prose.
import type { Span } from './build';

/** `#### 72`: four hashes and something that starts like a number (a real `####` heading does not). */
export const HASH_ANSWER = /^ {0,3}####[ \t]+(?=[-−+$\\(.\d])/;

/** `Answer: 72`, `**Final answer:** 72`, `The final answer is: 72` at the start of a line. */
export const ANSWER_LINE = /^ {0,3}(?:[*_]{1,2})?(?:the\s+)?(?:final\s+)?answer(?:\s+is)?(?:[*_]{1,2})?\s*[:：](?:[*_]{1,2})?/i;

const BOX_COMMANDS = ['\\boxed{', '\\fbox{'];
const MAX_BOX_LENGTH = 2000;

/** The content of the last `\boxed{…}` in text[start, end), braces matched. */
export function lastBoxed(text: string, start: number, end: number): Span | undefined {
  let best: Span | undefined;
  for (const command of BOX_COMMANDS) {
    let at = text.lastIndexOf(command, end - command.length);
    while (at >= start) {
      const open = at + command.length;
      let depth = 1;
      let i = open;
      const limit = Math.min(end, open + MAX_BOX_LENGTH);
      for (; i < limit; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x5c /* \ */) i++;
        else if (c === 0x7b /* { */) depth++;
        else if (c === 0x7d /* } */ && --depth === 0) break;
      }
      if (depth === 0 && i > open) {
        if (!best || at > best.start) best = { start: open, end: i };
        break;
      }
      at = text.lastIndexOf(command, at - 1);
    }
  }
  return best;
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
