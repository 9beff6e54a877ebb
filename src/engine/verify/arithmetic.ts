// The arithmetic verifier: every explicit computation claim in a step, recomputed exactly.
// A claim comes out
//   - verified: both sides agree at the precision the author wrote;
//   - refuted: they do not, and nothing about the claim's reading is in doubt — with the right value
//     written the way the author would, and an edit that replaces just the wrong number;
//   - uncheckable: they do not agree but the claim may mean something else (a change of units, a
//     phrase that goes on around it, a range), or it cannot be evaluated.
// A false alarm on a correct solution costs more than a missed slip, so doubt always goes to the author.
import type { ClaimEvidence, Step } from '../types';
import type { Finding } from './finding';
import { toEvidence } from './finding';
import type { Claim, Literal, Side } from './claims';
import { MAX_CLAIMS_PER_STEP, findClaims } from './claims';
import { agreesWithValue, formatExact, formatLike, literalAgreement } from './compare';
import type { Agreement } from './rounding';
import { asNumber, better } from './rounding';
import type { Value } from './evaluate';
import { evaluateExpression, fraction, parseExact } from './evaluate';
import { errorMessage } from '../error-message';

export { findClaims } from './claims';
export type { Claim } from './claims';

/** A judged claim: `rounding` when it holds only rounded to whole units or cut off; its span is the claim as judged (for a running calculation `2 + 3 = 5 * 4`, just `2 + 3 = 5`). */
type ClaimJudgement = Omit<Finding, 'kind'> & { kind?: 'rounding' };

interface Values {
  primary: Value;
  alternative?: Value;
}

function evaluateSide(side: Side): Values | string {
  if (side.tooLarge) return 'the numbers are too large to check';
  // A plain number needs no evaluator.
  if (side.literal && side.altExpr === undefined && !side.literal.value.includes('/')) {
    return { primary: { exact: fraction(side.literal.value) } };
  }
  const primary = evaluateExpression(side.expr);
  if ('error' in primary) return primary.error;
  if (side.altExpr === undefined) return { primary: primary.value };
  const alternative = evaluateExpression(side.altExpr);
  return 'error' in alternative ? { primary: primary.value } : { primary: primary.value, alternative: alternative.value };
}

function readings(values: Values): Value[] {
  return values.alternative ? [values.primary, values.alternative] : [values.primary];
}

/** The best agreement of any reading of the side with the literal (rounding.ts says what each means). */
function agreementWith(values: Values, literal: Literal, approximate: boolean): Agreement {
  let best: Agreement = 'differs';
  for (const value of readings(values)) {
    best = better(best, literalAgreement(value, literal, { approximate }));
    if (literal.percent) best = better(best, literalAgreement(value, literal, { approximate, percentAsNumber: true }));
  }
  return best;
}

function agreesWith(values: Values, literal: Literal, approximate: boolean): boolean {
  const found = agreementWith(values, literal, approximate);
  return found === 'exact' || found === 'rounded';
}

/** `25 / 4 = 6`, `2/3 = 0.6`: right only in a reading the text does not say; the exact value is shown. */
function roundingDoubt(base: { start: number; end: number }, found: Agreement, value: Value): ClaimJudgement | undefined {
  if (found !== 'whole-units' && found !== 'cut-off') return undefined;
  const exact = formatExact(value);
  const note =
    found === 'whole-units'
      ? `the exact value is ${exact}; a whole number is right only if whole units are meant (full boxes, whole people), else write ≈`
      : `the exact value is ${exact}: the written value is cut off, not rounded`;
  return { ...base, kind: 'rounding', status: 'uncertain', expected: exact, note };
}

function singular(word: string): string {
  return word.replace(/(?:es|s)$/, '');
}

const FILLER = new Set(['of', 'per', 'a', 'an', 'the', 'each']);

function shareAWord(a: string[], b: string[]): boolean {
  const set = new Set(a.filter((w) => !FILLER.has(w)).map(singular));
  return b.some((w) => !FILLER.has(w) && set.has(singular(w)));
}

