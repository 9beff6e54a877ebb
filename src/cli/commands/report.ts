// `stepcritic report RUNLOG…`: renders a report from a run log without judging anything again, in any
// format (a run that is still going, or was interrupted, gives a report of what is done so far).
// Several run logs (the shards of a run, `check --shard I/N`) make one report, read as one log.
import { pathToFileURL } from 'node:url';
import type { RunLogFile, RunLogIndex } from '../../engine/batch/run-log-reader';
import { describeShards } from '../../engine/report/findings';
import { readRunLog, runLogMeta } from '../../engine/batch/run-log-reader';
import { RunLogError } from '../../engine/batch/run-log';
import type { FailOn } from '../../engine/report/build';
import { reachesFailOn } from '../../engine/report/build';
import { rendererFor } from '../../engine/report/formats';
import { ReportWriter } from '../../engine/report/stream';
import { findingsIn, renderTextSummary } from '../../engine/report/text';
import type { OptionSpec } from '../args';
import { booleanValue, formatHelp, helpHint, integerValue, parseCommandArgs, stringValue } from '../args';
import type { CliContext, Command } from '../command';
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, UsageError } from '../command';
import { checkOutputTarget, readReportOutput, REPORT_OUTPUT_OPTIONS, writeReportOutput } from '../output-file';
import { colourEnabled, noPaint, painter } from '../style';
import { CALIBRATION_OPTION, readCliCalibration } from './calibration-option';
import { describeCalibration } from '../../engine/calibration/file';
import { recalibrateEntry, runLogCritic } from '../../engine/calibration/recalibrate-entry';
import type { FileReport } from '../../engine/report/schema';

export const REPORT_OPTIONS: OptionSpec[] = [
  ...REPORT_OUTPUT_OPTIONS,
  {
    name: 'fail-on',
    type: 'string',
    valueName: 'LEVEL',
    choices: ['incorrect', 'uncertain', 'never'],
    defaultText: 'never',
    description: 'Exit with status 1 when an entry reaches LEVEL (JUnit marks failures at this level too)',
  },
  { name: 'title', type: 'string', valueName: 'TEXT', description: 'Title of the HTML report' },
  {
    name: 'max-detailed',
    type: 'string',
    valueName: 'N',
    defaultText: '2000',
    description: 'HTML: show at most N solutions step by step (the table lists all)',
  },
  { name: 'verbose', short: 'v', type: 'boolean', description: 'Text/Markdown/SARIF: list every step, not only the findings' },
  { name: 'color', type: 'boolean', negatable: true, description: 'Force colour of the text report on or off' },
  CALIBRATION_OPTION,
];

