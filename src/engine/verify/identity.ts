// Identities with variables, and values of defined functions. A link `A = B` of a chain whose sides
// both contain the same variables is evaluated at five random points (Schwartz–Zippel: two different
// rational functions almost never agree at a random point), exactly with rationals where possible:
// equal at every point → verified, different at every point → refuted, anything else → not judged.
//
// Only a claim of identity is refuted, never a condition (an equation to be solved). A link is read as
// a claim of identity when
//   - it stands in a chain of three or more sides (`(x+1)^2 = x^2 + 2x + 1 = …`: rewriting), or
//   - a side calls a function defined earlier (`P(P(x)) = a(ax^2+bx+c)^2 + …`, `p(1) = 12a^2 + …`), or
//   - it is two-sided and the sentence announces a rewrite ("expanding", "simplifies to", "factor"), or
//     it turns a product or power into a sum of terms (`(x+3)(x-2) = x^2 - x - 6`) that differs from the
//     right one in a single term or a constant, which as an equation would have only 0 or no solution.
// A side that is a bare variable (`y = x^2 + 1`, a definition or a solved form), sides with different
// variables (`x_1 + x_2 = -b/a`) or a constant side (`3x + 5 = 20`) make a condition: not judged here.
// `e` and `i` are tried both as variables and as Euler's number and the imaginary unit; a claim is
// refuted only when it fails in every reading.
import type { Fraction, MathNode } from 'mathjs';
import { symbolName, unwrapParentheses } from './node-shape';
import { exactMath } from './evaluate';
import type { Finding } from './finding';
import type { FunctionTable } from './functions';
import { definitionIn, freeVariables } from './functions';
import type { MathChain, MathSide } from './math-reader';
import { PLUS_MINUS, writtenName } from './math-reader';
import type { PointValue, Scope } from './points';
import { evaluateAt, polynomialCoefficients, randomPoints, sameValue, withFunctions } from './points';
import { formatLike } from './compare';
import type { Literal } from './claims';
import { literalAgreement } from './compare';
import { DENIAL, isConversionFactor } from './arithmetic';
import type { NumberSlip } from './number-slip';
import { decimalText, numberSlip, repairedText } from './number-slip';
import { sentenceAfter, sentenceBefore } from './sentence';
import { combinatoricsOfVariables, factorialsOfVariables, hasSeries, integerVariables, seriesVariables } from './series';
import type { KnownValues, Substituted } from './known-values';
import { addKnownValues, substitute, substitutedSides } from './known-values';
import { indexSlip, writtenTogether } from './index-slip';
import type { Quadratic } from './quadratic-coefficients';
import { coefficientNames, quadraticIn, withCoefficients, writesDiscriminant } from './quadratic-coefficients';
import type { Relations } from './relations';
import { addRelations, foldRelations } from './relations';

const FractionClass = (exactMath as unknown as { Fraction: new (n: number) => Fraction }).Fraction;
const POINTS = 5;
const POINTS_WITH_FACTORIALS = 16;
/** Links judged per step at most (each costs up to 2 × POINTS evaluations per reading). */
const MAX_LINKS = 60;
const MIN_POINTS = 4;
/** Links per step compared with the definitions of their variables put in (each up to 8 pairs of sides). */
const MAX_SUBSTITUTED_LINKS = 6;
/** Links per step compared with the relations written before folded in (relations.ts). */
const MAX_FOLDED_LINKS = 6;
const REWRITE_CUE =
  /\b(?:expand\w*|multiply(?:ing)? out|foil|distribut\w*|simplif\w*|factor\w*|rewrit\w*|combin\w* like terms|identity|equivalent\w*|the same as|can be written)\W*$/i;
