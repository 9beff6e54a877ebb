// The deterministic checks of a math solution, step by step: arithmetic on every explicit computation,
// then, on the formulas of the step (math-reader.ts), identities and function values, equation steps
// (going on from the previous step's last equation), quantities with units and percentages in prose.
// Functions defined in the problem or an earlier step are known to later steps. With a reference
// solution, a named result it computes otherwise (reference-values.ts).
//
// Bounded by construction, not by a clock (a clock would judge the same text differently on a busy
// machine): every expression is sized before it is evaluated (size.ts), a step is read up to 100,000
// characters, and every check caps its claims (the caps that cut a step short are reported in its
// evidence, never a silent pass). bench/verifier.ts measures the time per step (p99, max).
import type { ClaimEvidence, Evidence, SolutionDocument, Step } from '../types';
import { MAX_CHECKED_CHARACTERS, verifyStepArithmetic, withoutLabels } from './arithmetic';
import type { Condition } from './equations';
import { checkEquations } from './equations';
import type { Finding } from './finding';
import { toEvidence } from './finding';
import type { FunctionTable } from './functions';
import { addDefinitions, functionNames } from './functions';
import { checkIdentities } from './identity';
import type { KnownValues } from './known-values';
import { addKnownValues } from './known-values';
import { readMath } from './math-reader';
import { checkNamedValues } from './named-values';
import { checkPercentages } from './percent';
import type { GivenLink } from './quoted-givens';
import { checkQuotedGivens, givenLinks } from './quoted-givens';
import { referenceChecker } from './reference-values';
import type { Relations } from './relations';
import { addRelations } from './relations';
import { lettersWithProperty } from './index-slip';
import { checkRemainders } from './remainder';
import { checkSubstitutions } from './substitution';
import { checkTriedValues, checkValuesGiven } from './tried-values';
import { checkUnits } from './units';
import { checkUnknownCalls } from './unknown-calls';

/** What a step's checks depend on besides its own text. */
export interface StepContext {
  functions: FunctionTable;
  /** What the problem and the steps before defined variables as (`L = r\theta`). */
  values: KnownValues;
  /** Expressions the problem and the steps before gave a number (`pqr = 48`). */
  relations: Relations;
  /** The previous step's last equation in one variable. */
  equation?: Condition;
  /** Names used as functions anywhere in the document (`f(x) = …`). */
  functionNames: ReadonlySet<string>;
  /** The problem's equations a step may write again (quoted-givens.ts). */
  givens: readonly GivenLink[];
  /** Letters a functional equation or a recurrence of the problem or any step relates at different arguments. */
  properties: ReadonlySet<string>;
}

export interface StepResult {
  evidence: ClaimEvidence[];
  functions: FunctionTable;
  values: KnownValues;
  relations: Relations;
  equation?: Condition;
}

/** Whether the arithmetic verifier judged a claim inside [start, end) already. */
function judgedWithin(evidence: readonly ClaimEvidence[], step: Step) {
  const spans = evidence.filter((e) => e.status !== 'uncheckable').map((e) => [offsetOf(step, e.range.start), offsetOf(step, e.range.end)] as const);
  return (start: number, end: number) => spans.some(([s, e]) => s >= start && e <= end);
}

function offsetOf(step: Step, position: { line: number; character: number }): number {
  let line = step.range.start.line;
  let column = step.range.start.character;
  for (let k = 0; k < step.text.length; k++) {
    if (line === position.line && column === position.character) return k;
    if (step.text[k] === '\n') {
      line++;
      column = 0;
    } else column++;
  }
  return step.text.length;
}