/** Factors between common units (time, length, mass, volume, money, dozens). */
const CONVERSION_FACTORS = [7, 12, 16, 24, 36, 52, 60, 100, 144, 168, 365, 1000, 1440, 3600, 5280, 10080, 86400];

export function isConversionFactor(a: Value, b: Value): boolean {
  const x = Math.abs(a.exact ? Number(a.exact.valueOf()) : a.approx!);
  const y = Math.abs(b.exact ? Number(b.exact.valueOf()) : b.approx!);
  if (x === 0 || y === 0) return false;
  const ratio = Math.max(x, y) / Math.min(x, y);
  return CONVERSION_FACTORS.some((f) => Math.abs(ratio - f) < 1e-9 * f);
}

/** `1/2`, `\frac{3}{4}`: a fraction of a unit rather than a division. */
function isProperFraction(expr: string): boolean {
  const m = /^(\d+)\/(\d+)$/.exec(expr.replace(/[()]/g, ''));
  return m !== null && Number(m[1]) < Number(m[2]);
}

/**
 * `2 hours = 2 * 60`, `3 * 2 hours = 360 minutes`: the two sides may be in different units. A bare
 * quantity with a unit set equal to a computation is a conversion; two computations in different
 * units are taken as one only when their values differ by a common conversion factor.
 */
function unitChange(left: Side, right: Side, leftValue: Value, rightValue: Value): string | undefined {
  if (!left.unitBefore) return undefined;
  const leftUnit = left.unitBefore.join(' ');
  // a bare quantity: `2 hours = 2 * 60`, `\frac{1}{2} inch = 20 miles` (a scale)
  const quantity = left.operations === 0 || isProperFraction(left.expr);
  if (quantity) return `a quantity in ${leftUnit} set equal to something else (a change of units or a scale?)`;
  const rightUnit = right.unitBefore ?? right.trailingWords;
  if (rightUnit && !shareAWord(left.unitBefore, rightUnit) && isConversionFactor(leftValue, rightValue)) {
    return `${leftUnit} on one side and ${rightUnit.join(' ')} on the other (a change of units?)`;
  }
  return undefined;
}

const DECIMAL = /(?<![\d.])\d+\.(\d+)(?![\d.])/g;
const MAX_ROUNDED_NUMBERS = 8;

/** How far the value of `side` can move when each of its decimals moves by half its last written digit. */
function roundingSlack(side: Side, value: Value): number {
  const decimals = [...side.expr.matchAll(DECIMAL)];
  if (decimals.length > MAX_ROUNDED_NUMBERS) return 0;
  const at = asNumber(value);
  let slack = 0;
  for (const m of decimals) {
    const moved = evaluateExpression(`${side.expr.slice(0, m.index)}(${m[0]}5)${side.expr.slice(m.index + m[0].length)}`);
    if ('error' in moved) return 0;
    slack += Math.abs(asNumber(moved.value) - at);
  }
  return slack;
}

/**
 * `3.34 + 1600 / 60 = 3.34 + 26.67`: a computation rewritten with its numbers rounded as written holds
 * within what that rounding can move it (each decimal by half its last digit), and no further.
 */
function roundedRewrite(claim: Claim, left: Value, right: Value): boolean {
  if (claim.left.literal || claim.right.literal) return false;
  const slack = roundingSlack(claim.left, left) + roundingSlack(claim.right, right);
  return slack > 0 && Math.abs(asNumber(left) - asNumber(right)) <= slack * (1 + 1e-9);
}

const NUMBERS = /\d+(?:\.\d+)?/g;

/**
 * `10 \cdot 12 \cdot 14 = 10 \cdot 12 = 120`: a right side that is a part of the left one (`10 \cdot 12` of
 * `(10 \cdot 12) \cdot 14`) is that part worked out first, not a claim that the two are equal.
 */
function partOf(right: Side, left: Side): string | undefined {
  if (right.operations === 0 || right.literal) return undefined;
  try {
    const part = parseExact(right.expr).toString();
    const whole = parseExact(left.expr);
    const found = whole.filter((node) => node !== whole && node.type === 'OperatorNode' && node.toString() === part);
    return found.length > 0 ? 'the right side is a part of the left one, worked out first' : undefined;
  } catch {
    return undefined;
  }
}

