// `stepcritic eval DATASET…`: run the critic over labelled solutions and print ProcessBench's scores and
// the calibration of step P(True), per split (one split per dataset file).
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { streamDataset, datasetKindOf } from '../../engine/batch/dataset-stream';
import { recordToDocument } from '../../engine/datasets/records';
import { renderEvalMarkdown, runEval, type EvalItem } from '../../engine/eval/run';
import { formatHelp, helpHint, integerValue, numberValue, parseCommandArgs, stringValue, stringValues, type OptionSpec } from '../args';
import { EXIT_CLEAN, EXIT_INTERRUPTED, UsageError, type CliContext, type Command } from '../command';
import { writeFileAtomic } from '../output-file';
import { describeCalibration } from '../../engine/calibration/file';
import { LLM_ENDPOINT_OPTIONS, LLM_RUN_OPTIONS, LLM_SWITCH_OPTION } from './llm-options';
import { createCliStepCritic, PRM_OPTIONS } from './prm-options';
import { CALIBRATION_OPTION, cliCriticIdentity, readCliCalibration } from './calibration-option';

const EVAL_OPTIONS: OptionSpec[] = [
  {
    name: 'split',
    type: 'string',
    multiple: true,
    valueName: 'NAME',
    description: 'Only these splits (dataset file names without extension), e.g. --split gsm8k',
  },
  { name: 'limit', type: 'string', valueName: 'N', description: 'Judge at most N labelled solutions (in file order)' },
  { name: 'concurrency', type: 'string', valueName: 'N', defaultText: '4', description: 'Solutions (and LLM requests) in flight at once' },
  { name: 'threshold', type: 'string', valueName: 'P', defaultText: '0.5', description: 'A step with P(True) below P counts as the error' },
  { name: 'format', type: 'string', valueName: 'FORMAT', choices: ['markdown', 'json'], defaultText: 'markdown', description: 'Output format' },
  { name: 'out', short: 'o', type: 'string', valueName: 'FILE', description: 'Write the result to FILE instead of stdout' },
  LLM_SWITCH_OPTION,
  ...LLM_ENDPOINT_OPTIONS,
  ...LLM_RUN_OPTIONS,
  ...PRM_OPTIONS,
  CALIBRATION_OPTION,
];

const HELP = {
  usage: 'stepcritic eval [options] DATASET...',
  description: [
    'Judges labelled solutions (ProcessBench, MR-BEN, BIG-Bench Mistake, PRMBench, MR-GSM8K) and prints, per',
    'split: accuracy on erroneous solutions (earliest wrong step found exactly), accuracy on correct ones',
    '(nothing flagged), their harmonic mean (ProcessBench F1), and the calibration of step P(True): ECE over',
    '10 bins, Brier score, AUROC; with tokens, requests and time. DATASET is a file or a folder of them.',
    'Every verdict is cached: an interrupted or budget-stopped run resumes where it stopped when run again.',
  ].join('\n'),
  options: EVAL_OPTIONS,
  sections: {
    Examples: [
      'stepcritic eval ../shared/data/processbench --split gsm8k --limit 100',
      'stepcritic eval ../shared/data/processbench/gsm8k.json --format json --out eval.json --budget 2000000',
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
  const names = (await readdir(path)).filter((n) => datasetKindOf(n) !== undefined).sort();
  if (names.length === 0) throw new UsageError(`no .json/.jsonl dataset files in ${path}`, helpHint('eval'));
  return names.map((n) => join(path, n));
}

function splitName(file: string): string {
  return basename(file).replace(/\.(jsonl|ndjson|json)(\.gz)?$/i, '');
}

async function* evalItems(files: readonly string[]): AsyncGenerator<EvalItem> {
  for (const file of files) {
    const split = splitName(file);
    for await (const record of streamDataset(file)) {
      const uri = `${file}#${record.index}`;
      if (!record.ok) {
        yield { split, uri, error: record.error };
        continue;
      }
      try {
        yield { split, uri, document: recordToDocument(record.value, { uri }) };
      } catch (error) {
        yield { split, uri, error: error instanceof Error ? error.message.replace(`${uri}: `, '') : String(error) };
      }
    }
  }
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'Score the critic on labelled datasets (ProcessBench F1, calibration)',
  help: () => formatHelp(HELP),
  async run(context: CliContext): Promise<number> {
    const args = parseCommandArgs('eval', context.argv, EVAL_OPTIONS);
    if (args.positionals.length === 0) throw new UsageError('eval needs a DATASET (a file or a folder)', helpHint('eval'));
    const concurrency = integerValue('eval', args, 'concurrency', 1, 256) ?? 4;
    const limit = integerValue('eval', args, 'limit', 1);
    const threshold = numberValue('eval', args, 'threshold', 0, 1) ?? 0.5;
    const format = stringValue(args, 'format') ?? 'markdown';
    const out = stringValue(args, 'out');
    const splits = stringValues(args, 'split');

    let files = (await Promise.all(args.positionals.map(datasetFiles))).flat();
    if (splits.length > 0) {
      const known = files.map(splitName);
      const unknown = splits.filter((s) => !known.includes(s));
      if (unknown.length > 0) throw new UsageError(`no split ${unknown.join(', ')} (there are: ${known.join(', ')})`, helpHint('eval'));
      files = files.filter((f) => splits.includes(splitName(f)));
    }

    const setup = createCliStepCritic('eval', args, context.env, { concurrency });
    const calibration = readCliCalibration('eval', args, cliCriticIdentity(setup), setup.offReason);
    context.stderr.write(`stepcritic: ${setup.notice}${calibration ? `; P(True) ${describeCalibration(calibration.note)}` : ''}\n`);
    const progress = context.stderr.isTTY === true;
    const report = await runEval(evalItems(files), {
      critic: setup.critic,
      criticOffReason: setup.offReason,
      model: setup.model,
      ...(setup.protocolVersion !== undefined ? { protocolVersion: setup.protocolVersion } : {}),
      ...(calibration ? { calibration } : {}),
      concurrency,
      limit,
      threshold,
      signal: context.signal,
      datasets: files,
      onItem: progress ? (_r, done) => context.stderr.write(`\rstepcritic: judged ${done} solutions`) : undefined,
    });
    if (progress) context.stderr.write('\n');
    const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderEvalMarkdown(report);
    if (out) {
      await writeFileAtomic(out, text);
      context.stderr.write(`stepcritic: wrote ${out}\n`);
    } else {
      context.stdout.write(text);
    }
    if (report.stopped) context.stderr.write(`stepcritic: ${report.stopped}; run the same command again to resume from the cache\n`);
    return context.signal.aborted ? EXIT_INTERRUPTED : EXIT_CLEAN;
  },
};
