// Refinement: the model proposes a rewrite, the rewrite is judged in context like any other text,
// and only a rewrite that holds up is offered (RealCritic: a critique is only as good as the
// correction it leads to). Attempts are capped; rejected ones are kept with the reason, so the user
// sees what was tried and that a fix "did not take" (Feedback Friction). Nothing is applied here:
// the caller gets the new text and one minimal edit, to offer.
import type { Thresholds } from '../checks';
import { defaultThresholds } from '../checks';
import type { ChatMessage } from '../llm/protocol';
import { describeEvidence } from '../llm/protocol';
import { solutionPTrue } from '../summary';
import type { SolutionDocument, SolutionJudgement, StepVerdict, TextEdit, Usage, Verdict } from '../types';
import { emptyUsage, isRefutedClaim } from '../types';
import { buildRefineMessages, parseRegenerateReply, parseStepReply, type RefineTaskKind } from './prompt';
import { fitReplacement, stepSeparator } from './splice';
import { minimalEdit, offsetAt } from './text';
import { errorMessage } from '../error-message';

export interface RefineModel {
  /** One chat completion; throws on failure (the attempt is then reported, not retried here). */
  complete(
    messages: ChatMessage[],
    options: { signal?: AbortSignal },
  ): Promise<{ content: string; usage?: { promptTokens: number; completionTokens: number } }>;
}

export interface RefineDependencies {
  model: RefineModel;
  /** Parses a new text of the document the way the original was parsed (same uri and language). */
  parse(text: string): Promise<SolutionDocument>;
  /** Judges a document with the same checks as the original; steps before `fromStep` are context. */
  judge(document: SolutionDocument, options: { fromStep: number; signal?: AbortSignal }): Promise<SolutionJudgement>;
}

export interface RefineRequest {
  document: SolutionDocument;
  judgement: SolutionJudgement;
  /** 0-based; default the first wrong step (else the least certain one). */
  stepIndex?: number;
  /** Attempts per step before giving up. Default 2. */
  maxAttempts?: number;
  thresholds?: Thresholds;
  signal?: AbortSignal;
}

export interface RefineAttemptRecord {
  text: string;
  verdict: Verdict | null;
  pTrue: number | null;
  reason: string;
  accepted: boolean;
}

export type RefineKind = 'refine-step' | 'regenerate' | 'refine-solution';

export interface RefineOutcome {
  kind: RefineKind;
  status: 'proposed' | 'rejected' | 'nothing-to-do';
  fromStep: number;
  message: string;
  pTrueBefore: number | null;
  pTrueAfter: number | null;
  attempts: RefineAttemptRecord[];
  /** The whole document text with the accepted change. */
  text?: string;
  /** The one edit from the original text to `text`. */
  edit?: TextEdit;
  /** The re-judged document, when a change was accepted. */
  after?: { document: SolutionDocument; judgement: SolutionJudgement };
  usage: Usage;
}

export const DEFAULT_MAX_ATTEMPTS = 2;
export const DEFAULT_MAX_ROUNDS = 3;

function addUsage(total: Usage, more: Partial<Usage> | undefined): void {
  if (!more) return;
  total.requests += more.requests ?? 0;
  total.promptTokens += more.promptTokens ?? 0;
  total.completionTokens += more.completionTokens ?? 0;
  total.cachedSteps += more.cachedSteps ?? 0;
}

function fmt(p: number | null): string {
  return p === null ? 'n/a' : p.toFixed(2);
}

/** The step worth refining: the first wrong one, else the least certain uncertain/unjudged one. */
export function pickRefineTarget(judgement: SolutionJudgement): number | undefined {
  if (judgement.firstErrorIndex >= 0) return judgement.firstErrorIndex;
  const doubtful = judgement.steps.filter((s) => !s.accepted && (s.verdict === 'uncertain' || s.verdict === 'error'));
  if (doubtful.length === 0) return undefined;
  doubtful.sort((a, b) => (a.pTrue ?? 0.5) - (b.pTrue ?? 0.5) || a.stepIndex - b.stepIndex);
  return doubtful[0]!.stepIndex;
}

/** What the model is told about the step: the verdict's message, the checks' findings, the critic's reasoning. */
export function feedbackFor(verdict: StepVerdict | undefined): string {
  if (!verdict) return '';
  const lines = [verdict.message];
  for (const line of describeEvidence(verdict.evidence)) lines.push(`- ${line}`);
  for (const e of verdict.evidence) {
    if (e.kind === 'critic' && e.explanation && !verdict.message.includes(e.explanation)) lines.push(`- critic: ${e.explanation}`);
    if (e.kind === 'judge-error') lines.push(`- the critic could not judge it: ${e.message}`);
  }
  return lines.join('\n');
}

