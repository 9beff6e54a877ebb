// The final answer against the expected one (front matter `answer:`/`expected:`, a dataset's reference).
// Numbers are compared by value (`$1,200` = `1200`, `0.5` = `\frac{1}{2}` = `50%`), at the precision
// the solution wrote; other answers by their text, and only when that comparison means something.
import type { AnswerEvidence, SolutionDocument } from '../types';
import { readExpression } from './claims';
import type { Literal } from './claims';
import { agreesWithLiteral, agreesWithValue } from './compare';
import type { Value } from './evaluate';
import { evaluateExpression } from './evaluate';

function unwrap(answer: string): string {
  let s = answer.trim();
  const boxed = /\\(?:boxed|fbox)\{([\s\S]*)\}/.exec(s);
  if (boxed) s = boxed[1]!;
  s = s.replace(/\\(?:text|textbf|mathrm|mbox)\{([^{}]*)\}/g, '$1');
  s = s.replace(/^\s*(?:\\\(|\\\[|\$\$?)|(?:\\\)|\\\]|\$\$?)\s*$/g, '');
  // `x = 5`, `n = 12`: the value after the last `=`
  const eq = s.lastIndexOf('=');
  if (eq >= 0 && /^[\sA-Za-z_\\{}()]*$/.test(s.slice(0, eq))) s = s.slice(eq + 1);
  return s.trim().replace(/\.$/, '').trim();
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

export function checkFinalAnswer(document: SolutionDocument): AnswerEvidence | undefined {
  const expected = document.expectedAnswer;
  const final = document.finalAnswer;
  if (expected === undefined || expected.trim() === '' || !final) return undefined;
  const evidence = (status: AnswerEvidence['status']): AnswerEvidence => {
    const e: AnswerEvidence = { kind: 'answer', status, expected, actual: final.text };
    if (final.range) e.range = final.range;
    return e;
  };
  const actualText = unwrap(final.text);
  const expectedText = unwrap(expected);
  const a = numeric(actualText);
  const b = numeric(expectedText);
  if (a && b) {
    let same: boolean;
    if (a.literal && !b.literal) same = agreesWithLiteral(b.value, a.literal);
    else if (b.literal && !a.literal) same = agreesWithLiteral(a.value, b.literal);
    else same = agreesWithValue(a.value, b.value, false);
    // `50%` against `50`: the same number written two ways
    if (!same && a.literal?.percent !== b.literal?.percent && a.literal && b.literal) {
      same = Number(a.literal.value) === Number(b.literal.value);
    }
    return evidence(same ? 'matches' : 'differs');
  }
  const x = normalizeText(actualText);
  const y = normalizeText(expectedText);
  if (x === y && x !== '') return evidence('matches');
  // A multiple-choice letter, a single word: a different text is a different answer.
  if (/^[a-z]+$/.test(x) && /^[a-z]+$/.test(y) && (x.length === 1 || y.length === 1 || !(a || b))) return evidence('differs');
  if ((a && !b) || (!a && b)) return evidence('uncheckable');
  return evidence('uncheckable');
}