/** Words that make an equation hypothetical or denied: "suppose", "if", "is not equal". */
const HYPOTHETICAL =
  /\b(?:suppose|assume|if|whether|check|test|try|not|never|false|incorrect|wrong|contradiction|impossible|cannot|can't|isn't|doesn't)\b|≠|\\neq/i;

export interface IdentityContext {
  /** The text the chains were read from (a step). */
  text: string;
  functions: FunctionTable;
  /** What variables were defined as before the chain (earlier chains of the step add theirs). */
  values: KnownValues;
  /** Expressions given a number before the chain (`pqr = 48`; earlier chains of the step add theirs). */
  relations: Relations;
  /** The problem's equations as written (quoted-givens.ts). */
  givens: readonly string[];
  /** Letters a formula of the solution relates at different arguments (index-slip.ts): no index slip of them. */
  properties: ReadonlySet<string>;
  /** a, b and c put in as the coefficients of the quadratic before (quadratic-coefficients.ts), for this chain. */
  coefficients?: ReadonlySet<string>;
  /** Links of the step left to compare with definitions or relations put in (checkIdentities sets it). */
  budget: { substitutions: number; folds: number };
  /** Spans already judged by the arithmetic verifier. */
  judged: (start: number, end: number) => boolean;
}

type Outcome = 'holds' | 'fails' | 'unclear';

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** The readings of e and i to try: as variables, and as constants. */
function readings(variables: Set<string>): Scope[] {
  const scopes: Scope[] = [{}];
  if (variables.has('v_e')) scopes.push({ v_e: Math.E });
  if (variables.has('v_i')) scopes.push(...scopes.map((s) => ({ ...s, v_i: exactMath.complex(0, 1) })));
  return scopes;
}

/** Below this, two floats agree to sameValue's tolerance whatever they are (`e^{-2500}` and ten times it). */
const FLOAT_FLOOR = 1e-6;

/** Whether a point tells the sides apart: not when both are floats too close to 0 to compare (both 0 agree). */
function informative(a: PointValue, b: PointValue): boolean {
  if ((a.exact && b.exact) || (a.re === 0 && a.im === 0 && b.re === 0 && b.im === 0)) return true;
  return Math.max(Math.hypot(a.re, a.im), Math.hypot(b.re, b.im)) >= FLOAT_FLOOR;
}

const SIGNS = [new FractionClass(1), new FractionClass(-1)];

/**
 * Whether the sides agree at one point: with `\pm` (PLUS_MINUS), for both signs, the same sign on both
 * sides or opposite ones (`a \pm b = c \mp d` says the same two values); undefined when a side has no value there.
 */
function agreeAt(left: MathNode, right: MathNode, scope: Scope, signed: boolean, table: FunctionTable): Agreement | undefined {
  if (!signed) {
    const a = evaluateAt(left, withFunctions(scope, table));
    const b = evaluateAt(right, withFunctions(scope, table));
    if (!a || !b || !informative(a, b)) return undefined;
    if (!sameValue(a, b)) return 'different';
    return !(a.exact && b.exact) && a.re === 0 && a.im === 0 ? 'zero' : 'same';
  }
  const [a, b] = [left, right].map((node) => SIGNS.map((sign) => evaluateAt(node, withFunctions({ ...scope, [PLUS_MINUS]: sign }, table))));
  if (![...a!, ...b!].every((v) => v !== undefined) || !informative(a![0]!, b![0]!) || !informative(a![1]!, b![1]!)) return undefined;
  const same = (x: PointValue | undefined, y: PointValue | undefined) => sameValue(x!, y!);
  return (same(a![0], b![0]) && same(a![1], b![1])) || (same(a![0], b![1]) && same(a![1], b![0])) ? 'same' : 'different';
}

/** Two floats that are both exactly 0 agree, but weakly: an underflow (`\frac{1}{re^{i\theta}}` with i a large variable) gives 0 too. */
type Agreement = 'same' | 'zero' | 'different';

/**
 * Holds in some reading, fails in every reading that could be evaluated (at least one), else unclear. A
 * reading with no value at enough points and none that agree says nothing either way: `e^{ix}` with e and i
 * as variables overflows at most points, while the reading as Euler's number and the imaginary unit is
 * a special case of it, where an identity of the variables would hold too.
 */
function compareAtPoints(left: MathNode, right: MathNode, variables: Set<string>, table: FunctionTable, seed: string): Outcome {
  let best: Outcome | undefined;
  const signed = variables.has(PLUS_MINUS);
  for (const fixed of readings(variables)) {
    const free = [...variables].filter((v) => !(v in fixed) && v !== PLUS_MINUS);
    // a factorial of a difference (`(d-k)!`) has no value at half the whole points: more of them
    const count = factorialsOfVariables(left).length + factorialsOfVariables(right).length > 0 ? POINTS_WITH_FACTORIALS : POINTS;
    let equal = 0;
    let zeros = 0;
    let different = 0;
    for (const point of randomPoints(free, count, seed, integerVariables(left, right), seriesVariables(left, right))) {
      const agree = agreeAt(left, right, { ...point, ...fixed }, signed, table);
      if (agree === 'same') equal++;
      else if (agree === 'zero') zeros++;
      else if (agree === 'different') different++;
    }
    // sides 0 at every point hold (`-mx^n + mx^n = 0`); a reading that agrees only at zeros says nothing
    if (equal + zeros >= MIN_POINTS && different === 0) return 'holds';
    if (different >= MIN_POINTS && equal === 0) best ??= 'fails';
    else if (equal > 0) best = 'unclear';
  }
  return best ?? 'unclear';
}

/** `x`, `x^2`: a variable or a power of one with a number as the exponent. */
function isPowerOfVariable(node: MathNode): boolean {
  const n = unwrapParentheses(node);
  if (n.type === 'SymbolNode') return true;
  return (
    n.type === 'OperatorNode' && n.op === '^' && unwrapParentheses(n.args![0]!).type === 'SymbolNode' && unwrapParentheses(n.args![1]!).type === 'ConstantNode'
  );
}

/** `3x^2y`, `-x`, `5`: at most one number, first, then powers of variables. */
function isMonomial(node: MathNode): boolean {
  const n = unwrapParentheses(node);
  if (n.type === 'OperatorNode' && n.op === '-' && n.args!.length === 1) return isMonomial(n.args![0]!);
  const factors: MathNode[] = [];
  const collect = (m: MathNode) => {
    const u = unwrapParentheses(m);
    if (u.type === 'OperatorNode' && u.op === '*') u.args!.forEach(collect);
    else factors.push(m);
  };
  collect(node);
  return factors.every((f, k) => (k === 0 && unwrapParentheses(f).type === 'ConstantNode') || isPowerOfVariable(f));
}

/** A sum of monomials (`x^2 + x - 6`, `4x^2`): what an expansion or a simplification ends with. */
function isNormalForm(node: MathNode): boolean {
  const n = unwrapParentheses(node);
  if (n.type === 'OperatorNode' && (n.op === '+' || n.op === '-') && n.args!.length === 2) return isNormalForm(n.args![0]!) && isMonomial(n.args![1]!);
  return isMonomial(node);
}

/**
 * `L - R` is 0, a constant or one monomial (`2x`, `-abx^2`): tested variable by variable, the others at a
 * random point. A slip in a rewrite changes a term; a condition (`(x+1)^2 = x^2 + 25`, a substitution of
 * a known value) differs from an identity by more than that.
 */
function differenceIsMonomial(left: MathNode, right: MathNode, variables: Set<string>, table: FunctionTable, seed: string): boolean {
  const others = randomPoints([...variables], 1, seed, integerVariables(left, right), seriesVariables(left, right))[0]!;
  for (const variable of variables) {
    const coefficients = polynomialCoefficients((x) => {
      const scope = withFunctions({ ...others, [variable]: x }, table);
      const a = evaluateAt(left, scope);
      const b = evaluateAt(right, scope);
      return a?.exact && b?.exact ? { exact: a.exact.sub(b.exact), re: a.re - b.re, im: 0 } : undefined;
    }, 6);
    if (!coefficients || coefficients.filter((c) => !c.equals(0)).length > 1) return false;
  }
  return true;
}

/** `x^2 + x - 6`: a polynomial from its coefficients (ascending), or undefined when they are not short fractions. */
function formatPolynomial(coefficients: Fraction[], variable: string): string | undefined {
  const terms: string[] = [];
  for (let k = coefficients.length - 1; k >= 0; k--) {
    const c = coefficients[k]!;
    if (c.equals(0)) continue;
    if (c.d > 1000n) return undefined;
    const magnitude = c.abs();
    const number = magnitude.d === 1n ? magnitude.n.toString() : `${magnitude.n}/${magnitude.d}`;
    const power = k === 0 ? '' : k === 1 ? variable : `${variable}^${k}`;
    const body = k > 0 && magnitude.equals(1) ? power : `${number}${power}`;
    terms.push(terms.length === 0 ? `${c.s < 0n ? '-' : ''}${body}` : `${c.s < 0n ? '-' : '+'} ${body}`);
  }
  return terms.length > 0 ? terms.join(' ') : '0';
}

/** The expansion of a side in one variable (`x^2 + x - 6`), or undefined. */
function expansionOf(side: MathSide, variables: Set<string>, table: FunctionTable): string | undefined {
  if (variables.size !== 1) return undefined;
  const variable = [...variables][0]!;
  const coefficients = polynomialCoefficients((x) => evaluateAt(side.node!, withFunctions({ [variable]: x }, table)), 6);
  return coefficients ? formatPolynomial(coefficients, writtenName(variable)) : undefined;
}

function claimedAsIdentity(chain: MathChain, k: number, context: IdentityContext, variables: Set<string>): boolean {
  const left = chain.sides[k]!;
  const right = chain.sides[k + 1]!;
  if (chain.sides.length >= 3 || left.calls.length > 0 || right.calls.length > 0) return true;
  const before =
    context.text
      .slice(Math.max(0, left.start - 80), left.start)
      .split(/[.;:!?]\s/)
      .pop() ?? '';
  if (REWRITE_CUE.test(before) && isNormalForm(left.node!) !== isNormalForm(right.node!)) return true;
  const normal = [isNormalForm(left.node!), isNormalForm(right.node!)];
  // two sums of terms (`2x + 3 = x + 7`): an equation being solved
  if (normal[0] && normal[1]) return false;
  if (normal[0] !== normal[1] && differenceIsMonomial(left.node!, right.node!, variables, context.functions, context.text)) return true;
  // a rewrite one number away from an identity (`\frac{(x^2 + 1) - x(2x)}{(x^2 + 1)^2} = \frac{3 - x^2}{(x^2 + 1)^2}`), but
  // not by dropping a term: `\frac{1}{x^2} = \frac{1}{(5 - x)^2}` with 0 for the 5 is an equation to solve
  const slip = confirmedSlip(left.node!, right.node!, variables, context.functions, context.text.slice(left.start, right.end));
  return slip !== undefined && !slip.right.equals(0);
}

function plainNumber(side: MathSide, text: string): Literal | undefined {
  const written = text.slice(side.start, side.end);
  const m = /^-?\d+(?:\.(\d+))?$/.exec(written);
  if (!m) return undefined;
  return { start: side.start, end: side.end, value: written, decimals: m[1]?.length ?? 0, percent: false, thousands: false };
}

/**
 * `f(3) = 2(3)^2 - 3(3) + 1 = 10`: both sides numbers once the functions are applied; and, in LaTeX,
 * computations the arithmetic verifier does not read (`\log_2 8`, `\frac{360 \text{ pieces}}{6 \text{ pieces per minute}}`).
 */
function judgeValue(chain: MathChain, k: number, context: IdentityContext): Finding | undefined {
  const left = chain.sides[k]!;
  const right = chain.sides[k + 1]!;
  const calls = left.calls.length > 0 || right.calls.length > 0;
  const scope = withFunctions({}, context.functions);
  const a = evaluateAt(left.node!, scope);
  const b = evaluateAt(right.node!, scope);
  if (!a || !b || a.im !== 0 || b.im !== 0) return undefined;
  const base = { kind: calls ? ('function' as const) : ('arithmetic' as const), start: left.start, end: right.end };
  const literal = plainNumber(right, context.text);
  const value = (p: PointValue) => (p.exact ? { exact: p.exact } : { approx: p.re });
  // units left out of the expression: `2 \text{ hours} = 120 \text{ minutes}` is a change of units
  if ((left.units || right.units) && isConversionFactor(value(a), value(b))) return undefined;
  if (literal) {
    const found = literalAgreement(value(a), literal, { approximate: chain.approximate[k] === true });
    if (found === 'exact' || found === 'rounded') return { ...base, status: 'verified' };
    if (found !== 'differs' || left.ambiguous || right.ambiguous || (calls && !valueClaim(left, right, context.functions))) return undefined;
    const digits = formatLike(value(a), literal);
    return { ...base, status: 'refuted', expected: digits, fix: { start: right.start, end: right.end, newText: digits } };
  }
  if (sameValue(a, b)) return { ...base, status: 'verified' };
  if (chain.approximate[k] || left.ambiguous || right.ambiguous || (calls && !valueClaim(left, right, context.functions))) return undefined;
  const relative = Math.abs(a.re - b.re) / Math.max(Math.abs(a.re), Math.abs(b.re), 1e-12);
  // two floats this close may differ by rounding alone, unless both are whole numbers a double holds exactly
  // (sums of whole terms: `\sum_{j=3}^{200} \frac{(j-1)j}{2}` is 1,333,299, one less than from j = 2)
  const whole = (x: number) => Number.isInteger(x) && Math.abs(x) < 2 ** 50;
  if (!a.exact && relative < 1e-6 && !(whole(a.re) && whole(b.re))) return undefined;
  const shown = (p: PointValue) => (whole(p.re) ? String(p.re) : formatLike(value(p), undefined));
  return { ...base, status: 'refuted', expected: shown(a), note: `the right side is ${shown(b)}` };
}

/**
 * `p(1) = 12a^2 + …`, `P(P(x)) = …`: one side is a call of a function defined once, at something other
 * than its bare parameters. `f(x) + 2(x+4) = x^2 + 2` is a functional equation, not a value.
 */
function valueClaim(left: MathSide, right: MathSide, table: FunctionTable): boolean {
  const calls = [...left.calls, ...right.calls];
  if (calls.some((name) => table.get(name)?.redefined)) return false;
  // `f(g(x)) = g(f(x))`: calls on both sides state a property to check, not a value
  if (left.calls.length > 0 && right.calls.length > 0) return false;
  return [left, right].some((side) => {
    const node = side.node as unknown as { type: string; fn?: { name?: string }; args?: MathNode[] };
    if (node.type !== 'FunctionNode' || !node.fn?.name?.startsWith('F_')) return false;
    const definition = table.get(node.fn.name.slice(2));
    const params = definition?.params ?? [];
    const bare = (node.args ?? []).every((a, k) => symbolName(a) !== undefined && a.toString() === params[k]);
    // `y = f(x) = x^2 + 2bx + 1` after the problem's `f(x) = …`: the given restated, which must be the same
    return !bare || definition?.given === true;
  });
}

/**
 * Sides with different variables are a substitution (`y = r \cdot x = r^4` after `x = r`) unless the
 * variables one side has more cancel in it (`\frac{a_1 r^4}{a_1 r} = r^3`): its value does not change
 * with them.
 */
function cancels(left: MathNode, right: MathNode, vl: Set<string>, vr: Set<string>, context: IdentityContext): boolean {
  const [more, fewer, node] = vl.size > vr.size ? [vl, vr, left] : [vr, vl, right];
  if (![...fewer].every((v) => more.has(v))) return false;
  const extra = [...more].filter((v) => !fewer.has(v));
  const seed = context.text.slice(0, 200);
  const integers = integerVariables(left, right);
  const small = seriesVariables(left, right);
  const [base] = randomPoints([...more], 1, seed, integers, small);
  const values = randomPoints(extra, 3, `${seed}\u0000extra`, integers, small).map((point) =>
    evaluateAt(node, withFunctions({ ...base, ...point }, context.functions)),
  );
  return values.every((v) => v !== undefined && sameValue(v, values[0]!));
}

/** What the arithmetic verifier does not read: sums, products, floor and ceiling brackets. */
function beyondArithmetic(node: MathNode): boolean {
  return (
    hasSeries(node) ||
    node.filter((n) => n.type === 'FunctionNode' && ['floor', 'ceil'].includes((n as unknown as { fn: { name: string } }).fn.name)).length > 0
  );
}

/** `leftConfirmed`: the link before held, so the left side's reading is the one meant (even if ambiguous). */
function judgeLink(chain: MathChain, k: number, context: IdentityContext, leftConfirmed: boolean): Finding | undefined {
  return judgeLinkAsWritten(chain, k, context, leftConfirmed) ?? judgeFolded(chain, k, context) ?? judgeIndexSlip(chain, k, context);
}

function judgeLinkAsWritten(chain: MathChain, k: number, context: IdentityContext, leftConfirmed: boolean): Finding | undefined {
  const left = chain.sides[k]!;
  const right = chain.sides[k + 1]!;
  if (!left.node || !right.node) return undefined;
  if (k === 0 && definitionIn(chain, context.text)) return undefined;
  const vl = freeVariables(left.node, context.functions);
  const vr = freeVariables(right.node, context.functions);
  // a computation the arithmetic verifier judged is its own, unless both sides have variables: then what it
  // read was numbers of the algebra (`x^2 \times 3 = 6x^2` read as `2 \times 3 = 6`), and steps.ts drops it
  if ((vl.size === 0 || vr.size === 0) && context.judged(left.start, right.end)) return undefined;
  const calls = left.calls.length > 0 || right.calls.length > 0;
  // numbers alone are the arithmetic verifier's (read from prose and LaTeX with care for their extent)
  // …except what it does not read: values of defined functions, sums and products
  if (vl.size === 0 && vr.size === 0) return calls || beyondArithmetic(left.node) || beyondArithmetic(right.node) ? judgeValue(chain, k, context) : undefined;
  if (vr.size === 0 && context.coefficients && [...vl].every((v) => context.coefficients!.has(v))) return judgeCoefficients(chain, k, context, vl);
  if (vl.size === 0 || vr.size === 0 || symbolName(left.node) !== undefined || symbolName(right.node) !== undefined) return undefined;
  if (!sameSet(vl, vr) && !cancels(left.node, right.node, vl, vr, context)) return judgeSubstituted(chain, k, context);
  if (chain.approximate[k] || !claimedAsIdentity(chain, k, context, vl)) return undefined;
  const outcome = compareAtPoints(left.node, right.node, vl, context.functions, context.text.slice(left.start, right.end));
  const kind = calls ? ('function' as const) : ('identity' as const);
  const base = { kind, start: left.start, end: right.end };
  if (outcome === 'holds') return { ...base, status: 'verified' };
  if (outcome === 'unclear' || (left.ambiguous && !leftConfirmed) || right.ambiguous) return undefined;
  // before it "if", "suppose", "not"; after it only what denies it ("= 10 + k^2, which is impossible"), not
  // a "not" of what the sentence goes on to (`y = f(x) = … and y = g(x) = … do not intersect`)
  if (HYPOTHETICAL.test(sentenceBefore(context.text, left.start, 60)) || DENIAL.test(sentenceAfter(context.text, right.end, 40))) return undefined;
  // a value of a defined function is a computation; a rewrite is refuted only for a slip in one term (a
  // substitution of a known fact, `a^2 - ab + b^2 = 7^2 - 3ab`, differs from an identity by more)
  const seed = context.text.slice(left.start, right.end);
  if (calls) {
    if (!valueClaim(left, right, context.functions)) return undefined;
  } else if (!differenceIsMonomial(left.node, right.node, vl, context.functions, seed)) {
    const slip = confirmedSlip(left.node, right.node, vl, context.functions, seed);
    return slip ? slipFinding(base, right, slip, context.text) : undefined;
  }
  const named = [...vl].filter((v) => v !== PLUS_MINUS).map(writtenName);
  const finding: Finding = {
    ...base,
    status: 'refuted',
    note: `the two sides differ for ${named.join(', ')}${vl.has(PLUS_MINUS) ? ' and either sign of ±' : ''} in general`,
  };
  if (!calls && isNormalForm(right.node) && !isNormalForm(left.node)) {
    const expected = expansionOf(left, vl, context.functions);
    if (expected) {
      finding.expected = expected;
      finding.fix = { start: right.start, end: right.end, newText: expected };
    }
  }
  return finding;
}

/** The values of the numbers written in a node. */
function numbersIn(node: MathNode): Fraction[] {
  return node
    .filter((n) => n.type === 'ConstantNode')
    .map((n) => (n as unknown as { value: unknown }).value)
    .filter((v): v is Fraction => exactMath.typeOf(v) === 'Fraction');
}

/**
 * A link of a rewrite whose sides have different variables, once the variables only one side has are
 * replaced by what the solution defined them as (known-values.ts: `1.5r\theta = 4.5L` after `L = r\theta`).
 * Refuted only when it fails with every definition of them and one number written in the right side
 * (not one of a definition) makes it hold; anything else, even agreement, is left unjudged: which
 * definition the writer meant is not certain.
 */
function judgeSubstituted(chain: MathChain, k: number, context: IdentityContext): Finding | undefined {
  const left = chain.sides[k]!;
  const right = chain.sides[k + 1]!;
  if (chain.sides.length < 3 || chain.approximate[k] || left.ambiguous || right.ambiguous || left.calls.length > 0 || right.calls.length > 0) return undefined;
  if (HYPOTHETICAL.test(sentenceBefore(context.text, left.start, 60)) || DENIAL.test(sentenceAfter(context.text, right.end, 40))) return undefined;
  // each costs a comparison per pair of substituted sides: a few links of a step at most
  if (context.budget.substitutions-- <= 0) return undefined;
  const pairs = substitutedSides(left.node!, right.node!, context.values, context.functions);
  const seed = context.text.slice(left.start, right.end);
  if (pairs.length === 0 || pairs.some((p) => compareAtPoints(p.left, p.right, p.variables, context.functions, seed) !== 'fails')) return undefined;
  const [first] = pairs as [Substituted];
  const slip = confirmedSlip(first.left, first.right, first.variables, context.functions, seed);
  if (!slip) return undefined;
  const fromDefinitions = first.used.flatMap((u) => numbersIn(u.node));
  if (!numbersIn(right.node!).some((n) => n.equals(slip.written)) || fromDefinitions.some((n) => n.equals(slip.written))) return undefined;
  const finding = slipFinding({ kind: 'identity', start: left.start, end: right.end }, right, slip, context.text);
  if (!finding.fix) return undefined;
  finding.note = `${finding.note ?? ''}, with ${[...new Set(first.used.map((u) => u.text))].join(', ')} as written before`;
  return finding;
}

/** `b^2 - 4ac = 3^2 - 4(2)(-5)`: the left side's a, b and c the quadratic's coefficients, a value to compare. */
function judgeCoefficients(chain: MathChain, k: number, context: IdentityContext, names: Set<string>): Finding | undefined {
  const left = chain.sides[k]!;
  let node = left.node!;
  for (const name of names) node = substitute(node, name, context.values.get(name)!.at(-1)!.node);
  const put = { ...chain, sides: chain.sides.map((side, j) => (j === k ? { ...side, node } : side)) };
  const found = judgeValue(put, k, context);
  return found?.status === 'refuted'
    ? { ...found, kind: 'identity', note: `${found.note ? `${found.note}; ` : ''}with ${context.values.get([...names][0]!)!.at(-1)!.text}` }
    : found && { ...found, kind: 'identity' };
}

/**
 * A link of a rewrite that was not judged as written, with the relations written before folded into its
 * sides (relations.ts: `\frac{qr + 2pr + 3pq}{pqr}` after `pqr = 48` is `\frac{qr + 2pr + 3pq}{48}`): verified when
 * it holds so, refuted only when one number written in its right side (not one the relations put in)
 * makes it hold. Both sides must then have the same variables: another relation may link different ones.
 */
function judgeFolded(chain: MathChain, k: number, context: IdentityContext): Finding | undefined {
  const left = chain.sides[k]!;
  const right = chain.sides[k + 1]!;
  if (chain.sides.length < 3 || chain.approximate[k] || left.ambiguous || right.ambiguous || !left.node || !right.node) return undefined;
  if (left.calls.length > 0 || right.calls.length > 0 || symbolName(left.node) !== undefined || symbolName(right.node) !== undefined) return undefined;
  if (context.budget.folds <= 0) return undefined;
  const folded = foldRelations(left.node, right.node, context.relations, context.values, context.functions);
  if (!folded) return undefined;
  context.budget.folds--;
  const variables = freeVariables(folded.left, context.functions);
  if (variables.size === 0 || !sameSet(variables, freeVariables(folded.right, context.functions))) return undefined;
  if (HYPOTHETICAL.test(sentenceBefore(context.text, left.start, 60)) || DENIAL.test(sentenceAfter(context.text, right.end, 40))) return undefined;
  const seed = context.text.slice(left.start, right.end);
  const outcome = compareAtPoints(folded.left, folded.right, variables, context.functions, seed);
  const base = { kind: 'identity' as const, start: left.start, end: right.end };
  const given = `with ${folded.used.join(', ')} as written before`;
  if (outcome === 'holds') return { ...base, status: 'verified', note: given };
  if (outcome !== 'fails') return undefined;
  const slip = confirmedSlip(folded.left, folded.right, variables, context.functions, seed);
  if (!slip || !numbersIn(right.node).some((n) => n.equals(slip.written))) return undefined;
  if (folded.values.flatMap(numbersIn).some((n) => n.equals(slip.written))) return undefined;
  const finding = slipFinding(base, right, slip, context.text);
  if (!finding.fix) return undefined;
  finding.note = `${finding.note ?? ''}, ${given}`;
  return finding;
}

/**
 * Whether what the solution defined the two names as may make them equal: a definition by an expression
 * (it may lead from one to the other), or the same number for both. A number for one alone does not.
 */
function definedAlike(context: IdentityContext, a: string, b: string): boolean {
  const definitions = [...(context.values.get(a) ?? []), ...(context.values.get(b) ?? [])];
  if (definitions.some((d) => freeVariables(d.node, context.functions).size > 0)) return true;
  const values = (name: string) => (context.values.get(name) ?? []).map((d) => evaluateAt(d.node, withFunctions({}, context.functions)));
  return values(a).some((x) => values(b).some((y) => x === undefined || y === undefined || sameValue(x, y)));
}

/**
 * A link of a rewrite whose right side writes one indexed name the left side lacks (`b_3` for `b_0`,
 * index-slip.ts): refuted when putting back the one the left side has makes it hold, and nothing written
 * before (a definition, a given, an earlier formula of the step) says the two are equal.
 */
function judgeIndexSlip(chain: MathChain, k: number, context: IdentityContext): Finding | undefined {
  const left = chain.sides[k]!;
  const right = chain.sides[k + 1]!;
  if (chain.sides.length < 3 || chain.approximate[k] || left.ambiguous || right.ambiguous || !left.node || !right.node) return undefined;
  if (left.calls.length > 0 || right.calls.length > 0 || symbolName(left.node) !== undefined || symbolName(right.node) !== undefined) return undefined;
  if (HYPOTHETICAL.test(sentenceBefore(context.text, left.start, 60)) || DENIAL.test(sentenceAfter(context.text, right.end, 40))) return undefined;
  const seed = context.text.slice(left.start, right.end);
  const earlier = [...context.givens, context.text.slice(0, chain.start)];
  const slip = indexSlip(
    left.node,
    right.node,
    context.text.slice(left.start, left.end),
    context.text.slice(right.start, right.end),
    context.functions,
    (a, b, variables) => compareAtPoints(a, b, variables, context.functions, seed) === 'holds',
    (a, b) => definedAlike(context, a, b) || writtenTogether(earlier, a, b),
    context.properties,
  );
  if (!slip?.repaired) return undefined;
  return {
    kind: 'identity',
    start: left.start,
    end: right.end,
    status: 'refuted',
    expected: slip.repaired,
    note: `with ${writtenName(slip.right)} for the ${writtenName(slip.written)} the two sides agree for every value`,
    fix: { start: right.start, end: right.end, newText: slip.repaired },
  };
}

/** The form of an expression with its numbers left out: `(h - #)^# + k^#`. */
function formOf(node: MathNode): string {
  return node.transform((n) => ((n as unknown as { type: string }).type === 'ConstantNode' ? new exactMath.SymbolNode('#') : n)).toString();
}

/**
 * A slip in one number of the right side, confirmed at every point (number-slip.ts). Two sides of one
 * form with other numbers (`(h - 2)^2 + k^2 = (h - 4)^2 + k^2`: equally far from two points) state a
 * condition, not a rewrite with a slip.
 */
function confirmedSlip(left: MathNode, right: MathNode, variables: Set<string>, table: FunctionTable, seed: string): NumberSlip | undefined {
  // asked twice for a link (is it claimed as an identity? what is wrong with it?): searched once
  const known = slipsFound.get(left);
  if (known?.right === right) return known.slip;
  const slip = searchSlip(left, right, variables, table, seed);
  slipsFound.set(left, { right, slip });
  return slip;
}

const slipsFound = new WeakMap<MathNode, { right: MathNode; slip: NumberSlip | undefined }>();

function searchSlip(left: MathNode, right: MathNode, variables: Set<string>, table: FunctionTable, seed: string): NumberSlip | undefined {
  if (formOf(left) === formOf(right)) return undefined;
  // the search evaluates the sides dozens of times: not with a sum of up to 1,000 terms whose body has a
  // factorial or a binomial of a variable or the index, each as dear as its argument is large
  // (`\sum_{i=1}^{k} \frac{i+1}{i!}`: 70 ms a step, `\sum_{k=0}^{2^n} \binom{2^n}{k} x^k`: 200 ms), for the time bound of a step
  if ([left, right].some((node) => hasSeries(node) && combinatoricsOfVariables(node))) return undefined;
  for (const fixed of readings(variables)) {
    const slip = numberSlip(left, right, variables, table, seed, fixed, (found) => compareAtPoints(left, found.repaired, variables, table, seed) === 'holds');
    if (slip) return slip;
  }
  return undefined;
}

function slipFinding(base: Omit<Finding, 'status'>, right: MathSide, slip: NumberSlip, text: string): Finding {
  const written = decimalText(slip.written) ?? formatLike({ exact: slip.written }, undefined);
  const value = decimalText(slip.right) ?? formatLike({ exact: slip.right }, undefined);
  const finding: Finding = { ...base, status: 'refuted', note: `with ${value} for the ${written} the two sides agree for every value` };
  const repaired = repairedText(text.slice(right.start, right.end), slip);
  if (repaired) {
    finding.expected = repaired;
    finding.fix = { start: right.start, end: right.end, newText: repaired };
  }
  return finding;
}

function hasVariables(chain: MathChain, table: FunctionTable): boolean {
  return chain.sides.some((side) => side.node !== undefined && freeVariables(side.node, table).size > 0);
}

/** Identities and function values among the chains of a step. */
export function checkIdentities(chains: readonly MathChain[], context: Omit<IdentityContext, 'budget'>): Finding[] {
  const findings: Finding[] = [];
  let links = 0;
  let values = context.values;
  let relations = context.relations;
  const budget = { substitutions: MAX_SUBSTITUTED_LINKS, folds: MAX_FOLDED_LINKS };
  let quadratic: Quadratic | undefined;
  for (const chain of chains) {
    let held = false;
    // `b^2 - 4ac` after `x^2 - 2x - (4 + k) = 0`: a, b and c are its coefficients (quadratic-coefficients.ts)
    const known = quadratic && writesDiscriminant(chain, context.text) ? withCoefficients(values, quadratic) : values;
    const coefficients = known === values ? undefined : coefficientNames([...known.keys()].filter((name) => !values.has(name)));
    for (let k = 0; k + 1 < chain.sides.length && links++ < MAX_LINKS; k++) {
      const found = judgeLink(chain, k, { ...context, values: known, relations, budget, coefficients }, held);
      if (found) findings.push(found);
      held = found?.status === 'verified';
    }
    values = addKnownValues(values, [chain], context.text, context.functions);
    relations = addRelations(relations, [chain], context.text, context.functions);
    // the formula's a, b and c are the last equation's: another equation in between ends that reading
    if (known === values)
      quadratic = quadraticIn(chain, context.text, context.functions) ?? (quadratic && !hasVariables(chain, context.functions) ? quadratic : undefined);
  }
  return findings;
}
