// `stepcritic eval DATASET…`: run the critic over labelled solutions (through the judging pipeline) and
// print ProcessBench's scores and the calibration of step P(True), per split (one split per dataset file).
import { stat } from 'node:fs/promises';
import { DATASET_EXTENSIONS } from '../../engine/files/kinds';
import { walkForDatasets } from '../../engine/files/discover';
import { evalRunInfo, renderEvalMarkdown, runEval, splitsOf, type EvalOptions, type EvalReport, type EvalSplit } from '../../engine/eval/run';
import type { BatchResults } from '../../engine/batch/batch-files';
import type { RunLogWriter } from '../../engine/batch/run-log';
import { SwitchedReplySource } from '../../engine/llm/batch-request';
import {
  booleanValue,
  formatHelp,
  helpHint,
  integerValue,
  numberValue,
  parseCommandArgs,
  stringValue,
  stringValues,
  type OptionSpec,
  type ParsedArgs,
} from '../args';
import { EXIT_CLEAN, EXIT_INTERRUPTED, EXIT_USAGE, UsageError, type CliContext, type Command } from '../command';
import { writeFileAtomic } from '../../engine/files/write';
import { describeCalibration } from '../../engine/calibration/file';
import { LLM_ENDPOINT_OPTIONS, LLM_RUN_OPTIONS, LLM_SWITCH_OPTION } from './llm-options';
import { createCliStepCritic, PRM_OPTIONS } from './prm-options';
import { CALIBRATION_OPTION, cliCriticIdentity, readCliCalibration } from './calibration-option';
import { readShard, shardOption } from './shard-option';
import { warnIfNoCheckWorker } from '../deps';
import { BATCH_API_OPTIONS, readBatchApi } from './check-options';
import { batchApiResults } from './batch-api';
import { mergeEvalRunLogs, openEvalRunLog } from './eval-run-log';

const EVAL_OPTIONS: OptionSpec[] = [
  {
    name: 'split',
    type: 'string',
    multiple: true,
    valueName: 'NAME',
    description: 'Only these splits (folder/file without extension, or just the file name when it is unique), e.g. --split processbench/gsm8k',
  },
  { name: 'limit', type: 'string', valueName: 'N', description: 'Judge at most N labelled solutions (in file order)' },
  {
    name: 'sample',
    type: 'string',
    valueName: 'N',
    description: 'Judge a stratified sample of N labelled solutions: both labels (erroneous, correct) of every split, in proportion',
  },
  { name: 'seed', type: 'string', valueName: 'S', defaultText: '1', description: 'Seed of --sample (the same seed takes the same sample)' },
  shardOption('`stepcritic eval --merge` scores the run logs (--run-log) of the shards together'),
  {
    name: 'merge',
    type: 'boolean',
    description: 'Score the run logs given (instead of datasets) together: the --run-log files of the shards of one eval, run apart',
  },
  {
    name: 'concurrency',
    type: 'string',
    valueName: 'N',
    defaultText: 'what stepcritic probe measured, else 1 for local presets and 4 for others',
    description: 'Solutions (and LLM requests) in flight at once',
  },
  { name: 'threshold', type: 'string', valueName: 'P', defaultText: '0.5', description: 'A step with P(True) below P counts as the error' },
  { name: 'format', type: 'string', valueName: 'FORMAT', choices: ['markdown', 'json'], defaultText: 'markdown', description: 'Output format' },
  { name: 'out', short: 'o', type: 'string', valueName: 'FILE', description: 'Write the result to FILE instead of stdout' },
  LLM_SWITCH_OPTION,
  ...LLM_ENDPOINT_OPTIONS,
  ...LLM_RUN_OPTIONS,
  ...PRM_OPTIONS,
  CALIBRATION_OPTION,
  ...BATCH_API_OPTIONS,
  {
    name: 'run-log',
    type: 'string',
    valueName: 'FILE',
    description:
      'Log every scored solution to FILE (JSONL), for `eval --merge`; with --batch-api also the batch ids (results are downloaded into FILE.batches/)',
  },
  {
    name: 'resume',
    type: 'boolean',
    description:
      'Continue the run in --run-log (verdicts come back from the cache); with --batch-api re-attach to its batches, ask only what they did not answer',
  },
];

