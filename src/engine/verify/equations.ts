// Equation steps: consecutive equations in one variable, in one step or from one step to the next
// (`3x + 5 = 20` → `3x = 15` → `x = 5`), must keep the solution set. Squaring, dividing by the variable
// or "since x > 0" legitimately gain or lose solutions, so only a step that keeps none of them is
// refuted: an equation that holds at none of the previous equation's (real) solutions, or stated roots
// (`x = 2 or x = -3`) none of which solves the equation before them. The previous equation's solutions
// are found when it is a polynomial equation of degree at most 3 (its coefficients by exact interpolation,
// its roots by mathjs polynomialRoot); stated roots are substituted back into any equation.
//
// What follows a solved form with a plain number (`x = 5`) starts a new derivation, and so does an
// equation after words like "case", "if", "check" or "another": consecutive is not the same as derived.
import type { Fraction, MathNode } from 'mathjs';
import { symbolName, unwrapParentheses } from './node-shape';
import { exactMath } from './evaluate';
import type { Finding } from './finding';
import type { FunctionTable } from './functions';
import { freeVariables } from './functions';
import type { MathChain, MathSide } from './math-reader';
import { PLUS_MINUS, writtenName } from './math-reader';
import type { PointValue } from './points';
import { sentenceBefore } from './sentence';
import { isChosenRoot } from './chosen-roots';
import { evaluateAt, evaluateFloat, polynomialCoefficients, randomPoints, sameValue, withFunctions } from './points';

/** An equation in one variable, as the last link of a chain. */
export interface Condition {
  variable: string;
  left: MathNode;
  right: MathNode;
  start: number;
  end: number;
  /** `x = 5`: the variable alone on one side, a plain number on the other. */
  solvedWith?: number[];
  /** `k = 6(9) - 108 - 96`: the value side is a computation (its operations counted), not a stated root. */
  computed?: number;
  /** Decimals of the stated roots (a rounded root is compared at its precision). */
  decimals?: number[];
  /** The chain sits in the step that is being checked (not carried over from the previous step). */
  text: string;
  /** `x = a \pm b`: solvedWith holds both roots. */
  signed?: boolean;
}

const BREAK =
  /\\q?quad|\b(?:or|and|first|former|latter|other|one|true|false|correct|case|cases|if|suppose|assume|when|otherwise|check\w*|verif\w*|test\w*|plug\w*|substitut\w*|alternativ\w*|another|second|third|similarly|also|but|however|instead|wrong|mistake|incorrect|should|extraneous|reject\w*|discard\w*|not|invalid|part|let|for|where|since|because)\b|[?;]|\n\s*(?:[-*•]|\d+[.)])\s/i;
/**
 * A step goes on from the previous step's last equation only when all it says before its own first
 * equation is how it transforms it ("Subtracting 5 from both sides:", "Simplifying, we get").
 */
const CONTINUES =
  /^(?:[\s,.:;$()[\]\\]|so|subtract\w*|add\w*|divid\w*|multipl\w*|simplif\w*|expand\w*|factor\w*|rearrang\w*|mov\w*|isolat\w*|collect\w*|combin\w*|both|sides?|from|by|we|get|have|obtain|gives?|yields?|the|this|equation|becomes|each|to|on|like|terms|\d+)*$/i;