/** Whether a re-judged step holds on its own (a downstream step is judged by its own finding). */
function holds(step: StepVerdict, thresholds: Thresholds): boolean {
  if (step.verdict === 'correct') return true;
  if (step.verdict !== 'downstream') return false;
  const refuted = step.evidence.some((e) => isRefutedClaim(e) || e.kind === 'syntax');
  return !refuted && step.pTrue !== null && step.pTrue >= thresholds.correct;
}

function product(values: readonly (number | null)[]): number | null {
  if (values.length === 0 || values.some((v) => v === null)) return null;
  return Math.round(values.reduce<number>((a, v) => a * (v ?? 1), 1) * 1000) / 1000;
}

/** Steps of `document` whose text overlaps [start, end) (offsets into its text). */
function stepsCovering(document: SolutionDocument, start: number, end: number): number[] {
  const covered: number[] = [];
  for (const step of document.steps) {
    const s = offsetAt(document.text, step.range.start);
    const e = offsetAt(document.text, step.range.end);
    if (s < Math.max(end, start + 1) && e > start) covered.push(step.index);
  }
  return covered;
}

interface Candidate {
  text: string;
  /** Offsets of the rewritten region in `text`. */
  start: number;
  end: number;
}

async function tryCandidates(
  kind: RefineTaskKind,
  request: RefineRequest,
  deps: RefineDependencies,
  target: number,
  makeCandidate: (content: string) => { ok: true; candidate: Candidate; shown: string } | { ok: false; error: string; shown: string },
  usage: Usage,
): Promise<{
  attempts: RefineAttemptRecord[];
  accepted?: { candidate: Candidate; document: SolutionDocument; judgement: SolutionJudgement; covered: number[] };
}> {
  const { document, judgement } = request;
  const thresholds = request.thresholds ?? defaultThresholds;
  const maxAttempts = Math.max(1, request.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const attempts: RefineAttemptRecord[] = [];
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    request.signal?.throwIfAborted();
    const messages = buildRefineMessages({
      kind,
      solutionKind: document.kind,
      problem: document.problem,
      steps: document.steps.map((s) => ({ index: s.index, text: s.text })),
      target,
      finalAnswer: document.finalAnswer?.text,
      feedback: feedbackFor(judgement.steps[target]),
      rejected: attempts.map((a) => ({ text: a.text, reason: a.reason })),
    });
    let content: string;
    try {
      const reply = await deps.model.complete(messages, { signal: request.signal });
      content = reply.content;
      addUsage(usage, { requests: 1, promptTokens: reply.usage?.promptTokens ?? 0, completionTokens: reply.usage?.completionTokens ?? 0 });
    } catch (error) {
      if (request.signal?.aborted) throw error;
      attempts.push({
        text: '',
        verdict: null,
        pTrue: null,
        reason: `the model failed: ${errorMessage(error)}`,
        accepted: false,
      });
      continue;
    }
    const made = makeCandidate(content);
    if (!made.ok) {
      attempts.push({ text: made.shown, verdict: null, pTrue: null, reason: `the reply could not be used: ${made.error}`, accepted: false });
      continue;
    }
    const { candidate } = made;
    const newDocument = await deps.parse(candidate.text);
    const covered = stepsCovering(newDocument, candidate.start, candidate.end);
    if (covered.length === 0) {
      attempts.push({ text: made.shown, verdict: null, pTrue: null, reason: 'the rewrite did not read as a step of the solution', accepted: false });
      continue;
    }
    const newJudgement = await deps.judge(newDocument, { fromStep: covered[0]!, signal: request.signal });
    addUsage(usage, newJudgement.usage);
    const verdicts = covered.map((i) => newJudgement.steps[i]!).filter(Boolean);
    const failing = verdicts.find((v) => !holds(v, thresholds));
    const pTrue = product(verdicts.map((v) => v.pTrue));
    const answerWrong = kind === 'regenerate' && newJudgement.verdict === 'incorrect' && !failing;
    if (failing || answerWrong) {
      const reason = failing
        ? `step ${failing.stepIndex + 1} is still ${failing.verdict === 'downstream' ? 'not shown to hold' : failing.verdict}: ${failing.message}`
        : `the solution is still incorrect: ${newJudgement.warnings[newJudgement.warnings.length - 1] ?? 'the final answer does not hold'}`;
      attempts.push({ text: made.shown, verdict: failing?.verdict ?? 'incorrect', pTrue, reason, accepted: false });
      continue;
    }
    attempts.push({ text: made.shown, verdict: 'correct', pTrue, reason: 'judged correct in context', accepted: true });
    return { attempts, accepted: { candidate, document: newDocument, judgement: newJudgement, covered } };
  }
  return { attempts };
}

