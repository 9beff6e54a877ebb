// Builds report entries from what the engine produced, and the run-level totals. Pure: the caller
// reads files and measures time.
import type { SolutionDocument, SolutionJudgement, Usage } from '../types';
import { answerText } from '../combine';
import { emptyUsage, SolutionVerdictSchema, VerdictSchema } from '../types';
import type { FileReport, FileStatus, Report, ReportShards, ReportSummary, StepReport } from './schema';
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
    ...(document.reference ? { reference: document.reference } : {}),
    verdict: judgement.verdict,
    finalAnswerPTrue: judgement.finalAnswerPTrue,
    critic: judgement.critic,
    usage: judgement.usage,
    ...(judgement.calibration ? { calibration: judgement.calibration } : {}),
    ...(judgement.rubric ? { rubric: judgement.rubric } : {}),
    ...(document.tests && document.tests.length > 0 ? { tests: document.tests } : {}),
    ...(document.labels ? { labels: document.labels } : {}),
    warnings: judgement.answer?.status === 'differs' ? [...judgement.warnings, answerText(judgement.answer)] : judgement.warnings,
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

/** The run's totals, kept entry by entry (a streamed report never holds its entries). */
export class SummaryCounter {
  private readonly solutions = Object.fromEntries(SolutionVerdictSchema.options.map((k) => [k, 0])) as ReportSummary['solutions'];
  private readonly steps = Object.fromEntries(VerdictSchema.options.map((k) => [k, 0])) as ReportSummary['steps'];
  private readonly usage: Usage = emptyUsage();
  private entries = 0;
  private judged = 0;
  private skipped = 0;
  private failed = 0;

  add(file: FileReport): void {
    this.entries++;
    if (file.status === 'skipped') this.skipped++;
    else if (file.status === 'failed') this.failed++;
    else this.judged++;
    if (file.verdict) this.solutions[file.verdict]++;
    for (const step of file.steps) this.steps[step.verdict]++;
    if (file.usage) addUsage(this.usage, file.usage);
  }

  summary(durationMs?: number): ReportSummary {
    return {
      entries: this.entries,
      judged: this.judged,
      skipped: this.skipped,
      failed: this.failed,
      solutions: { ...this.solutions },
      steps: { ...this.steps },
      usage: { ...this.usage },
      ...(durationMs !== undefined ? { durationMs: roundMs(durationMs) } : {}),
    };
  }
}

export function addUsage(into: Usage, add: Usage): void {
  into.requests += add.requests;
  into.promptTokens += add.promptTokens;
  into.completionTokens += add.completionTokens;
  into.cachedSteps += add.cachedSteps;
}

export function summarise(files: readonly FileReport[], durationMs?: number): ReportSummary {
  const counter = new SummaryCounter();
  for (const file of files) counter.add(file);
  return counter.summary(durationMs);
}

export type FailOn = 'incorrect' | 'uncertain' | 'never';

export interface ReportMeta {
  toolVersion: string;
  critic: Report['critic'];
  promptVersion?: string;
  failOn?: FailOn;
  durationMs?: number;
  createdAt?: Date;
  /** A sharded run's shards the report covers (none: the whole run). */
  shards?: ReportShards;
}

export function buildReport(files: FileReport[], meta: ReportMeta): Report {
  return { ...reportHead(meta, summarise(files, meta.durationMs)), files };
}

/** Everything of a report but its entries. */
export type ReportHead = Omit<Report, 'files'>;

export function reportHead(meta: ReportMeta, summary: ReportSummary): ReportHead {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'stepcritic', version: meta.toolVersion, ...(meta.promptVersion !== undefined ? { promptVersion: meta.promptVersion } : {}) },
    createdAt: (meta.createdAt ?? new Date()).toISOString(),
    critic: meta.critic,
    ...(meta.failOn ? { failOn: meta.failOn } : {}),
    ...(meta.shards ? { shards: meta.shards } : {}),
    summary,
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

/** Whether the critic failed on part of an entry: a step it could not judge, or (when it ran) a rubric item. */
export function hasJudgeErrors(entry: FileReport): boolean {
  if (entry.steps.some((s) => s.verdict === 'error')) return true;
  return entry.critic?.enabled === true && entry.rubric?.items.some((i) => i.status === 'unjudged') === true;
}
