// Evaluating expressions with variables at points: exact rationals where the expression allows (mathjs
// Fractions), floating point (complex where it must) where it does not, every evaluation sized first
// (size.ts). The points are drawn from a generator seeded by the claim, so a claim is judged the same
// way every time.
import type { Fraction, MathNode } from 'mathjs';
import { all, create } from 'mathjs';
import { exactMath } from './evaluate';
import { TooLarge, estimateSize } from './size';
import type { FunctionTable } from './functions';
import { functionName } from './math-reader';
import { seededRandom } from '../seeded-random';
import { seriesFunctions } from './series';

export interface PointValue {
  exact?: Fraction;
  re: number;
  im: number;
}

export type Scope = Record<string, unknown>;

const FractionClass = (exactMath as unknown as { Fraction: new (n: number | string, d?: number) => Fraction }).Fraction;
const MAX_CALL_DEPTH = 8;
const floatMath = create(all);
floatMath.import(seriesFunctions);

function hash(text: string): number {
  let h = 2166136261;
  for (let k = 0; k < text.length; k++) h = Math.imul(h ^ text.charCodeAt(k), 16777619);
  return h >>> 0;
}

/** Seeded by the text of the claim, so a claim is always checked at the same points. */
function generator(seed: string): () => number {
  return seededRandom(hash(seed));
}

/**
 * `count` points for `variables`: positive rationals (2..60 over 1..7, never 1), so that square roots, logarithms
 * and the like stay in their domain, and two different polynomials almost never agree by chance; the
 * `integers` among them (a sum's bound) get whole numbers 2..60, the `small` ones (in the terms of an
 * infinite series) 2..60 over 600..1000, where a power series converges.
 */
export function randomPoints(
  variables: readonly string[],
  count: number,
  seed: string,
  integers: ReadonlySet<string> = new Set(),
  small: ReadonlySet<string> = new Set(),
): Record<string, Fraction>[] {
  const next = generator(seed);
  const points: Record<string, Fraction>[] = [];
  for (let k = 0; k < count; k++) {
    const point: Record<string, Fraction> = {};
    for (const v of variables) {
      // never 1, where every power of a variable agrees (x^7 = x^4 there)
      let n: number;
      let d: number;
      do {
        n = 2 + Math.floor(next() * 59);
        d = integers.has(v) ? 1 : small.has(v) ? 600 + Math.floor(next() * 401) : 1 + Math.floor(next() * 7);
      } while (n === d);
      point[v] = new FractionClass(n, d);
    }
    points.push(point);
  }
  return points;
}

/** The defined functions as callables of the scope (a function calling itself stops at MAX_CALL_DEPTH). */
export function withFunctions(scope: Scope, table: FunctionTable | undefined): Scope {
  if (!table) return scope;
  const full: Scope = { ...scope };
  let depth = 0;
  for (const [name, definition] of table) {
    const code = compiledCode(definition.body);
    full[functionName(name)] = (...args: unknown[]) => {
      if (++depth > MAX_CALL_DEPTH) throw new Error('the functions call each other too deeply');
      try {
        const inner: Scope = { ...full };
        definition.params.forEach((p, k) => (inner[p] = args[k]));
        // called from a floating-point evaluation: the body in floating point too (exact code would turn
        // every float into a Fraction, which for a value like sin(πx) takes seconds)
        // …and so does a body whose exact value is not cheap (`\frac{1}{\beta} e^{-x/\beta}`: a root of a rational,
        // which fraction.js searches for)
        if (args.some((a) => typeof a === 'number') || hasFloat(scope) || exactIsCheap(definition.body, scopeDigits(inner)) !== true)
          return floatCompiled(definition.body).evaluate(floatScope(inner));
        return code.evaluate(inner);
      } finally {
        depth--;
      }
    };
  }
  return full;
}

function toPoint(value: unknown): PointValue | undefined {
  const type = exactMath.typeOf(value);
  if (type === 'Fraction') {
    const f = value as Fraction;
    return { exact: f, re: Number(f.valueOf()), im: 0 };
  }
  if (type === 'number') return Number.isFinite(value) ? { re: value as number, im: 0 } : undefined;
  if (type === 'Complex') {
    const c = value as { re: number; im: number };
    return Number.isFinite(c.re) && Number.isFinite(c.im) ? { re: c.re, im: c.im } : undefined;
  }
  if (type === 'BigNumber') return toPoint(Number(String(value)));
  return undefined;
}

/** Digits of the longest rational in the scope (the size estimate's stand-in for a variable). */
function scopeDigits(scope: Scope): number {
  let digits = 1;
  for (const value of Object.values(scope)) {
    const f = value as { n?: bigint; d?: bigint };
    if (typeof f.n === 'bigint' && typeof f.d === 'bigint') digits = Math.max(digits, f.n.toString().length + f.d.toString().length);
  }
  return digits;
}

const floatCode = new Map<string, { evaluate(scope: Scope): unknown }>();
/** By node first: writing a node out (toString) costs more than evaluating it. */
const floatCodeOf = new WeakMap<MathNode, { evaluate(scope: Scope): unknown }>();

function floatCompiled(node: MathNode): { evaluate(scope: Scope): unknown } {
  const known = floatCodeOf.get(node);
  if (known) return known;
  const text = node.toString();
  let code = floatCode.get(text);
  if (!code) {
    if (floatCode.size > 5000) floatCode.clear();
    code = floatMath.compile(text);
    floatCode.set(text, code);
  }
  floatCodeOf.set(node, code);
  return code;
}

