// `stepcritic eval`: judge labelled solutions and score the verdicts against the labels.
//
// Each solution goes through the judging pipeline (src/engine/pipeline), exactly as `check` would judge
// it; the predicted earliest wrong step is its firstErrorIndex. ProcessBench needs a hard decision per
// step, so eval uses one threshold (default 0.5) rather than the uncertain band. Step P(True) is
// scored against the step labels the first-error label implies (steps before it correct, the step
// itself wrong, later ones unknown).
//
// A split is a dataset file, named by its folder and file (`processbench/math`, `mr-ben/math`), so two
// datasets with the same file name never merge. `--sample N` takes a stratified sample (./sample.ts).
// A run stopped by the token budget or interrupted keeps what it judged: the figures cover the judged
// solutions and say so; every verdict is in the critic cache, so running again resumes where it stopped.
import { basename, dirname, resolve } from 'node:path';
import type { Calibration } from '../calibration/file';
import { describeCalibration } from '../calibration/file';
import type { CalibrationSample } from '../calibration/samples';
import { calibrationSamples } from '../calibration/samples';
import type { StepCritic } from '../checks';
import { datasetStem } from '../files/kinds';
import { buildItemDocument } from '../pipeline/document';
import type { RunLogWriter } from '../batch/run-log';
import type { PipelineItem } from '../pipeline/items';
import { itemKey, readItems } from '../pipeline/items';
import type { Shard } from '../pipeline/shard';
import { describeShard, inShard } from '../pipeline/shard';
import { describeShards } from '../report/findings';
import { describeStop, runPipeline, type PipelineStop } from '../pipeline/run';
import type { FileReport, ReportShards } from '../report/schema';
import type { CalibrationNote, Labels, SolutionDocument, Usage } from '../types';
import {
  probabilityScores,
  processBenchScores,
  stepLabelsFromFirstError,
  type AccuracyCount,
  type FirstErrorPrediction,
  type ProbabilityOutcome,
} from './metrics';
import type { Stratum } from './sample';
import { planSample, stratumOf } from './sample';

export interface EvalSplit {
  /** `folder/file` without the extension, e.g. `processbench/gsm8k`. */
  name: string;
  path: string;
}

/** A dataset file as a split: named by its folder and its file, so that `processbench/math` and `mr-ben/math` stay apart. */
export function splitOf(path: string): EvalSplit {
  return { name: splitName(path, 1), path };
}

/** The dataset's name with `parents` of its folders before it (`realcritic/gsm8k/test` with 2). */
function splitName(path: string, parents: number): string {
  const folders = dirname(path)
    .split(/[\\/]/)
    .filter((f) => f !== '' && f !== '.');
  return [...folders.slice(Math.max(0, folders.length - parents)), datasetStem(basename(path))].join('/');
}

/**
 * The splits of dataset files: each named as `splitOf` names it, unless files of two folders would
 * share a name (`gsm8k/test.jsonl` and `realcritic/gsm8k/test.jsonl`): then the deeper ones take one
 * more parent folder, until the names differ (`gsm8k/test`, `realcritic/gsm8k/test`). The shards of one
 * split, in one folder, keep one name.
 */