/** The literal that states the claimed result, the value it should have, and the claim span ending at it. */
function resultOf(claim: Claim, left: Values, right: Values): { literal?: Literal; computed: Value; end: number } {
  if (claim.right.literal) return { literal: claim.right.literal, computed: left.primary, end: claim.end };
  if (claim.left.literal && claim.right.operations > 0) return { literal: claim.left.literal, computed: right.primary, end: claim.end };
  // `2 + 3 = 6 * 4 = 24`: the author meant 2 + 3 = 6 and went on from there — when 6 is near 5, and
  // is not the left side's own first number (`3.34 + 1600 / 60 = 3.34 + 26.76` rewrites it)
  const lead = claim.right.lead;
  if (lead && claim.chainContinues && nearby(left.primary, lead) && (claim.left.expr.match(NUMBERS) ?? [])[0] !== lead.value) {
    return { literal: lead, computed: left.primary, end: lead.end };
  }
  return { computed: left.primary, end: claim.end };
}

/** Within a factor of ten: a slip, not a different quantity. */
function nearby(value: Value, literal: Literal): boolean {
  const x = Math.abs(value.exact ? Number(value.exact.valueOf()) : value.approx!);
  const y = Math.abs(Number(literal.value.includes('/') ? Number.NaN : literal.value));
  if (!Number.isFinite(y) || x === 0 || y === 0) return x === y;
  return Math.max(x, y) / Math.min(x, y) <= 10;
}

function decorate(digits: string, literal: Literal | undefined): string {
  if (!literal) return digits;
  const negative = digits.startsWith('-');
  const body = negative ? digits.slice(1) : digits;
  return `${negative ? '-' : ''}${literal.currency ?? ''}${body}${literal.percent ? '%' : ''}`;
}

export function judgeClaim(claim: Claim): ClaimJudgement {
  try {
    return judge(claim);
  } catch (error) {
    // Whatever the text, the verifier answers; a number it cannot handle makes the claim uncheckable.
    const message = errorMessage(error);
    return { start: claim.start, end: claim.end, status: 'uncheckable', note: `Could not evaluate: ${message}` };
  }
}

function judge(claim: Claim): ClaimJudgement {
  const base = { start: claim.start, end: claim.end };
  const left = evaluateSide(claim.left);
  const right = evaluateSide(claim.right);
  if (typeof left === 'string') return { ...base, status: 'uncheckable', note: left };
  if (typeof right === 'string') return { ...base, status: 'uncheckable', note: right };
  const approximate = claim.approximate;

  if (claim.right.literal) {
    const found = agreementWith(left, claim.right.literal, approximate);
    if (found === 'exact' || found === 'rounded') return { ...base, status: 'verified' };
    const doubt = roundingDoubt(base, found, left.primary);
    if (doubt) return doubt;
  } else if (claim.left.literal && claim.right.operations > 0) {
    const found = agreementWith(right, claim.left.literal, approximate);
    if (found === 'exact' || found === 'rounded') return { ...base, status: 'verified' };
    const doubt = roundingDoubt(base, found, right.primary);
    if (doubt) return doubt;
  } else if (
    readings(left).some((a) => readings(right).some((b) => agreesWithValue(a, b, approximate))) ||
    roundedRewrite(claim, left.primary, right.primary)
  ) {
    return { ...base, status: 'verified' };
  }
  // A running calculation: `5 * 2 = 10 + 3 = 13` says 5 * 2 = 10, then 10 + 3 = 13.
  if (claim.right.lead && claim.left.operations > 0 && agreesWith(left, claim.right.lead, approximate)) {
    return { start: claim.start, end: claim.right.lead.end, status: 'verified' };
  }

  const swapped = !claim.right.literal && claim.left.literal !== undefined && claim.right.operations > 0;
  const doubt =
    claim.uncertainExtent ??
    claim.left.ambiguity ??
    claim.right.ambiguity ??
    partOf(claim.right, claim.left) ??
    unitChange(claim.left, claim.right, left.primary, right.primary) ??
    // `48 = 100% + 20%`: a number said to be a percentage of something
    (swapped && claim.right.altExpr !== undefined ? 'a number set equal to a sum of percentages' : undefined);
  if (doubt) return { ...base, status: 'uncheckable', note: `The sides differ, but the claim may not mean what it seems: ${doubt}.` };

  const result = resultOf(claim, left, right);
  const digits = formatLike(result.computed, result.literal);
  const judgement: ClaimJudgement = {
    start: claim.start,
    end: result.end,
    status: 'refuted',
    expected: decorate(digits, result.literal),
  };
  if (result.literal) judgement.fix = { start: result.literal.start, end: result.literal.end, newText: digits };
  return judgement;
}

