// The final answer against the expected one (front matter `answer:`/`expected:`, a dataset's reference).
// Numbers are compared by value (`$1,200` = `1200`, `0.5` = `\frac{1}{2}` = `50%`), at the precision
// the solution wrote; other answers by their text, and only when that comparison means something.
import type { AnswerEvidence, SolutionDocument } from '../types';
import { readExpression } from './claims';
import type { Literal } from './claims';
import { agreesWithLiteral, agreesWithValue } from './compare';
import type { Value } from './evaluate';
import { evaluateExpression } from './evaluate';

/** The answer without its wrapping: `\boxed{…}`, `\text{…}`, math delimiters. */
function unwrap(answer: string): string {
  // `\$` is LaTeX's dollar sign: a currency, read as `$` (`\$31,800` is one number, not a list)
  let s = answer.trim().replace(/\\\$/g, '$');
  const boxed = /\\(?:boxed|fbox)\{([\s\S]*)\}/.exec(s);
  if (boxed) s = boxed[1]!;
  s = s.replace(/\\(?:text|textbf|mathrm|mbox)\{([^{}]*)\}/g, '$1');
  s = s.replace(/^\s*(?:\\\(|\\\[|\$\$?)|(?:\\\)|\\\]|\$\$?)\s*$/g, '');
  return s.trim().replace(/\.$/, '').trim();
}

/** One value of an answer: `x = 5` is 5, `450 km/h` is 450 (the unit is the question's, not compared). */
function valueText(part: string): string {
  let s = part.trim();
  const eq = s.lastIndexOf('=');
  if (eq >= 0 && /^[\sA-Za-z_\\{}()]*$/.test(s.slice(0, eq))) s = s.slice(eq + 1);
  return s
    .replace(/(\d)\s*[A-Za-z°]+\s*\/\s*[A-Za-z]+(?:\^?\d)?$/, '$1')
    .replace(/\.$/, '')
    .trim();
}

/**
 * The values of an answer that lists several (`2, 3`, `x = 2 or x = 3`), in any order; undefined for
 * one value, a number with thousands separators (`1,200`), or a bracketed tuple or interval, whose
 * order means something (`(2, 3)`).
 */
function listedValues(text: string): string[] | undefined {
  if (/^[([{]/.test(text) || /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(valueText(text))) return undefined;
  const parts = text
    .split(/\s*(?:,|;|\bor\b|\band\b)\s*/)
    .filter((p) => p !== '')
    .map(valueText);
  // values only: a sentence with commas (`12 apples, and 3 more`) is not a list of answers
  const bare = parts.every((p) => !/[A-Za-z]/.test(p.replace(/\\[a-z]+/g, '')));
  return parts.length >= 2 && bare ? parts : undefined;
}

interface Numeric {
  value: Value;
  literal?: Literal;
}

function numeric(text: string): Numeric | undefined {
  const side = readExpression(text);
  if (!side || side.tooLarge) return undefined;
  const evaluated = evaluateExpression(side.expr);
  if ('error' in evaluated) return undefined;
  return side.literal ? { value: evaluated.value, literal: side.literal } : { value: evaluated.value };
}

function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/^(?:choice|option)[\s_:]*/, '')
    .replace(/[\s{}()\\$*_]/g, '')
    .replace(/^\(?([a-e])\)?[.:]?$/, '$1');
}

/** Two numbers the same, at the precision each is written in. */
function compareNumbers(a: Numeric, b: Numeric): 'matches' | 'differs' {
  let same: boolean;
  if (a.literal && !b.literal) same = agreesWithLiteral(b.value, a.literal);
  else if (b.literal && !a.literal) same = agreesWithLiteral(a.value, b.literal);
  else same = agreesWithValue(a.value, b.value, false);
  // `50%` against `50`: the same number written two ways
  if (!same && a.literal?.percent !== b.literal?.percent && a.literal && b.literal) {
    same = Number(a.literal.value) === Number(b.literal.value);
  }
  return same ? 'matches' : 'differs';
}

/** Lists of numbers compared as sets of values (`2, 3` = `3, 2`); undefined when a value is not a number. */
function sameValues(actual: readonly string[], expected: readonly string[]): 'matches' | 'differs' | undefined {
  const a = actual.map(numeric);
  const b = expected.map(numeric);
  if (a.some((x) => !x) || b.some((x) => !x)) return undefined;
  if (a.length !== b.length) return 'differs';
  const unmatched = [...(b as Numeric[])];
  for (const x of a as Numeric[]) {
    const at = unmatched.findIndex((y) => compareNumbers(x, y) === 'matches');
    if (at < 0) return 'differs';
    unmatched.splice(at, 1);
  }
  return 'matches';
}

/** An answer against the expected one, normalised as for `answer:`; the one comparison of answers and named results. */
export function compareAnswers(actual: string, expected: string): AnswerEvidence['status'] {
  const actualList = listedValues(unwrap(actual));
  const expectedList = listedValues(unwrap(expected));
  if (actualList || expectedList) {
    const status = sameValues(actualList ?? [valueText(unwrap(actual))], expectedList ?? [valueText(unwrap(expected))]);
    if (status) return status;
  }
  const actualText = valueText(unwrap(actual));
  const expectedText = valueText(unwrap(expected));
  const a = numeric(actualText);
  const b = numeric(expectedText);
  if (a && b) return compareNumbers(a, b);
  const x = normalizeText(actualText);
  const y = normalizeText(expectedText);
  if (x === y && x !== '') return 'matches';
  // A multiple-choice letter, a single word: a different text is a different answer.
  if (/^[a-z]+$/.test(x) && /^[a-z]+$/.test(y) && (x.length === 1 || y.length === 1 || !(a || b))) return 'differs';
  return 'uncheckable';
}

/** The final answer against `answer:` (or `expected:`, a dataset's answer), else against the reference solution's. */
export function checkFinalAnswer(document: SolutionDocument): AnswerEvidence | undefined {
  const stated = document.expectedAnswer?.trim() ? document.expectedAnswer : undefined;
  const expected = stated ?? document.reference?.finalAnswer;
  const final = document.finalAnswer;
  if (expected === undefined || expected.trim() === '' || !final) return undefined;
  const e: AnswerEvidence = { kind: 'answer', status: compareAnswers(final.text, expected), expected, actual: final.text };
  if (final.range) e.range = final.range;
  if (stated === undefined) e.fromReference = true;
  return e;
}
