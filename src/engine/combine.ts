// The combination rule: how the evidence of every check becomes one verdict per step.
//
// In order of authority (the research behind it: a critic judging in the dark is weak, an external
// check is strong — DESIGN.md "What the research says"):
//   1. The user's own "mark as correct" stands over everything: they have read the step.
//   2. Deterministic verifiers: a refuted claim (a computation, an identity, an equation step, a function
//      value, a unit conversion, a percentage), a syntax error, or a step that failing tests clearly
//      localise to is incorrect, whatever the model says (P(True) 0 for a refutation). A claim that
//      holds only rounded to whole units or cut off (`25 / 4 = 6`) makes the step uncertain unless the
//      critic finds it incorrect.
//   3. The LLM critic: P(True) ≥ thresholds.correct → correct, ≤ thresholds.incorrect → incorrect,
//      between → uncertain. A verbal verdict without probability is taken as it is. With a
//      calibration (src/engine/calibration), the critic's P(True) goes through its map first, so the
//      thresholds judge the calibrated value; the raw one is kept beside it. This is the one place a
//      calibration applies: never to a deterministic check's P(True), nor to a step the user accepted.
//      A (calibrated) P(True) that points the other way from the verdict the critic wrote makes the
//      step uncertain: the probability never turns a written verdict into its opposite.
//   4. Otherwise the step is unchecked (verified claims are evidence, not proof that the logic holds).
// Then ProcessBench's unit of work: the earliest incorrect step is *the* error and every later step is
// downstream of it (its own evidence kept), not independently wrong.
// The solution's verdict is decided here once for every surface (CLI, reports, server, editor): it is
// incorrect when a step is, when a test fails, or when the final answer differs from the expected one
// (as authoritative as a refuted computation, even if every step looks right to the critic).
import type { Calibration } from './calibration/file';
import { calibrate } from './calibration/file';
import type { CodeCheckResult, CriticResult, Thresholds } from './checks';
import type { AnswerEvidence, ClaimEvidence, Evidence, FaultLocalizationEvidence, SolutionDocument, SolutionJudgement, StepVerdict, TextEdit } from './types';
import { emptyUsage, isClaimEvidence, isRefutedClaim } from './types';
import { claimShortCorrection } from './verify/claim-words';

export interface CombineInput {
  document: SolutionDocument;
  /** Deterministic per-step evidence (arithmetic claims), by step index. */
  verifier: ReadonlyMap<number, readonly Evidence[]>;
  code?: CodeCheckResult;
  critic?: CriticResult;
  /** Why there is no critic result, when there is none (e.g. "LLM critic off: no endpoint configured"). */
  criticNote?: string;
  /** Indices of steps the user marked as correct. */
  accepted: ReadonlySet<number>;
  /** Solution-level evidence (final answer against the expected one). */
  answer?: AnswerEvidence;
  thresholds: Thresholds;
  /** Maps the critic's P(True) before the thresholds (`--calibration`, `stepcritic.calibration`). */
  calibration?: Calibration;
}

type OwnVerdict = Omit<StepVerdict, 'stepIndex' | 'stepHash' | 'evidence' | 'accepted' | 'premiseStep'>;

export function formatPTrue(p: number | null): string {
  return p === null ? 'n/a' : p.toFixed(2);
}

