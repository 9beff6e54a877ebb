// A value put into an equation in words: "Substituting $k = 3$ into the first relation \[3a = 2k\], we get
// \[3a = 6\]". What the step gets must be the equation with the value put in: in the one variable left, it
// must keep a solution of it (the equation step of equations.ts, from the substituted equation to the one
// written). Read only in that order, each part next to the other: the value after "substituting" (or
// "plugging", "putting"), the equation after "into", what it gives after "we get" (or "gives", "yields").
import type { MathNode } from 'mathjs';
import { exactMath } from './evaluate';
import type { Condition } from './equations';
import { conditionOf, judgeStep } from './equations';
import type { Finding } from './finding';
import type { FunctionTable } from './functions';
import { freeVariables } from './functions';
import type { MathChain } from './math-reader';

const DELIMITERS = /\\[()[\]]|\$+/g;
/** Before the value: the word that puts it in. */
const SUBSTITUTING = /\b(?:substitut\w*|plug\w*|putting|inserting)\s*(?:back\s+)?$/i;
/** Between the value and the equation: where it goes ("into the first relation"), no other formula or sentence. */
const INTO = /^\s*,?\s*(?:back\s+)?(?:into|in)\b[^=.;:?!]{0,60}$/i;
/** Between the equation and what it gives. */
const GIVES = /^\s*,?\s*(?:we\s+(?:get|have|obtain|find)|(?:this|it)\s+(?:gives|yields|becomes)|gives|yields|results\s+in|becomes|leads\s+to)\s*:?\s*$/i;

function plain(text: string): string {
  return text.replace(DELIMITERS, ' ');
}

function withValue(node: MathNode, name: string, value: number): MathNode {
  return node.transform((n) =>
    n.type === 'SymbolNode' && (n as unknown as { name: string }).name === name ? new exactMath.ConstantNode(exactMath.fraction(value)) : n,
  );
}

/** Equations a step gets by putting a value in, judged against the equation with that value put in. */
export function checkSubstitutions(chains: readonly MathChain[], text: string, table: FunctionTable): Finding[] {
  const findings: Finding[] = [];
  for (let k = 0; k + 2 < chains.length; k++) {
    const [value, equation, result] = [chains[k]!, chains[k + 1]!, chains[k + 2]!];
    if (value.sides.length !== 2 || equation.sides.length !== 2) continue;
    const given = conditionOf(value, text, table);
    if (given?.solvedWith?.length !== 1 || given.computed || given.signed) continue;
    if (!SUBSTITUTING.test(plain(text.slice(Math.max(0, value.start - 40), value.start)))) continue;
    if (!INTO.test(plain(text.slice(value.end, equation.start))) || !GIVES.test(plain(text.slice(equation.end, result.start)))) continue;
    const [left, right] = [equation.sides[0]!.node, equation.sides[1]!.node];
    if (!left || !right || equation.sides.some((s) => s.ambiguous)) continue;
    const variables = new Set([...freeVariables(left, table), ...freeVariables(right, table)]);
    if (!variables.delete(given.variable) || variables.size !== 1) continue;
    const got = conditionOf(result, text, table);
    if (!got || got.variable !== [...variables][0]) continue;
    const put: Condition = {
      variable: got.variable,
      left: withValue(left, given.variable, given.solvedWith[0]!),
      right: withValue(right, given.variable, given.solvedWith[0]!),
      start: equation.start,
      end: equation.end,
      text,
    };
    const found = judgeStep(put, got, table);
    if (found)
      findings.push(found.status === 'refuted' ? { ...found, note: `with ${text.slice(value.start, value.end)} put in, ${found.note ?? ''}`.trim() } : found);
  }
  return findings;
}