const HELP = {
  usage: 'stepcritic eval [options] DATASET...\n       stepcritic eval --merge [--format FORMAT] [--out FILE] RUNLOG...',
  description: [
    'Judges labelled solutions (ProcessBench, MR-BEN, BIG-Bench Mistake, PRMBench, MR-GSM8K) and prints, per',
    'split: accuracy on erroneous solutions (earliest wrong step found exactly), accuracy on correct ones',
    '(nothing flagged), their harmonic mean (ProcessBench F1), and the calibration of step P(True): ECE over',
    '10 bins, Brier score, AUROC; with tokens, requests and time. DATASET is a file or a folder of them',
    '(its subfolders too: a Hugging Face dataset keeps its files under data/ or one folder per config);',
    'each file is a split, named by its folder and file (processbench/math, mr-ben/math); the shards a',
    'Hugging Face split is kept in (data/test-00000-of-00002.parquet, ...) are one split (data/test).',
    'Model outputs with only a final-answer label (RealCritic previous_score, is_correct) are scored per',
    'solution: a wrong one counts as caught when it is judged incorrect anywhere; their steps are not scored.',
    '--limit N takes the first N labelled solutions in file order (ProcessBench files list the erroneous',
    'ones first); --sample N a stratified sample: both labels of every split, in proportion.',
    'Every verdict is cached: an interrupted or budget-stopped run resumes where it stopped when run again.',
    "--batch-api sends the critic's requests through the endpoint's batch API (half the price, done within",
    '24 hours) and scores once the batches have run; the batch ids are kept in --run-log FILE, and the same',
    'command with --resume after an interruption re-attaches to them instead of paying twice.',
    '--shard I/N with --run-log FILE on N machines, then `stepcritic eval --merge run-*.jsonl`, gives the',
    'figures of the whole run (a solution in two logs counts once; logs of different evals are refused).',
  ].join('\n'),
  options: EVAL_OPTIONS,
  sections: {
    Examples: [
      'stepcritic eval ../shared/data/processbench --split gsm8k --sample 100 --seed 7',
      'stepcritic eval ../shared/data/processbench/gsm8k.json --format json --out eval.json --budget 2000000',
      'stepcritic eval ../shared/data/processbench --model gpt-4o-mini --batch-api --run-log eval-run.jsonl',
      'stepcritic eval ../shared/data/processbench --shard 2/4 --run-log run-2.jsonl   (then: stepcritic eval --merge run-*.jsonl)',
    ],
  },
};

async function datasetFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UsageError(`no such dataset: ${path}`, helpHint('eval'));
  }
  if (info.isFile()) return [path];
  const files = await walkForDatasets(path);
  if (files.length === 0) throw new UsageError(`no dataset files (${DATASET_EXTENSIONS.join(', ')}) in ${path} or its subfolders`, helpHint('eval'));
  return files;
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'Score the critic on labelled datasets (ProcessBench F1, calibration)',
  help: () => formatHelp(HELP),
  async run(context: CliContext): Promise<number> {
    const args = parseCommandArgs('eval', context.argv, EVAL_OPTIONS);
    const format = stringValue(args, 'format') ?? 'markdown';
    const out = stringValue(args, 'out');
    if (booleanValue(args, 'merge') === true) {
      if (args.positionals.length === 0) throw new UsageError('eval --merge needs the run logs to score (RUNLOG...)', helpHint('eval'));
      await writeEvalOutput(context, await mergeEvalRunLogs(context, args.positionals), format, out);
      return EXIT_CLEAN;
    }
    if (args.positionals.length === 0) throw new UsageError('eval needs a DATASET (a file or a folder)', helpHint('eval'));
    const report = await judgeSplits(context, args, await chosenSplits(args));
    if ('exit' in report) return report.exit;
    await writeEvalOutput(context, report, format, out);
    if (report.stopped) context.stderr.write(`stepcritic: ${report.stopped}; run the same command again to resume from the cache\n`);
    if (context.signal.aborted) return EXIT_INTERRUPTED;
    return report.stopKind === 'unreachable' ? EXIT_USAGE : EXIT_CLEAN;
  },
};

/** The dataset files named, as splits, narrowed to --split. */
async function chosenSplits(args: ParsedArgs): Promise<EvalSplit[]> {
  const splits = stringValues(args, 'split');
  const splitList = splitsOf((await Promise.all(args.positionals.map(datasetFiles))).flat());
  if (splits.length === 0) return splitList;
  const matches = (wanted: string) => splitList.filter((s) => s.name === wanted || s.name.split('/').pop() === wanted);
  const unknown = splits.filter((s) => matches(s).length === 0);
  if (unknown.length > 0) throw new UsageError(`no split ${unknown.join(', ')} (there are: ${splitList.map((s) => s.name).join(', ')})`, helpHint('eval'));
  const chosen = new Set(splits.flatMap((s) => matches(s).map((m) => m.path)));
  return splitList.filter((s) => chosen.has(s.path));
}

