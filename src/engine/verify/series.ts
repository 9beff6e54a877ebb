// Finite sums and products written with `\sum_{k=1}^{n}` and `\prod_{k=1}^{n}`: the reader (math-reader.ts)
// writes them as `sumRange(B_k, 1, n, body)` / `productRange(…)`, the index a bound name (`B_k`, never a
// free variable), and they are evaluated term by term in floating point. A bound that is not an integer
// (an infinite sum, a variable at a rational point) or more than MAX_SERIES_TERMS terms has no value here:
// the claim is not judged. A sum whose bound is a variable is a claim about integers: it is checked at
// integer points (identity.ts).
import type { MathNode } from 'mathjs';

export const SUM = 'sumRange';
export const PRODUCT = 'productRange';
/** Terms of one sum at most: bounded work per evaluation (the reader does not nest sums). */
const MAX_SERIES_TERMS = 1000;

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

function bound(node: RawNode, scope: Map<string, unknown>): number {
  const value = Number(compiled(node).evaluate(scope));
  if (!Number.isInteger(value)) throw new Error('a sum bound that is not an integer');
  return value;
}

function series(kind: 'sum' | 'product') {
  const fn = (args: RawNode[], math: SeriesMath, scope: ScopeMap): unknown => {
    const [index, from, to, body] = args as [RawNode, RawNode, RawNode, RawNode];
    const outer = new Map<string, unknown>([...scope.keys()].map((key) => [key, scope.get(key)]));
    const lo = bound(from, outer);
    const hi = bound(to, outer);
    if (hi - lo + 1 > MAX_SERIES_TERMS) throw new Error('a sum of too many terms');
    const code = compiled(body);
    let total: unknown = kind === 'sum' ? 0 : 1;
    for (let k = lo; k <= hi; k++) {
      outer.set(index.name!, k);
      const term = code.evaluate(outer);
      total = kind === 'sum' ? math.add(total, term) : math.multiply(total, term);
    }
    return total;
  };
  return Object.assign(fn, { rawArgs: true });
}

/** The functions to import into a floating-point mathjs instance. */
export const seriesFunctions = { [SUM]: series('sum'), [PRODUCT]: series('product') };

/** The sums in a node, by node: asked at every point of a search for a slip (identity.ts, number-slip.ts). */
const seriesOf = new WeakMap<MathNode, MathNode[]>();

function seriesIn(node: MathNode): MathNode[] {
  let found = seriesOf.get(node);
  if (!found) {
    found = node.filter((n) => n.type === 'FunctionNode' && [SUM, PRODUCT].includes((n as unknown as { fn: { name: string } }).fn.name));
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
    for (const call of seriesIn(node)) (call as unknown as { args: MathNode[] }).args.slice(1, 3).forEach(add);
    for (const call of factorialsOfVariables(node)) add((call as unknown as { args: MathNode[] }).args[0]!);
  }
  return found;
}
