// `stepcritic report RUNLOG`: renders a report from a run log without judging anything again, in any
// format (a run that is still going, or was interrupted, gives a report of what is done so far).
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadRunLog, RunLogError } from '../../engine/batch/run-log';
import type { LoadedRunLog } from '../../engine/batch/run-log';
import { reportFromRunLog } from '../../engine/batch/report-from-log';
import type { FailOn } from '../../engine/report/build';
import { reachesFailOn } from '../../engine/report/build';
import type { HtmlTriageNote } from '../../engine/report/html';
import { renderHtml } from '../../engine/report/html';
import { renderJson } from '../../engine/report/json';
import { renderJunit } from '../../engine/report/junit';
import { renderMarkdown } from '../../engine/report/markdown';
import { renderSarif } from '../../engine/report/sarif';
import type { Report } from '../../engine/report/schema';
import { renderText, renderTextSummary } from '../../engine/report/text';
import type { OptionSpec } from '../args';
import { booleanValue, formatHelp, helpHint, integerValue, parseCommandArgs, stringValue } from '../args';
import type { CliContext, Command } from '../command';
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, UsageError } from '../command';
import { checkOutputTarget, writeFileAtomic } from '../output-file';
import { colourEnabled, noPaint, painter } from '../style';
import { CALIBRATION_OPTION, readCliCalibration } from './calibration-option';
import { describeCalibration } from '../../engine/calibration/file';
import { recalibrateRunLog, runLogCritic } from '../../engine/calibration/recalibrate-entry';

export const RUN_REPORT_FORMATS = ['text', 'json', 'sarif', 'markdown', 'junit', 'html'] as const;
export type RunReportFormat = (typeof RUN_REPORT_FORMATS)[number];

const FORMAT_BY_EXTENSION: Record<string, RunReportFormat> = {
  '.html': 'html',
  '.htm': 'html',
  '.sarif': 'sarif',
  '.json': 'json',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.xml': 'junit',
  '.txt': 'text',
};

export const REPORT_OPTIONS: OptionSpec[] = [
  {
    name: 'format',
    short: 'f',
    type: 'string',
    valueName: 'FORMAT',
    choices: RUN_REPORT_FORMATS,
    defaultText: 'from the --out extension, else text',
    description: 'Report format',
  },
  { name: 'out', short: 'o', type: 'string', valueName: 'FILE', description: 'Write the report to FILE (atomically) instead of stdout' },
  { name: 'force', type: 'boolean', description: 'Let --out replace an existing file that is not a Step Critic report' },
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

/** HTML and JUnit reports of ours, recognised so that --out may replace an earlier one. */
async function isOurHtmlOrJunit(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(2048);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const text = head.toString('utf8', 0, bytesRead);
    return /<meta name="generator" content="stepcritic">/.test(text) || /<testsuites name="stepcritic"/.test(text);
  } finally {
    await handle.close();
  }
}

function render(
  format: RunReportFormat,
  report: Report,
  log: LoadedRunLog,
  options: { cwd: string; verbose: boolean; failOn: FailOn; title?: string; maxDetailed?: number; colour: boolean },
): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report, { baseUri: `${pathToFileURL(options.cwd).href}/`, verbose: options.verbose });
    case 'markdown':
      return renderMarkdown(report, { verbose: options.verbose });
    case 'junit':
      return renderJunit(report, { failOn: options.failOn === 'never' ? 'incorrect' : options.failOn });
    case 'html': {
      const triage = new Map<string, HtmlTriageNote>();
      for (const item of log.items) if (item.triage) triage.set(item.entry.uri, item.triage);
      return renderHtml(report, {
        triage,
        run: { id: log.header.runId, configHash: log.header.configHash, interrupted: log.end === undefined || log.end.interrupted, inputs: log.header.inputs },
        ...(options.title !== undefined ? { title: options.title } : {}),
        ...(options.maxDetailed !== undefined ? { maxDetailed: options.maxDetailed } : {}),
      });
    }
    case 'text':
      return renderText(report, { paint: options.colour ? painter(true) : noPaint, verbose: options.verbose });
  }
}

