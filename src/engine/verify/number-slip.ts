// A rewrite that becomes an identity when one number of its right side is changed (`(a-2)(a+1) = a^5 - a - 2`
// with 2 for the 5, `3n + 3 = 4(n+1)` with 3 for the 4) has a slip in that number: the careless copy or
// the wrong coefficient a solver makes. A condition (`(x+1)^2 = x^2 + 25`) or a substitution of a known fact
// (`(a+b)^2 - 3ab = 7^2 - 3ab`) differs from an identity by more than one number, so no number repairs it.
//
// The number is found, not guessed: the right side with that number as an unknown t is compared with
// the left at a random point, which is linear in t for a coefficient or a term (solved exactly) and in
// 1/t for a denominator; an exponent, a base or a number under a root is tried among the small whole
// numbers, then solved for in floating point (the secant method) and must come out a short fraction.
// The repaired side must then agree with the left at every point (identity.ts's test), else nothing
// is said.
import type { Fraction, MathNode } from 'mathjs';
import { exactMath } from './evaluate';
import type { FunctionTable } from './functions';
import type { PointValue, Scope } from './points';
import { integerVariables, seriesTermsEvaluated, seriesVariables } from './series';
import { evaluateAt, evaluateFloat, polynomialCoefficients, randomPoints, withFunctions } from './points';

/** Numbers of a side tried at most (each costs a few evaluations at one point). */
const MAX_NUMBERS = 12;
/** Tried first where the number is not linear (exponents, bases): most such numbers are small and whole. */
const SMALL_WHOLE_NUMBERS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
/** Floating-point evaluations one search may spend over all the numbers of a side. */
const MAX_FLOAT_EVALUATIONS = 300;
/** Terms of a sum that cost as much as one more evaluation. */
const TERMS_PER_EVALUATION = 40;
/** Steps of the secant method for a number in a nonlinear place (it converges in a few where it does). */
const SECANT_STEPS = 30;
const UNKNOWN = 't__number';
/** Points tried for one where the left side has a value (a factorial of a difference has none at half of them). */
const SEARCH_POINTS = 8;
/** Whole numbers that fit at the point confirmed at most per number of the side (each confirmation evaluates at every point). */
const MAX_WHOLE_CANDIDATES = 3;

export interface NumberSlip {
  /** The number as written (its value). */
  written: Fraction;
  /** The value that makes the rewrite an identity. */
  right: Fraction;
  /** The repaired side, for the check at every point. */
  repaired: MathNode;
}

interface ConstantShape {
  type: string;
  value?: unknown;
}

function isFraction(value: unknown): value is Fraction {
  return exactMath.typeOf(value) === 'Fraction';
}

/** The side with `target` replaced by `replacement`. */
function replaced(side: MathNode, target: MathNode, replacement: MathNode): MathNode {
  return side.transform((node) => (node === target ? replacement : node));
}

function constant(value: Fraction): MathNode {
  return new exactMath.ConstantNode(value as unknown as number);
}

/** The value t of the unknown where `f(t) = 0`, when f is linear in t (or in 1/t) with a nonzero slope. */
function linearRoot(f: (t: Fraction) => PointValue | undefined): Fraction | undefined {
  const coefficients = polynomialCoefficients(f, 1);
  if (!coefficients || coefficients.length !== 2) return undefined;
  return coefficients[0]!.neg().div(coefficients[1]!);
}

/** A value someone writes: a short fraction. */
function writable(value: Fraction): boolean {
  return value.d <= 1000n && value.n < 10n ** 12n;
}

/** The number nearest `t` with a denominator up to 12, when `t` is one (a root found in floating point). */
function snapped(t: number): Fraction | undefined {
  if (!Number.isFinite(t) || Math.abs(t) > 1e12) return undefined;
  for (let d = 1; d <= 12; d++) {
    const n = Math.round(t * d);
    if (Math.abs(n / d - t) <= 1e-7 * Math.max(1, Math.abs(t))) return exactMath.fraction(n, d) as Fraction;
  }
  return undefined;
}

/** A root of `f` near `start` by the secant method, in floating point, or undefined. */
function secantRoot(f: (t: number) => number | undefined, start: number): number | undefined {
  let t0 = start;
  let t1 = start === 0 ? 1 : start * 1.25;
  let f0 = f(t0);
  let f1 = f(t1);
  for (let k = 0; k < SECANT_STEPS && f0 !== undefined && f1 !== undefined; k++) {
    if (Math.abs(f1) <= 1e-12) return t1;
    if (f1 === f0) return undefined;
    let t2 = t1 - (f1 * (t1 - t0)) / (f1 - f0);
    let f2 = f(t2);
    // out of the domain (a negative number under a root): back towards the last good point
    for (let half = 0; f2 === undefined && half < 10; half++) f2 = f((t2 = (t1 + t2) / 2));
    [t0, f0, t1, f1] = [t1, f1, t2, f2];
  }
  return f1 !== undefined && Math.abs(f1) <= 1e-12 ? t1 : undefined;
}

/**
 * The one number of `right` whose change makes `left = right` hold at a random point (with `fixed`: a
 * reading of e and i), with its right value, the first that `confirm` (the caller's test of the repaired
 * side at every point) accepts. Undefined when no single number does.
 */
