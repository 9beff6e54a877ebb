// `stepcritic eval`: judge labelled solutions and score the verdicts against the labels.
//
// Each solution goes through judgeSolution (verifiers + critic), exactly as `check` would judge it;
// the predicted earliest wrong step is its firstErrorIndex. ProcessBench needs a hard decision per
// step, so eval uses one threshold (default 0.5) rather than the uncertain band. Step P(True) is
// scored against the step labels the first-error label implies (steps before it correct, the step
// itself wrong, later ones unknown).
//
// A run stopped by the token budget or interrupted keeps what it judged: the figures cover the judged
// solutions and say so; every verdict is in the critic cache, so running again resumes where it stopped.
import type { Calibration } from '../calibration/file';
import { describeCalibration } from '../calibration/file';
import type { CalibrationSample } from '../calibration/samples';
import { calibrationSamples } from '../calibration/samples';
import type { StepCritic } from '../checks';
import { judgeSolution } from '../judge';
import { judgedFileReport } from '../report/build';
import type { CalibrationNote, SolutionDocument, Usage } from '../types';
import { BUDGET_REACHED } from '../llm/errors';
import {
  probabilityScores,
  processBenchScores,
  stepLabelsFromFirstError,
  type AccuracyCount,
  type FirstErrorPrediction,
  type ProbabilityOutcome,
} from './metrics';

export interface EvalItem {
  split: string;
  uri: string;
  /** The document, or why the record could not be read. */
  document?: SolutionDocument;
  error?: string;
}

export interface EvalItemResult {
  split: string;
  uri: string;
  label: number;
  predicted: number;
  /** Steps the critic could not judge (verdict `error`). */
  judgeErrors: number;
  steps: ProbabilityOutcome[];
  /** The labelled steps the critic's raw P(True) decided: what `stepcritic calibrate` fits on. */
  criticSteps: CalibrationSample[];
  usage: Usage;
}

export interface SplitReport {
  split: string;
  /** Labelled solutions judged. */
  solutions: number;
  erroneous: AccuracyCount;
  correct: AccuracyCount;
  /** ProcessBench F1: harmonic mean of the two accuracies. */
  f1: number | null;
  calibration: { steps: number; ece: number | null; brier: number | null; auroc: number | null };
  /** Steps the critic could not judge. */
  judgeErrors: number;
  usage: Usage;
}

export interface EvalReport {
  version: 1;
  datasets: string[];
  model: string | null;
  critic: string;
  /** The critic protocol (prompt version, or the PRM's request format), when a critic judged. */
  protocolVersion?: string;
  /** The calibration the critic's P(True) went through (`--calibration`); the figures are of the calibrated values. */
  calibration?: CalibrationNote;
  threshold: number;
  splits: SplitReport[];
  overall: SplitReport;
  usage: Usage;
  timeMs: number;
  /** Records read but not usable (no label, unreadable). */
  skipped: { count: number; reasons: Record<string, number> };
  /** Why the run ended before the end of the data, if it did. */
  stopped?: string;
  /** Every labelled step with the critic's raw P(True), by solution: the input of `stepcritic calibrate`. */
  criticSteps: CalibrationSample[];
}

export interface EvalOptions {
  critic?: StepCritic;
  criticOffReason?: string;
  model?: string;
  protocolVersion?: string;
  calibration?: Calibration;
  /** Solutions judged at once. */
  concurrency: number;
  /** Judge at most this many labelled solutions. */
  limit?: number;
  /** P(True) below this marks a step incorrect (default 0.5). */
  threshold?: number;
  signal?: AbortSignal;
  onItem?: (result: EvalItemResult, done: number) => void;
  datasets?: string[];
}

function addUsage(into: Usage, add: Usage): void {
  into.requests += add.requests;
  into.promptTokens += add.promptTokens;
  into.completionTokens += add.completionTokens;
  into.cachedSteps += add.cachedSteps;
}

export function summariseSplit(split: string, results: readonly EvalItemResult[]): SplitReport {
  const predictions: FirstErrorPrediction[] = results.map((r) => ({ predicted: r.predicted, label: r.label }));
  const scores = processBenchScores(predictions);
  const steps = results.flatMap((r) => r.steps);
  const usage: Usage = { requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: 0 };
  for (const r of results) addUsage(usage, r.usage);
  return {
    split,
    solutions: results.length,
    erroneous: scores.erroneous,
    correct: scores.correct,
    f1: scores.f1,
    calibration: { steps: steps.length, ...probabilityScores(steps) },
    judgeErrors: results.reduce((sum, r) => sum + r.judgeErrors, 0),
    usage,
  };
}

