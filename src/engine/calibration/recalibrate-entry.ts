// `stepcritic report RUNLOG --calibration FILE`: a finished entry judged again from the evidence it
// holds, with the calibration in place — no model is asked, the critic's raw P(True) is in its
// evidence. The verdicts go through combineVerdicts, the one place a calibration applies, so a
// re-rendered report says exactly what `check --calibration` would have said.
//
// An entry is rebuilt only when that is faithful: first its stored verdicts are rebuilt from its
// evidence with the P(True) it showed; if that does not give back what it says (a code solution,
// whose test results the entry does not hold; other thresholds), it is kept as judged, with the reason.
import type { CriticResult, CriticStepResult, Thresholds } from '../checks';
import { couldNotJudge, defaultThresholds } from '../checks';
import { combineVerdicts } from '../combine';
import { judgedFileReport } from '../report/build';
import type { FileReport, StepReport } from '../report/schema';
import type { Evidence, SolutionDocument, SolutionJudgement } from '../types';
import { emptyUsage } from '../types';
import { checkFinalAnswer } from '../verify/answer';
import type { RunLogIndex } from '../batch/run-log-reader';
import type { Calibration, CriticIdentity } from './file';
import { criticKindOf } from './samples';

export type RecalibratedEntry = { entry: FileReport; recalibrated: boolean; kept?: string };

const CRITIC_VERDICT_SOURCES = new Set<StepReport['source']>(['logprobs', 'samples', 'verbal', 'prm']);

function documentOf(entry: FileReport): SolutionDocument {
  return {
    uri: entry.uri,
    format: entry.format ?? 'markdown',
    kind: entry.kind ?? 'math',
    text: '',
    problem: entry.problem ?? '',
    problemHash: entry.problemHash ?? '',
    steps: entry.steps.map((s) => ({ index: s.index, text: s.text, range: s.range, hash: s.hash, ...(s.label !== undefined ? { label: s.label } : {}) })),
    ...(entry.finalAnswer ? { finalAnswer: entry.finalAnswer } : {}),
    ...(entry.expectedAnswer !== undefined ? { expectedAnswer: entry.expectedAnswer } : {}),
    ...(entry.reference ? { reference: entry.reference } : {}),
    ...(entry.labels ? { labels: entry.labels } : {}),
    warnings: [],
  };
}

/** The critic's results as its evidence records them; `shown` puts each step's shown P(True) in place of the critic's. */
function criticOf(entry: FileReport, shown: boolean): CriticResult {
  const steps: CriticStepResult[] = [];
  for (const step of entry.steps) {
    for (const e of step.evidence) {
      if (e.kind === 'judge-error') steps.push(couldNotJudge(step.index, e.message));
      if (e.kind !== 'critic') continue;
      const pTrue = shown && CRITIC_VERDICT_SOURCES.has(step.source) ? step.pTrue : e.pTrue;
      steps.push({ index: step.index, verdict: e.verdict, pTrue, source: e.source, explanation: e.explanation, cached: e.cached === true });
    }
  }
  return {
    model: entry.critic?.model ?? 'critic',
    steps,
    finalAnswerPTrue: entry.finalAnswerPTrue,
    usage: entry.usage ?? emptyUsage(),
    note: entry.critic?.note,
  };
}

function rejudge(entry: FileReport, document: SolutionDocument, critic: CriticResult, thresholds: Thresholds, calibration?: Calibration): SolutionJudgement {
  const verifier = new Map<number, Evidence[]>();
  for (const step of entry.steps) verifier.set(step.index, [...step.evidence.filter((e) => e.kind !== 'critic' && e.kind !== 'judge-error')]);
  return combineVerdicts({
    document,
    verifier,
    critic,
    accepted: new Set(entry.steps.filter((s) => s.accepted).map((s) => s.index)),
    answer: checkFinalAnswer(document),
    thresholds,
    ...(calibration ? { calibration } : {}),
  });
}

function sameVerdicts(entry: FileReport, judgement: SolutionJudgement): boolean {
  return (
    judgement.verdict === entry.verdict &&
    judgement.firstErrorIndex === entry.firstErrorIndex &&
    judgement.steps.length === entry.steps.length &&
    judgement.steps.every((s, i) => s.verdict === entry.steps[i]!.verdict && s.pTrue === entry.steps[i]!.pTrue)
  );
}

export function recalibrateEntry(entry: FileReport, calibration: Calibration, thresholds: Thresholds = defaultThresholds): RecalibratedEntry {
  const hasCritic = entry.steps.some((s) => s.evidence.some((e) => e.kind === 'critic' && e.pTrue !== null));
  if (entry.status !== 'judged' || !hasCritic) return { entry, recalibrated: false };
  if (entry.kind === 'code') return { entry, recalibrated: false, kept: "a code solution's test results are not in the run log" };
  const document = documentOf(entry);
  if (!sameVerdicts(entry, rejudge(entry, document, criticOf(entry, true), thresholds))) {
    return { entry, recalibrated: false, kept: 'its verdicts cannot be rebuilt from its evidence (judged with other thresholds?)' };
  }
  const judgement = rejudge(entry, document, criticOf(entry, false), thresholds, calibration);
  const rebuilt = judgedFileReport({ uri: entry.uri, path: entry.path }, document, judgement);
  return {
    entry: { ...entry, steps: rebuilt.steps, firstErrorIndex: rebuilt.firstErrorIndex, verdict: rebuilt.verdict, calibration: calibration.note },
    recalibrated: true,
  };
}

/** The critic a run log was made with, as a calibration file names it; undefined when no step has a critic's P(True). */
export async function runLogCritic(log: RunLogIndex): Promise<CriticIdentity | undefined> {
  const { model } = log.header.critic;
  const protocolVersion = log.header.tool.protocolVersion;
  if (model === undefined || protocolVersion === undefined) return undefined;
  for await (const item of log.items()) {
    for (const step of item.entry.steps) {
      const critic = step.evidence.find((e) => e.kind === 'critic' && e.pTrue !== null);
      if (critic?.kind === 'critic') return { critic: criticKindOf(critic.source), model, protocolVersion };
    }
  }
  return undefined;
}
