// Bounded evaluation: how large the exact value of an expression can get, estimated from its syntax tree
// before anything is evaluated. Exact rationals are only as cheap as their digits are few: `9^9^9` has
// 370 million digits and `5347895125610546356223924271 ^ 2.5` sends an exact root search into trial
// division. The estimate is an upper bound on the digits of numerator and denominator together; past
// MAX_EXACT_DIGITS the expression is "too large" and not checked, and a power with a fractional exponent
// is evaluated approximately (24 significant digits) instead of exactly.
import type { MathNode } from 'mathjs';

/** An exact value with more digits than this is not computed (2^6000 has 1,807). */
export const MAX_EXACT_DIGITS = 2000;
/** Longest literal number read (a 10,000-digit number is "too large", not a computation). */
export const MAX_LITERAL_DIGITS = 60;
/** Factorials and binomials of at most this are computed. */
const MAX_FACTORIAL = 1000;
/** Functions whose exact value of a rational is found by factorising it. */
const ROOT_LIKE = new Set(['log', 'log10', 'log2', 'log1p', 'sqrt', 'cbrt', 'nthRoot', 'nthRoots', 'exp', 'expm1']);
/** An approximate value with more digits than this is not compared. */
const MAX_APPROXIMATE_DIGITS = 24;
/** Bases with more digits than this are not raised to fractional powers exactly (that factorises them). */
const MAX_EXACT_ROOT_BASE_DIGITS = 12;

export interface SizeEstimate {
  /** Upper bound on the decimal digits of the exact value (numerator and denominator together). */
  digits: number;
  /** The exact value cannot be had cheaply (a root of a long number): evaluate approximately. */
  approximateOnly: boolean;
}

export class TooLarge extends Error {
  /** Only the exact value is too large (a power): a floating-point value is still cheap. */
  readonly floatIsCheap: boolean;
  constructor(what: string, floatIsCheap = false) {
    super(`too large to check (${what})`);
    this.floatIsCheap = floatIsCheap;
  }
}

interface Options {
  /** Digits of the value a variable stands for (the random points of an identity check). */
  symbolDigits: number;
}

function digitsOf(value: unknown): number {
  // a Fraction constant (the exact instance parses numbers as fractions): its numerator and denominator
  const fraction = value as { n?: bigint; d?: bigint };
  if (typeof fraction.n === 'bigint' && typeof fraction.d === 'bigint') return fraction.n.toString().length + fraction.d.toString().length - 1;
  const text = String(value).replace(/^-/, '');
  if (/e/i.test(text)) return MAX_EXACT_DIGITS + 1;
  return text.replace('.', '').replace(/^0+(?=\d)/, '').length;
}

function hasSymbol(node: MathNode): boolean {
  let found = false;
  node.traverse((n) => {
    if (n.type === 'SymbolNode' && !(n as unknown as { name: string }).name.match(/^(pi|e)$/)) found = true;
  });
  return found;
}