export async function runEval(items: AsyncIterable<EvalItem> | Iterable<EvalItem>, options: EvalOptions): Promise<EvalReport> {
  const started = Date.now();
  const threshold = options.threshold ?? 0.5;
  const results: EvalItemResult[] = [];
  const skipped = { count: 0, reasons: {} as Record<string, number> };
  const skip = (reason: string) => {
    skipped.count++;
    skipped.reasons[reason] = (skipped.reasons[reason] ?? 0) + 1;
  };
  let stopped: string | undefined;
  let taken = 0;
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const iterator =
    Symbol.asyncIterator in items ? (items as AsyncIterable<EvalItem>)[Symbol.asyncIterator]() : toAsync((items as Iterable<EvalItem>)[Symbol.iterator]());
  const pull = async (): Promise<EvalItem | undefined> => {
    for (;;) {
      if (stop.signal.aborted) return undefined;
      if (options.limit !== undefined && taken >= options.limit) return undefined;
      const n = await iterator.next();
      if (n.done) return undefined;
      const item = n.value;
      if (!item.document) {
        skip(item.error ?? 'unreadable record');
        continue;
      }
      const label = item.document.labels?.firstErrorStep;
      if (label === undefined || label === null) {
        skip('no first-error label');
        continue;
      }
      if (item.document.steps.length === 0) {
        skip('no steps');
        continue;
      }
      taken++;
      return item;
    }
  };
  // Workers pull one at a time, so that the limit and the skips are counted exactly.
  let queue: Promise<unknown> = Promise.resolve();
  const next = (): Promise<EvalItem | undefined> => {
    const pulled = queue.then(pull);
    queue = pulled.catch(() => undefined);
    return pulled;
  };

  const worker = async () => {
    for (let item = await next(); item; item = await next()) {
      const document = item.document!;
      let judgement;
      try {
        judgement = await judgeSolution(
          document,
          { critic: options.critic, criticOffReason: options.criticOffReason, ...(options.calibration ? { calibration: options.calibration } : {}) },
          { thresholds: { correct: threshold, incorrect: threshold }, signal: stop.signal },
        );
      } catch (error) {
        if (stop.signal.aborted) return;
        throw error;
      }
      if (judgement.critic.note?.includes(BUDGET_REACHED)) {
        // Not judged: it does not count, and nothing after it will be judged either.
        stopped ??= judgement.critic.note;
        stop.abort();
        return;
      }
      const label = document.labels!.firstErrorStep!;
      const stepLabels = stepLabelsFromFirstError(label, document.steps.length);
      const steps: ProbabilityOutcome[] = [];
      for (const verdict of judgement.steps) {
        const y = stepLabels[verdict.stepIndex];
        if (y === null || y === undefined || verdict.pTrue === null || verdict.source === 'user') continue;
        steps.push({ p: verdict.pTrue, y });
      }
      const result: EvalItemResult = {
        split: item.split,
        uri: item.uri,
        label,
        predicted: judgement.firstErrorIndex,
        judgeErrors: judgement.steps.filter((s) => s.verdict === 'error').length,
        steps,
        criticSteps: calibrationSamples(judgedFileReport({ uri: item.uri, path: item.uri.replace(/#\d+$/, '') }, document, judgement)),
        usage: judgement.usage,
      };
      results.push(result);
      options.onItem?.(result, results.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (options.signal?.aborted) stopped ??= `interrupted after ${results.length} solutions`;

  const splitNames = [...new Set(results.map((r) => r.split))];
  const splits = splitNames.map((name) =>
    summariseSplit(
      name,
      results.filter((r) => r.split === name),
    ),
  );
  const overall = summariseSplit('all', results);
  return {
    version: 1,
    datasets: options.datasets ?? [],
    model: options.model ?? null,
    critic: options.critic?.description ?? options.criticOffReason ?? 'off',
    ...(options.critic && options.protocolVersion !== undefined ? { protocolVersion: options.protocolVersion } : {}),
    ...(options.critic && options.calibration ? { calibration: options.calibration.note } : {}),
    threshold,
    splits,
    overall,
    usage: overall.usage,
    timeMs: Date.now() - started,
    skipped,
    ...(stopped ? { stopped } : {}),
    criticSteps: results.flatMap((r) => r.criticSteps),
  };
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return { next: async () => iterator.next() };
}

// ---- rendering --------------------------------------------------------------------------------

const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}`);
const num = (x: number | null, digits = 3) => (x === null ? '–' : x.toFixed(digits));

export function renderEvalMarkdown(report: EvalReport): string {
  const lines: string[] = [];
  lines.push(`## stepcritic eval: ${report.datasets.join(', ') || 'dataset'}`);
  lines.push('');
  lines.push(
    `Critic: ${report.critic}; step threshold ${report.threshold}${report.calibration ? `; P(True) ${describeCalibration(report.calibration)}` : ''}.`,
  );
  if (report.stopped) lines.push(`**Stopped early:** ${report.stopped}. The figures cover the solutions judged so far; run again to resume from the cache.`);
  lines.push('');
  lines.push(
    '| split | solutions | acc. erroneous (%) | acc. correct (%) | F1 (%) | steps | ECE | Brier | AUROC | judge errors | requests | prompt tok. | completion tok. | cached steps |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const row = (s: SplitReport) =>
    `| ${s.split} | ${s.solutions} | ${pct(s.erroneous.accuracy)} (${s.erroneous.right}/${s.erroneous.total}) | ${pct(s.correct.accuracy)} (${s.correct.right}/${s.correct.total}) | ${pct(s.f1)} | ${s.calibration.steps} | ${num(s.calibration.ece)} | ${num(s.calibration.brier)} | ${num(s.calibration.auroc)} | ${s.judgeErrors} | ${s.usage.requests} | ${s.usage.promptTokens} | ${s.usage.completionTokens} | ${s.usage.cachedSteps} |`;
  for (const s of report.splits) lines.push(row(s));
  if (report.splits.length > 1) lines.push(row(report.overall));
  lines.push('');
  lines.push(
    `Time: ${(report.timeMs / 1000).toFixed(1)} s. Tokens: ${report.usage.promptTokens + report.usage.completionTokens} (${report.usage.promptTokens} prompt + ${report.usage.completionTokens} completion) in ${report.usage.requests} requests; ${report.usage.cachedSteps} step verdicts from the cache.`,
  );
  if (report.skipped.count > 0) {
    const reasons = Object.entries(report.skipped.reasons)
      .map(([reason, n]) => `${n} × ${reason}`)
      .join('; ');
    lines.push(`Skipped ${report.skipped.count} records: ${reasons}.`);
  }
  return `${lines.join('\n')}\n`;
}
