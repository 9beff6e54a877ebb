// `stepcritic calibrate RUNLOG|EVAL.json… --out calibration.json`: fits a calibration map of the
// critic's P(True) on labelled results, and prints how raw and calibrated P(True) score on steps each
// map never saw (k-fold cross-validation by solution). The work is the engine's
// (src/engine/calibration); this file reads the inputs and writes the file.
import { readFile } from 'node:fs/promises';
import { readRunLogLines } from '../../engine/batch/run-log';
import type { ProbabilityScores } from '../../engine/eval/metrics';
import type { CalibrationFile } from '../../engine/calibration/file';
import { CalibrationError, describeIdentity } from '../../engine/calibration/file';
import { fitCalibrationFile } from '../../engine/calibration/fit-file';
import type { CalibrationInput } from '../../engine/calibration/inputs';
import { evalReportInput, mergeInputs, runLogInput } from '../../engine/calibration/inputs';
import type { CalibrationMethod } from '../../engine/calibration/map';
import { describeMap } from '../../engine/calibration/map';
import { errorMessage } from '../../engine/error-message';
import type { OptionSpec } from '../args';
import { booleanValue, formatHelp, helpHint, integerValue, parseCommandArgs, stringValue } from '../args';
import type { CliContext, Command } from '../command';
import { EXIT_CLEAN, UsageError } from '../command';
import { checkOutputTarget, writeFileAtomic } from '../output-file';
import { TOOL_VERSION } from '../version';

const METHODS: readonly CalibrationMethod[] = ['temperature', 'isotonic'];
const DEFAULT_FOLDS = 5;

const CALIBRATE_OPTIONS: OptionSpec[] = [
  { name: 'out', short: 'o', type: 'string', valueName: 'FILE', description: 'Write the calibration to FILE (without it, only the figures are printed)' },
  {
    name: 'method',
    type: 'string',
    valueName: 'METHOD',
    choices: METHODS,
    defaultText: 'temperature',
    description: 'temperature: scaling of the log-odds with a bias (2 parameters); isotonic: any monotone map (pool-adjacent-violators)',
  },
  {
    name: 'folds',
    type: 'string',
    valueName: 'K',
    defaultText: String(DEFAULT_FOLDS),
    description: 'Cross-validation folds (drawn by solution: steps of one solution never sit on both sides)',
  },
  { name: 'seed', type: 'string', valueName: 'S', defaultText: '1', description: 'Seed of the fold draw' },
  {
    name: 'format',
    type: 'string',
    valueName: 'FORMAT',
    choices: ['text', 'json'],
    defaultText: 'text',
    description: 'text: the figures; json: the calibration file itself',
  },
  { name: 'force', type: 'boolean', description: 'Let --out replace an existing file that is not a Step Critic file' },
];

const HELP = {
  usage: 'stepcritic calibrate [options] RUNLOG|EVAL.json...',
  description: [
    "Fits a map from the critic's P(True) to a calibrated P(True) on labelled results: a run log of",
    "'stepcritic check DATASET --run-log RUNLOG' or an eval report of 'stepcritic eval DATASET --format json",
    "--out EVAL.json' over a labelled dataset (ProcessBench, ...). Only steps whose verdict came from the",
    "critic's P(True) count. It prints ECE (10 bins), Brier and AUROC of the raw and the calibrated",
    'P(True), cross-validated: every step is scored by a map fitted on the other folds. The file is keyed',
    'by the critic (LLM or PRM, model, protocol version): --calibration FILE applies it to that critic only.',
  ].join('\n'),
  options: CALIBRATE_OPTIONS,
  sections: {
    'Exit status': ['0  fitted (and written with --out)', '2  usage error, an input that cannot be read, or data that cannot be calibrated'],
    Examples: [
      'stepcritic check ../shared/data/processbench/gsm8k.json --run-log run.jsonl --fail-on never',
      'stepcritic calibrate run.jsonl --out calibration.json',
      'stepcritic check solutions --calibration calibration.json',
    ],
  },
};

