// Sums and products written with `\sum_{k=1}^{n}` and `\prod_{k=1}^{n}`: the reader (math-reader.ts)
// writes them as `sumRange(B_k, 1, n, body)` / `productRange(…)`, the index a bound name (`B_k`, never a
// free variable), and they are evaluated term by term in floating point. A bound that is not an integer
// (a variable at a rational point) or more than MAX_SERIES_TERMS terms has no value here: the claim is not
// judged. A sum whose bound is a variable is a claim about integers: it is checked at integer points
// (identity.ts). An infinite series (`^{\infty}`) has a value only where its terms fall geometrically to
// below a double's precision within MAX_INFINITE_TERMS (infiniteSeries): a slowly converging one is not judged.
import type { MathNode } from 'mathjs';

export const SUM = 'sumRange';
export const PRODUCT = 'productRange';
/** `1 + 2 + \cdots + n`: `ellipsisSum(last, t1, t2, …)`, last `Infinity` when none is written. */
export const ELLIPSIS_SUM = 'ellipsisSum';
/** `1 - 2 + 3 - \cdots + n`: `alternatingSum(last, t1, -t2, t3, …)`, each term with the sign written before it. */
export const ALTERNATING_SUM = 'alternatingSum';
/** Terms of one sum at most: bounded work per evaluation (the reader does not nest sums). */
const MAX_SERIES_TERMS = 1000;
/** Terms of an infinite series at most: one that falls by a factor of 0.9 a term is done within 400. */
const MAX_INFINITE_TERMS = 400;
const RATIO = 0.9;
const GEOMETRIC_RUN = 5;
const TAIL_SHARE = 1e-18;
/** Terms after which every term must be at most RATIO times the one before. */
const GEOMETRIC_FROM = 40;

