// Calibration on ProcessBench gsm8k (400 solutions), the road a user takes: the built CLI as a
// process against a scripted critic (127.0.0.1) that is over-confident in a known way — it states
// σ(3 · logit q) for a step that is right with probability q (test/support/overconfident-critic.ts).
//
//   1. stepcritic check gsm8k.json --run-log run.jsonl           the critic judges every solution
//   2. stepcritic calibrate run.jsonl --out calibration.json     temperature scaling, 5-fold CV by solution
//      stepcritic calibrate run.jsonl --method isotonic          the same with isotonic regression
//   3. stepcritic eval gsm8k.json --format json --out eval.json  the eval road: calibrate eval.json
//   4. stepcritic check gsm8k.json --calibration calibration.json --format json: how verdicts move
//   5. stepcritic report run.jsonl --calibration calibration.json --out report.html (kept with --keep DIR)
//
// Prints the cross-validated ECE, Brier and AUROC of the raw and the calibrated P(True), the fitted
// map against the one that undoes the scripted over-confidence (slope 1/3, bias 0), and verdict counts
// with and without the calibration. The critic is scripted: the figures show that calibrate finds and
// undoes a known distortion on real labels, not how calibrated any real model is.
//
//   node --import tsx bench/calibration.ts [--keep DIR]
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCalibrationFile, type CalibrationFile } from '../src/engine/calibration/file';
import { describeMap } from '../src/engine/calibration/map';
import { parseReport } from '../src/engine/report/schema';
import { overconfidentCritic } from '../test/support/overconfident-critic';
import { DEFAULT_MODEL } from '../test/support/scripted-llm-server';
import { CLI, DATA, build, runBench, runNode, withScriptedServer } from './batch-support';

const DATASET = join(DATA, 'gsm8k.json');

function keepDir(): string | undefined {
  const i = process.argv.indexOf('--keep');
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const num = (x: number | null) => (x === null ? '–' : x.toFixed(3));

function cvRows(name: string, file: CalibrationFile): string[] {
  const { raw, calibrated } = file.crossValidation;
  return [
    `| ${name}: raw | ${num(raw.ece)} | ${num(raw.brier)} | ${num(raw.auroc)} |`,
    `| ${name}: calibrated | ${num(calibrated.ece)} | ${num(calibrated.brier)} | ${num(calibrated.auroc)} |`,
  ];
}

runBench(async () => {
  if (!existsSync(DATASET)) {
    console.log(`bench/calibration: ${DATASET} is missing (the ProcessBench data lives in ../shared/data); nothing measured.`);
    return;
  }
  build();
  const critic = overconfidentCritic(DATASET);
  await withScriptedServer('calibration', { handler: critic.handler }, async ({ dir }, server) => {
    const flags = ['--base-url', server.baseUrl, '--model', DEFAULT_MODEL, '--cache-dir', join(dir, 'cache')];
    const cli = async (args: string[]) => {
      const run = await runNode([CLI, ...args], { cwd: dir });
      if (run.status !== 0) throw new Error(`stepcritic ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
      return run;
    };
    const checked = await cli(['check', DATASET, '--run-log', 'run.jsonl', '--fail-on', 'never', '--quiet', ...flags]);
    const temperature = await cli(['calibrate', 'run.jsonl', '--out', 'calibration.json']);
    const file = parseCalibrationFile(readFileSync(join(dir, 'calibration.json'), 'utf8'), 'calibration.json');
    const isotonic = parseCalibrationFile((await cli(['calibrate', 'run.jsonl', '--method', 'isotonic', '--format', 'json'])).stdout, 'isotonic');
    await cli(['eval', DATASET, '--format', 'json', '--out', 'eval.json', ...flags]);
    const fromEval = parseCalibrationFile((await cli(['calibrate', 'eval.json', '--format', 'json'])).stdout, 'eval');
    await cli(['check', DATASET, '--calibration', 'calibration.json', '--format', 'json', '--out', 'calibrated.json', '--fail-on', 'never', ...flags]);
    await cli(['report', 'run.jsonl', '--format', 'json', '--out', 'raw.json']);
    await cli(['report', 'run.jsonl', '--calibration', 'calibration.json', '--out', 'report.html']);

    console.log(
      `ProcessBench gsm8k: ${critic.counts.correct + critic.counts.wrong} labelled steps (${critic.counts.wrong} wrong); scripted critic states σ(3 · logit q). ${server.chatRequests().length} critic requests in all; check took ${(checked.wallMs / 1000).toFixed(1)} s (shared machine).`,
    );
    console.log('');
    console.log(`stepcritic calibrate run.jsonl --out calibration.json:\n${temperature.stdout}`);
    console.log(`Fitted: ${describeMap(file.map)}; the map that undoes the scripted over-confidence is slope 0.333, bias 0.`);
    console.log(`From eval.json instead of the run log: ${describeMap(fromEval.map)} on ${fromEval.fittedOn.steps} steps.`);
    console.log('');
    console.log(`Cross-validated (${file.crossValidation.folds} folds by solution, seed ${file.crossValidation.seed}, ${file.crossValidation.steps} steps):`);
    console.log('| P(True) | ECE | Brier | AUROC |');
    console.log('|---|---:|---:|---:|');
    for (const row of [...cvRows('temperature', file), ...cvRows('isotonic', isotonic)]) console.log(row);

    const counts = (name: string) => {
      const tally: Record<string, number> = {};
      for (const entry of parseReport(JSON.parse(readFileSync(join(dir, name), 'utf8'))).files) {
        for (const step of entry.steps) tally[step.verdict] = (tally[step.verdict] ?? 0) + 1;
      }
      return tally;
    };
    const before = counts('raw.json');
    const after = counts('calibrated.json');
    console.log('');
    console.log('Step verdicts at the default thresholds (correct ≥ 0.7, incorrect ≤ 0.3):');
    console.log('| verdict | raw P(True) | calibrated |');
    console.log('|---|---:|---:|');
    for (const verdict of ['correct', 'uncertain', 'incorrect', 'downstream', 'error'])
      console.log(`| ${verdict} | ${before[verdict] ?? 0} | ${after[verdict] ?? 0} |`);

    const keep = keepDir();
    if (keep) {
      mkdirSync(keep, { recursive: true });
      for (const name of ['calibration.json', 'report.html', 'run.jsonl']) copyFileSync(join(dir, name), join(keep, name));
      console.log(`\nKept calibration.json, report.html and run.jsonl in ${keep}.`);
    }
  });
});
