// Builds report entries from what the engine produced, and the run-level totals. Pure: the caller
// reads files and measures time.
import type { SolutionDocument, SolutionJudgement, Usage } from '../types';
import { emptyUsage, SolutionVerdictSchema, VerdictSchema } from '../types';
import type { FileReport, FileStatus, Report, ReportSummary, StepReport } from './schema';
import { REPORT_SCHEMA_VERSION } from './schema';

export interface EntryOrigin {
  /** As shown to the user; `data.jsonl#N` for a record. */
  uri: string;
  /** The file on disk. */
  path: string;
  record?: { index: number; line?: number };
}

export function judgedFileReport(origin: EntryOrigin, document: SolutionDocument, judgement: SolutionJudgement, durationMs?: number): FileReport {
  const byIndex = new Map(document.steps.map((s) => [s.index, s]));
  const steps: StepReport[] = judgement.steps.map((v) => {
    const step = byIndex.get(v.stepIndex);
    return {
      index: v.stepIndex,
      ...(step?.label !== undefined ? { label: step.label } : {}),
      range: step?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      text: step?.text ?? '',
      hash: v.stepHash,
      verdict: v.verdict,
      pTrue: v.pTrue,
      ...(v.rawPTrue !== undefined ? { rawPTrue: v.rawPTrue } : {}),
      source: v.source,
      ...(v.code !== undefined ? { code: v.code } : {}),
      message: v.message,
      evidence: v.evidence,
      fixes: v.fixes,
      accepted: v.accepted,
      ...(v.premiseStep !== undefined ? { premiseStep: v.premiseStep } : {}),
    };
  });
  return {
    uri: origin.uri,
    path: origin.path,
    ...(origin.record ? { record: origin.record } : {}),
    format: document.format,
    kind: document.kind,
    status: 'judged',
    problem: document.problem,
    problemHash: document.problemHash,
    steps,
    firstErrorIndex: judgement.firstErrorIndex,
    ...(document.finalAnswer ? { finalAnswer: document.finalAnswer } : {}),
    ...(document.expectedAnswer !== undefined ? { expectedAnswer: document.expectedAnswer } : {}),
    verdict: judgement.verdict,
    finalAnswerPTrue: judgement.finalAnswerPTrue,
    critic: judgement.critic,
    usage: judgement.usage,
    ...(judgement.calibration ? { calibration: judgement.calibration } : {}),
    ...(document.tests && document.tests.length > 0 ? { tests: document.tests } : {}),
    ...(document.labels ? { labels: document.labels } : {}),
    warnings: judgement.warnings,
    ...(durationMs !== undefined ? { durationMs: roundMs(durationMs) } : {}),
  };
}

/** An entry that was not judged: skipped (not a solution) or failed (could not be read or parsed). */
export function unjudgedFileReport(
  origin: EntryOrigin,
  status: Exclude<FileStatus, 'judged'>,
  reason: string,
  extra: Pick<FileReport, 'format' | 'kind'> = {},
): FileReport {
  return {
    uri: origin.uri,
    path: origin.path,
    ...(origin.record ? { record: origin.record } : {}),
    ...extra,
    status,
    reason,
    steps: [],
    firstErrorIndex: null,
    verdict: null,
    finalAnswerPTrue: null,
    warnings: [],
  };
}

export function summarise(files: readonly FileReport[], durationMs?: number): ReportSummary {
  const solutions = Object.fromEntries(SolutionVerdictSchema.options.map((k) => [k, 0])) as ReportSummary['solutions'];
  const steps = Object.fromEntries(VerdictSchema.options.map((k) => [k, 0])) as ReportSummary['steps'];
  const usage: Usage = emptyUsage();
  let judged = 0;
  let skipped = 0;
  let failed = 0;
  for (const file of files) {
    if (file.status === 'skipped') skipped++;
    else if (file.status === 'failed') failed++;
    else judged++;
    if (file.verdict) solutions[file.verdict]++;
    for (const step of file.steps) steps[step.verdict]++;
    if (file.usage) {
      usage.requests += file.usage.requests;
      usage.promptTokens += file.usage.promptTokens;
      usage.completionTokens += file.usage.completionTokens;
      usage.cachedSteps += file.usage.cachedSteps;
    }
  }
  return {
    entries: files.length,
    judged,
    skipped,
    failed,
    solutions,
    steps,
    usage,
    ...(durationMs !== undefined ? { durationMs: roundMs(durationMs) } : {}),
  };
}

export type FailOn = 'incorrect' | 'uncertain' | 'never';

export interface ReportMeta {
  toolVersion: string;
  critic: Report['critic'];
  promptVersion?: string;
  failOn?: FailOn;
  durationMs?: number;
  createdAt?: Date;
}

export function buildReport(files: FileReport[], meta: ReportMeta): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: {
      name: 'stepcritic',
      version: meta.toolVersion,
      ...(meta.promptVersion !== undefined ? { promptVersion: meta.promptVersion } : {}),
    },
    createdAt: (meta.createdAt ?? new Date()).toISOString(),
    critic: meta.critic,
    ...(meta.failOn ? { failOn: meta.failOn } : {}),
    summary: summarise(files, meta.durationMs),
    files,
  };
}

/**
 * Whether an entry has a finding at or above `failOn`. `incorrect`: a wrong step or a solution judged
 * incorrect (a failing test, a final answer that differs). `uncertain`: also uncertain steps and steps
 * that could not be judged — a check that did not happen is not a pass.
 */
export function reachesFailOn(file: FileReport, failOn: FailOn): boolean {
  if (failOn === 'never' || file.status !== 'judged') return false;
  if (file.verdict === 'incorrect' || file.steps.some((s) => s.verdict === 'incorrect')) return true;
  if (failOn === 'incorrect') return false;
  return file.verdict === 'uncertain' || file.verdict === 'error' || file.steps.some((s) => s.verdict === 'uncertain' || s.verdict === 'error');
}

function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
