// The a, b and c of `b^2 - 4ac` and of the quadratic formula are the coefficients of the quadratic
// equation written just before in standard form (`x^2 - 2x - (4 + k) = 0`: a = 1, b = -2, c = -(4 + k)), unless
// the solution gave them otherwise. Read as definitions of a, b and c for the chain that writes the
// formula (known-values.ts), so that `b^2 - 4ac = (-2)^2 - 4(1)(-(4 + k))` is a rewrite to check.
//
// Only an equation with 0 on its right side counts: that is how the writer reads a, b and c off it (a
// multiple of the equation has another discriminant). The coefficients are found as expressions, exact
// for a polynomial of degree 2: c = P(0), b = (P(1) - P(-1))/2, a = (P(1) + P(-1))/2 - P(0); the degree is
// confirmed at a random point of the other variables first.
import type { MathNode } from 'mathjs';
import { exactMath } from './evaluate';
import type { FunctionTable } from './functions';
import { freeVariables } from './functions';
import type { KnownValues } from './known-values';
import type { MathChain } from './math-reader';
import { PLUS_MINUS, variableName } from './math-reader';
import { evaluateAt, polynomialCoefficients, randomPoints, withFunctions } from './points';

/** `b^2 - 4ac`, `b^{2} - 4 a c`, as written in the formula of a chain. */
const DISCRIMINANT = /b\s*\^\s*\{?\s*2\s*\}?\s*-\s*4\s*(?:\\cdot\s*|\\times\s*)?a\s*(?:\\cdot\s*|\\times\s*)?c(?![A-Za-z])/;

export interface Quadratic {
  /** The mathjs name of the unknown, and the expression whose zero the equation is. */
  variable: string;
  polynomial: MathNode;
  text: string;
}

const NAMES = ['a', 'b', 'c'].map(variableName);

function at(node: MathNode, variable: string, value: number): MathNode {
  return node.transform((n) =>
    n.type === 'SymbolNode' && (n as unknown as { name: string }).name === variable
      ? new exactMath.ParenthesisNode(new exactMath.ConstantNode(exactMath.fraction(value)))
      : n,
  );
}

/** The chain as an equation `P = 0` of degree exactly 2 in one of its variables (not a, b or c), or undefined. */
export function quadraticIn(chain: MathChain, text: string, table: FunctionTable): Quadratic | undefined {
  if (chain.sides.length !== 2 || chain.approximate[0]) return undefined;
  const [left, right] = chain.sides as [MathChain['sides'][0], MathChain['sides'][0]];
  if (!left.node || !right.node || left.ambiguous || left.calls.length > 0 || text.slice(right.start, right.end).trim() !== '0') return undefined;
  const variables = freeVariables(left.node, table);
  if (variables.has(PLUS_MINUS) || NAMES.some((name) => variables.has(name))) return undefined;
  const quadratic = [...variables].filter((variable) => {
    const others = randomPoints(
      [...variables].filter((v) => v !== variable),
      1,
      text.slice(left.start, left.end),
    )[0]!;
    const coefficients = polynomialCoefficients((x) => evaluateAt(left.node!, withFunctions({ ...others, [variable]: x }, table)), 4);
    return coefficients !== undefined && coefficients[2]?.equals(0) === false && coefficients.slice(3).every((c) => c.equals(0));
  });
  if (quadratic.length !== 1) return undefined;
  return { variable: quadratic[0]!, polynomial: left.node, text: text.slice(chain.start, chain.end) };
}

/** Whether a chain writes the discriminant `b^2 - 4ac` (by itself or in the quadratic formula). */
export function writesDiscriminant(chain: MathChain, text: string): boolean {
  return DISCRIMINANT.test(text.slice(chain.start, chain.end));
}

/** The mathjs names of a, b and c among `names`. */
export function coefficientNames(names: Iterable<string>): Set<string> {
  return new Set([...names].filter((name) => NAMES.includes(name)));
}

/** `known` with a, b and c defined as the coefficients of `quadratic`, for those not defined already. */
export function withCoefficients(known: KnownValues, quadratic: Quadratic): KnownValues {
  const p = (x: number) => at(quadratic.polynomial, quadratic.variable, x);
  const half = new exactMath.ConstantNode(exactMath.fraction(1, 2));
  const c = p(0);
  const b = new exactMath.OperatorNode('*', 'multiply', [half, new exactMath.OperatorNode('-', 'subtract', [p(1), p(-1)])]);
  const a = new exactMath.OperatorNode('-', 'subtract', [
    new exactMath.OperatorNode('*', 'multiply', [half, new exactMath.OperatorNode('+', 'add', [p(1), p(-1)])]),
    c,
  ]);
  const next = new Map(known);
  const text = `a, b, c of ${quadratic.text}`;
  ([a, b, c] as MathNode[]).forEach((node, k) => {
    if (!known.has(NAMES[k]!)) next.set(NAMES[k]!, [{ node, text }]);
  });
  return next;
}