/** Judges and scores the splits (through the batch API with --batch-api), logging to --run-log. */
async function judgeSplits(context: CliContext, args: ParsedArgs, splitList: EvalSplit[]): Promise<EvalReport | { exit: number }> {
  const concurrency = integerValue('eval', args, 'concurrency', 1, 256);
  const sampleSize = integerValue('eval', args, 'sample', 1);
  const seed = integerValue('eval', args, 'seed', 0, 2 ** 32 - 1) ?? 1;
  if (args.values.seed !== undefined && sampleSize === undefined) throw new UsageError('--seed goes with --sample N', helpHint('eval'));
  const shard = readShard('eval', args);
  const runLogPath = stringValue(args, 'run-log');
  const resume = booleanValue(args, 'resume') ?? false;
  if (resume && runLogPath === undefined) throw new UsageError('--resume continues the run in --run-log FILE', helpHint('eval'));
  const batchApi = readBatchApi('eval', args, runLogPath);
  const batched = batchApi ? new SwitchedReplySource() : undefined;

  const setup = await createCliStepCritic('eval', args, context.env, {
    concurrency,
    report: (line) => context.stderr.write(`stepcritic: ${line}\n`),
    ...(batched ? { replies: batched } : {}),
  });
  if (batched && !setup.llm) throw new UsageError('--batch-api needs the LLM critic: an endpoint and a model (--base-url, --model)', helpHint('eval'));
  const calibration = readCliCalibration('eval', args, cliCriticIdentity(setup), setup.offReason);
  context.stderr.write(`stepcritic: ${setup.notice}${calibration ? `; P(True) ${describeCalibration(calibration.note)}` : ''}\n`);
  warnIfNoCheckWorker(context);
  const evalOptions: EvalOptions = {
    critic: setup.critic,
    criticOffReason: setup.offReason,
    model: setup.model,
    ...(setup.protocolVersion !== undefined ? { protocolVersion: setup.protocolVersion } : {}),
    ...(calibration ? { calibration } : {}),
    concurrency: concurrency ?? setup.concurrency ?? 4,
    limit: integerValue('eval', args, 'limit', 1),
    ...(sampleSize !== undefined ? { sample: { size: sampleSize, seed } } : {}),
    ...(shard ? { shard } : {}),
    threshold: numberValue('eval', args, 'threshold', 0, 1) ?? 0.5,
    cwd: context.cwd,
    signal: context.signal,
  };
  let runLog: RunLogWriter | undefined;
  let results: BatchResults | undefined;
  try {
    if (runLogPath !== undefined) {
      const inputs = splitList.map((s) => s.path);
      runLog = await openEvalRunLog(context, { path: runLogPath, resume, inputs, ...(shard ? { shard } : {}) }, setup, evalRunInfo(evalOptions));
    }
    if (batched && batchApi && runLog && setup.llm) {
      const ran = await batchApiResults(
        context,
        { batchApi, quiet: false, resumeHint: 'the same command with --resume re-attaches to them' },
        setup.llm,
        runLog,
        batched,
        () => runEval(splitList, evalOptions),
      );
      if ('exit' in ran) return ran;
      results = ran;
    }
    const progress = context.stderr.isTTY === true;
    const report = await runEval(splitList, {
      ...evalOptions,
      ...(runLog ? { runLog } : {}),
      onItem: progress ? (_r, done) => context.stderr.write(`\rstepcritic: judged ${done} solutions`) : undefined,
    });
    if (progress) context.stderr.write('\n');
    runLog?.close({
      interrupted: report.stopped !== undefined,
      ...(report.stopped ? { reason: report.stopped } : {}),
      durationMs: report.timeMs,
      judgedThisRun: report.overall.solutions,
      usage: report.usage,
    });
    return report;
  } finally {
    setup.store?.close();
    await results?.close();
  }
}

async function writeEvalOutput(context: CliContext, report: EvalReport, format: string, out: string | undefined): Promise<void> {
  const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderEvalMarkdown(report);
  if (out) {
    await writeFileAtomic(out, text);
    context.stderr.write(`stepcritic: wrote ${out}\n`);
  } else {
    context.stdout.write(text);
  }
}
