// A value put into a formula, read where the text puts it in:
//   - tried in the problem's equation: "let's try $x = 4$. We get $1 + 16 + 625 = 642$" after the problem's
//     `1^x + 2^x + 5^x = 642`. The sum the step gets is that side of the equation at the value, term for
//     term: `1 + 16 + 625` are `1^4`, `2^4` and `5^4`. Read only in that order and close together: the value
//     after "try" (or "test", "check"), what it gives right after it ("We get", "gives"), and only when the
//     sum has as many terms as the equation's side in that one variable; a sum of other terms is some other
//     computation, not judged;
//   - given for the formula right after it: "For $p = 2$, $p^2 + p = 4 + 2 = 6$": the first side, in that
//     variable alone, has the value of the second side, a number, at the value ("for", "when", "if", "at",
//     "with" before the value; nothing but a comma, "then" or "we get" between the two).
import type { MathNode } from 'mathjs';
import { unwrapParentheses } from './node-shape';
import { exactMath } from './evaluate';
import type { Finding } from './finding';
import type { FunctionTable } from './functions';
import { freeVariables } from './functions';
import type { MathChain, MathSide } from './math-reader';
import { writtenName } from './math-reader';
import type { GivenLink } from './quoted-givens';
import { formatLike } from './compare';
import { evaluateAt, sameValue, withFunctions } from './points';
import type { PointValue } from './points';
import { isBareVariable, symbolName } from './node-shape';

const DELIMITERS = /\\[()[\]]|\$+/g;
/** Before the value: the word that tries it. */
const TRYING = /\b(?:try|trying|test|testing|check|checking)\s*(?:the\s+value\s+)?$/i;
/** Between the value and what it gives: nothing else. */
const GIVES = /^\s*[.,:]?\s*(?:then\s+)?(?:we\s+(?:get|have|obtain|find)|(?:this|it)\s+gives|gives|yields)\s*:?\s*$/i;
/** Before a value given for the formula after it. */
const FOR_VALUE = /\b(?:for|when|if|at|with)\s*$/i;
/** A whole number written before a fraction: `7\frac{1}{3}` may be seven and a third. */
const MIXED_NUMBER = /\d\s*\\[dt]?frac/;
/** Between that value and the formula: nothing else. */
const THEN = /^\s*[,:]?\s*(?:then\s*,?\s*)?(?:we\s+(?:get|have|find)\s*:?\s*)?$/i;

function plain(text: string): string {
  return text.replace(DELIMITERS, ' ');
}

/** The terms of a sum, signs kept: `a + b - c` → a, b, -c. */
function terms(node: MathNode): MathNode[] {
  const n = unwrapParentheses(node) as unknown as { type: string; op?: string; args?: MathNode[] };
  if (n.type === 'OperatorNode' && n.args?.length === 2 && (n.op === '+' || n.op === '-')) {
    const [a, b] = n.args as [MathNode, MathNode];
    return [...terms(a), ...(n.op === '+' ? terms(b) : [new exactMath.OperatorNode('-', 'unaryMinus', [b])])];
  }
  return [node];
}

function put(node: MathNode, name: string, value: MathNode): MathNode {
  return node.transform((n) => (n.type === 'SymbolNode' && (n as unknown as { name: string }).name === name ? new exactMath.ParenthesisNode(value) : n));
}

/** The side of a given in `variable` alone whose other side is a number, or undefined. */
function sideIn(given: GivenLink, variable: string, table: FunctionTable): MathNode | undefined {
  const [l, r] = [freeVariables(given.left, table), freeVariables(given.right, table)];
  if (l.size === 1 && l.has(variable) && r.size === 0) return given.left;
  if (r.size === 1 && r.has(variable) && l.size === 0) return given.right;
  return undefined;
}

function shown(values: PointValue[]): string {
  return values
    .map((v, k) => {
      const text = formatLike(v.exact ? { exact: v.exact } : { approx: v.re }, undefined);
      return k === 0 ? text : text.startsWith('-') ? `- ${text.slice(1)}` : `+ ${text}`;
    })
    .join(' ');
}