const APPROXIMATELY = /\b(?:approximately|approx\.?|roughly|about|around|nearly|estimated?)\b|≈|\\approx/i;
/** Words with which a step says that an equation it shows does not hold. */
export const DENIAL =
  /\((?:false|not true|incorrect|wrong)\)|\b(?:is false|not true|isn't true|is not equal|contradiction|does not hold|doesn't hold|is incorrect|not correct|extraneous|impossible|not possible|never equal|cannot be|can't be|is wrong|does not work|doesn't work|not valid|invalid|does not satisfy|doesn't satisfy|not satisfied|fails)\b|≠|\\neq\b/i;

/**
 * `7995 (total cookies) - 2595 (rainbow cookies) = 4500`: words in brackets after a number label it;
 * they are blanked (offsets kept) so that the computation reads through them.
 */
const LABEL = /(?<=\d\s?(?:[A-Za-z]+\s)?)\((?=[^()]*[A-Za-z]{3})[A-Za-z' -]+\)(?=\s*(?:[-+*/×=]|\\times|\\cdot|[.,;](?:\s|$)|$))/g;

export function withoutLabels(text: string): string {
  return text.replace(LABEL, (label) => ' '.repeat(label.length));
}

/** A step longer than this is checked up to here (claims are short; a 10 MB paragraph is not a step). */
export const MAX_CHECKED_CHARACTERS = 100_000;

export function verifyStepArithmetic(step: Step): ClaimEvidence[] {
  const evidence: ClaimEvidence[] = [];
  let text = step.text;
  if (text.length > MAX_CHECKED_CHARACTERS) {
    const cut = text.lastIndexOf(' ', MAX_CHECKED_CHARACTERS);
    text = text.slice(0, cut > 0 ? cut : MAX_CHECKED_CHARACTERS);
  }
  const claims = findClaims(withoutLabels(text));
  const denial = DENIAL.exec(text);
  for (const claim of claims) {
    // "… is approximately:\n\[ 11.5098 \times 720 = 8286.656 \]": announced as an approximation
    if (!claim.approximate && APPROXIMATELY.test(text.slice(Math.max(0, claim.start - 120), claim.start))) claim.approximate = true;
    let judged = judgeClaim(claim);
    // "2 + 1 = 1 (False)": the author shows an equation that fails, on purpose
    if (judged.status === 'refuted' && denial) {
      judged = { start: judged.start, end: judged.end, status: 'uncheckable', note: `The sides differ, and the step itself says so ("${denial[0]}").` };
    }
    // `f(3) = 2x + 1`: algebra that happens to hold numbers, not a computation to report on
    if (judged.status === 'uncheckable' && claim.algebra) continue;
    evidence.push(toEvidence(step, { ...judged, kind: judged.kind ?? 'arithmetic' }));
  }
  if (text.length < step.text.length || claims.length >= MAX_CLAIMS_PER_STEP) {
    const end = claims.length >= MAX_CLAIMS_PER_STEP ? claims[claims.length - 1]!.end : text.length;
    evidence.push({
      ...toEvidence(step, { kind: 'arithmetic', status: 'uncheckable', start: end, end: step.text.length }),
      claim: '(the rest of the step)',
      note: `Only the first ${claims.length >= MAX_CLAIMS_PER_STEP ? `${MAX_CLAIMS_PER_STEP} computations` : `${MAX_CHECKED_CHARACTERS.toLocaleString('en-US')} characters`} of this step were checked.`,
    });
  }
  return evidence;
}
