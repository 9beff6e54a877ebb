// A step's named result against the reference solution's: `Total cost = 3 * 12 = $30` where the
// reference says `Total cost = $36`. Flagged only when the match is certain, never guessed:
//   - the same name, word for word (a `\text{…}` name or two to six words in prose, leading `so`, `the`,
//     … aside): `half the total cost` is not `total cost`, and a one-word or one-letter name (`total`,
//     `x`) may stand for different things in two solutions, so it is never compared;
//   - the name has one value in the whole reference and one in the whole solution (a name given two
//     values is a quantity that changes, or two quantities);
//   - both values are plain numbers with the same unit words, currency and percent sign; one written
//     rounded from the other (`3.33` and `3.333`) is not a contradiction;
//   - the values differ as the final answer is compared with `answer:` (`compareAnswers`).
import type { Reference, SolutionDocument, Step } from '../types';
import { compareAnswers } from './answer';
import { MAX_CHECKED_CHARACTERS } from './arithmetic';
import type { Side } from './claims';
import { readExpression } from './claims';
import { agreesWithLiteral } from './compare';
import type { Value } from './evaluate';
import { evaluateExpression } from './evaluate';
import type { Finding } from './finding';

/** A name (`\text{…}`, or up to six words), `=`, and what follows up to the end of the sentence or formula. */
const NAMED_RESULT =
  /(\\text\{([^{}]{2,60})\}|\b[A-Za-z][A-Za-z']*(?:[ \t]+[A-Za-z][A-Za-z']*){0,5})[ \t]*=[ \t]*([^\n]*?)(?=\.(?:\s|$)|[,;](?:\s|$)|\\\]|\\\)|\$(?!\d)|\n|$)/g;
/** Words that lead into a name without being part of it: `So the total cost = …`. */
const LEAD_WORDS = new Set(['so', 'then', 'thus', 'hence', 'therefore', 'now', 'and', 'the', 'finally']);
/** Named results read per text; a text with more is read up to here. */
const MAX_RESULTS = 200;

interface NamedResult {
  name: string;
  /** The stated value as written (`$36`, `36 apples`) and its reading. */
  value: string;
  side: Side;
  number: Value;
  /** Offsets of the whole statement, name to value. */
  start: number;
  end: number;
}

/** The name without its lead-in words, and how many characters of `written` the lead-in takes. */
function nameOf(written: string, inText: string | undefined): { name: string; skip: number } | undefined {
  const words = (inText ?? written).toLowerCase().trim().split(/\s+/);
  let lead = 0;
  while (lead < words.length && LEAD_WORDS.has(words[lead]!)) lead++;
  const kept = words.slice(lead);
  if (kept.length < 2 || !kept.some((w) => /^[a-z']{3,}$/.test(w))) return undefined;
  // a prose name starts after its lead-in words; a `\text{…}` name at its backslash
  const skip = inText === undefined && lead > 0 ? new RegExp(`^(?:\\S+\\s+){${lead}}`).exec(written)![0].length : 0;
  return { name: kept.join(' '), skip };
}

/** The value a statement ends with, when it is one plain number (with unit words, currency or percent). */
function statedValue(chain: string): { value: string; side: Side; number: Value } | undefined {
  const value = chain.slice(chain.lastIndexOf('=') + 1).trim();
  if (value === '') return undefined;
  const side = readExpression(value);
  if (!side?.literal || side.operations > 0 || side.tooLarge || side.ambiguity !== undefined || side.approximate) return undefined;
  const evaluated = evaluateExpression(side.expr);
  return 'error' in evaluated ? undefined : { value, side, number: evaluated.value };
}

function namedResults(text: string): NamedResult[] {
  const found: NamedResult[] = [];
  for (const m of text.slice(0, MAX_CHECKED_CHARACTERS).matchAll(NAMED_RESULT)) {
    if (found.length >= MAX_RESULTS) break;
    const named = nameOf(m[1]!, m[2]);
    const stated = named === undefined ? undefined : statedValue(m[3]!);
    if (named === undefined || !stated) continue;
    found.push({ name: named.name, ...stated, start: m.index + named.skip, end: m.index + m[0].length });
  }
  return found;
}

/** Names given exactly one value in all of `results` (by the answer comparison), with that value. */
function singleValued(results: readonly NamedResult[]): Map<string, NamedResult> {
  const first = new Map<string, NamedResult>();
  const several = new Set<string>();
  for (const r of results) {
    const seen = first.get(r.name);
    if (!seen) first.set(r.name, r);
    else if (compareAnswers(r.value, seen.value) !== 'matches') several.add(r.name);
  }
  for (const name of several) first.delete(name);
  return first;
}

function unitOf(side: Side): string {
  const literal = side.literal!;
  return [literal.currency ?? '', literal.percent ? '%' : '', ...(side.trailingWords ?? []).map((w) => w.toLowerCase())].join(' ');
}

/** Certain that the two values differ: same unit, neither a rounding of the other, and different as answers are. */
function contradicts(stated: NamedResult, reference: NamedResult): boolean {
  if (unitOf(stated.side) !== unitOf(reference.side)) return false;
  if (agreesWithLiteral(reference.number, stated.side.literal!) || agreesWithLiteral(stated.number, reference.side.literal!)) return false;
  return compareAnswers(stated.value, reference.value) === 'differs';
}

/**
 * The checker of a document's steps against its reference: undefined when there is nothing to compare
 * (no reference, or no name the reference and the solution each give one value).
 */
export function referenceChecker(document: SolutionDocument): ((step: Step) => Finding[]) | undefined {
  const reference: Reference | undefined = document.reference;
  if (!reference || document.kind !== 'math') return undefined;
  const known = singleValued(namedResults(reference.text));
  if (known.size === 0) return undefined;
  const perStep = new Map<number, NamedResult[]>(document.steps.map((s) => [s.index, namedResults(s.text).filter((r) => known.has(r.name))]));
  const inSolution = singleValued([...perStep.values()].flat());
  return (step) =>
    (perStep.get(step.index) ?? []).flatMap((stated): Finding[] => {
      const expected = known.get(stated.name)!;
      if (!inSolution.has(stated.name) || !contradicts(stated, expected)) return [];
      return [
        {
          kind: 'reference',
          status: 'refuted',
          start: stated.start,
          end: stated.end,
          expected: expected.value,
          note: `the reference has ${stated.name} = ${expected.value}`,
        },
      ];
    });
}