/** `\] \[ =` or `$$ $$ =`: a display that starts with `=` goes on with the display before it. */
const CONTINUED_DISPLAY = /(?:\\\]|\$\$)\s*(?:\\\[|\$\$)(?=\s*=(?!=))/g;
/** `150 + \( x \) = 500`: one variable set in LaTeX inside an equation of prose. */
const INLINE_VARIABLE = /(?<=[-+=×*/]\s*)\\\(\s*[A-Za-z]\s*\\\)|\\\(\s*[A-Za-z]\s*\\\)(?=\s*[-+=×*/])/g;

/**
 * The step's text with the delimiters blanked that cut one formula in two: between a display and one
 * that goes on with it (`\[ 24 \times 24 \] \[ = 576 \]`), and around a variable in an equation of prose
 * (`150 + \( x \) = 500`). The same length, so every offset stays where it was.
 */
function joinedFormulas(step: Step): Step {
  const blank = (delimiters: string) => delimiters.replace(/\\[()[\]]|\$/g, (d) => ' '.repeat(d.length));
  const text = step.text.replace(CONTINUED_DISPLAY, blank).replace(INLINE_VARIABLE, blank);
  return text === step.text ? step : { ...step, text };
}

/** All deterministic checks of one step in its context. */
function verifyStep(written: Step, context: StepContext): StepResult {
  const step = joinedFormulas(written);
  // as much of the step as the arithmetic verifier reads
  const text = step.text.length > MAX_CHECKED_CHARACTERS ? step.text.slice(0, MAX_CHECKED_CHARACTERS) : step.text;
  const remainders = checkRemainders(text);
  // `25 ÷ 4 = 6 remainder 1`: a whole quotient said so, not a value rounded to whole units
  const divisions = remainders.filter((f) => f.status === 'verified');
  const evidence: ClaimEvidence[] = verifyStepArithmetic(step).filter(
    (e) => e.kind !== 'rounding' || !divisions.some((f) => offsetOf(step, e.range.start) >= f.start && offsetOf(step, e.range.end) <= f.end),
  );
  const chains = readMath(text, context.functionNames);
  const functions = addDefinitions(context.functions, chains, step.text);
  const judged = judgedWithin(evidence, step);
  const findings: Finding[] = [];
  const equations = checkEquations(chains, step.text, functions, context.equation);
  findings.push(
    ...checkIdentities(chains, {
      text: step.text,
      functions,
      values: context.values,
      relations: context.relations,
      givens: context.givens.map((g) => g.text),
      properties: context.properties,
      judged,
    }),
    ...checkUnknownCalls(chains, step.text, functions, judged),
    ...checkTriedValues(chains, step.text, context.givens, functions),
    ...checkValuesGiven(chains, step.text, functions),
    ...equations.findings,
    ...checkUnits(text, judged),
    ...checkPercentages(text, judged),
    ...checkNamedValues(withoutLabels(text), judged),
    ...remainders,
  );
  // what another check judged already is not judged again as a misquoted given or a value put in
  const refuted = findings.filter((f) => f.status === 'refuted');
  findings.push(
    ...checkQuotedGivens(chains, step.text, context.givens, functions, judged).filter((q) => !refuted.some((f) => f.start < q.end && q.start < f.end)),
    ...checkSubstitutions(chains, step.text, functions).filter((q) => !equations.findings.some((f) => f.start < q.end && q.start < f.end)),
  );
  findings.sort((a, b) => a.start - b.start);
  // numbers of an identity read as a computation (`x^2 \times 3 = 6x^2` as `2 \times 3 = 6`): the identity's
  const identities = findings.filter((f) => f.kind === 'identity');
  const own = evidence.filter(
    (e) => e.kind !== 'arithmetic' || !identities.some((f) => offsetOf(step, e.range.start) >= f.start && offsetOf(step, e.range.end) <= f.end),
  );
  evidence.length = 0;
  evidence.push(...own, ...findings.map((f) => toEvidence(written, f)));
  return {
    evidence,
    functions,
    values: addKnownValues(context.values, chains, step.text, functions),
    relations: addRelations(context.relations, chains, step.text, functions),
    equation: equations.last,
  };
}

/** The context of the first step: functions defined in the problem. */
function documentContext(document: SolutionDocument): StepContext {
  const names = functionNames([document.problem, ...document.steps.map((s) => s.text)].join('\n'));
  const defined = addDefinitions(new Map(), readMath(document.problem, names), document.problem);
  const functions = new Map([...defined].map(([name, definition]) => [name, { ...definition, given: true }]));
  const chains = readMath(document.problem, names);
  return {
    functions,
    values: addKnownValues(new Map(), chains, document.problem, functions),
    relations: addRelations([], chains, document.problem, functions),
    functionNames: names,
    givens: givenLinks(chains, document.problem, functions),
    properties: lettersWithProperty([document.problem, ...document.steps.map((s) => s.text)]),
  };
}

/** A cache of step results by step text and context (the check worker keeps one across edits: deadline/verifier-memo.ts). */
export interface StepCache {
  get(step: Step, contextKey: string): StepResult | undefined;
  set(step: Step, contextKey: string, result: StepResult): void;
}

function contextKey(context: StepContext): string {
  const functions = [...context.functions].map(([name, d]) => `${name}:${d.text}`).join('|');
  const values = [...context.values].map(([name, known]) => `${name}:${known.map((v) => v.text).join(';')}`).join('|');
  const equation = context.equation ? `${context.equation.text.slice(context.equation.start, context.equation.end)}` : '';
  const givens = context.givens.map((g) => g.text).join('|');
  const relations = context.relations.map((r) => r.text).join('|');
  return `${functions}\u0000${equation}\u0000${[...context.functionNames].join('')}\u0000${values}\u0000${givens}\u0000${relations}\u0000${[...context.properties].join('')}`;
}

/** Each step of a math document with its evidence, in order (a caller may stop or report between steps). */
export function* verifyMathSteps(document: SolutionDocument, cache?: StepCache): Generator<[Step, ClaimEvidence[]]> {
  if (document.kind !== 'math') return;
  let context = documentContext(document);
  // Against the reference after the cache: a step's own checks do not depend on it, this one does.
  const againstReference = referenceChecker(document);
  for (const step of document.steps) {
    const key = contextKey(context);
    let result = cache?.get(step, key);
    if (!result) {
      result = verifyStep(step, context);
      cache?.set(step, key, result);
    }
    const contradicted = againstReference?.(step) ?? [];
    yield [step, contradicted.length === 0 ? result.evidence : [...result.evidence, ...contradicted.map((f) => toEvidence(step, f))]];
    context = { ...context, functions: result.functions, values: result.values, relations: result.relations, equation: result.equation };
  }
}

/** Evidence of every step of a math document, by step index. */
export function verifyMathDocument(document: SolutionDocument): Map<number, Evidence[]> {
  const evidence = new Map<number, Evidence[]>();
  for (const [step, found] of verifyMathSteps(document)) if (found.length > 0) evidence.set(step.index, found);
  return evidence;
}