async function runReport(context: CliContext): Promise<number> {
  const args = parseCommandArgs('report', context.argv, REPORT_OPTIONS);
  if (args.positionals.length === 0) throw new UsageError('give the run log to report on', helpHint('report'));
  const logPaths = args.positionals;
  const { format, out, force } = readReportOutput('report', args);
  const failOn = (stringValue(args, 'fail-on') ?? 'never') as FailOn;
  const maxDetailed = integerValue('report', args, 'max-detailed', 1);

  let log: RunLogIndex;
  try {
    log = await readRunLog(logPaths);
  } catch (error) {
    if (error instanceof RunLogError) throw new UsageError(error.message);
    throw error;
  }
  for (const file of log.logs) describeLogFile(context, file, log.logs.length === 1 ? `the ${log.count}` : 'the');
  if (log.duplicates > 0) {
    context.stderr.write(
      `stepcritic: ${log.duplicates} ${log.duplicates === 1 ? 'solution is' : 'solutions are'} in more than one run log: each counted once (its latest judgement)\n`,
    );
  }
  if (log.shards) {
    const missing = Array.from({ length: log.shards.count }, (_, i) => i + 1).filter((i) => !log.shards!.included.includes(i));
    context.stderr.write(
      `stepcritic: the report covers ${describeShards(log.shards)}: ${missing.length === 1 ? 'shard' : 'shards'} ${missing.join(', ')} of ${log.shards.count} not given\n`,
    );
  }

  if (out !== undefined) await checkOutputTarget(out, logPaths, force);

  const calibration = readCliCalibration('report', args, await runLogCritic(log), log.header.critic.note ?? 'no step has a P(True) from a critic');
  const recalibrated = { count: 0, kept: new Map<string, number>() };
  // Each entry judged again from its evidence with the calibration in place, as it streams past.
  const recalibrate = calibration
    ? (entry: FileReport): FileReport => {
        const result = recalibrateEntry(entry, calibration);
        if (result.recalibrated) recalibrated.count += 1;
        if (result.kept !== undefined) recalibrated.kept.set(result.kept, (recalibrated.kept.get(result.kept) ?? 0) + 1);
        return result.entry;
      }
    : undefined;

  const title = stringValue(args, 'title');
  const colour = out === undefined && (booleanValue(args, 'color') ?? colourEnabled(context.stdout, context.env));
  const writer = new ReportWriter(
    rendererFor(format, {
      verbose: booleanValue(args, 'verbose') ?? false,
      paint: colour ? painter(true) : noPaint,
      baseUri: `${pathToFileURL(context.cwd).href}/`,
      ...(log.header.tool.protocolVersion !== undefined ? { promptVersion: log.header.tool.protocolVersion } : {}),
      failOn,
      html: {
        run: log.run,
        ...(title !== undefined ? { title } : {}),
        ...(maxDetailed !== undefined ? { maxDetailed } : {}),
      },
    }),
  );
  let failed = false;
  let reached = false;
  let findings = 0;
  for await (const item of log.items()) {
    const entry = recalibrate ? recalibrate(item.entry) : item.entry;
    writer.add(entry, item.triage ? { triage: item.triage } : undefined);
    failed ||= entry.status === 'failed';
    reached ||= reachesFailOn(entry, failOn);
    findings += findingsIn(entry);
  }
  if (calibration) {
    context.stderr.write(`stepcritic: ${recalibrated.count} entries judged again with P(True) ${describeCalibration(calibration.note)}\n`);
    for (const [reason, count] of recalibrated.kept) context.stderr.write(`stepcritic: ${count} kept as judged: ${reason}\n`);
  }
  const meta = runLogMeta(log, failOn);
  await writeReportOutput(writer, meta, out, context.stdout);
  if (out !== undefined) context.stderr.write(`stepcritic: wrote ${out} (${format}; ${renderTextSummary(writer.summary, findings)[0]})\n`);
  if (failed && failOn !== 'never') return EXIT_USAGE;
  return reached ? EXIT_FINDINGS : EXIT_CLEAN;
}

/** What the user should know about one log: lines it could not read, a run that has not finished. */
function describeLogFile(context: CliContext, file: RunLogFile, items: string): void {
  for (const problem of file.problems.slice(0, 5)) context.stderr.write(`stepcritic: ${file.path}: ${problem}; skipped\n`);
  if (file.problems.length > 5) context.stderr.write(`stepcritic: ${file.path}: ${file.problems.length - 5} more unreadable lines skipped\n`);
  if (file.end === undefined) {
    context.stderr.write(`stepcritic: the run in ${file.path} has not finished (still running, or stopped): reporting ${items} items done so far\n`);
  } else if (file.end.interrupted) {
    context.stderr.write(
      `stepcritic: the run in ${file.path} was interrupted (${file.end.reason ?? 'stopped'}): reporting ${items} items done; 'stepcritic check … --run-log ${file.path} --resume' continues it\n`,
    );
  }
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'Render a report (HTML, JUnit, SARIF, JSON, Markdown) from a run log, without re-running',
  help: () =>
    formatHelp({
      usage: 'stepcritic report [options] RUNLOG...',
      description: [
        "Reads a run log written by 'stepcritic check --run-log RUNLOG' (one line per judged solution) and",
        'renders it as a report. Nothing is judged again and no endpoint is called. A log of a run that is',
        'still going or was interrupted gives a report of what is done so far.',
        '',
        "Several run logs (the shards of one run, 'check --shard I/N', or copies of a resumed run) make one",
        'report: a solution in more than one log counts once (its latest judgement); logs made with',
        'different configurations (critic, model, prompt, calibration, thresholds) are refused.',
        '',
        'HTML is one self-contained page (no network access): summary, a filterable table, every solution',
        'step by step coloured by verdict and P(True), a P(True) histogram and, for labelled datasets',
        "(ProcessBench, ...), ProcessBench's F1 table and a reliability diagram. JUnit XML has one testcase",
        'per solution (failure: incorrect; error: could not be judged; skipped: not judged).',
      ].join('\n'),
      options: REPORT_OPTIONS,
      sections: {
        'Exit status': ['0  report written', '1  an entry reached --fail-on (default never)', '2  usage error, or the run log cannot be read'],
        Examples: [
          'stepcritic report run.jsonl --out report.html',
          'stepcritic report run.jsonl --format junit --out junit.xml --fail-on incorrect',
          'stepcritic report run.jsonl --format sarif --out results.sarif',
          'stepcritic report run-*.jsonl --out report.html   # the shards of one run, merged',
        ],
      },
    }),
  run: runReport,
};