function judgeOwn(evidence: readonly Evidence[], accepted: boolean, thresholds: Thresholds, calibration: Calibration | undefined): OwnVerdict {
  if (accepted) {
    return { verdict: 'correct', pTrue: 1, source: 'user', message: 'Marked as correct by you.', fixes: [] };
  }

  const refuted = evidence.filter(isRefutedClaim);
  if (refuted.length > 0) {
    const fixes: TextEdit[] = refuted.flatMap((e) => (e.fix ? [e.fix] : []));
    const more = refuted.length > 1 ? ` (+${refuted.length - 1} more)` : '';
    const first = refuted[0]!;
    return {
      verdict: 'incorrect',
      pTrue: 0,
      source: 'verifier',
      code: first.kind,
      message: `${refutedClaimText(first)}${more}`,
      fixes,
    };
  }

  const syntax = evidence.find((e) => e.kind === 'syntax');
  if (syntax && syntax.kind === 'syntax') {
    return { verdict: 'incorrect', pTrue: 0, source: 'verifier', code: 'syntax', message: syntax.message, fixes: [] };
  }

  const localized = evidence.find((e): e is FaultLocalizationEvidence => e.kind === 'fault-localization' && e.failedTests > 0);
  if (localized && localized.rank === 1 && localized.clear) {
    return {
      verdict: 'incorrect',
      pTrue: round(1 - localized.score),
      source: 'verifier',
      code: 'test-failure',
      message: `Tests fail and this is the most suspicious step (suspiciousness ${localized.score.toFixed(2)})${suggestedChange(localized)}.`,
      fixes: [],
    };
  }
  if (localized && localized.rank <= 3 && !localized.clear) {
    return {
      verdict: 'uncertain',
      pTrue: round(1 - localized.score),
      source: 'verifier',
      code: 'test-failure',
      message: `Tests fail; this step is among the most suspicious (rank ${localized.rank}, suspiciousness ${localized.score.toFixed(2)}), but no step stands out${suggestedChange(localized)}.`,
      fixes: [],
    };
  }

  const judgeError = evidence.find((e) => e.kind === 'judge-error');
  if (judgeError && judgeError.kind === 'judge-error') {
    return { verdict: 'error', pTrue: null, source: 'none', code: 'judge-error', message: `Could not judge: ${judgeError.message}`, fixes: [] };
  }

  const fromCritic = judgeByCritic(evidence, thresholds, calibration);
  const doubtful = evidence.find((e): e is ClaimEvidence => isClaimEvidence(e) && e.status === 'uncertain');
  // A claim that holds only in a reading the text does not say (`25 / 4 = 6` full boxes, `2/3 = 0.6`)
  // keeps the step uncertain unless the critic finds it wrong outright.
  if (doubtful && fromCritic?.verdict !== 'incorrect') {
    const correction = claimShortCorrection(doubtful);
    return {
      verdict: 'uncertain',
      pTrue: fromCritic?.pTrue ?? null,
      source: fromCritic?.source ?? 'verifier',
      code: doubtful.kind,
      message: `${doubtful.claim}${correction ? ` (${correction})` : ''}: ${doubtful.note ?? 'may not hold as written'}.`,
      fixes: [],
    };
  }
  if (fromCritic) return fromCritic;

  const claims = evidence.filter(isClaimEvidence);
  const verified = claims.filter((e) => e.status === 'verified').length;
  const passed = evidence.filter((e) => e.kind === 'test' && e.status === 'passed').length;
  const checked =
    verified > 0 && verified === claims.length
      ? 'Computations verified'
      : verified > 0
        ? `${verified} of ${claims.length} computations verified`
        : passed > 0
          ? 'Tests pass'
          : 'Not judged';
  return {
    verdict: 'unchecked',
    pTrue: null,
    source: verified > 0 || passed > 0 ? 'verifier' : 'none',
    message: checked === 'Not judged' ? 'Not judged.' : `${checked}; reasoning not judged.`,
    fixes: [],
  };
}

/** The critic's verdict on its own, when it gave one. */
function judgeByCritic(evidence: readonly Evidence[], thresholds: Thresholds, calibration: Calibration | undefined): OwnVerdict | undefined {
  const critic = evidence.find((e) => e.kind === 'critic');
  if (critic && critic.kind === 'critic') {
    const reason = critic.explanation ? ` ${critic.explanation}` : '';
    if (critic.pTrue === null) {
      const verdict = critic.verdict;
      return {
        verdict,
        pTrue: null,
        source: critic.source,
        code: verdict === 'incorrect' ? 'logic' : undefined,
        message: `${verdict === 'incorrect' ? 'Incorrect' : 'Correct'} (critic, no probability).${reason}`,
        fixes: [],
      };
    }
    const raw = critic.pTrue;
    const p = calibration ? calibrate(calibration, raw) : raw;
    const band = p >= thresholds.correct ? 'correct' : p <= thresholds.incorrect ? 'incorrect' : 'uncertain';
    const calibrated = calibration ? { rawPTrue: raw } : {};
    const origin = `${critic.source}${calibration ? `, calibrated from ${formatPTrue(raw)}` : ''}`;
    // What the model wrote and its (calibrated) probability can disagree (a small model's prefixes, a
    // sampled verdict against the majority): never show the opposite of the written verdict, say so instead.
    if (band !== 'uncertain' && band !== critic.verdict) {
      const favours = band === 'correct' ? 'favours correct' : 'favours incorrect';
      return {
        verdict: 'uncertain',
        pTrue: p,
        ...calibrated,
        source: critic.source,
        code: 'low-confidence',
        message: `Uncertain: the critic wrote "${critic.verdict}" but its P(True) ${formatPTrue(p)} (${origin}) ${favours}.${reason}`,
        fixes: [],
      };
    }
    const verdict = band;
    return {
      verdict,
      pTrue: p,
      ...calibrated,
      source: critic.source,
      code: verdict === 'incorrect' ? 'logic' : verdict === 'uncertain' ? 'low-confidence' : undefined,
      message: `${capitalise(verdict)}, P(True) ${formatPTrue(p)} (${origin}).${reason}`,
      fixes: [],
    };
  }

  return undefined;
}

/**
 * An unchecked step whose every computation was recomputed and holds: shown apart from a step nobody
 * looked at (its reasoning is still not judged, so it is not "correct").
 */
