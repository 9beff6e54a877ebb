// judgeSolution: runs the checks a surface allows on one document and combines their evidence.
import type { Calibration } from './calibration/file';
import type { CodeCheckResult, CodeChecker, CriticResult, StepCritic, Thresholds } from './checks';
import { couldNotJudge, defaultThresholds } from './checks';
import { combineVerdicts } from './combine';
import type { AnswerEvidence, Evidence, SolutionDocument, SolutionJudgement } from './types';
import { isRefutedClaim } from './types';
import { checkFinalAnswer } from './verify/answer';
import { verifyMathDocument } from './verify/steps';
import { errorMessage } from './error-message';
import { rubricFor, type RubricItem } from './rubric/rubric';
import { scoreRubric, unreadableRubric } from './rubric/score';

export interface JudgeDependencies {
  critic?: StepCritic;
  /** Why there is no critic (shown to the user), e.g. "LLM critic off: no endpoint configured". */
  criticOffReason?: string;
  codeChecker?: CodeChecker;
  /** Whether the user marked this step (by problem and step hash) as correct; `uri` says which document's marks. */
  isAccepted?: (problemHash: string, stepHash: string, uri: string) => boolean;
  /** A calibration map fitted for this critic: its P(True) goes through it before the thresholds. */
  calibration?: Calibration;
  /** A rubric shared by every solution (`--rubric`, `stepcritic.rubric`); it wins over a front-matter one. */
  rubric?: readonly RubricItem[];
}

export interface JudgeOptions {
  thresholds?: Thresholds;
  /** The first step the critic must judge; earlier ones are context (their verdicts come from its cache). */
  fromStep?: number;
  signal?: AbortSignal;
  /** Live progress for step states: the critic reports each step as it is judged. */
  onCriticStep?: Parameters<StepCritic['judge']>[0]['onStep'];
  /** The verifiers' results when the caller has them already (checked under a deadline: deadline/check-pool.ts). */
  checked?: { verifier: Map<number, Evidence[]>; answer: AnswerEvidence | undefined };
}

/** The deterministic part: cheap, synchronous, no I/O. Used alone for verifiers-only runs. */
export function verifyDocument(document: SolutionDocument): Map<number, Evidence[]> {
  return verifyMathDocument(document);
}

export async function judgeSolution(document: SolutionDocument, deps: JudgeDependencies = {}, options: JudgeOptions = {}): Promise<SolutionJudgement> {
  const thresholds = options.thresholds ?? defaultThresholds;
  const verifier = options.checked?.verifier ?? verifyDocument(document);
  const accepted = new Set<number>();
  if (deps.isAccepted) {
    for (const step of document.steps) {
      if (deps.isAccepted(document.problemHash, step.hash, document.uri)) accepted.add(step.index);
    }
  }

  let code: CodeCheckResult | undefined;
  if (deps.codeChecker && document.kind === 'code') {
    code = await deps.codeChecker.check(document, options.signal);
  }

  let critic: CriticResult | undefined;
  let criticNote = deps.criticOffReason;
  // A step the verifiers refuted is incorrect whatever the critic says, and every later one is
  // downstream of it: the critic is asked only about the steps before it (none: no request at all,
  // unless there is a rubric to judge; the critic then sees every step, those from the refuted one on
  // as context, since an item may rest on any).
  const refutedSteps = new Set(document.steps.filter((s) => (verifier.get(s.index) ?? []).some(isRefutedClaim)).map((s) => s.index));
  const firstRefuted = document.steps.findIndex((s) => refutedSteps.has(s.index));
  const judgeUntil = firstRefuted >= 0 ? firstRefuted : document.steps.length;
  const rubric = rubricFor(document.frontMatter, deps.rubric);
  const rubricItems = rubric?.ok ? rubric.items : undefined;
  const judged = firstRefuted >= 0 && !rubricItems ? { ...document, steps: document.steps.slice(0, firstRefuted) } : document;
  if (deps.critic && (judgeUntil > 0 || rubricItems)) {
    const merged = new Map<number, Evidence[]>(verifier);
    for (const [index, found] of code?.stepEvidence ?? []) merged.set(index, [...(merged.get(index) ?? []), ...found]);
    try {
      critic = await deps.critic.judge({
        document: judged,
        evidence: merged,
        fromStep: Math.max(0, Math.min(options.fromStep ?? 0, judgeUntil - 1)),
        signal: options.signal,
        onStep: options.onCriticStep,
        ...(rubricItems ? { rubric: rubricItems, judgeUntil } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      // A critic that fails outright leaves every step it should have judged as "could not judge".
      const message = errorMessage(error);
      critic = {
        model: deps.critic.description,
        steps: judged.steps.slice(0, judgeUntil).map((s) => couldNotJudge(s.index, message)),
        finalAnswerPTrue: null,
        usage: { requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: 0 },
        note: message,
      };
    }
    criticNote = undefined;
  }

  const judgement = combineVerdicts({
    document,
    verifier,
    code,
    critic,
    criticNote,
    accepted,
    answer: options.checked ? options.checked.answer : checkFinalAnswer(document),
    thresholds,
    ...(deps.calibration ? { calibration: deps.calibration } : {}),
  });
  const graded = !rubric
    ? judgement
    : rubric.ok
      ? {
          ...judgement,
          rubric: scoreRubric({
            items: rubric.items,
            critic: critic?.rubric,
            refutedSteps,
            ...(critic?.rubric
              ? {}
              : { offReason: critic ? (critic.note ?? `the critic ${critic.model} does not judge rubrics`) : (criticNote ?? 'no LLM critic ran') }),
          }),
        }
      : { ...judgement, rubric: unreadableRubric(rubric.error), warnings: [...judgement.warnings, rubric.error] };
  return critic?.stopped ? { ...graded, stopped: critic.stopped } : graded;
}