function result(
  kind: RefineKind,
  request: RefineRequest,
  fromStep: number,
  pTrueBefore: number | null,
  found: Awaited<ReturnType<typeof tryCandidates>>,
  usage: Usage,
  what: string,
): RefineOutcome {
  if (!found.accepted) {
    const last = found.attempts[found.attempts.length - 1];
    return {
      kind,
      status: 'rejected',
      fromStep,
      message: `No rewrite of ${what} held up after ${found.attempts.length} attempt${found.attempts.length === 1 ? '' : 's'}${last ? `: ${last.reason}` : ''}.`,
      pTrueBefore,
      pTrueAfter: null,
      attempts: found.attempts,
      usage,
    };
  }
  const { candidate, document, judgement } = found.accepted;
  const pTrueAfter = found.attempts[found.attempts.length - 1]!.pTrue;
  return {
    kind,
    status: 'proposed',
    fromStep,
    message: `Rewrote ${what}; re-judged in context: P(True) ${fmt(pTrueBefore)} → ${fmt(pTrueAfter)}.`,
    pTrueBefore,
    pTrueAfter,
    attempts: found.attempts,
    text: candidate.text,
    edit: minimalEdit(request.document.text, candidate.text),
    after: { document, judgement },
    usage,
  };
}

function nothingToDo(kind: RefineKind, message: string): RefineOutcome {
  return { kind, status: 'nothing-to-do', fromStep: 0, message, pTrueBefore: null, pTrueAfter: null, attempts: [], usage: emptyUsage() };
}

/** Rewrites one step (default: the first wrong one); offered only if the rewrite is judged correct in context. */
export async function refineStep(request: RefineRequest, deps: RefineDependencies): Promise<RefineOutcome> {
  const { document, judgement } = request;
  const target = request.stepIndex ?? pickRefineTarget(judgement);
  if (target === undefined) return nothingToDo('refine-step', 'No step needs refining: none is wrong or uncertain.');
  const step = document.steps[target];
  if (!step) return nothingToDo('refine-step', `There is no step ${target + 1}.`);
  const start = offsetAt(document.text, step.range.start);
  const end = offsetAt(document.text, step.range.end);
  const usage = emptyUsage();
  const found = await tryCandidates(
    'step',
    request,
    deps,
    target,
    (content) => {
      const reply = parseStepReply(content);
      if (!reply.ok) return { ok: false, error: reply.error, shown: content.slice(0, 500) };
      const replacement = fitReplacement(step.text, reply.value.replacement, document.kind);
      if (replacement === step.text) return { ok: false, error: 'the rewrite is the step as it was', shown: replacement };
      const text = document.text.slice(0, start) + replacement + document.text.slice(end);
      return { ok: true, candidate: { text, start, end: start + replacement.length }, shown: replacement };
    },
    usage,
  );
  return result('refine-step', request, target, judgement.steps[target]?.pTrue ?? null, found, usage, `step ${target + 1}`);
}