function floatScope(scope: Scope): Scope {
  const floats: Scope = {};
  for (const [name, value] of Object.entries(scope)) floats[name] = exactMath.typeOf(value) === 'Fraction' ? Number((value as Fraction).valueOf()) : value;
  return floats;
}

/**
 * The same expression in floating point (roots, logarithms, powers too long to have exactly). Not sized:
 * a float stays one machine number whatever it is (Infinity at worst), so this is bounded where exact
 * arithmetic would not be.
 */
export function evaluateFloat(node: MathNode, scope: Scope): PointValue | undefined {
  return toPoint(floatCompiled(node).evaluate(floatScope(scope)));
}

const compiled = new WeakMap<MathNode, { evaluate(scope: Scope): unknown }>();
const sized = new WeakMap<MathNode, Map<number, boolean | TooLarge>>();

function compiledCode(node: MathNode) {
  let code = compiled.get(node);
  if (!code) {
    code = node.compile();
    compiled.set(node, code);
  }
  return code;
}

/** Whether the exact value is cheap (true), only a float is (false), or nothing is (TooLarge), by scope size. */
function exactIsCheap(node: MathNode, digits: number): boolean | TooLarge {
  let known = sized.get(node);
  if (!known) sized.set(node, (known = new Map()));
  let answer = known.get(digits);
  if (answer === undefined) {
    try {
      answer = !estimateSize(node, { symbolDigits: digits }).approximateOnly;
    } catch (error) {
      answer = error instanceof TooLarge && error.floatIsCheap ? false : error instanceof TooLarge ? error : new TooLarge('unreadable');
    }
    known.set(digits, answer);
  }
  return answer;
}

/**
 * Whether a variable of the scope is a float (`e` read as Euler's number): exact evaluation would turn it into
 * a Fraction, which fraction.js searches for (milliseconds each), for no exactness gained.
 */
function hasFloat(scope: Scope): boolean {
  for (const value of Object.values(scope)) if (typeof value === 'number') return true;
  return false;
}

/** The value of `node` in `scope`, or undefined when it has none there (division by zero, too large, not a number). */
export function evaluateAt(node: MathNode, scope: Scope): PointValue | undefined {
  const exact = exactIsCheap(node, scopeDigits(scope));
  if (exact instanceof TooLarge) return undefined;
  try {
    if (exact && !hasFloat(scope)) {
      const value = toPoint(compiledCode(node).evaluate({ ...scope }));
      if (value) return value;
    }
  } catch {
    // mixed or unsupported exact arithmetic (a square root of a fraction): floating point below
  }
  try {
    return evaluateFloat(node, scope);
  } catch {
    return undefined;
  }
}

/** Equal: exactly when both are rational, else to 1e-9 relative. */
export function sameValue(a: PointValue, b: PointValue): boolean {
  if (a.exact && b.exact) return a.exact.equals(b.exact);
  const scale = Math.max(1, Math.abs(a.re), Math.abs(b.re), Math.abs(a.im), Math.abs(b.im));
  return Math.abs(a.re - b.re) <= 1e-9 * scale && Math.abs(a.im - b.im) <= 1e-9 * scale;
}

/**
 * The coefficients (ascending) of `f` as a polynomial of degree at most `maxDegree` in one variable, found
 * by exact interpolation at the integers 1 … maxDegree + 1 and confirmed at two more points; undefined when
 * `f` is no such polynomial (a rational function, a root, a higher degree) or cannot be evaluated there.
 */
export function polynomialCoefficients(f: (x: Fraction) => PointValue | undefined, maxDegree: number): Fraction[] | undefined {
  const xs: Fraction[] = [];
  const ys: Fraction[] = [];
  for (let k = 1; k <= maxDegree + 1; k++) {
    const x = new FractionClass(k);
    const y = f(x);
    if (!y?.exact) return undefined;
    xs.push(x);
    ys.push(y.exact);
  }
  // Newton's divided differences, then the Newton form expanded into monomial coefficients
  const table = [...ys];
  const newton: Fraction[] = [table[0]!];
  for (let level = 1; level < xs.length; level++) {
    for (let k = xs.length - 1; k >= level; k--) table[k] = table[k]!.sub(table[k - 1]!).div(xs[k]!.sub(xs[k - level]!));
    newton.push(table[level]!);
  }
  let coefficients: Fraction[] = [newton[newton.length - 1]!];
  for (let k = newton.length - 2; k >= 0; k--) {
    // coefficients · (x - xs[k]) + newton[k]
    const shifted: Fraction[] = [new FractionClass(0), ...coefficients];
    for (let j = 0; j < coefficients.length; j++) shifted[j] = shifted[j]!.sub(coefficients[j]!.mul(xs[k]!));
    shifted[0] = shifted[0]!.add(newton[k]!);
    coefficients = shifted;
  }
  for (const probe of [new FractionClass(-7, 3), new FractionClass(29, 2)]) {
    const y = f(probe);
    if (!y?.exact) return undefined;
    let value = new FractionClass(0);
    for (let j = coefficients.length - 1; j >= 0; j--) value = value.mul(probe).add(coefficients[j]!);
    if (!value.equals(y.exact)) return undefined;
  }
  while (coefficients.length > 1 && coefficients[coefficients.length - 1]!.equals(0)) coefficients.pop();
  return coefficients;
}