async function runReport(context: CliContext): Promise<number> {
  const args = parseCommandArgs('report', context.argv, REPORT_OPTIONS);
  if (args.positionals.length !== 1) {
    throw new UsageError(args.positionals.length === 0 ? 'give the run log to report on' : 'give exactly one run log', helpHint('report'));
  }
  const logPath = args.positionals[0]!;
  const out = stringValue(args, 'out');
  if (out !== undefined && out.trim() === '') throw new UsageError('--out needs a file name', helpHint('report'));
  const format: RunReportFormat =
    (stringValue(args, 'format') as RunReportFormat | undefined) ?? (out !== undefined ? FORMAT_BY_EXTENSION[extname(out).toLowerCase()] : undefined) ?? 'text';
  const failOn = (stringValue(args, 'fail-on') ?? 'never') as FailOn;
  const maxDetailed = integerValue('report', args, 'max-detailed', 1);

  let log: LoadedRunLog;
  try {
    log = await loadRunLog(logPath);
  } catch (error) {
    if (error instanceof RunLogError) throw new UsageError(error.message);
    throw error;
  }
  for (const problem of log.problems.slice(0, 5)) context.stderr.write(`stepcritic: ${logPath}: ${problem}; skipped\n`);
  if (log.problems.length > 5) context.stderr.write(`stepcritic: ${logPath}: ${log.problems.length - 5} more unreadable lines skipped\n`);
  if (log.end === undefined) {
    context.stderr.write(
      `stepcritic: the run in ${logPath} has not finished (still running, or stopped): reporting the ${log.items.length} items done so far\n`,
    );
  } else if (log.end.interrupted) {
    context.stderr.write(
      `stepcritic: the run in ${logPath} was interrupted (${log.end.reason ?? 'stopped'}): reporting the ${log.items.length} items done; 'stepcritic check … --run-log ${logPath} --resume' continues it\n`,
    );
  }

  if (out !== undefined) {
    const existing = await stat(out).catch(() => undefined);
    const replacingOurs = existing !== undefined && (await isOurHtmlOrJunit(out));
    if (!replacingOurs) await checkOutputTarget(out, [logPath], booleanValue(args, 'force') ?? false);
  }

  const calibration = readCliCalibration('report', args, runLogCritic(log), log.header.critic.note ?? 'no step has a P(True) from a critic');
  if (calibration) {
    const recalibrated = recalibrateRunLog(log, calibration);
    log = recalibrated.log;
    context.stderr.write(`stepcritic: ${recalibrated.recalibrated} entries judged again with P(True) ${describeCalibration(calibration.note)}\n`);
    for (const [reason, count] of recalibrated.kept) context.stderr.write(`stepcritic: ${count} kept as judged: ${reason}\n`);
  }

  const report = reportFromRunLog(log, { failOn });
  const rendered = render(format, report, log, {
    cwd: context.cwd,
    verbose: booleanValue(args, 'verbose') ?? false,
    failOn,
    ...(stringValue(args, 'title') !== undefined ? { title: stringValue(args, 'title')! } : {}),
    ...(maxDetailed !== undefined ? { maxDetailed } : {}),
    colour: out === undefined && (booleanValue(args, 'color') ?? colourEnabled(context.stdout, context.env)),
  });
  if (out !== undefined) {
    await writeFileAtomic(out, rendered);
    context.stderr.write(`stepcritic: wrote ${out} (${format}; ${renderTextSummary(report)[0] ?? `${report.files.length} entries`})\n`);
  } else {
    context.stdout.write(rendered);
  }
  if (report.files.some((f) => f.status === 'failed') && failOn !== 'never') return EXIT_USAGE;
  return report.files.some((f) => reachesFailOn(f, failOn)) ? EXIT_FINDINGS : EXIT_CLEAN;
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'Render a report (HTML, JUnit, SARIF, JSON, Markdown) from a run log, without re-running',
  help: () =>
    formatHelp({
      usage: 'stepcritic report [options] RUNLOG',
      description: [
        "Reads a run log written by 'stepcritic check --run-log RUNLOG' (one line per judged solution) and",
        'renders it as a report. Nothing is judged again and no endpoint is called. A log of a run that is',
        'still going or was interrupted gives a report of what is done so far.',
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
        ],
      },
    }),
  run: runReport,
};
