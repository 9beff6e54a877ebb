// `stepcritic report RUNLOG…`: renders a report from a run log without judging anything again, in any
// format (a run that is still going, or was interrupted, gives a report of what is done so far).
// Several run logs (the shards of a run, `check --shard I/N`) make one report, read as one log.
import { pathToFileURL } from 'node:url';
import { runLogMeta } from '../../engine/batch/run-log-reader';
import { readRunLogs } from './run-logs';
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

  const log = await readRunLogs(context, logPaths);

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