/** Rewrites steps k..end and the final answer; offered only if every new step holds and the answer is not refuted. */
export async function regenerateFrom(request: RefineRequest, deps: RefineDependencies): Promise<RefineOutcome> {
  const { document, judgement } = request;
  const target = request.stepIndex ?? pickRefineTarget(judgement);
  if (target === undefined) return nothingToDo('regenerate', 'Nothing to regenerate: no step is wrong or uncertain.');
  const step = document.steps[target];
  if (!step) return nothingToDo('regenerate', `There is no step ${target + 1}.`);
  const last = document.steps[document.steps.length - 1]!;
  const start = offsetAt(document.text, step.range.start);
  const stepsEnd = offsetAt(document.text, last.range.end);
  const answerRange = document.finalAnswer?.range;
  const answerEnd = answerRange ? offsetAt(document.text, answerRange.end) : -1;
  const answerStart = answerRange ? offsetAt(document.text, answerRange.start) : -1;
  // A final answer after the last step is rewritten too; one inside a step comes with that step.
  const answerAfterSteps = answerRange !== undefined && answerStart >= stepsEnd;
  const end = answerAfterSteps ? lineEnd(document.text, answerEnd) : stepsEnd;
  const previous = document.steps[target - 1];
  const next = document.steps[target + 1];
  const separator = stepSeparator(
    previous
      ? document.text.slice(offsetAt(document.text, previous.range.end), start)
      : next
        ? document.text.slice(offsetAt(document.text, step.range.end), offsetAt(document.text, next.range.start))
        : undefined,
  );
  // Whatever stands between the last step and the answer line (a heading, blank lines) is kept as it is.
  const between = answerAfterSteps ? document.text.slice(stepsEnd, lineStart(document.text, answerStart)) : '';
  const answerSeparator = between.trim() !== '' || between.includes('\n') ? between : separator;
  const usage = emptyUsage();
  const found = await tryCandidates(
    'regenerate',
    request,
    deps,
    target,
    (content) => {
      const reply = parseRegenerateReply(content);
      if (!reply.ok) return { ok: false, error: reply.error, shown: content.slice(0, 500) };
      const originals = document.steps.slice(target);
      const steps = reply.value.steps
        .filter((s) => s.trim() !== '')
        .map((s, i) => {
          const model = originals[Math.min(i, originals.length - 1)]!;
          return fitReplacement(model.text, s, document.kind, Math.max(0, i - (originals.length - 1)));
        });
      let body = steps.join(separator);
      const answer = reply.value.finalAnswer.trim();
      if (answerAfterSteps && answer === '') return { ok: false, error: 'the final answer is missing', shown: body };
      if (answerAfterSteps) body += answerSeparator + answer;
      else if (document.finalAnswer && answer !== '' && !body.includes(answer)) body += separator + answer;
      const text = document.text.slice(0, start) + body + document.text.slice(end);
      return { ok: true, candidate: { text, start, end: start + steps.join(separator).length }, shown: body };
    },
    usage,
  );
  const before = solutionPTrue({
    steps: judgement.steps.filter((s) => s.stepIndex >= target).map((s) => (s.verdict === 'downstream' ? { ...s, verdict: 'uncertain' as const } : s)),
  });
  return result('regenerate', request, target, before, found, usage, `steps ${target + 1} to the end`);
}

/** Refines the first wrong step, re-judges, and repeats (at most `maxRounds`), as one proposed edit. */
export async function refineSolution(request: RefineRequest & { maxRounds?: number }, deps: RefineDependencies): Promise<RefineOutcome> {
  const rounds = Math.max(1, request.maxRounds ?? DEFAULT_MAX_ROUNDS);
  const usage = emptyUsage();
  const attempts: RefineAttemptRecord[] = [];
  let current = { document: request.document, judgement: request.judgement };
  let firstTarget: number | undefined;
  let stopped: string | undefined;
  for (let round = 0; round < rounds; round++) {
    const target = pickRefineTarget(current.judgement);
    if (target === undefined) break;
    firstTarget ??= target;
    const outcome = await refineStep({ ...request, ...current, stepIndex: target }, deps);
    addUsage(usage, outcome.usage);
    attempts.push(...outcome.attempts);
    if (outcome.status !== 'proposed' || !outcome.after) {
      stopped = outcome.message;
      break;
    }
    current = outcome.after;
  }
  if (firstTarget === undefined) return nothingToDo('refine-solution', 'No step needs refining: none is wrong or uncertain.');
  const pTrueBefore = solutionPTrue(request.judgement);
  const pTrueAfter = solutionPTrue(current.judgement);
  if (current.document === request.document) {
    return {
      kind: 'refine-solution',
      status: 'rejected',
      fromStep: firstTarget,
      message: stopped ?? 'No rewrite held up.',
      pTrueBefore,
      pTrueAfter: null,
      attempts,
      usage,
    };
  }
  const remaining = pickRefineTarget(current.judgement);
  const left = remaining === undefined ? '' : ` Step ${remaining + 1} still needs attention${stopped ? ` (${stopped})` : ''}.`;
  return {
    kind: 'refine-solution',
    status: 'proposed',
    fromStep: firstTarget,
    message: `Refined the solution; re-judged: P(True) ${fmt(pTrueBefore)} → ${fmt(pTrueAfter)}.${left}`,
    pTrueBefore,
    pTrueAfter,
    attempts,
    text: current.document.text,
    edit: minimalEdit(request.document.text, current.document.text),
    after: current,
    usage,
  };
}

function lineStart(text: string, offset: number): number {
  const i = text.lastIndexOf('\n', offset - 1);
  return i < 0 ? 0 : i + 1;
}

function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  const end = i < 0 ? text.length : i;
  return end > 0 && text[end - 1] === '\r' ? end - 1 : end;
}
