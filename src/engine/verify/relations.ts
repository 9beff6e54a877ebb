// Relations a solution wrote before a rewrite, which the rewrite may use: an expression given a number
// (`pqr = 48`, Vieta's product) and an expression given a name (`x_1 + x_2 + x_3 = a`, known-values.ts).
// A link that holds only under such a relation (`\frac{qr + 2pr + 3pq}{pqr} = \frac{qr + 2pr + 3pq}{48}`)
// is compared once the relation's expression, where a side writes it exactly as the relation did, is
// replaced by its number or its name (folded): `\frac{qr + 2pr + 3pq}{48}` on both sides then.
//
// Folding only puts in what the solution said is equal, so a link that holds folded holds under the
// relations; one that fails folded may still hold under relations not written as such (identity.ts
// refutes it only for a slip in one number of its right side, as with substituted definitions).
import type { MathNode } from 'mathjs';
import { isBareVariable, unwrapParentheses } from './node-shape';
import { exactMath } from './evaluate';
import type { FunctionTable } from './functions';
import { freeVariables } from './functions';
import type { KnownValues } from './known-values';
import type { MathChain, MathSide } from './math-reader';
import { PLUS_MINUS } from './math-reader';

export interface Relation {
  /** The expression as mathjs writes it, without parentheses around it (what a side must contain). */
  key: string;
  /** What it equals: a number, or a variable's name. */
  value: MathNode;
  /** The relation as written (`pqr = 48`). */
  text: string;
}

/** Relations of an expression with a number, the latest last. */
export type Relations = readonly Relation[];

/** Relations of an expression with a number kept at most (each is looked for in every folded side). */
const MAX_RELATIONS = 12;
/** A side written out longer than this is not searched for relations (bounded work per link). */
const MAX_SIDE_TEXT = 2000;

function keyOf(node: MathNode): string {
  return (unwrapParentheses(node) as unknown as MathNode).toString();
}

function isNumber(side: MathSide, table: FunctionTable): boolean {
  return side.node !== undefined && side.variables.length === 0 && side.calls.length === 0 && freeVariables(side.node, table).size === 0;
}

/** An expression of two or more variables (not one alone: that is a definition or a value, known-values.ts). */
function isCompound(side: MathSide, table: FunctionTable): boolean {
  // the variables as written first: reading them off the node is dearer, and most sides have fewer
  if (!side.node || side.variables.length < 2 || isBareVariable(side.node) || side.calls.length > 0 || side.ambiguous) return false;
  const variables = freeVariables(side.node, table);
  return variables.size >= 2 && !variables.has(PLUS_MINUS);
}

/** `relations` with the chains' `expression = number` (first side and last, either way round) added. */
export function addRelations(relations: Relations, chains: readonly MathChain[], text: string, table: FunctionTable): Relations {
  let next: Relation[] | undefined;
  for (const chain of chains) {
    if (chain.approximate.some(Boolean) || chain.sides.length < 2) continue;
    const [first, last] = [chain.sides[0]!, chain.sides[chain.sides.length - 1]!];
    const pair =
      isCompound(first, table) && isNumber(last, table) ? [first, last] : isCompound(last, table) && isNumber(first, table) ? [last, first] : undefined;
    if (!pair) continue;
    const [expression, value] = pair as [MathSide, MathSide];
    const relation = { key: keyOf(expression.node!), value: value.node!, text: text.slice(chain.start, chain.end) };
    next ??= [...relations];
    next = next.filter((r) => r.key !== relation.key).concat(relation);
  }
  return next ? next.slice(-MAX_RELATIONS) : relations;
}

export interface Folded {
  left: MathNode;
  right: MathNode;
  /** The relations put in, as written. */
  used: string[];
  /** The numbers the relations put in (a slip is never one of them). */
  values: MathNode[];
}

interface Pattern {
  key: string;
  value: MathNode;
  text: string;
}

/** The relations and the definitions of compound expressions, as patterns to fold. */
function patternsOf(relations: Relations, known: KnownValues, table: FunctionTable): Pattern[] {
  const patterns: Pattern[] = relations.map((r) => ({ key: r.key, value: r.value, text: r.text }));
  for (const [name, values] of known) {
    for (const definition of values) {
      const node = unwrapParentheses(definition.node) as unknown as MathNode;
      if (node.type === 'SymbolNode' || node.type === 'ConstantNode' || freeVariables(node, table).size < 2) continue;
      patterns.push({ key: node.toString(), value: new exactMath.SymbolNode(name), text: definition.text });
    }
  }
  return patterns;
}

function fold(node: MathNode, patterns: readonly Pattern[], used: Set<Pattern>): MathNode {
  return node.transform((n) => {
    if (n.type === 'ParenthesisNode' || n.type === 'SymbolNode' || n.type === 'ConstantNode') return n;
    const key = n.toString();
    const pattern = patterns.find((p) => p.key === key);
    if (!pattern) return n;
    used.add(pattern);
    return new exactMath.ParenthesisNode(pattern.value);
  });
}

/** The two sides with every relation written before folded in, or undefined when none is written in them. */
export function foldRelations(left: MathNode, right: MathNode, relations: Relations, known: KnownValues, table: FunctionTable): Folded | undefined {
  if (left.toString().length > MAX_SIDE_TEXT || right.toString().length > MAX_SIDE_TEXT) return undefined;
  const patterns = patternsOf(relations, known, table);
  if (patterns.length === 0) return undefined;
  const used = new Set<Pattern>();
  const folded = { left: fold(left, patterns, used), right: fold(right, patterns, used) };
  if (used.size === 0) return undefined;
  return { ...folded, used: [...new Set([...used].map((p) => p.text))], values: [...used].map((p) => p.value) };
}
