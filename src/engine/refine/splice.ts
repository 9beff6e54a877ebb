// Putting a model's rewrite of a step into the document: the author's step label or list marker is
// kept when the model left it out, continuation lines of a list item are indented to match, and a
// math step stays one paragraph (a blank line would split it into two steps).
import type { SolutionKind } from '../types';

const LIST_MARKER = /^[ \t]*(?:[-*+]|\d+[.)])[ \t]+/;
const STEP_LABEL = /^[ \t]*(?:\*\*|__)?(?:step|schritt|étape)[ \t]*\d+(?:\*\*|__)?[ \t]*[:.)\-–—]?(?:\*\*|__)?[ \t]*/i;

interface Prefix {
  list: string;
  label: string;
}

function splitPrefix(text: string): Prefix {
  const list = LIST_MARKER.exec(text)?.[0] ?? '';
  const label = STEP_LABEL.exec(text.slice(list.length))?.[0] ?? '';
  return { list, label };
}

/** The leading markup of a step (`- `, `2. `, `Step 3: `, `- **Step 3.** `), possibly empty. */
export function stepPrefix(text: string): string {
  const { list, label } = splitPrefix(text);
  return list + label;
}

/**
 * The model's rewrite, shaped like the `original` step it replaces. The list marker is the
 * original's; the step label is the model's when it wrote one (it knows the numbering of what it
 * wrote), else the original's with its number moved on by `numberShift` (a regenerated solution may
 * have more steps than it had). Continuation lines of a list item are indented to match, and a math
 * step stays one paragraph (a blank line would split it in two).
 */
export function fitReplacement(original: string, replacement: string, kind: SolutionKind, numberShift = 0): string {
  if (kind === 'code') return replacement.replace(/^\n+|\s+$/g, '');
  let body = replacement.trim().replace(/\n[ \t]*\n+/g, '\n');
  const own = splitPrefix(body);
  body = body.slice(own.list.length + own.label.length);
  const theirs = splitPrefix(original);
  const list = theirs.list !== '' ? theirs.list : own.list;
  const shifted =
    numberShift === 0 ? theirs.label : theirs.label.replace(/(step[ \t]*)(\d+)/i, (_m, word: string, n: string) => `${word}${Number(n) + numberShift}`);
  const label = own.label !== '' ? own.label : shifted;
  const indent = list !== '' ? ' '.repeat(list.length) : '';
  if (indent !== '') body = body.replace(/\n[ \t]*/g, `\n${indent}`);
  return list + label + body;
}

/** The text that separates two steps in this document (a blank line, a line break), from what is there. */
export function stepSeparator(between: string | undefined): string {
  if (between === undefined || !between.includes('\n')) return '\n\n';
  const match = /(\r?\n)(?:[ \t]*\r?\n)*/.exec(between);
  return match?.[0] ?? '\n\n';
}
