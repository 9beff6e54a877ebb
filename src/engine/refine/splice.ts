// Putting a model's rewrite of a step into the document: the author's step label or list marker is
// kept when the model left it out, continuation lines of a list item are indented to match, and a
// math step stays one paragraph (a blank line would split it into two steps).
import type { SolutionKind } from '../types';

const LIST_MARKER = /^[ \t]*(?:[-*+]|\d+[.)])[ \t]+/;
const STEP_LABEL = /^[ \t]*(?:\*\*|__)?(?:step|schritt|étape)[ \t]*\d+(?:\*\*|__)?[ \t]*[:.)\-–—]?(?:\*\*|__)?[ \t]*/i;

/** The leading markup of a step (`- `, `2. `, `Step 3: `, `- **Step 3.** `), possibly empty. */
export function stepPrefix(text: string): string {
  const list = LIST_MARKER.exec(text)?.[0] ?? '';
  const label = STEP_LABEL.exec(text.slice(list.length))?.[0] ?? '';
  return list + label;
}

export function fitReplacement(original: string, replacement: string, kind: SolutionKind): string {
  if (kind === 'code') return replacement.replace(/^\n+|\s+$/g, '');
  let body = replacement.trim().replace(/\n[ \t]*\n+/g, '\n');
  const prefix = stepPrefix(original);
  const own = stepPrefix(body);
  if (own !== '') body = body.slice(own.length);
  const keptPrefix = own !== '' && prefix === '' ? own : prefix;
  const indent = LIST_MARKER.test(keptPrefix) ? ' '.repeat((LIST_MARKER.exec(keptPrefix)?.[0] ?? '').length) : '';
  if (indent !== '') body = body.replace(/\n[ \t]*/g, `\n${indent}`);
  return keptPrefix + body;
}

/** The text that separates two steps in this document (a blank line, a line break), from what is there. */
export function stepSeparator(between: string | undefined): string {
  if (between === undefined || !between.includes('\n')) return '\n\n';
  const match = /(\r?\n)(?:[ \t]*\r?\n)*/.exec(between);
  return match?.[0] ?? '\n\n';
}
