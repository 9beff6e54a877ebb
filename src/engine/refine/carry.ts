// Carrying a corrected value forward. "Fix arithmetic" puts the right value where a computation was
// wrong (`36 + 16 = 54` → `52`), but the steps after it, and the final answer, still use the old
// value. This proposes the rest of the correction: every later use of the old number becomes the new
// one; a computation that the carried value makes wrong is fixed by the verifier and its new value
// carried in turn, a few rounds at most. Nothing is applied here: the caller offers the edit for review.
import { judgeSolution } from '../judge';
import type { SolutionDocument, TextEdit } from '../types';
import { applyEdits, minimalEdit, offsetAt, positionAt } from './text';

/** A value the author wrote (`54`) and the value it was corrected to (`52`), and the step it was corrected in. */
export interface ValueCorrection {
  stepIndex: number;
  from: string;
  to: string;
}

export interface CarryOutcome {
  /** The whole text with every correction carried. */
  text: string;
  /** The one edit from the given text to `text`. */
  edit: TextEdit;
  /** Every value replaced, the given ones first, then those the carried values made wrong. */
  corrections: ValueCorrection[];
  /** 0-based steps whose text changed. */
  steps: number[];
  /** The final answer changed too. */
  answer: boolean;
  /** What the verifiers say of the carried text: refuted computations left, the final answer against the expected one. */
  refutedAfter: number;
  answerAfter: 'matches' | 'differs' | 'uncheckable' | undefined;
}

const MAX_ROUNDS = 8;
/** A plain number as an author writes one: `54`, `-3`, `1,200`, `2.5`, `$12`, `40%`. */
const NUMBER = /^[-+]?\$?\d[\d,]*(?:\.\d+)?%?$/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Where `value` stands as a whole number in `text` (not inside `154`, `54.5` or `5,54`). */
function occurrences(text: string, value: string, from: number, to: number): number[] {
  const pattern = new RegExp(`(?<![\\d.,])${escapeRegExp(value)}(?![\\d]|[.,]\\d)`, 'g');
  pattern.lastIndex = from;
  const found: number[] = [];
  for (let m = pattern.exec(text); m && m.index < to; m = pattern.exec(text)) found.push(m.index);
  return found;
}

export function isCarriable(correction: Pick<ValueCorrection, 'from' | 'to'>): boolean {
  return correction.from !== correction.to && NUMBER.test(correction.from.trim()) && NUMBER.test(correction.to.trim());
}

/** The steps after `stepIndex`, and the final answer, as offset ranges of `document.text`. */
function laterRanges(document: SolutionDocument, stepIndex: number): { start: number; end: number }[] {
  const ranges = document.steps
    .filter((s) => s.index > stepIndex)
    .map((s) => ({ start: offsetAt(document.text, s.range.start), end: offsetAt(document.text, s.range.end) }));
  const answer = document.finalAnswer?.range;
  if (answer) {
    const start = offsetAt(document.text, answer.start);
    const end = offsetAt(document.text, answer.end);
    if (!ranges.some((r) => r.start <= start && end <= r.end)) ranges.push({ start, end });
  }
  return ranges;
}

/**
 * Carries `corrections` (already made in `document`) into the later steps and the final answer.
 * `parse` reads a new text the way `document` was read. Undefined when no later step uses an old value.
 */
export async function carryCorrections(
  document: SolutionDocument,
  corrections: readonly ValueCorrection[],
  parse: (text: string) => Promise<SolutionDocument>,
): Promise<CarryOutcome | undefined> {
  const done: ValueCorrection[] = [];
  let current = document;
  let pending = corrections.filter(isCarriable);
  for (let round = 0; round < MAX_ROUNDS && pending.length > 0; round++) {
    const edits = carryEdits(current, pending);
    done.push(...pending);
    if (edits.length === 0) break;
    current = await parse(applyEdits(current.text, edits));
    // A computation the carried value made wrong (`54 / 2 = 27` now reads `52 / 2 = 27`) gets its
    // right value, carried next round. A fix that would put an old value back (`50 + 4 = 54` read
    // `50 + 4 = 52`: that 54 was another quantity) is applied but not carried.
    const fixes = (await judgeSolution(current)).steps.flatMap((verdict) =>
      verdict.evidence.flatMap((e) => {
        if (e.kind !== 'arithmetic' || e.status !== 'refuted' || !e.fix) return [];
        const from = current.text.slice(offsetAt(current.text, e.fix.range.start), offsetAt(current.text, e.fix.range.end));
        const correction: ValueCorrection = { stepIndex: verdict.stepIndex, from, to: e.fix.newText };
        const undoes = done.some((d) => d.to.trim() === from.trim() && d.from.trim() === correction.to.trim());
        return isCarriable(correction) ? [{ correction, edit: e.fix, undoes }] : [];
      }),
    );
    if (fixes.length === 0) break;
    current = await parse(
      applyEdits(
        current.text,
        fixes.map((f) => f.edit),
      ),
    );
    pending = fixes.filter((f) => !f.undoes).map((f) => f.correction);
  }
  const edit = minimalEdit(document.text, current.text);
  if (!edit) return undefined;
  const after = await judgeSolution(current);
  return {
    text: current.text,
    edit,
    corrections: done,
    steps: current.steps.filter((s) => s.text !== document.steps[s.index]?.text).map((s) => s.index),
    answer: current.finalAnswer?.text !== document.finalAnswer?.text,
    refutedAfter: after.steps.filter((s) => s.code === 'arithmetic' && s.verdict === 'incorrect').length,
    answerAfter: after.answer?.status,
  };
}

/** One edit per later use of an old value (each place once, the first correction naming it wins). */
function carryEdits(document: SolutionDocument, corrections: readonly ValueCorrection[]): TextEdit[] {
  const edits: TextEdit[] = [];
  const taken = new Set<number>();
  for (const correction of corrections) {
    const from = correction.from.trim();
    for (const range of laterRanges(document, correction.stepIndex)) {
      for (const at of occurrences(document.text, from, range.start, range.end)) {
        if (taken.has(at)) continue;
        taken.add(at);
        edits.push({ range: { start: positionAt(document.text, at), end: positionAt(document.text, at + from.length) }, newText: correction.to.trim() });
      }
    }
  }
  return edits;
}