export function computationsVerified(verdict: Pick<StepVerdict, 'verdict' | 'evidence'>): boolean {
  if (verdict.verdict !== 'unchecked') return false;
  const claims = verdict.evidence.filter(isClaimEvidence);
  return claims.length > 0 && claims.every((e) => e.status === 'verified');
}

/** A refuted (or doubtful) claim in the one wording every surface uses: `48 / 2 = 25 (should be 24)`. */
export function refutedClaimText(e: Pick<ClaimEvidence, 'claim' | 'kind' | 'expected'>): string {
  const correction = claimShortCorrection(e);
  return `${e.claim}${correction ? ` (${correction})` : ''}`;
}

/** The final-answer check in one wording: `The final answer 73 differs from the expected 72` (`… the reference's 72`). */
export function answerText(e: AnswerEvidence): string {
  const verb = e.status === 'matches' ? 'matches' : e.status === 'differs' ? 'differs from' : 'could not be compared with';
  return `The final answer ${e.actual} ${verb} ${e.fromReference ? "the reference's" : 'the expected'} ${e.expected}.`;
}

export function combineVerdicts(input: CombineInput): SolutionJudgement {
  const { document, verifier, code, critic, accepted, thresholds } = input;
  const criticByIndex = new Map(critic?.steps.map((s) => [s.index, s]));
  const steps: StepVerdict[] = [];
  let firstErrorIndex = -1;

  for (const step of document.steps) {
    const evidence: Evidence[] = [...(verifier.get(step.index) ?? []), ...(code?.stepEvidence.get(step.index) ?? [])];
    const said = criticByIndex.get(step.index);
    if (said && critic) {
      if (said.verdict === 'error') {
        evidence.push({ kind: 'judge-error', message: said.error ?? 'the critic gave no verdict for this step' });
      } else {
        evidence.push({
          kind: 'critic',
          verdict: said.verdict,
          pTrue: said.pTrue,
          source: said.source,
          explanation: said.explanation,
          model: critic.model,
          cached: said.cached,
        });
      }
    }
    const isAccepted = accepted.has(step.index);
    const own = judgeOwn(evidence, isAccepted, thresholds, input.calibration);

    if (firstErrorIndex >= 0 && !isAccepted) {
      steps.push({
        ...own,
        stepIndex: step.index,
        stepHash: step.hash,
        evidence,
        accepted: false,
        verdict: 'downstream',
        code: 'downstream',
        premiseStep: firstErrorIndex,
        message: `Follows the wrong step ${firstErrorIndex + 1}. Own finding: ${own.message}`,
      });
      continue;
    }
    if (own.verdict === 'incorrect') firstErrorIndex = step.index;
    steps.push({ ...own, stepIndex: step.index, stepHash: step.hash, evidence, accepted: isAccepted });
  }

  const testsFailed = (code?.tests ?? []).some((t) => t.kind === 'test' && t.status !== 'passed');
  const testsUnjudged = (code?.unjudged ?? 0) > 0;
  const testsPassed = code?.ran === true && !testsFailed && !testsUnjudged && (code?.tests.length ?? 0) > 0;
  const answerDiffers = input.answer?.status === 'differs';
  const has = (v: StepVerdict['verdict']) => steps.some((s) => s.verdict === v);

  let verdict: SolutionJudgement['verdict'];
  if (firstErrorIndex >= 0 || testsFailed || answerDiffers) verdict = 'incorrect';
  else if (has('uncertain')) verdict = 'uncertain';
  else if (has('error') || testsUnjudged) verdict = 'error';
  else if (steps.length > 0 && steps.every((s) => s.verdict === 'correct')) verdict = 'correct';
  else if (testsPassed && !has('incorrect')) verdict = 'correct';
  else verdict = 'unchecked';

  const warnings = [...document.warnings];
  if (code?.note) warnings.push(code.note);

  return {
    steps,
    firstErrorIndex,
    verdict,
    finalAnswerPTrue: critic?.finalAnswerPTrue ?? null,
    ...(input.answer ? { answer: input.answer } : {}),
    critic: critic ? { enabled: true, model: critic.model, note: critic.note } : { enabled: false, note: input.criticNote },
    usage: critic?.usage ?? emptyUsage(),
    warnings,
    ...(critic && input.calibration ? { calibration: input.calibration.note } : {}),
  };
}

/** A mutant that made failing tests pass is the most concrete hint there is at what is wrong. */
function suggestedChange(localized: FaultLocalizationEvidence): string {
  const m = localized.mutation;
  if (!m || m.fixedTests === 0) return '';
  return `; \`${m.change}\` makes ${m.fixedTests} failing test${m.fixedTests === 1 ? '' : 's'} pass`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function round(x: number): number {
  return Math.round(Math.max(0, Math.min(1, x)) * 1000) / 1000;
}
