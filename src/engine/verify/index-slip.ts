// A slip in an index: a rewrite whose right side writes one term of a family with the wrong number
// (`(-1)^{2019} \frac{b_0}{b_{2019}} = -\frac{b_3}{b_{2019}}`: b_3 for b_0). Read only when the right side has
// exactly one name the left side lacks, a letter with a whole-number index (`b_3`, `x_{12}`), and putting
// back exactly one of the names of that letter the left side has and the right side lost makes the
// link hold at every point. What says the two terms are equal (a definition of either, a given or an
// earlier formula of the step that writes both) leaves the link alone: the rewrite may use it.
import type { MathNode } from 'mathjs';
import { exactMath } from './evaluate';
import type { FunctionTable } from './functions';
import { freeVariables } from './functions';
import { writtenName } from './math-reader';

export interface IndexSlip {
  /** The mathjs names: the one written, the one that makes the link hold. */
  written: string;
  right: string;
  /** The right side with the index put right, as text, when the slip stands in it once. */
  repaired?: string;
}

/** `v_b_3` → `{ letter: 'b', index: '3' }`: a letter (or a Greek name) with a whole-number index. */
function indexed(name: string): { letter: string; index: string } | undefined {
  const m = /^v_([A-Za-z]+)_(\d+)$/.exec(name);
  return m ? { letter: m[1]!, index: m[2]! } : undefined;
}

function renamed(node: MathNode, from: string, to: string): MathNode {
  return node.transform((n) => (n.type === 'SymbolNode' && (n as unknown as { name: string }).name === from ? new exactMath.SymbolNode(to) : n));
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** `b_3`, `b_{3}`, `b_{ 3 }` as written in `text`: where each occurrence's index stands. */
function indexOffsets(text: string, letter: string, index: string): number[] {
  const written = writtenName(`v_${letter}`).replace(/\\/g, '\\\\');
  const pattern = new RegExp(String.raw`${written}(?![A-Za-z])\s*_\s*(\{\s*)?${index}(?![\d.])`, 'g');
  return [...text.matchAll(pattern)].map((m) => m.index + m[0].length - index.length);
}

/** A product of letters alone (`OP_1`, `A_1 B_1`, `ab`): how a segment or an area is named. */
function isNameOfLetters(node: MathNode): boolean {
  const n = node as unknown as { type: string; op?: string; args?: MathNode[]; content?: MathNode };
  if (n.type === 'ParenthesisNode') return isNameOfLetters(n.content!);
  if (n.type === 'SymbolNode') return true;
  return n.type === 'OperatorNode' && n.op === '*' && n.args!.every(isNameOfLetters);
}

/** Whether `text` writes the indexed name called (`f_3(x)`, `f_{3}\left(x\right)`). */
function calledAt(text: string, name: { letter: string; index: string }): boolean {
  return indexOffsets(text, name.letter, name.index).some((at) => /^\}?\s*(?:\\left\s*)?\(/.test(text.slice(at + name.index.length)));
}

/** `f(x + y) = f(x) f(y)`, `a_{n+1} = a_n + 3`: a formula that calls a letter at two arguments with letters in them. */
const CALLED_AT = /(?<![A-Za-z\\])([A-Za-z])\s*(?:\\left\s*)?\(([^()=]*[A-Za-z][^()=]*)\)|(?<![A-Za-z\\])([A-Za-z])_\{?([a-z][^{}\s=]*)\}?/g;

/**
 * The letters whose values at different arguments a formula of `texts` relates (a functional equation, a
 * recurrence): terms of them at different numbers may be equal by that property, so no index slip is read.
 */
export function lettersWithProperty(texts: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const formula of texts.flatMap((text) => text.split(/\\\]|\\\)|\$\$?|[.;:]\s|\n/))) {
    if (!formula.includes('=')) continue;
    const forms = new Map<string, Set<string>>();
    for (const m of formula.matchAll(CALLED_AT)) {
      const letter = m[1] ?? m[3]!;
      const argument = (m[2] ?? m[4]!).replace(/\s+/g, '');
      forms.set(letter, (forms.get(letter) ?? new Set()).add(argument));
    }
    for (const [letter, args] of forms) if (args.size >= 2) found.add(letter);
  }
  return found;
}

/** Whether a formula of `texts` writes both names (`b_3 = b_0`, `b_0 + b_3 = 4`): their relation is known. */
export function writtenTogether(texts: readonly string[], a: string, b: string): boolean {
  const [x, y] = [indexed(a), indexed(b)];
  if (!x || !y) return false;
  return texts
    .flatMap((text) => text.split(/\\\]|\\\)|\$\$?|[.;:]\s|\n/))
    .some((formula) => formula.includes('=') && indexOffsets(formula, x.letter, x.index).length > 0 && indexOffsets(formula, y.letter, y.index).length > 0);
}

/**
 * The one index slip of the right side, or undefined. `holds` compares two sides at random points;
 * `related` tells whether something written before says the two names are equal; `properties` are the
 * letters a functional equation or a recurrence of the solution relates at different arguments.
 */
export function indexSlip(
  left: MathNode,
  right: MathNode,
  leftText: string,
  rightText: string,
  table: FunctionTable,
  holds: (left: MathNode, right: MathNode, variables: Set<string>) => boolean,
  related: (a: string, b: string) => boolean,
  properties: ReadonlySet<string>,
): IndexSlip | undefined {
  // `OP_1 = OP_2`, `A_1B_1`: names of segments or areas, different objects, not a rewrite of one
  if (isNameOfLetters(left) || isNameOfLetters(right)) return undefined;
  const vl = freeVariables(left, table);
  const vr = freeVariables(right, table);
  const added = [...vr].filter((v) => !vl.has(v));
  if (added.length !== 1) return undefined;
  const written = added[0]!;
  const family = indexed(written);
  if (!family) return undefined;
  const lost = [...vl].filter((v) => !vr.has(v) && indexed(v)?.letter === family.letter && v !== written);
  const fits = lost.filter((candidate) => {
    const put = renamed(right, written, candidate);
    return sameSet(vl, freeVariables(put, table)) && holds(left, put, vl);
  });
  if (fits.length !== 1 || related(written, fits[0]!) || properties.has(family.letter)) return undefined;
  // `f_3(2^{1990})`: a member of a family of functions, called, not a term
  if (calledAt(rightText, family) || calledAt(leftText, indexed(fits[0]!)!)) return undefined;
  const slip: IndexSlip = { written, right: fits[0]! };
  const at = indexOffsets(rightText, family.letter, family.index);
  if (at.length === 1) slip.repaired = rightText.slice(0, at[0]!) + indexed(fits[0]!)!.index + rightText.slice(at[0]! + family.index.length);
  return slip;
}
