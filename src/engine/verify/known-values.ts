// Values and expressions a solution gave its variables before a claim (`L = r\theta`, `x = r \cdot 1`,
// `c = \sqrt{a^2 + b^2}`, `c = 0`), so that a rewrite whose sides have different variables because one was
// substituted (`1.5r\theta = 4.5L`, `y = r \cdot x = r^4`) can be compared once the same substitution is
// made on both sides (identity.ts).
//
// A definition is a chain whose first side is a bare variable (`L = r\theta = …`: the second side) or
// whose last is (`\frac{9x + 9}{3} = 3x + 3 = a`: the side before it), with a side that does not contain
// that variable. A variable defined several times (cases, a value found later) keeps every definition, up
// to MAX_DEFINITIONS, the latest last: a claim is refuted only when it fails with each of them.
import type { MathNode } from 'mathjs';
import { isBareVariable, symbolName } from './node-shape';
import { exactMath } from './evaluate';
import type { FunctionTable } from './functions';
import { freeVariables } from './functions';
import type { MathChain, MathSide } from './math-reader';
import { PLUS_MINUS } from './math-reader';

export interface KnownValue {
  node: MathNode;
  /** The definition as written (`L = r\theta`). */
  text: string;
}

/** By mathjs variable name (`v_L`), the latest last. */
export type KnownValues = ReadonlyMap<string, readonly KnownValue[]>;

const MAX_DEFINITIONS = 4;
/** Substitution rounds at most (a definition brings variables that have definitions of their own). */
const MAX_ROUNDS = 3;
/** Pairs of substituted sides at most, over every choice of definitions. */
const MAX_ALTERNATIVES = 8;

function bareVariable(side: MathSide | undefined): string | undefined {
  return side?.node && isBareVariable(side.node) ? symbolName(side.node) : undefined;
}

function definitionsIn(chain: MathChain, text: string, table: FunctionTable): { name: string; value: KnownValue }[] {
  const found: { name: string; value: KnownValue }[] = [];
  const n = chain.sides.length;
  const candidates: [MathSide, MathSide | undefined][] = [[chain.sides[0]!, chain.sides[1]]];
  if (n >= 2 && !chain.approximate[n - 2]) candidates.push([chain.sides[n - 1]!, chain.sides[n - 2]]);
  if (chain.approximate[0]) candidates.shift();
  for (const [head, body] of candidates) {
    const name = bareVariable(head);
    if (!name || !body?.node || bareVariable(body) !== undefined) continue;
    const uses = freeVariables(body.node, table);
    if (uses.has(name) || uses.has(PLUS_MINUS)) continue;
    const written = head.start < body.start ? text.slice(head.start, body.end) : `${text.slice(head.start, head.end)} = ${text.slice(body.start, body.end)}`;
    found.push({ name, value: { node: body.node, text: written } });
  }
  return found;
}

/** `known` with the definitions among `chains` added. */
export function addKnownValues(known: KnownValues, chains: readonly MathChain[], text: string, table: FunctionTable): KnownValues {
  let next: Map<string, KnownValue[]> | undefined;
  for (const chain of chains) {
    for (const { name, value } of definitionsIn(chain, text, table)) {
      next ??= new Map([...known].map(([k, v]) => [k, [...v]]));
      // the same definition written again is one definition (by its text: writing a node out is dear)
      const own = (next.get(name) ?? []).filter((v) => v.text !== value.text);
      own.push(value);
      next.set(name, own.slice(-MAX_DEFINITIONS));
    }
  }
  return next ?? known;
}

export interface Substituted {
  left: MathNode;
  right: MathNode;
  variables: Set<string>;
  /** The definitions used. */
  used: KnownValue[];
}

/** `node` with the variable `name` replaced by `value` (in parentheses). */
export function substitute(node: MathNode, name: string, value: MathNode): MathNode {
  return node.transform((n) => (n.type === 'SymbolNode' && (n as unknown as { name: string }).name === name ? new exactMath.ParenthesisNode(value) : n));
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/**
 * The sides with the variables only one of them has replaced by their definitions, round by round, for every
 * choice of definitions (up to MAX_ALTERNATIVES): the pairs that end with the same variables on both sides.
 * Each side is tried alone (`\frac{\sqrt{a^2 + b^2}}{2} = \frac{c}{3}` after `AB = a` and `c = \sqrt{a^2 + b^2}`: c on
 * the right is replaced, not a and b on the left), the right first: a rewrite writes the newer name there.
 */
export function substitutedSides(left: MathNode, right: MathNode, known: KnownValues, table: FunctionTable): Substituted[] {
  const done: Substituted[] = [];
  for (const side of ['right', 'left'] as const) {
    let open: Substituted[] = [{ left, right, variables: new Set(), used: [] }];
    for (let round = 0; round <= MAX_ROUNDS && open.length > 0; round++) {
      const next: Substituted[] = [];
      for (const pair of open) {
        const vl = freeVariables(pair.left, table);
        const vr = freeVariables(pair.right, table);
        if (sameSet(vl, vr)) {
          if (round > 0 && vl.size > 0 && done.length < MAX_ALTERNATIVES) done.push({ ...pair, variables: vl });
          continue;
        }
        if (round === MAX_ROUNDS) continue;
        const [own, other] = side === 'right' ? [vr, vl] : [vl, vr];
        const extra = [...own].filter((v) => !other.has(v) && known.has(v));
        if (extra.length === 0) continue;
        let choices = [pair];
        for (const name of extra) {
          choices = choices
            .flatMap((choice) =>
              known.get(name)!.map((value) => ({
                left: side === 'left' ? substitute(choice.left, name, value.node) : choice.left,
                right: side === 'right' ? substitute(choice.right, name, value.node) : choice.right,
                variables: choice.variables,
                used: [...choice.used, value],
              })),
            )
            .slice(0, MAX_ALTERNATIVES);
        }
        next.push(...choices.slice(0, Math.max(0, MAX_ALTERNATIVES - next.length)));
      }
      open = next;
    }
  }
  return done;
}