export function numberSlip(
  left: MathNode,
  right: MathNode,
  variables: ReadonlySet<string>,
  table: FunctionTable,
  seed: string,
  fixed: Scope = {},
  confirm: (slip: NumberSlip) => boolean = () => true,
): NumberSlip | undefined {
  const free = [...variables].filter((v) => !(v in fixed));
  // the first of a few points where the left side has a value (`(d-k)!` has none where k > d)
  let scope: Scope = {};
  let target: PointValue | undefined;
  for (const point of randomPoints(free, SEARCH_POINTS, `${seed}\u0000slip`, integerVariables(left, right), seriesVariables(left, right))) {
    scope = withFunctions({ ...point, ...fixed }, table);
    target = evaluateAt(left, scope);
    if (target) break;
  }
  if (!target) return undefined;
  const numbers: { node: MathNode; value: Fraction }[] = [];
  right.traverse((node) => {
    const shape = node as unknown as ConstantShape;
    if (shape.type === 'ConstantNode' && isFraction(shape.value) && numbers.length < MAX_NUMBERS) numbers.push({ node, value: shape.value });
  });
  const unknown = new exactMath.SymbolNode(UNKNOWN);
  // bounded by count, not by a clock: a search that runs out says nothing (the link is left unjudged)
  let budget = MAX_FLOAT_EVALUATIONS;
  // …and a side with a sum costs an evaluation more per TERMS_PER_EVALUATION of its terms, wherever they are
  // evaluated (the confirmations too)
  const termsBefore = seriesTermsEvaluated();
  const spent = () => budget - Math.floor((seriesTermsEvaluated() - termsBefore) / TERMS_PER_EVALUATION) <= 0;
  for (const { node, value } of numbers) {
    if (spent()) return undefined;
    const withUnknown = replaced(right, node, unknown);
    const candidates: Fraction[] = [];
    if (target.exact) {
      // a coefficient or a term: linear in the number, solved exactly (a denominator: linear in its inverse)
      const gap = (t: Fraction): PointValue | undefined => {
        const b = evaluateAt(withUnknown, { ...scope, [UNKNOWN]: t });
        return b?.exact ? { exact: target.exact!.sub(b.exact), re: target.re - b.re, im: 0 } : undefined;
      };
      const inverse = () => {
        const root = linearRoot((s) => (s.equals(0) ? undefined : gap(s.inverse())));
        return root && !root.equals(0) ? root.inverse() : undefined;
      };
      const direct = linearRoot(gap) ?? inverse();
      if (direct) candidates.push(direct);
    }
    if (candidates.length === 0) {
      // an exponent, a base, a number under a root or in a logarithm, in floating point (an unknown exponent
      // cannot be sized, but a float is one machine number): the small whole numbers, then a root by the
      // secant method, which must be a short fraction
      const at = (t: number) => {
        budget--;
        if (spent()) return undefined;
        try {
          return evaluateFloat(withUnknown, { ...scope, [UNKNOWN]: t });
        } catch {
          return undefined;
        }
      };
      const scale = Math.max(1, Math.abs(target.re), Math.abs(target.im));
      // every small whole number that fits at this point (inside a floor several do: `\lfloor (t + s)/2 \rfloor`)
      const whole = SMALL_WHOLE_NUMBERS.filter((t) => {
        if (value.equals(t)) return false;
        const b = at(t);
        return b !== undefined && Math.abs(b.re - target.re) <= 1e-9 * scale && Math.abs(b.im - target.im) <= 1e-9 * scale;
      }).slice(0, MAX_WHOLE_CANDIDATES);
      const real = (t: number) => {
        const b = at(t);
        return b && target.im === 0 && Math.abs(b.im) <= 1e-12 * Math.max(1, Math.abs(b.re)) ? (target.re - b.re) / scale : undefined;
      };
      // a denominator in floating point (`\frac{i}{1280}` with i the imaginary unit) is linear in its inverse,
      // where the secant method finds it from any start
      const start = Number(value.valueOf());
      const inverse = () => {
        const s = start === 0 ? undefined : secantRoot((u) => (u === 0 ? undefined : real(1 / u)), 1 / start);
        return s === undefined || s === 0 ? undefined : 1 / s;
      };
      const roots = whole.length > 0 ? whole : target.im === 0 ? [secantRoot(real, start) ?? inverse()] : [];
      for (const root of roots) {
        const found = root === undefined ? undefined : snapped(root);
        if (found) candidates.push(found);
      }
    }
    for (const repair of candidates) {
      if (repair.equals(value) || !writable(repair) || spent()) continue;
      const slip = { written: value, right: repair, repaired: replaced(withUnknown, unknown, constant(repair)) };
      if (confirm(slip)) return slip;
    }
  }
  return undefined;
}

/** A whole number, or a decimal that ends (`4.5`, `-0.25`), as a solver writes it; undefined for `1/3`. */
export function decimalText(f: Fraction): string | undefined {
  if (f.d === 1n) return f.toString();
  const decimal = f.toString();
  return /^-?\d+\.\d{1,6}$/.test(decimal) ? decimal : undefined;
}

/** `5` of `a^5 - a - 2` (`4.5` of `4.5L`) written as the right value (`2`): the side's text repaired, when the number shows once. */
export function repairedText(sideText: string, slip: NumberSlip): string | undefined {
  const shown = (f: Fraction) => decimalText(f.abs());
  const from = shown(slip.written);
  const to = shown(slip.right);
  if (from === undefined || to === undefined) return undefined;
  const at = [...sideText.matchAll(new RegExp(String.raw`(?<![\d.,])${from}(?![\d.]|\d)`, 'g'))];
  if (at.length !== 1) return undefined;
  const k = at[0]!.index;
  const sign = (f: Fraction) => f.s < 0n;
  if (sign(slip.written) === sign(slip.right)) return sideText.slice(0, k) + to + sideText.slice(k + from.length);
  // a sign slip: the operator before the number turns over (`- 2a` → `+ 2a`)
  const before = /([-+])\s*$/.exec(sideText.slice(0, k));
  if (!before) return undefined;
  const flipped = before[1] === '-' ? '+' : '-';
  return sideText.slice(0, before.index) + flipped + sideText.slice(before.index + 1, k) + to + sideText.slice(k + from.length);
}