async function readInput(path: string): Promise<CalibrationInput> {
  try {
    const fromLog = await runLogInput(path, readRunLogLines(path));
    if (fromLog) return fromLog;
    let value: unknown;
    try {
      value = JSON.parse(await readFile(path, 'utf8'));
    } catch {
      value = undefined;
    }
    return evalReportInput(path, value);
  } catch (error) {
    if (error instanceof CalibrationError) throw new UsageError(error.message, helpHint('calibrate'));
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    throw new UsageError(code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${errorMessage(error)}`, helpHint('calibrate'));
  }
}

const num = (x: number | null) => (x === null ? '–' : x.toFixed(3));

function renderSummary(file: CalibrationFile): string {
  const cv = file.crossValidation;
  const row = (name: string, s: ProbabilityScores) => `| ${name.padEnd(10)} | ${num(s.ece)} | ${num(s.brier)} | ${num(s.auroc)} |`;
  const lines = [
    `Calibration of the ${describeIdentity(file.key)}`,
    `Fitted on ${file.fittedOn.steps} labelled steps (${file.fittedOn.correct} correct) of ${file.fittedOn.solutions} solutions: ${file.fittedOn.dataset}`,
    `Map: ${describeMap(file.map)}`,
    '',
    `Cross-validated: ${cv.folds} folds by solution (seed ${cv.seed}), each of the ${cv.steps} steps scored by a map fitted without its solution.`,
    '| P(True)    | ECE   | Brier | AUROC |',
    '|------------|------:|------:|------:|',
    row('raw', cv.raw),
    row('calibrated', cv.calibrated),
  ];
  if (cv.raw.ece !== null && cv.calibrated.ece !== null && cv.calibrated.ece >= cv.raw.ece) {
    lines.push('', 'The calibrated P(True) is no better calibrated than the raw one on held-out steps: applying this map is not advised.');
  }
  return `${lines.join('\n')}\n`;
}

export const calibrateCommand: Command = {
  name: 'calibrate',
  summary: "Fit a calibration of the critic's P(True) on labelled results (cross-validated)",
  help: () => formatHelp(HELP),
  async run(context: CliContext): Promise<number> {
    const args = parseCommandArgs('calibrate', context.argv, CALIBRATE_OPTIONS);
    if (args.positionals.length === 0) throw new UsageError('calibrate needs a RUNLOG or an EVAL.json (labelled results)', helpHint('calibrate'));
    const out = stringValue(args, 'out');
    if (out !== undefined && out.trim() === '') throw new UsageError('--out needs a file name', helpHint('calibrate'));
    const folds = integerValue('calibrate', args, 'folds', 2, 50) ?? DEFAULT_FOLDS;
    const seed = integerValue('calibrate', args, 'seed', 0, 2 ** 31 - 1) ?? 1;
    const method = (stringValue(args, 'method') ?? 'temperature') as CalibrationMethod;
    if (out !== undefined) await checkOutputTarget(out, args.positionals, booleanValue(args, 'force') ?? false);

    const inputs: CalibrationInput[] = [];
    for (const path of args.positionals) inputs.push(await readInput(path));
    let file: CalibrationFile;
    try {
      const { critic, samples } = mergeInputs(inputs);
      file = fitCalibrationFile(samples, { method, folds, seed, key: critic, inputs: args.positionals, toolVersion: TOOL_VERSION });
    } catch (error) {
      if (error instanceof CalibrationError) throw new UsageError(error.message, helpHint('calibrate'));
      throw error;
    }
    const json = `${JSON.stringify(file, null, 2)}\n`;
    context.stdout.write(stringValue(args, 'format') === 'json' ? json : renderSummary(file));
    if (out !== undefined) {
      await writeFileAtomic(out, json);
      context.stderr.write(`stepcritic: wrote ${out} (apply it with --calibration ${out})\n`);
    }
    return EXIT_CLEAN;
  },
};