export function splitsOf(paths: readonly string[]): EvalSplit[] {
  const parents = paths.map(() => 1);
  const depth = (path: string) => dirname(path).split(/[\\/]/).length;
  for (let round = 0; round < 64; round++) {
    const groups = new Map<string, number[]>();
    paths.forEach((path, i) => {
      const name = splitName(path, parents[i]!);
      groups.set(name, [...(groups.get(name) ?? []), i]);
    });
    let changed = false;
    for (const members of groups.values()) {
      if (new Set(members.map((i) => dirname(paths[i]!))).size < 2) continue;
      const growable = members.filter((i) => splitName(paths[i]!, parents[i]! + 1) !== splitName(paths[i]!, parents[i]!));
      const deepest = Math.max(...growable.map((i) => depth(paths[i]!)));
      for (const i of growable.filter((i) => depth(paths[i]!) === deepest)) {
        parents[i]! += 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return paths.map((path, i) => ({ name: splitName(path, parents[i]!), path }));
}

export interface EvalItemResult {
  split: string;
  uri: string;
  label: number;
  /** Only the solution's final answer is labelled (RealCritic): `label` is -1 or 0, and no step is scored. */
  solutionLevel?: boolean;
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
  /** Of them, those with only a final-answer label: an erroneous one counts as caught when judged wrong anywhere. */
  solutionLevel: number;
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
  threshold: number;
  /** The critic protocol (prompt version, or the PRM's request format), when a critic judged. */
  protocolVersion?: string;
  /** The calibration the critic's P(True) went through (`--calibration`); the figures are of the calibrated values. */
  calibration?: CalibrationNote;
  /** `--sample N --seed S`, when the solutions were a stratified sample. */
  sample?: { size: number; seed: number };
  /** `--shard I/N`: the figures are of this shard's solutions only. */
  shard?: Shard;
  /** `eval --merge`: scored from these run logs together (the shards they cover, when not all). */
  merged?: { logs: number; duplicates: number; shards?: ReportShards };
  splits: SplitReport[];
  overall: SplitReport;
  usage: Usage;
  timeMs: number;
  /** Records read but not usable (no label, unreadable), counted per reason (the shards' logs hold them too, for a merge). */
  skipped?: SkippedRecords;
  /** Why the run ended before the end of the data, if it did. */
  stopped?: string;
  /** What stopped it, for the exit status (an endpoint that never answered is not a finished eval). */
  stopKind?: PipelineStop['kind'];
  /** Every labelled step with the critic's raw P(True), by solution: the input of `stepcritic calibrate`. */
  criticSteps: CalibrationSample[];
}

/** What an eval report says about the run besides its figures. */
export type EvalRunInfo = Pick<EvalReport, 'model' | 'critic' | 'threshold' | 'protocolVersion' | 'calibration' | 'sample'>;

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
  /** A stratified sample of this many labelled solutions (both labels, every split), drawn with `seed`. */
  sample?: { size: number; seed: number };
  /** `--shard I/N`: only the solutions of this shard (of the sample, with both). */
  shard?: Shard;
  /** P(True) below this marks a step incorrect (default 0.5). */
  threshold?: number;
  /** Paths are shown relative to this. */
  cwd?: string;
  signal?: AbortSignal;
  onItem?: (result: EvalItemResult, done: number) => void;
  /**
   * Where every scored solution is logged with its split (`--run-log`), so that the logs of several
   * shards are scored together later (merge.ts). A solution the log holds already (a resumed run,
   * judged again from the cache) is not logged twice.
   */
  runLog?: RunLogWriter;
}

function addUsage(into: Usage, add: Usage): void {
  into.requests += add.requests;
  into.promptTokens += add.promptTokens;
  into.completionTokens += add.completionTokens;
  into.cachedSteps += add.cachedSteps;
}

export function summariseSplit(split: string, results: readonly EvalItemResult[]): SplitReport {
  const predictions: FirstErrorPrediction[] = results.map((r) => ({
    predicted: r.predicted,
    label: r.label,
    ...(r.solutionLevel ? { solutionLevel: true } : {}),
  }));
  const scores = processBenchScores(predictions);
  const steps = results.flatMap((r) => r.steps);
  const usage: Usage = { requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: 0 };
  for (const r of results) addUsage(usage, r.usage);
  return {
    split,
    solutions: results.length,
    solutionLevel: results.filter((r) => r.solutionLevel).length,
    erroneous: scores.erroneous,
    correct: scores.correct,
    f1: scores.f1,
    calibration: { steps: steps.length, ...probabilityScores(steps) },
    judgeErrors: results.reduce((sum, r) => sum + r.judgeErrors, 0),
    usage,
  };
}

/**
 * What a record is scored against: its first wrong step, or, when only its final answer is labelled,
 * whether it is wrong at all (-1 right, 0 wrong at a step nobody labelled).
 */
function evalLabel(labels: Labels | undefined): { label: number; solutionLevel: boolean } | undefined {
  if (labels?.firstErrorStep !== undefined && labels.firstErrorStep !== null) return { label: labels.firstErrorStep, solutionLevel: false };
  if (typeof labels?.finalAnswerCorrect === 'boolean') return { label: labels.finalAnswerCorrect ? -1 : 0, solutionLevel: true };
  return undefined;
}

/** Why a record is not scored, or undefined when it is: it needs a first-error (or final-answer) label and steps. */
function unscorable(document: SolutionDocument): string | undefined {
  if (evalLabel(document.labels) === undefined) return 'no first-error label';
  if (document.steps.length === 0) return 'no steps';
  return undefined;
}

/** A record the sample leaves out: not judged, not counted as skipped. */
const NOT_SAMPLED = 'not in the sample';
/** A record of another shard: not judged, not counted here (its own shard counts it). */
const NOT_IN_SHARD = 'in another shard';

export async function runEval(splits: readonly EvalSplit[], options: EvalOptions): Promise<EvalReport> {
  const started = Date.now();
  const threshold = options.threshold ?? 0.5;
  const cwd = options.cwd ?? process.cwd();
  const splitByPath = new Map(splits.map((s) => [resolve(cwd, s.path), s.name]));
  const items = () => readItems([...splitByPath.keys()], { cwd, ...(options.signal ? { signal: options.signal } : {}) });
  const plan = options.sample ? await planFor(items(), splitByPath, options.sample) : undefined;
  const seen = new Map<Stratum, number>();
  const admit = (document: SolutionDocument, split: string): string | undefined => {
    const reason = unscorable(document);
    if (reason !== undefined || !plan) return reason;
    const stratum = stratumOf(split, evalLabel(document.labels)!.label);
    const position = seen.get(stratum) ?? 0;
    seen.set(stratum, position + 1);
    return plan.get(stratum)?.has(position) ? undefined : NOT_SAMPLED;
  };

  const results: EvalItemResult[] = [];
  const skipped: SkippedRecords = { count: 0, reasons: {} };
  const outcome = await runPipeline(items(), {
    deps: {
      ...(options.critic ? { critic: options.critic } : {}),
      ...(options.criticOffReason ? { criticOffReason: options.criticOffReason } : {}),
      ...(options.calibration ? { calibration: options.calibration } : {}),
    },
    judgeOptions: { thresholds: { correct: threshold, incorrect: threshold } },
    concurrency: options.concurrency,
    // The sample is drawn over every shard (so that the shards of a sample are disjoint and cover it).
    admit: (document, item) => {
      const sampled = admit(document, splitByPath.get(item.path) ?? '');
      return inShard(item, options.shard) ? sampled : NOT_IN_SHARD;
    },
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onEntry: (finished) => {
      if (finished.kind !== 'finished' || finished.stopped || !inShard(finished.item, options.shard)) return;
      const entry = finished.entry;
      if (entry.reason === NOT_SAMPLED) return;
      const split = splitByPath.get(finished.item.path) ?? '';
      // Skipped records are logged too, so that `eval --merge` of the shards counts them as one run does.
      if (options.runLog && !options.runLog.done.has(itemKey(finished.item)))
        options.runLog.append(entry, { id: finished.item.id, contentHash: finished.item.contentHash }, { split });
      const result = scored(entry, split);
      if (!result) {
        countSkipped(skipped, skipReason(entry));
        return;
      }
      results.push(result);
      options.onItem?.(result, results.length);
    },
  });
  let stopped: string | undefined;
  if (outcome.stopped?.kind === 'cancelled') stopped = `interrupted after ${results.length} solutions`;
  else if (outcome.stopped) stopped = describeStop(outcome.stopped);

  return assembleEvalReport(results, {
    ...evalRunInfo(options),
    datasets: splits.map((s) => s.path),
    ...(options.shard ? { shard: options.shard } : {}),
    timeMs: Date.now() - started,
    skipped,
    ...(stopped && outcome.stopped ? { stopped, stopKind: outcome.stopped.kind } : {}),
  });
}

/** What an eval report says about the run, from its options (a run log keeps it too: merge.ts). */
export function evalRunInfo(
  options: Pick<EvalOptions, 'model' | 'critic' | 'criticOffReason' | 'threshold' | 'protocolVersion' | 'calibration' | 'sample'>,
): EvalRunInfo {
  return {
    model: options.model ?? null,
    critic: options.critic?.description ?? options.criticOffReason ?? 'off',
    threshold: options.threshold ?? 0.5,
    ...(options.critic && options.protocolVersion !== undefined ? { protocolVersion: options.protocolVersion } : {}),
    ...(options.critic && options.calibration ? { calibration: options.calibration.note } : {}),
    ...(options.sample ? { sample: options.sample } : {}),
  };
}

/** The report of scored solutions: per split, and over all. */
export function assembleEvalReport(
  results: readonly EvalItemResult[],
  run: Omit<EvalReport, 'version' | 'splits' | 'overall' | 'usage' | 'criticSteps'>,
): EvalReport {
  const names = [...new Set(results.map((r) => r.split))];
  const overall = summariseSplit('all', results);
  return {
    version: 1,
    ...run,
    splits: names.map((name) =>
      summariseSplit(
        name,
        results.filter((r) => r.split === name),
      ),
    ),
    overall,
    usage: overall.usage,
    criticSteps: results.flatMap((r) => r.criticSteps),
  };
}

/** Records not scored, by why. */
export type SkippedRecords = { count: number; reasons: Record<string, number> };

export function countSkipped(skipped: SkippedRecords, reason: string): void {
  skipped.count++;
  skipped.reasons[reason] = (skipped.reasons[reason] ?? 0) + 1;
}

/** Why an entry is not scored (`scored` gives it no result). */
export function skipReason(entry: FileReport): string {
  return entry.status === 'judged' ? 'no first-error label' : (entry.reason ?? 'unreadable record');
}

/** A judged solution scored against its label; undefined when it has none (a record eval would not judge). */
export function scored(entry: FileReport, split: string): EvalItemResult | undefined {
  const labelled = entry.status === 'judged' ? evalLabel(entry.labels) : undefined;
  if (!labelled) return undefined;
  const { label, solutionLevel } = labelled;
  const base = {
    split,
    uri: entry.uri,
    judgeErrors: entry.steps.filter((s) => s.verdict === 'error').length,
    usage: entry.usage ?? { requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: 0 },
  };
  if (solutionLevel) {
    // A wrong final answer with no step flagged is still a solution judged wrong.
    const predicted = entry.verdict === 'incorrect' ? Math.max(entry.firstErrorIndex ?? 0, 0) : -1;
    return { ...base, label, solutionLevel: true, predicted, steps: [], criticSteps: [] };
  }
  const stepLabels = stepLabelsFromFirstError(label, entry.steps.length);
  const steps: ProbabilityOutcome[] = [];
  for (const step of entry.steps) {
    const y = stepLabels[step.index];
    if (y === null || y === undefined || step.pTrue === null || step.source === 'user') continue;
    steps.push({ p: step.pTrue, y });
  }
  return { ...base, label, predicted: entry.firstErrorIndex ?? -1, steps, criticSteps: calibrationSamples(entry) };
}

/** The first pass of a sample: how many scorable records each stratum has, then which to take. */
async function planFor(items: AsyncIterable<PipelineItem>, splitByPath: ReadonlyMap<string, string>, sample: { size: number; seed: number }) {
  const sizes = new Map<Stratum, number>();
  for await (const item of items) {
    const built = await buildItemDocument(item);
    if (!built.ok || unscorable(built.document) !== undefined) continue;
    const stratum = stratumOf(splitByPath.get(item.path) ?? '', evalLabel(built.document.labels)!.label);
    sizes.set(stratum, (sizes.get(stratum) ?? 0) + 1);
  }
  return planSample(sizes, sample.size, sample.seed);
}

// ---- rendering --------------------------------------------------------------------------------

const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}`);
const num = (x: number | null, digits = 3) => (x === null ? '–' : x.toFixed(digits));

export function renderEvalMarkdown(report: EvalReport): string {
  const lines: string[] = [];
  lines.push(`## stepcritic eval: ${report.datasets.join(', ') || 'dataset'}${report.shard ? ` (${describeShard(report.shard)})` : ''}`);
  lines.push('');
  lines.push(
    `Critic: ${report.critic.replace(/\.$/, '')}; step threshold ${report.threshold}${report.calibration ? `; P(True) ${describeCalibration(report.calibration)}` : ''}.`,
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
  if (report.overall.solutionLevel > 0) {
    lines.push(
      `${report.overall.solutionLevel} of the solutions have only a final-answer label: a wrong one counts as caught when the solution is judged incorrect at any step or by its final answer; their steps are not scored (no ECE, Brier, AUROC).`,
    );
  }
  if (report.merged) {
    const shards = report.merged.shards ? ` (${describeShards(report.merged.shards)} only)` : '';
    const twice = report.merged.duplicates > 0 ? `; ${report.merged.duplicates} solutions in more than one log counted once` : '';
    lines.push(`Scored together from ${report.merged.logs} run logs${shards}${twice}; time is the runs' own, summed.`);
  }
  if (report.skipped && report.skipped.count > 0) {
    const reasons = Object.entries(report.skipped.reasons)
      .map(([reason, n]) => `${n} × ${reason}`)
      .join('; ');
    lines.push(`Skipped ${report.skipped.count} records: ${reasons}.`);
  }
  return `${lines.join('\n')}\n`;
}