const APPROXIMATE = /\b(?:approximately|about|roughly|nearly|around|almost)\s*(?:\$|\\\(|\\\[)?\s*$/i;
const APPROXIMATE_AFTER = /^\s*(?:\$|\\\)|\\\])?\s*\(?\s*(?:approx\w*|about|roughly|rounded|to the nearest)/i;
/** "Solving for y", "and thus": no break before the equation they lead to. */
const SOLVING_FOR = /\bsolv\w*\s+for\b|\band\s+(?:thus|so|hence|therefore)\b/gi;
/** Equations introduced as a list of givens. */
const LIST = /\b(?:equations|system)\b/i;
/** An equation that is only supposed, or tried. */
const SUPPOSE_REACH = 40;
const SUPPOSE = /\b(?:if|suppose|assume|say|try|trying)\b/i;
const OPERATION = /\b(?:subtract|add|divid|multipl|simplif|expand|factor|rearrang|mov|isolat|collect|combin)\w*/i;
/** Words after stated roots that take one of them back. */
const REJECTED =
  /\b(?:extraneous|reject\w*|discard\w*|invalid|not valid|not a solution|not satisfy|doesn't satisfy|but|however|excluded?|impossible|must be|cannot)\b/i;
/** All that stands between `x = a \pm b` and the roots written out: "So, the two solutions for $y$ are" (after a list marker). */
const ROOTS_RESTATED =
  /^\s*(?:\d+[.)]\s)?(?:[\s,.:;$()[\]\\]|so|thus|hence|therefore|the|two|both|solutions?|roots?|values?|are|is|of|for|we|get|have|obtain|gives?|[a-z])*$/i;
/** Text between two equations longer than this is not a derivation step but prose going elsewhere. */
const MAX_BETWEEN = 80;
const ROOT_SEPARATOR = /^(?:\s|,|;|\$|\\[()[\]]|\\q?quad|\\text\s*\{\s*(?:or|and)\s*\}|\\(?:text|mbox)\s*\{\s*\}|\bor\b|\band\b)*$/;
/** Between two roots something says they are alternatives: `or`, `and`, a comma (two displays in a row are a derivation). */
const ROOT_ALTERNATIVE = /,|;|\\q?quad|\bor\b|\band\b/;

/** Operations a value side computes: a signed number or a fraction of two numbers (`-\frac{3}{2}`) computes none. */
function operationsIn(node: MathNode): number {
  let count = 0;
  node.traverse((n) => {
    const shape = n as unknown as { type: string; op?: string; args?: MathNode[] };
    if (shape.type === 'FunctionNode') count++;
    if (shape.type !== 'OperatorNode' || (shape.op === '-' && shape.args!.length === 1)) return;
    const constants = shape.args!.every((a) => {
      const u = unwrapParentheses(a);
      return u.type === 'ConstantNode' || (u.type === 'OperatorNode' && u.op === '-' && u.args!.length === 1);
    });
    if (!(shape.op === '/' && constants)) count++;
  });
  return count;
}

function plainNumber(side: MathSide, text: string): { value: number; decimals: number } | undefined {
  const m = /^\s*(-?\d+(?:\.(\d+))?)\s*$/.exec(text.slice(side.start, side.end).replace(/\\,|\{,\}/g, ''));
  return m ? { value: Number(m[1]), decimals: m[2]?.length ?? 0 } : undefined;
}

/** The equation a chain ends with, when it is one in a single variable. */
export function conditionOf(chain: MathChain, text: string, table: FunctionTable): Condition | undefined {
  const n = chain.sides.length;
  const left = chain.sides[n - 2]!;
  const right = chain.sides[n - 1]!;
  if (!left.node || !right.node || chain.approximate[n - 2] || left.ambiguous || right.ambiguous) return undefined;
  const variables = new Set([...freeVariables(left.node, table), ...freeVariables(right.node, table)]);
  const signed = variables.delete(PLUS_MINUS);
  if (variables.size !== 1) return undefined;
  const variable = [...variables][0]!;
  if (variable === 'v_i' || variable === 'v_e') return undefined; // the imaginary unit, Euler's number?
  const condition: Condition = { variable, left: left.node, right: right.node, start: left.start, end: right.end, text };
  const leftName = symbolName(left.node);
  const rightName = symbolName(right.node);
  const valueSide = leftName === variable ? right : rightName === variable ? left : undefined;
  // `y = 2 \pm \sqrt{5}`: two roots, one for each sign; `\pm` anywhere else is no equation read here
  if (signed) return valueSide ? signedRoots(condition, valueSide.node!, table) : undefined;
  if (valueSide) {
    // `x = 5` (a root at the precision written), `x = \frac{3 + \sqrt{21}}{2}` (exact)
    const number = plainNumber(valueSide, text);
    const value = number ? undefined : evaluateAt(valueSide.node!, withFunctions({}, table));
    if (number) {
      condition.solvedWith = [number.value];
      condition.decimals = [number.decimals];
    } else if (value && value.im === 0 && Number.isFinite(value.re)) {
      condition.solvedWith = [value.re];
      condition.decimals = [value.exact ? 0 : 9];
      const operations = operationsIn(valueSide.node!);
      if (operations > 0) condition.computed = operations;
    }
  }
  return condition;
}

/** `x = a \pm b` as the solved form with the roots a + b and a - b (real ones, in floating point). */
function signedRoots(condition: Condition, value: MathNode, table: FunctionTable): Condition | undefined {
  const roots: number[] = [];
  for (const sign of [1, -1]) {
    const root = evaluateAt(value, withFunctions({ [PLUS_MINUS]: exactMath.fraction(sign) }, table));
    if (!root || root.im !== 0 || !Number.isFinite(root.re)) return undefined;
    roots.push(root.re);
  }
  return { ...condition, solvedWith: roots, decimals: [9, 9], signed: true };
}

/** `left - right` of an equation as a function of its variable. */
function difference(condition: Condition, table: FunctionTable) {
  return (x: Fraction): PointValue | undefined => {
    const scope = withFunctions({ [condition.variable]: x }, table);
    const a = evaluateAt(condition.left, scope);
    const b = evaluateAt(condition.right, scope);
    if (!a?.exact || !b?.exact) return undefined;
    return { exact: a.exact.sub(b.exact), re: a.re - b.re, im: 0 };
  };
}

/** The real solutions of a polynomial equation of degree 1 to 3 (mathjs polynomialRoot), or undefined. */
function solve(condition: Condition, table: FunctionTable): number[] | undefined {
  const coefficients = polynomialCoefficients(difference(condition, table), 3)?.map((c) => Number(c.valueOf()));
  if (!coefficients || coefficients.length < 2) return undefined;
  try {
    const roots = (exactMath as unknown as { polynomialRoot(...c: number[]): unknown[] }).polynomialRoot(...coefficients);
    const real: number[] = [];
    for (const r of roots) {
      const complex = r as { re?: number; im?: number };
      const value = typeof r === 'number' ? r : complex.im !== undefined && Math.abs(complex.im) < 1e-9 ? complex.re : undefined;
      if (value !== undefined && Number.isFinite(value) && !real.some((x) => Math.abs(x - value) < 1e-9)) real.push(value);
    }
    return real;
  } catch {
    return undefined;
  }
}

function valueAt(node: MathNode, variable: string, value: number, table: FunctionTable): PointValue | undefined {
  // a whole or short decimal root exactly; any other float root in floating point (fraction.js's search for
  // the fraction nearest a float such as 3.7913 took milliseconds each); the comparison below allows for that
  const decimal = Math.round(value * 1e6);
  if (Math.abs(decimal - value * 1e6) <= 1e-6 && Number.isSafeInteger(decimal)) {
    return evaluateAt(node, withFunctions({ [variable]: exactMath.fraction(decimal, 1e6) }, table));
  }
  try {
    return evaluateFloat(node, withFunctions({ [variable]: value }, table));
  } catch {
    return undefined;
  }
}

/**
 * Whether the equation holds at `value` (written with `decimals` decimals when it is a rounded root);
 * undefined when it cannot be evaluated there (`f(6102)` of a function never defined).
 */
function holdsAt(condition: Condition, value: number, decimals: number | undefined, table: FunctionTable = new Map()): boolean | undefined {
  const at = (x: number) => {
    const a = valueAt(condition.left, condition.variable, x, table);
    const b = valueAt(condition.right, condition.variable, x, table);
    return a && b && a.im === 0 && b.im === 0 ? { a, b } : undefined;
  };
  const here = at(value);
  const close = (a: PointValue, b: PointValue) => Math.abs(a.re - b.re) <= 1e-7 * Math.max(1, Math.abs(a.re), Math.abs(b.re));
  const exact = Number.isSafeInteger(value) && here?.a.exact !== undefined && here.b.exact !== undefined;
  if (here && (sameValue(here.a, here.b) || (!exact && close(here.a, here.b)))) return true;
  if (!decimals) return here ? false : undefined;
  // a rounded root: the difference changes sign within the rounding interval
  const h = 0.5 * 10 ** -decimals;
  const lo = at(value - h);
  const hi = at(value + h);
  if (!lo || !hi) return true; // undefined nearby: do not claim it fails
  return Math.sign(lo.a.re - lo.b.re) !== Math.sign(hi.a.re - hi.b.re);
}

const TRIGONOMETRY = new Set(['sin', 'cos', 'tan', 'cot', 'sec', 'csc', 'asin', 'acos', 'atan']);

function hasTrigonometry(condition: Condition): boolean {
  return [condition.left, condition.right].some(
    (node) => node.filter((n) => n.type === 'FunctionNode' && TRIGONOMETRY.has((n as unknown as { fn: { name: string } }).fn.name)).length > 0,
  );
}

/** An identity in its variable (`2x = 2x`) is no condition at all. */
function isIdentity(condition: Condition, table: FunctionTable): boolean {
  return randomPoints([condition.variable], 3, condition.text.slice(condition.start, condition.end)).every((p) => {
    const scope = withFunctions(p, table);
    const a = evaluateAt(condition.left, scope);
    const b = evaluateAt(condition.right, scope);
    return a !== undefined && b !== undefined && sameValue(a, b);
  });
}

function formatRoot(value: number): string {
  if (Math.abs(value - Math.round(value)) < 1e-9) return String(Math.round(value));
  const fraction = exactMath.fraction(value) as unknown as { d: bigint; n: bigint; s: bigint };
  if (fraction.d <= 100n && Math.abs(Number(fraction.n) / Number(fraction.d) - Math.abs(value)) < 1e-9) {
    return `${fraction.s < 0n ? '-' : ''}${fraction.n}/${fraction.d}`;
  }
  return `≈ ${Number(value.toFixed(4))}`;
}

function describeRoots(variable: string, roots: number[]): string {
  const name = writtenName(variable);
  return roots.map((r) => `${name} ${formatRoot(r).startsWith('≈') ? formatRoot(r) : `= ${formatRoot(r)}`}`).join(' or ');
}

/** Judges the step from `previous` to `next`, or undefined when nothing can be said. */
export function judgeStep(previous: Condition, next: Condition, table: FunctionTable): Finding | undefined {
  if (isIdentity(previous, table) || isIdentity(next, table)) return undefined;
  // `\sin\theta = 1/2` then `\theta = 30`: an angle in degrees, with no sign to say so
  if (hasTrigonometry(previous) || hasTrigonometry(next)) return undefined;
  // a contradiction (`-14 = x + 2 - 16 - x`, a misread) has no solutions to keep
  const degree = polynomialCoefficients(difference(previous, table), 3)?.length;
  if (degree === 1) return undefined;
  const base = { kind: 'equation' as const, start: next.start, end: next.end };
  const solutions = solve(previous, table);
  // an equation with no real solution at all (`x^2 + 5 = 0`, the other factor) is no step from one with some
  if (!next.solvedWith && solve(next, table)?.length === 0) return undefined;
  if (solutions && solutions.length > 0) {
    if (next.solvedWith) return judgeRoots(next, (s, k) => solutions.some((r) => isRoot(s, next.decimals![k]!, r)), solutions);
    if (solutions.some((r) => holdsAt(next, r, undefined, table))) return { ...base, status: 'verified' };
    return { ...base, status: 'refuted', expected: describeRoots(previous.variable, solutions), note: 'the equation before it has other solutions' };
  }
  if (!next.solvedWith) return undefined;
  return judgeRoots(next, (s, k) => holdsAt(previous, s, next.decimals![k], table));
}

/**
 * A stated root is the solution at the precision it is written in: `x = 1.73` for √3, but `x = 2` is
 * exactly 2 (`=` is not `≈`).
 */
function isRoot(stated: number, decimals: number, root: number): boolean {
  return Math.abs(stated - root) <= (decimals > 0 ? 0.5 * 10 ** -decimals : 0) + 1e-9 * Math.max(1, Math.abs(root));
}

/**
 * Stated roots (`x = 2 or x = 3`) against the equation before them: each must solve it. None solving it
 * is refuted; one of several not solving it is too, unless the step goes on to reject it ("extraneous").
 */
function judgeRoots(next: Condition, solves: (root: number, k: number) => boolean | undefined, solutions?: number[]): Finding | undefined {
  const base = { kind: 'equation' as const, start: next.start, end: next.end };
  const roots = next.solvedWith!;
  const found = roots.map(solves);
  if (found.every((f) => f === true)) return { ...base, status: 'verified' };
  if (found.includes(undefined)) return found.includes(true) ? { ...base, status: 'verified' } : undefined;
  const wrong = roots.filter((_, k) => found[k] === false);
  if (found.includes(true) && REJECTED.test(next.text.slice(next.end, next.end + 300))) return { ...base, status: 'verified' };
  const expected = solutions ? describeRoots(next.variable, solutions) : undefined;
  return {
    ...base,
    status: 'refuted',
    ...(expected ? { expected } : {}),
    note: found.includes(true)
      ? `${describeRoots(next.variable, wrong)} does not solve the equation before it`
      : solutions
        ? 'the equation before it has other solutions'
        : `${describeRoots(next.variable, roots)} does not solve the equation before it`,
  };
}

/** A value chosen among the roots of `previous` (stated, or its solutions as a polynomial) for a reason given in words. */
function judgeChosen(previous: Condition, next: Condition, table: FunctionTable): Finding | undefined {
  if (previous.solvedWith) {
    if (previous.solvedWith.length < 2) return undefined; // `x = 5` then `x = 7`: a new value, not a choice
    return judgeRoots(next, (s, k) => previous.solvedWith!.some((r) => isRoot(s, next.decimals![k]!, r)), previous.solvedWith);
  }
  if (isIdentity(previous, table) || hasTrigonometry(previous)) return undefined;
  const solutions = solve(previous, table);
  if (!solutions || solutions.length === 0) return undefined;
  return judgeRoots(next, (s, k) => solutions.some((r) => isRoot(s, next.decimals![k]!, r)), solutions);
}

/** `k = 540 - 108 - 96` after `k = 6(9) - 108 - 96`: a computed value carried on keeps its value (at the precision written). */
function judgeValueOn(previous: Condition, next: Condition): Finding {
  const base = { kind: 'equation' as const, start: next.start, end: next.end };
  const value = previous.solvedWith![0]!;
  const stated = next.solvedWith![0]!;
  const decimals = next.decimals![0]!;
  const tolerance = (next.computed ? 0 : 0.5 * 10 ** -decimals) + 1e-9 * Math.max(1, Math.abs(value));
  if (Math.abs(stated - value) <= tolerance) return { ...base, status: 'verified' };
  return {
    ...base,
    status: 'refuted',
    expected: describeRoots(previous.variable, [value]),
    note: `the line before gives ${describeRoots(previous.variable, [value])}`,
  };
}

/** Joins `x = 2 or x = 3` into one solved form with two roots. */
function mergeRoots(conditions: Condition[], text: string): Condition[] {
  const merged: Condition[] = [];
  for (const c of conditions) {
    const last = merged[merged.length - 1];
    const between = text.slice(last?.end ?? 0, c.start);
    if (
      last?.solvedWith &&
      c.solvedWith &&
      last.variable === c.variable &&
      last.text === c.text &&
      ROOT_SEPARATOR.test(between) &&
      ROOT_ALTERNATIVE.test(between)
    ) {
      merged[merged.length - 1] = { ...last, end: c.end, solvedWith: [...last.solvedWith, ...c.solvedWith], decimals: [...last.decimals!, ...c.decimals!] };
    } else merged.push(c);
  }
  return merged;
}

export interface EquationCheck {
  findings: Finding[];
  /** The last equation of the step, for the next step to go on from. */
  last?: Condition;
}

/** Equation steps among the chains of a step, going on from the previous step's last equation. */
export function checkEquations(chains: readonly MathChain[], text: string, table: FunctionTable, carried: Condition | undefined): EquationCheck {
  let previousEnd = 0;
  let previous = carried;
  const findings: Finding[] = [];
  const conditions = chains.map((c) => conditionOf(c, text, table));
  const own = mergeRoots(
    conditions.flatMap((c) => (c ? [c] : [])),
    text,
  );
  // an equation read as no condition (`x = \pm\sqrt{11}`, two unknowns) between two: the derivation went
  // through something not checked here
  const unread = chains.filter((_, k) => !conditions[k]);
  const unreadBetween = (start: number, end: number) => unread.some((c) => c.start >= start && c.end <= end);
  // "the equations", "the system": what follows is a list of givens, not a derivation
  const listed = own.length > 0 && LIST.test(sentenceBefore(text, own[0]!.start, own[0]!.start));
  const seen = new Set<string>();
  /** Conditions that only suppose (`if a = 4, then 1/a = 1/4`): what follows is not derived from them. */
  const supposed = new Set<Condition>();
  /** Conditions refuted already: what follows them is judged against nothing (the slip is theirs). */
  const refuted = new Set<Condition>();
  for (const next of own) {
    const sameStep = previous !== undefined && previous.text === text;
    const between = sameStep ? text.slice(previous!.end, next.start) : text.slice(previousEnd, next.start);
    const goesOn = sameStep
      ? between.length <= MAX_BETWEEN && !BREAK.test(between.replace(SOLVING_FOR, '')) && !listed
      : CONTINUES.test(between) && (OPERATION.test(between) || !/[A-Za-z]{2}/.test(between));
    const written = text.slice(next.start, next.end).replace(/\s+/g, '');
    const restated = seen.has(written);
    seen.add(written);
    if (SUPPOSE.test(text.slice(Math.max(previousEnd, next.start - SUPPOSE_REACH), next.start)) || (goesOn && previous && supposed.has(previous)))
      supposed.add(next);
    const judged =
      previous !== undefined &&
      previous.variable === next.variable &&
      !previous.solvedWith &&
      goesOn &&
      !restated &&
      !supposed.has(previous) &&
      !unreadBetween(sameStep ? previous.end : 0, next.start);
    // "x = 71.5 (approximately)": an equation said to hold roughly is not judged exactly
    const approximate = APPROXIMATE.test(text.slice(Math.max(0, next.start - 20), next.start)) || APPROXIMATE_AFTER.test(text.slice(next.end, next.end + 30));
    if (judged && !approximate) {
      const found = judgeStep(previous!, next, table);
      if (found) findings.push(found);
      if (found?.status === 'refuted') refuted.add(next);
    } else if (
      previous?.computed &&
      // carried on, a computation gets shorter (two roots in a row have the same shape: `\frac{3 \pm \sqrt{21}}{2}`)
      (next.computed ?? 0) < previous.computed &&
      !approximate &&
      next.solvedWith?.length === 1 &&
      previous.variable === next.variable &&
      sameStep &&
      goesOn &&
      !restated &&
      !supposed.has(previous) &&
      !refuted.has(previous)
    ) {
      // `k = 6(9) - 108 - 96` then `k = 540 - 108 - 96`: the same value computed on
      const found = judgeValueOn(previous, next);
      findings.push(found);
      if (found.status === 'refuted') refuted.add(next);
    } else if (
      previous !== undefined &&
      sameStep &&
      !goesOn &&
      previous.variable === next.variable &&
      next.solvedWith?.length === 1 &&
      !previous.signed &&
      !approximate &&
      !restated &&
      !supposed.has(previous) &&
      !refuted.has(previous) &&
      !unreadBetween(previous.end, next.start) &&
      isChosenRoot(between, sentenceBefore(text, next.start, 200))
    ) {
      // `(c-5)(c+27) = 0`, "since c > 3, we must have c = 5": one of the roots, for a reason
      const found = judgeChosen(previous, next, table);
      if (found) findings.push(found);
      if (found?.status === 'refuted') refuted.add(next);
    } else if (
      previous?.signed &&
      next.solvedWith?.length === 2 &&
      !next.signed &&
      previous.variable === next.variable &&
      !approximate &&
      !supposed.has(previous) &&
      ROOTS_RESTATED.test(sameStep ? between : text.slice(0, next.start))
    ) {
      // `y = 2 \pm \sqrt{5}`, then "the two solutions are y = 2 + \sqrt{5} and y = 2 - \sqrt{5}": the same two roots,
      // one of them at least as written there (a list with the roots of another factor is another list)
      const among = (s: number, k: number) => previous!.solvedWith!.some((r) => isRoot(s, next.decimals![k]!, r));
      if (next.solvedWith.some(among)) {
        const found = judgeRoots(next, among, previous.solvedWith);
        if (found) findings.push(found);
        if (found?.status === 'refuted') refuted.add(next);
      }
    }
    previous = next;
    previousEnd = next.end;
  }
  // the next step goes on from this step's last equation only if the step ends with it
  const lastChain = chains[chains.length - 1];
  const endsWithIt = previous !== undefined && previous.text === text && lastChain !== undefined && lastChain.end === previous.end;
  const after = endsWithIt ? text.slice(previous!.end).replace(/[\s.,;:$\\()[\]]/g, '') : '';
  return { findings, last: endsWithIt && after.length <= 20 ? previous : undefined };
}