/** A value written for a letter (`x = 4`, a number) after the words that cue it, and the chain they lead to. */
function* cuedValues(
  chains: readonly MathChain[],
  text: string,
  table: FunctionTable,
  cue: { before: RegExp; lookBack: number; after: RegExp },
): Generator<{ variable: string; value: MathSide & { node: MathNode }; next: MathChain }> {
  for (let k = 0; k + 1 < chains.length; k++) {
    const [assigned, next] = [chains[k]!, chains[k + 1]!];
    const [name, value] = assigned.sides;
    if (assigned.sides.length !== 2 || !name?.node || !value?.node || !isBareVariable(name.node) || freeVariables(value.node, table).size > 0) continue;
    const before = plain(text.slice(Math.max(0, assigned.start - cue.lookBack), assigned.start));
    if (!cue.before.test(before) || !cue.after.test(plain(text.slice(assigned.end, next.start)))) continue;
    yield { variable: symbolName(name.node)!, value: { ...value, node: value.node }, next };
  }
}

/** Sums a step gets from a value it tries, against the terms of the problem's equation at that value. */
export function checkTriedValues(chains: readonly MathChain[], text: string, givens: readonly GivenLink[], table: FunctionTable): Finding[] {
  const findings: Finding[] = [];
  for (const { variable, value, next: got } of cuedValues(chains, text, table, { before: TRYING, lookBack: 40, after: GIVES })) {
    const sides = givens.map((g) => sideIn(g, variable, table)).filter((s): s is MathNode => s !== undefined);
    const first = got.sides[0]!;
    if (sides.length !== 1 || !first.node || first.ambiguous || freeVariables(first.node, table).size > 0) continue;
    const expected = terms(sides[0]!).map((t) => evaluateAt(put(t, variable, value.node), withFunctions({}, table)));
    const written = terms(first.node).map((t) => evaluateAt(t, withFunctions({}, table)));
    if (expected.length < 2 || expected.length !== written.length || ![...expected, ...written].every((v) => v !== undefined && v.im === 0)) continue;
    const base = { kind: 'equation' as const, start: first.start, end: first.end };
    if (expected.every((v, j) => sameValue(v!, written[j]!))) {
      findings.push({ ...base, status: 'verified' });
      continue;
    }
    const terms_ = shown(expected as PointValue[]);
    findings.push({
      ...base,
      status: 'refuted',
      expected: terms_,
      note: `with ${writtenName(variable)} = ${text.slice(value.start, value.end)} the terms of ${givensText(givens, sides[0]!)} are ${terms_}`,
    });
  }
  return findings;
}

function givensText(givens: readonly GivenLink[], side: MathNode): string {
  return givens.find((g) => g.left === side || g.right === side)?.text ?? 'the equation';
}

/** "For $p = 2$, $p^2 + p = 4 + 2 = 6$": the first link of the formula after a value, with the value put in. */
export function checkValuesGiven(chains: readonly MathChain[], text: string, table: FunctionTable): Finding[] {
  const findings: Finding[] = [];
  for (const { variable, value, next: formula } of cuedValues(chains, text, table, { before: FOR_VALUE, lookBack: 20, after: THEN })) {
    const [left, right] = formula.sides;
    if (!left?.node || !right?.node || left.ambiguous || right.ambiguous || left.calls.length > 0 || formula.approximate[0]) continue;
    // `7\frac{1}{3}`: a mixed number the reader takes for a product
    if (MIXED_NUMBER.test(text.slice(right.start, right.end))) continue;
    const vl = freeVariables(left.node, table);
    if (vl.size !== 1 || !vl.has(variable) || isBareVariable(left.node) || freeVariables(right.node, table).size > 0) continue;
    const expected = evaluateAt(put(left.node, variable, value.node), withFunctions({}, table));
    const got = evaluateAt(right.node, withFunctions({}, table));
    if (!expected || !got || expected.im !== 0 || got.im !== 0 || !expected.exact || !got.exact) continue;
    const base = { kind: 'equation' as const, start: left.start, end: right.end };
    if (sameValue(expected, got)) {
      findings.push({ ...base, status: 'verified' });
      continue;
    }
    const shownValue = formatLike({ exact: expected.exact }, undefined);
    findings.push({
      ...base,
      status: 'refuted',
      expected: shownValue,
      note: `with ${writtenName(variable)} = ${text.slice(value.start, value.end)} the left side is ${shownValue}`,
    });
  }
  return findings;
}
