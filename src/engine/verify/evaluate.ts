// Exact evaluation of the expressions the claim extractor wrote, with mathjs.
// Rationals first (mathjs Fraction: 1/3 stays 1/3, 0.1 + 0.2 is exactly 0.3); what has no rational
// value (square roots, π) is evaluated with 24-digit BigNumbers and compared with a tolerance: more digits
// than the double the value ends as (so no cancellation inside shows), fewer than the 64 it had, which made
// a power with a fractional exponent (decimal.js ln/exp) the costliest thing a step did (7^{5/2}: ~1 ms).
import { all, create } from 'mathjs';
import type { Fraction, MathNode } from 'mathjs';
import { errorMessage } from '../error-message';
import { TooLarge, estimateSize } from './size';

export const exactMath = create(all, { number: 'Fraction' });
const approxMath = create(all, { number: 'BigNumber', precision: 24 });

export type Value = { exact: Fraction; approx?: undefined } | { approx: number; exact?: undefined };
export type Evaluation = { value: Value } | { error: string };

const cache = new Map<string, Evaluation>();
const CACHE_LIMIT = 20_000;

/**
 * Expressions parsed (mathjs syntax → node), by text: a document writes the same sides again and again
 * (`v_x`, `n0*n1`, a step's result restated in the next), and each check reads them anew; on 1,000
 * ProcessBench solutions 22,126 parses were of 8,780 texts. A node is never changed once parsed (the
 * checks transform into new nodes), so one node serves every reader, and the caches keyed by node
 * (compiled code, size estimates: points.ts) hit for the same text too. An unparsable text keeps its error.
 */
const parsedNodes = new Map<string, MathNode | Error>();
const PARSED_LIMIT = 5000;

/** `exactMath.parse(expr)`, once per text (throws its parse error again for an unparsable one). */
export function parseExact(expr: string): MathNode {
  let node = parsedNodes.get(expr);
  if (node === undefined) {
    try {
      node = exactMath.parse(expr);
    } catch (error) {
      node = error instanceof Error ? error : new Error(String(error));
    }
    if (parsedNodes.size >= PARSED_LIMIT) parsedNodes.clear();
    parsedNodes.set(expr, node);
  }
  if (node instanceof Error) throw node;
  return node;
}

function isFraction(x: unknown): x is Fraction {
  return exactMath.typeOf(x) === 'Fraction';
}

export function evaluateExpression(expr: string): Evaluation {
  const hit = cache.get(expr);
  if (hit) return hit;
  const result = evaluateUncached(expr);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(expr, result);
  return result;
}

// Most claims share a handful of shapes (`a * b`, `a + b - c`, `(a/b) * c`): each shape is compiled once
// and evaluated with its numbers as a scope, which is many times cheaper than parsing every expression.
const NUMBER = /\d+(?:\.\d+)?/g;
const compiled = new Map<string, { evaluate(scope: Record<string, unknown>): unknown }>();
const FractionClass = (exactMath as unknown as { Fraction: new (value: string) => Fraction }).Fraction;

function evaluateExact(expr: string): unknown {
  // Juxtaposition (`4 sqrt(3)`) has number-specific precedence rules in mathjs: evaluate as written.
  if (expr.includes(' ')) return exactMath.evaluate(expr);
  const numbers: string[] = [];
  const shape = expr.replace(NUMBER, (n) => `n${numbers.push(n) - 1}`);
  let code = compiled.get(shape);
  if (!code) {
    if (compiled.size >= CACHE_LIMIT) compiled.clear();
    code = exactMath.compile(shape);
    compiled.set(shape, code);
  }
  const scope: Record<string, unknown> = {};
  numbers.forEach((n, i) => (scope[`n${i}`] = new FractionClass(n)));
  return code.evaluate(scope);
}

/** Whether an expression can grow past its literals' digits (powers, factorials, binomials). */
const CAN_GROW = /[\^!]|combinations|factorial|permutations|gamma|nthRoot/;

/** Sizes an expression before evaluating it: undefined when it is small, else why not to evaluate it exactly. */
function sizeCheck(expr: string): { error: string } | { approximateOnly: boolean } | undefined {
  if (!CAN_GROW.test(expr)) return undefined;
  try {
    return { approximateOnly: estimateSize(parseExact(expr)).approximateOnly };
  } catch (error) {
    if (error instanceof TooLarge) return { error: error.message };
    return undefined; // unparsable: the evaluation below says so
  }
}

function evaluateUncached(expr: string): Evaluation {
  const size = sizeCheck(expr);
  if (size && 'error' in size) return size;
  if (!size?.approximateOnly) {
    try {
      const v: unknown = evaluateExact(expr);
      if (isFraction(v)) return { value: { exact: v } };
      if (typeof v === 'number' && Number.isFinite(v)) return { value: { approx: v } };
    } catch (error) {
      const message = errorMessage(error);
      if (/division by zero/i.test(message)) return { error: 'division by zero' };
    }
  }
  try {
    const v: unknown = approxMath.evaluate(expr);
    const n = typeof v === 'number' ? v : approxMath.typeOf(v) === 'BigNumber' ? Number(String(v)) : Number.NaN;
    if (Number.isFinite(n)) return { value: { approx: n } };
    return { error: 'the value is not a finite real number' };
  } catch (error) {
    const message = errorMessage(error);
    return { error: message.split('\n')[0] ?? 'cannot evaluate' };
  }
}

export function fraction(value: string): Fraction {
  return exactMath.fraction(value) as Fraction;
}

/** Forgets cached evaluations (for benchmarks that must measure cold work). */
export function clearEvaluationCache(): void {
  cache.clear();
  parsedNodes.clear();
}