/** The mathjs name of a sum's index `k`. */
export function boundName(name: string): string {
  return `B_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
}

interface SeriesMath {
  add(a: unknown, b: unknown): unknown;
  multiply(a: unknown, b: unknown): unknown;
}

interface ScopeMap {
  keys(): Iterable<string>;
  get(key: string): unknown;
}

interface RawNode {
  name?: string;
  compile(): { evaluate(scope: Map<string, unknown>): unknown };
}

/** Compiled once per node: a sum is evaluated at every point of an identity check, compiling is the dearer part. */
const compiledOf = new WeakMap<RawNode, { evaluate(scope: Map<string, unknown>): unknown }>();

function compiled(node: RawNode): { evaluate(scope: Map<string, unknown>): unknown } {
  let code = compiledOf.get(node);
  if (!code) compiledOf.set(node, (code = node.compile()));
  return code;
}

/** Terms evaluated so far in this process: what a search that evaluates sums many times is charged (number-slip.ts). */
let termsEvaluated = 0;

export function seriesTermsEvaluated(): number {
  return termsEvaluated;
}

function bound(node: RawNode, scope: Map<string, unknown>, infinite = false): number {
  const value = Number(compiled(node).evaluate(scope));
  if (!Number.isInteger(value) && !(infinite && value === Infinity)) throw new Error('a sum bound that is not an integer');
  return value;
}

/** A term of an infinite series as a real number, or throws (a complex or undefined term: no value here). */
function realTerm(term: unknown): number {
  const value = typeof term === 'number' ? term : Number((term as { valueOf(): unknown }).valueOf());
  if (!Number.isFinite(value)) throw new Error('a term of an infinite series without a real value');
  return value;
}

/**
 * `\sum_{k=a}^{\infty}`, `\prod_{k=a}^{\infty}`: summed (multiplied) until the terms have fallen geometrically for
 * GEOMETRIC_RUN terms in a row (each at most RATIO times the one before) and the last is below TAIL_SHARE
 * of the total, so the rest (at most 1/(1 - RATIO) = 10 times that term) is beyond a double's precision. A
 * series that falls slower (`\sum 1/k^2`: its tail after n terms is about 1/n) or not at all has no value
 * here; it is given up at its first term past GEOMETRIC_FROM that does not fall by RATIO.
 */
function infiniteSeries(
  kind: 'sum' | 'product',
  code: { evaluate(scope: Map<string, unknown>): unknown },
  name: string,
  lo: number,
  outer: Map<string, unknown>,
) {
  let total = kind === 'sum' ? 0 : 1;
  let previous = Infinity;
  let falling = 0;
  for (let k = lo; k < lo + MAX_INFINITE_TERMS; k++) {
    outer.set(name, k);
    termsEvaluated++;
    const term = realTerm(code.evaluate(outer));
    // a product converges where its factors approach 1: its terms are their distances from 1
    const size = Math.abs(kind === 'sum' ? term : term - 1);
    total = kind === 'sum' ? total + term : total * term;
    const fell = size <= RATIO * previous;
    // past the first terms, one that does not fall geometrically (`1/k^2`, `x^k` at x = 5) ends the search:
    // the terms of a series with a value here fall by RATIO each from there on
    if (!fell && k - lo >= GEOMETRIC_FROM) break;
    falling = fell ? falling + 1 : 0;
    previous = size;
    if (falling >= GEOMETRIC_RUN && size <= TAIL_SHARE * Math.abs(total)) return total;
  }
  throw new Error('an infinite series that does not converge fast');
}

function series(kind: 'sum' | 'product') {
  const fn = (args: RawNode[], math: SeriesMath, scope: ScopeMap): unknown => {
    const [index, from, to, body] = args as [RawNode, RawNode, RawNode, RawNode];
    const outer = new Map<string, unknown>([...scope.keys()].map((key) => [key, scope.get(key)]));
    const lo = bound(from, outer);
    const hi = bound(to, outer, true);
    if (hi === Infinity) return infiniteSeries(kind, compiled(body), index.name!, lo, outer);
    if (hi - lo + 1 > MAX_SERIES_TERMS) throw new Error('a sum of too many terms');
    const code = compiled(body);
    let total: unknown = kind === 'sum' ? 0 : 1;
    termsEvaluated += hi - lo + 1;
    for (let k = lo; k <= hi; k++) {
      outer.set(index.name!, k);
      const term = code.evaluate(outer);
      total = kind === 'sum' ? math.add(total, term) : math.multiply(total, term);
    }
    return total;
  };
  return Object.assign(fn, { rawArgs: true });
}

/** Terms of a sum written by its pattern at most (`1 + 2 + \cdots + 10^9` is not summed here). */
const MAX_PATTERN_TERMS = 1_000_000;

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * The number of terms `n` when it is a whole number from 1 to MAX_PATTERN_TERMS, else undefined. Fewer than
 * the terms written is a small case of a general pattern (`(j-1) + (j-2) + \cdots + 1` at j = 2 is 1).
 */
function termCount(n: number): number | undefined {
  const whole = Math.round(n);
  return near(n, whole) && whole >= 1 && whole <= MAX_PATTERN_TERMS ? whole : undefined;
}

/**
 * The value of a sum written by its first terms, an ellipsis and its last term (or none: an infinite sum),
 * from the values of those terms at the point: an arithmetic progression (two terms or more, a nonzero
 * step) or a geometric one (three terms or more, a ratio other than 0 and 1), whose last term is a whole
 * number of steps away. Anything else, or both readings at once, has no value here: never a guess.
 */
function ellipsisSum(last: unknown, ...terms: unknown[]): number {
  const values = terms.map((t) => (typeof t === 'number' ? t : NaN));
  const end = typeof last === 'number' ? last : NaN;
  if (values.length < 2 || !values.every(Number.isFinite) || Number.isNaN(end)) throw new Error('a pattern not read');
  const [first, second] = values as [number, number];
  const step = second - first;
  const ratio = second / first;
  const arithmetic = step !== 0 && values.every((v, k) => k === 0 || near(v - values[k - 1]!, step));
  const geometric = values.length >= 3 && first !== 0 && ratio !== 1 && ratio !== 0 && values.every((v, k) => k === 0 || near(v / values[k - 1]!, ratio));
  if (end === Infinity) {
    if (geometric && Math.abs(ratio) < 1) return first / (1 - ratio);
    throw new Error('an infinite sum that is not a converging geometric series');
  }
  const sums: number[] = [];
  if (arithmetic) {
    const n = termCount((end - first) / step + 1);
    if (n !== undefined) sums.push((n * (first + end)) / 2);
  }
  if (geometric) {
    const n = termCount(Math.log(Math.abs(end / first)) / Math.log(Math.abs(ratio)) + 1);
    if (n !== undefined && near(first * ratio ** (n - 1), end)) sums.push((first * (1 - ratio ** n)) / (1 - ratio));
  }
  // `1^2 + 2^2 + \cdots + 10^2`: neither, but four terms or more on one quadratic rule
  if (!arithmetic && !geometric && values.length >= 4) return ruleSum(values, end, () => 1);
  if (sums.length !== 1) throw new Error('a pattern with no single reading');
  termsEvaluated += values.length;
  return sums[0]!;
}

/** The terms of a pattern whose magnitudes follow a rule: the magnitude at index k, the indices where it is a value. */
interface Rule {
  at(k: number): number;
  indicesOf(value: number): number[];
}

function wholeIndex(k: number): number[] {
  const whole = Math.round(k);
  return near(k, whole) && whole >= 0 && whole < MAX_PATTERN_TERMS ? [whole] : [];
}

/** Rules the magnitudes follow: arithmetic (two or more), geometric (three or more), quadratic (four or more). */
function rulesOf(m: readonly number[]): Rule[] {
  const rules: Rule[] = [];
  const [m0, m1] = m as [number, number];
  const d = m1 - m0;
  if (d !== 0 && m.every((v, k) => near(v, m0 + k * d))) rules.push({ at: (k) => m0 + k * d, indicesOf: (v) => wholeIndex((v - m0) / d) });
  const r = m1 / m0;
  if (m.length >= 3 && m0 !== 0 && r !== 1 && r !== 0 && m.every((v, k) => near(v, m0 * r ** k))) {
    rules.push({ at: (k) => m0 * r ** k, indicesOf: (v) => (v / m0 > 0 ? wholeIndex(Math.log(Math.abs(v / m0)) / Math.log(Math.abs(r))) : []) });
  }
  if (m.length >= 4) {
    // through the first three: a k^2 + b k + c, confirmed by the others
    const c = m0;
    const a = (m[2]! - 2 * m1 + m0) / 2;
    const b = m1 - m0 - a;
    const at = (k: number) => a * k * k + b * k + c;
    if (a !== 0 && m.every((v, k) => near(v, at(k)))) {
      rules.push({
        at,
        indicesOf: (v) => {
          const disc = b * b - 4 * a * (c - v);
          if (disc < 0) return [];
          return [(-b + Math.sqrt(disc)) / (2 * a), (-b - Math.sqrt(disc)) / (2 * a)].flatMap(wholeIndex);
        },
      });
    }
  }
  return rules;
}

/**
 * The value of a sum written by its first terms with alternating signs, an ellipsis and its last term
 * (`1^2 - 2^2 + 3^2 - \cdots + 2001^2`): the magnitudes follow one rule (rulesOf), and the last term is the
 * one at a whole index whose sign is the alternation's there. An infinite one is a geometric series of the
 * signed terms. Anything else, or two readings with different sums, has no value here.
 */
function alternatingSum(last: unknown, ...terms: unknown[]): number {
  const values = terms.map((t) => (typeof t === 'number' ? t : NaN));
  const end = typeof last === 'number' ? last : NaN;
  if (values.length < 2 || !values.every(Number.isFinite) || Number.isNaN(end)) throw new Error('a pattern not read');
  if (end === Infinity) return ellipsisSum(last, ...terms);
  return ruleSum(values, end, (k) => (k % 2 === 0 ? 1 : -1));
}

/** The sum of the terms `sign(k) · m(k)` up to the last, `m` a rule the magnitudes follow; one reading only. */
function ruleSum(values: readonly number[], end: number, sign: (k: number) => number): number {
  const sums = new Set<number>();
  for (const rule of rulesOf(values.map((v, k) => sign(k) * v))) {
    for (const index of new Set([...rule.indicesOf(end), ...rule.indicesOf(-end)])) {
      if (index < values.length - 1 || !near(sign(index) * rule.at(index), end)) continue;
      termsEvaluated += index + 1;
      let total = 0;
      for (let k = 0; k <= index; k++) total += sign(k) * rule.at(k);
      sums.add(total);
    }
  }
  if (sums.size !== 1) throw new Error('a pattern with no single reading');
  return [...sums][0]!;
}

/** The functions to import into a floating-point mathjs instance. */
export const seriesFunctions = { [SUM]: series('sum'), [PRODUCT]: series('product'), [ELLIPSIS_SUM]: ellipsisSum, [ALTERNATING_SUM]: alternatingSum };

/** The sums in a node, by node: asked at every point of a search for a slip (identity.ts, number-slip.ts). */
const seriesOf = new WeakMap<MathNode, MathNode[]>();

function seriesIn(node: MathNode): MathNode[] {
  let found = seriesOf.get(node);
  if (!found) {
    found = node.filter(
      (n) => n.type === 'FunctionNode' && [SUM, PRODUCT, ELLIPSIS_SUM, ALTERNATING_SUM].includes((n as unknown as { fn: { name: string } }).fn.name),
    );
    seriesOf.set(node, found);
  }
  return found;
}

/** Whether `node` has a sum or a product in it. */
export function hasSeries(node: MathNode): boolean {
  return seriesIn(node).length > 0;
}

const factorialsOf = new WeakMap<MathNode, MathNode[]>();

/** The factorials of an expression with variables in a node (`n!`, `(d-k)!`), by node. */
export function factorialsOfVariables(node: MathNode): MathNode[] {
  let found = factorialsOf.get(node);
  if (!found) {
    found = node.filter(
      (n) =>
        n.type === 'FunctionNode' &&
        (n as unknown as { fn: { name: string } }).fn.name === 'factorial' &&
        (n as unknown as { args: MathNode[] }).args[0]!.filter((m) => m.type === 'SymbolNode' && (m as unknown as { name: string }).name.startsWith('v_'))
          .length > 0,
    );
    factorialsOf.set(node, found);
  }
  return found;
}

/**
 * Variables that stand for integers in `nodes`: in the bounds of the sums and products (`n` of
 * `\sum_{k=1}^{n}`) and in the argument of a factorial (`n!`, `(d-k)!`).
 */
export function integerVariables(...nodes: MathNode[]): Set<string> {
  const found = new Set<string>();
  const add = (expression: MathNode) => {
    for (const symbol of expression.filter((n) => n.type === 'SymbolNode')) {
      const name = (symbol as unknown as { name: string }).name;
      if (name.startsWith('v_')) found.add(name);
    }
  };
  for (const node of nodes) {
    for (const call of seriesIn(node)) {
      const { fn, args } = call as unknown as { fn: { name: string }; args: MathNode[] };
      // the bounds of a sum, the last term of a pattern (`1 + 2 + \cdots + n`: n terms)
      if (fn.name === ELLIPSIS_SUM || fn.name === ALTERNATING_SUM) add(args[0]!);
      else args.slice(1, 3).forEach(add);
    }
    for (const call of factorialsOfVariables(node)) add((call as unknown as { args: MathNode[] }).args[0]!);
  }
  return found;
}

const smallOf = new WeakMap<MathNode, Set<string>>();

/** `Infinity` as the reader writes a bound `\infty` (parsed into a constant). */
function isInfinity(node: MathNode): boolean {
  const shape = node as unknown as { type: string; name?: string; value?: unknown };
  return (shape.type === 'ConstantNode' && Number(shape.value) === Infinity) || (shape.type === 'SymbolNode' && shape.name === 'Infinity');
}

/**
 * Variables in the terms of an infinite series (`x` of `\sum_{n=0}^{\infty} 10^n x^n`): a power series
 * converges near 0, so they are drawn small (points.ts), where the series has a value.
 */
export function seriesVariables(...nodes: MathNode[]): Set<string> {
  const found = new Set<string>();
  for (const node of nodes) {
    let own = smallOf.get(node);
    if (!own) {
      own = new Set();
      for (const call of seriesIn(node)) {
        const { fn, args } = call as unknown as { fn: { name: string }; args: MathNode[] };
        // `\sum_{n=0}^{\infty} body`, `a + ar + ar^2 + \cdots`
        const [to, terms] = fn.name === ELLIPSIS_SUM || fn.name === ALTERNATING_SUM ? [args[0]!, args.slice(1)] : [args[2]!, args.slice(3)];
        if (!isInfinity(to)) continue;
        for (const symbol of terms.flatMap((term) => term.filter((n) => n.type === 'SymbolNode'))) {
          const name = (symbol as unknown as { name: string }).name;
          if (name.startsWith('v_')) own.add(name);
        }
      }
      smallOf.set(node, own);
    }
    for (const name of own) found.add(name);
  }
  return found;
}

const COMBINATORICS = new Set(['factorial', 'combinations', 'permutations', 'gamma']);

/** Whether a factorial or a binomial in `node` has a variable or a sum's index in its arguments (`n!`, `\binom{2^n}{k}`). */
export function combinatoricsOfVariables(node: MathNode): boolean {
  return (
    node.filter(
      (n) =>
        n.type === 'FunctionNode' &&
        COMBINATORICS.has((n as unknown as { fn: { name: string } }).fn.name) &&
        (n as unknown as { args: MathNode[] }).args.some(
          (arg) => arg.filter((m) => m.type === 'SymbolNode' && /^[vB]_/.test((m as unknown as { name: string }).name)).length > 0,
        ),
    ).length > 0
  );
}
