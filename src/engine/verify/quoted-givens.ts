// A given of the problem written again in a step with one number changed: the problem says
// `\frac{PB}{PA} = \frac{4}{7} = \frac{PA}{PB+6}` and the step starts from
// `\frac{4}{7} = \frac{PA}{PB + 3}`; the problem's `(x+5)/(z-5)` comes back as `\frac{x+3}{z-5}`. Copying
// the problem wrong is a slip no other check sees: the step's equation is a condition of its own (sides with
// different variables), not a rewrite to evaluate.
//
// A link of a step (two sides next to each other in a chain) is compared node by node with each link of the
// problem's formulas, parentheses aside and either way round; when it matches one everywhere but in one
// number, and no link of the problem matches it exactly, it misquotes that given. Left alone:
//   - a link with a side that is a bare variable (`y = 2x + 5` after the problem's `y = 2x + 3`: a parallel
//     line, a shifted graph, a new member of the same family is written so);
//   - a link without a variable (a computation: arithmetic.ts), or one whose sides agree for every value
//     (an identity is true whoever wrote it first);
//   - a difference in an argument or a subscript (`f(2) = 5` after `f(1) = 5`, `a_2` after `a_1`): another
//     value of the same function or sequence, not the given written again.
import type { MathNode } from 'mathjs';
import { isBareVariable, unwrapParentheses } from './node-shape';
import type { Finding } from './finding';
import type { FunctionTable } from './functions';
import { freeVariables } from './functions';
import type { MathChain, MathSide } from './math-reader';
import { randomPoints, evaluateAt, sameValue, withFunctions } from './points';

/** Two sides of the problem next to each other in a chain. */
export interface GivenLink {
  left: MathNode;
  right: MathNode;
  /** As the problem writes it. */
  text: string;
}

/** Given links kept at most (a problem is a few formulas; a pasted table is not a list of givens). */
const MAX_GIVENS = 40;
/** Links of a step compared at most. */
const MAX_LINKS = 60;

/** A number of the step and the problem's number in its place. */
interface Difference {
  written: string;
  given: string;
}

/**
 * The numbers in which `a` differs from `b` when they are the same otherwise (at most `limit` + 1 of them),
 * undefined when they differ in anything else. Numbers inside a call's arguments must be equal.
 */
function numberDifferences(a: MathNode, b: MathNode, found: Difference[], limit: number, inArgument: boolean): Difference[] | undefined {
  const x = unwrapParentheses(a);
  const y = unwrapParentheses(b);
  if (x.type !== y.type) return undefined;
  switch (x.type) {
    case 'ConstantNode': {
      const [u, v] = [String(x.value), String(y.value)];
      if (u === v) return found;
      if (inArgument || typeof x.value === 'string' || typeof y.value === 'string') return undefined;
      found.push({ written: u, given: v });
      return found.length > limit ? undefined : found;
    }
    case 'SymbolNode':
      return x.name === y.name ? found : undefined;
    case 'OperatorNode':
      if (x.op !== y.op || x.args!.length !== y.args!.length) return undefined;
      return argumentsDiffer(x.args!, y.args!, found, limit, inArgument);
    case 'FunctionNode': {
      const [f, g] = [x.fn!, y.fn!];
      if (f.type !== 'SymbolNode' || g.type !== 'SymbolNode' || f.name !== g.name || x.args!.length !== y.args!.length) return undefined;
      // the base and the argument of a built-in function are the given's own (`\log_{2x}`, `\sqrt[3]{3}`);
      // a function the text names (`F_f`) is called at other numbers for other values
      return argumentsDiffer(x.args!, y.args!, found, limit, inArgument || f.name!.startsWith('F_'));
    }
    default:
      return undefined;
  }
}

function argumentsDiffer(xs: MathNode[], ys: MathNode[], found: Difference[], limit: number, inArgument: boolean): Difference[] | undefined {
  let sofar: Difference[] | undefined = found;
  for (let k = 0; k < xs.length && sofar; k++) sofar = numberDifferences(xs[k]!, ys[k]!, sofar, limit, inArgument);
  return sofar;
}

/** The links of the problem's formulas that could be quoted: each has a variable and no bare-variable side. */
export function givenLinks(chains: readonly MathChain[], text: string, table: FunctionTable): GivenLink[] {
  const links: GivenLink[] = [];
  for (const chain of chains) {
    for (let k = 0; k + 1 < chain.sides.length && links.length < MAX_GIVENS; k++) {
      const [left, right] = [chain.sides[k]!, chain.sides[k + 1]!];
      if (!readable(left) || !readable(right) || chain.approximate[k] || !wholeLink(chain, k, text)) continue;
      if (isBareVariable(left.node) || isBareVariable(right.node)) continue;
      if (freeVariables(left.node, table).size + freeVariables(right.node, table).size === 0) continue;
      links.push({ left: left.node, right: right.node, text: text.slice(left.start, right.end) });
    }
  }
  return links;
}

function readable(side: MathSide): side is MathSide & { node: MathNode } {
  return side.node !== undefined && !side.ambiguous;
}

