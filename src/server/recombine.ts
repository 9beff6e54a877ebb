// The instant part of a critique, run on every change before (and without) any request: the
// verifiers on the new text, plus the critic's verdicts of the steps that did not change, carried
// over from the last judgement. A critic verdict depends on the problem and every step up to the
// judged one (that is its cache key), so it carries over exactly for the unchanged prefix.
import type { Calibration } from '../engine/calibration/file';
import type { CodeCheckResult, CriticResult, CriticStepResult, Thresholds } from '../engine/checks';
import { couldNotJudge } from '../engine/checks';
import { combineVerdicts } from '../engine/combine';
import type { AnswerEvidence, Evidence, SolutionDocument, SolutionJudgement } from '../engine/types';
import { emptyUsage, isRefutedClaim } from '../engine/types';

/** Index of the first step whose verdict cannot be carried over (steps.length when none changed). */
export function firstChangedStep(previous: SolutionDocument | undefined, next: SolutionDocument): number {
  if (!previous || previous.problemHash !== next.problemHash || previous.kind !== next.kind || previous.format !== next.format) return 0;
  const n = Math.min(previous.steps.length, next.steps.length);
  for (let i = 0; i < n; i++) if (previous.steps[i]!.hash !== next.steps[i]!.hash) return i;
  return previous.steps.length === next.steps.length ? next.steps.length : n;
}

export interface PreviewInput {
  document: SolutionDocument;
  /** The verifiers' results for the document (from the check worker). */
  checked: { verifier: Map<number, Evidence[]>; answer: AnswerEvidence | undefined };
  /** Critic verdicts that came in during the current run; they win over carried ones. */
  live?: readonly CriticStepResult[];
  previous?: { document: SolutionDocument; judgement: SolutionJudgement };
  /** Steps below this keep their previous critic verdicts. */
  carryUpTo: number;
  isAccepted: (problemHash: string, stepHash: string) => boolean;
  thresholds: Thresholds;
  calibration?: Calibration;
  critic: { enabled: boolean; model?: string; note?: string };
}

export function previewJudgement(input: PreviewInput): SolutionJudgement {
  const { document, previous, thresholds } = input;
  const verifier = input.checked.verifier;
  const accepted = new Set<number>();
  for (const step of document.steps) if (input.isAccepted(document.problemHash, step.hash)) accepted.add(step.index);

  const carried: CriticStepResult[] = [];
  const codeEvidence = new Map<number, Evidence[]>();
  const sameText = previous !== undefined && previous.document.text === document.text;
  if (previous) {
    for (const verdict of previous.judgement.steps) {
      if (verdict.stepIndex >= input.carryUpTo || verdict.stepIndex >= document.steps.length) continue;
      for (const e of verdict.evidence) {
        if (e.kind === 'critic') {
          carried.push({ index: verdict.stepIndex, verdict: e.verdict, pTrue: e.pTrue, source: e.source, explanation: e.explanation, cached: true });
        } else if (e.kind === 'judge-error') {
          carried.push(couldNotJudge(verdict.stepIndex, e.message));
        } else if (sameText && (e.kind === 'syntax' || e.kind === 'fault-localization' || e.kind === 'test')) {
          // Code evidence depends on the whole program: it carries over only when nothing changed.
          codeEvidence.set(verdict.stepIndex, [...(codeEvidence.get(verdict.stepIndex) ?? []), e]);
        }
      }
    }
  }

  if (input.live && input.live.length > 0) {
    const fresh = new Set(input.live.map((r) => r.index));
    for (let i = carried.length - 1; i >= 0; i--) if (fresh.has(carried[i]!.index)) carried.splice(i, 1);
    carried.push(...input.live.filter((r) => r.index < document.steps.length));
  }

  const critic: CriticResult | undefined = input.critic.enabled
    ? {
        model: input.critic.model ?? previous?.judgement.critic.model ?? 'critic',
        steps: carried,
        finalAnswerPTrue: sameText ? (previous?.judgement.finalAnswerPTrue ?? null) : null,
        usage: sameText && previous ? previous.judgement.usage : emptyUsage(),
        note: sameText ? previous?.judgement.critic.note : undefined,
      }
    : undefined;
  const code: CodeCheckResult | undefined = codeEvidence.size > 0 ? { stepEvidence: codeEvidence, tests: [], ran: false } : undefined;

  const combined = combineVerdicts({
    document,
    verifier,
    code,
    critic,
    criticNote: input.critic.enabled ? undefined : input.critic.note,
    accepted,
    answer: input.checked.answer,
    thresholds,
    ...(input.calibration ? { calibration: input.calibration } : {}),
  });
  // The rubric is graded over the whole solution: its score stands only while the text is unchanged.
  return sameText && previous?.judgement.rubric ? { ...combined, rubric: previous.judgement.rubric } : combined;
}

/** Steps the critic still has to judge for this preview: from the first changed one, up to the first refuted one. */
export function stepsAwaitingCritic(judgement: SolutionJudgement, fromStep: number): Set<number> {
  const awaiting = new Set<number>();
  for (const verdict of judgement.steps) {
    if (verdict.stepIndex < fromStep) continue;
    const refuted = verdict.evidence.some(isRefutedClaim);
    if (refuted) break;
    if (!verdict.evidence.some((e) => e.kind === 'critic' || e.kind === 'judge-error')) awaiting.add(verdict.stepIndex);
  }
  return awaiting;
}