/** The value of a small constant subtree (an exponent, a factorial's argument), or undefined when it is not one. */
function smallConstant(node: MathNode, estimate: SizeEstimate): number | undefined {
  if (estimate.digits > 15 || hasSymbol(node)) return undefined;
  try {
    // small by the estimate, so cheap to evaluate with the node's own (exact) instance
    const value = Number((node.evaluate() as { valueOf(): unknown }).valueOf());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function walk(node: MathNode, options: Options): SizeEstimate {
  const n = node as unknown as { type: string; value?: unknown; name?: string; op?: string; fn?: unknown; args?: MathNode[]; content?: MathNode };
  switch (n.type) {
    case 'ConstantNode': {
      const digits = digitsOf(n.value);
      if (digits > MAX_LITERAL_DIGITS) throw new TooLarge(`a number with ${digits} digits`);
      return { digits, approximateOnly: false };
    }
    case 'SymbolNode':
      return { digits: n.name === 'pi' || n.name === 'e' ? 20 : options.symbolDigits, approximateOnly: false };
    case 'ParenthesisNode':
      return walk(n.content!, options);
    case 'OperatorNode':
    case 'FunctionNode': {
      const args = n.args ?? [];
      const name = n.type === 'OperatorNode' ? String(n.fn) : String((n.fn as { name?: string }).name ?? '');
      const sizes = args.map((a) => walk(a, options));
      const approximateOnly = sizes.some((s) => s.approximateOnly);
      if (name === 'pow') return power(args, sizes);
      if (name === 'factorial' || name === 'combinations' || name === 'permutations' || name === 'gamma') {
        const k = smallConstant(args[0]!, sizes[0]!);
        // of a variable (`n!` at a point of an identity check): its exact size is not known here, a float's is
        if (k === undefined && hasSymbol(args[0]!)) throw new TooLarge(`${name} of a variable`, true);
        if (k === undefined || Math.abs(k) > MAX_FACTORIAL) throw new TooLarge(`${name} of a large number`);
        return { digits: Math.ceil(Math.abs(k) * Math.log10(Math.max(2, Math.abs(k)))) + 1, approximateOnly };
      }
      const total = sizes.reduce((sum, s) => sum + s.digits, 0) + 1;
      // a power with a variable exponent is evaluated in floating point: so is what it is a part of
      if (total > MAX_EXACT_DIGITS) throw new TooLarge('the exact value has too many digits', approximateOnly);
      // an exact logarithm or root of a long rational is searched for by factorising it: not cheap
      const searched = ROOT_LIKE.has(name) && sizes.some((s) => s.digits > MAX_EXACT_ROOT_BASE_DIGITS);
      return { digits: total, approximateOnly: approximateOnly || searched };
    }
    default:
      return { digits: options.symbolDigits, approximateOnly: false };
  }
}

function power(args: MathNode[], sizes: SizeEstimate[]): SizeEstimate {
  const [base, exponent] = sizes as [SizeEstimate, SizeEstimate];
  const k = smallConstant(args[1]!, exponent);
  const baseValue = smallConstant(args[0]!, base);
  // 0, 1 and -1 stay small under any power
  if (baseValue !== undefined && Math.abs(baseValue) <= 1 && Number.isInteger(baseValue)) return { digits: 1, approximateOnly: exponent.approximateOnly };
  if (k === undefined) {
    // an exponent with variables stands for a value of at most symbolDigits digits
    if (exponent.digits > 3) throw new TooLarge('a power with a large exponent', true);
    const bound = base.digits * 10 ** exponent.digits;
    if (bound > MAX_EXACT_DIGITS) throw new TooLarge('a power with a large exponent', true);
    // the exponent's value is not known here: a fractional one would be tried exactly (see below)
    return { digits: bound, approximateOnly: true };
  }
  const digits = Math.ceil(base.digits * Math.max(1, Math.abs(k)));
  if (digits > MAX_EXACT_DIGITS) throw new TooLarge('a power with a large exponent', true);
  const rootOfLong = !Number.isInteger(k) && base.digits > MAX_EXACT_ROOT_BASE_DIGITS;
  // 24 significant digits of a 40-digit number do not show whether it is right
  if (rootOfLong && digits > MAX_APPROXIMATE_DIGITS) throw new TooLarge('a fractional power of a long number');
  // any fractional power approximately: an exact one is tried by turning a float into a fraction (fraction.js
  // searches for it: 10^{-13.5} took 30 ms), and an exact root still compares equal approximately
  return { digits, approximateOnly: base.approximateOnly || !Number.isInteger(k) };
}

/** The size of `node`'s exact value, or throws TooLarge. */
export function estimateSize(node: MathNode, options: Partial<Options> = {}): SizeEstimate {
  return walk(node, { symbolDigits: options.symbolDigits ?? 4 });
}