/** Before a side: an operation it is the end of (`180^\circ - \angle BAC`, `\frac{1}{2} \angle XYZ`). */
const CUT_BEFORE = /(?:[-+*/^_=(]|\\cdot|\\times|\\div|\}|\d)\s*(?:\\(?:angle|measuredangle)\s*)?$/;
/** After a side: an operation it is the start of. */
const CUT_AFTER = /^\s*(?:[-+*/^_]|\\cdot|\\times|\\div|\\frac)/;
/** Delimiters that open or close a formula: no operation. */
const DELIMITERS = /\\[()[\]]|\$/g;

/**
 * Whether the link of sides `k` and `k + 1` is all the text says there: not a piece of a longer expression
 * the reader cut at a notation it does not know (`\angle BHC = 180^\circ - \angle BAC = 137^\circ` reads
 * `BAC = 137^\circ` as a link of its own).
 */
function wholeLink(chain: MathChain, k: number, text: string): boolean {
  const [left, right] = [chain.sides[k]!, chain.sides[k + 1]!];
  const before = text.slice(Math.max(0, left.start - 40), left.start).replace(DELIMITERS, (d) => ' '.repeat(d.length));
  const after = text.slice(right.end, right.end + 40).replace(DELIMITERS, (d) => ' '.repeat(d.length));
  return (k > 0 || !CUT_BEFORE.test(before)) && (k + 2 < chain.sides.length || !CUT_AFTER.test(after));
}

/** The single number in which a link differs from a given, with the side it stands in; undefined when it quotes none or more. */
function misquote(
  left: MathNode,
  right: MathNode,
  givens: readonly GivenLink[],
): { given: GivenLink; difference: Difference; side: 'left' | 'right' } | undefined {
  let found: { given: GivenLink; difference: Difference; side: 'left' | 'right' } | undefined;
  for (const given of givens) {
    for (const [a, b] of [
      [given.left, given.right],
      [given.right, given.left],
    ] as const) {
      const onLeft = numberDifferences(left, a, [], 1, false);
      const onRight = onLeft && numberDifferences(right, b, [], 1, false);
      if (!onLeft || !onRight) continue;
      if (onLeft.length + onRight.length === 0) return undefined; // an exact quote of a given
      if (onLeft.length + onRight.length === 1) {
        const side = onLeft.length === 1 ? 'left' : 'right';
        found ??= { given, difference: (onLeft[0] ?? onRight[0])!, side };
      }
    }
  }
  return found;
}

/** Whether the sides agree at two random points: an identity is true however it was copied. */
function holdsAnyway(left: MathNode, right: MathNode, variables: Set<string>, table: FunctionTable, seed: string): boolean {
  for (const point of randomPoints([...variables], 2, seed)) {
    const scope = withFunctions(point, table);
    const a = evaluateAt(left, scope);
    const b = evaluateAt(right, scope);
    if (!a || !b || !sameValue(a, b)) return false;
  }
  return true;
}

/** Where `number` stands once in `text` as a whole number, undefined when it stands there more or less often. */
function onlyPlace(text: string, number: string): number | undefined {
  const places = [...text.matchAll(/\d+(?:\.\d+)?/g)].filter((m) => Number(m[0]) === Number(number));
  return places.length === 1 ? places[0]!.index : undefined;
}

/** Links of `chains` that write a given of the problem again with one number changed. */
export function checkQuotedGivens(
  chains: readonly MathChain[],
  text: string,
  givens: readonly GivenLink[],
  table: FunctionTable,
  judged: (start: number, end: number) => boolean,
): Finding[] {
  if (givens.length === 0) return [];
  const findings: Finding[] = [];
  let links = 0;
  for (const chain of chains) {
    for (let k = 0; k + 1 < chain.sides.length && links < MAX_LINKS; k++) {
      const [left, right] = [chain.sides[k]!, chain.sides[k + 1]!];
      if (!readable(left) || !readable(right) || chain.approximate[k] || !wholeLink(chain, k, text)) continue;
      links++;
      if (isBareVariable(left.node) || isBareVariable(right.node) || judged(left.start, right.end)) continue;
      const quoted = misquote(left.node, right.node, givens);
      if (!quoted) continue;
      const variables = new Set([...freeVariables(left.node, table), ...freeVariables(right.node, table)]);
      if (variables.size === 0 || holdsAnyway(left.node, right.node, variables, table, text.slice(left.start, right.end))) continue;
      const side = quoted.side === 'left' ? left : right;
      const written = text.slice(side.start, side.end);
      const at = onlyPlace(written, quoted.difference.written);
      const finding: Finding = {
        kind: 'equation',
        status: 'refuted',
        start: left.start,
        end: right.end,
        expected: quoted.given.text,
        note: `the problem gives ${quoted.given.text}: ${quoted.difference.given} where this has ${quoted.difference.written}`,
      };
      if (at !== undefined)
        finding.fix = {
          start: side.start + at,
          end: side.start + at + (/\d+(?:\.\d+)?/.exec(written.slice(at))?.[0].length ?? 0),
          newText: quoted.difference.given,
        };
      findings.push(finding);
    }
  }
  return findings;
}
