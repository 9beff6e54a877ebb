// `stepcritic check [paths…]`: find the solutions, judge each one, report like a compiler.
// Files are judged concurrently (bounded) and text findings are printed in path order as soon as
// they and everything before them are done. Bad files are reported with their reason, never fatal.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { streamDataset } from '../../engine/batch/dataset-stream';
import { recordToDocument } from '../../engine/datasets/records';
import { availableParallelism } from 'node:os';
import { CheckPool, type CheckedText } from '../../engine/deadline/check-pool';
import type { DiscoveredFile } from '../../engine/files/discover';
import { discoverFiles } from '../../engine/files/discover';
import { FOLDER_WALK_SUFFIX, SUPPORTED_EXTENSIONS } from '../../engine/files/kinds';
import { DEFAULT_MAX_FILE_BYTES, readTextFile } from '../../engine/files/read';
import { judgeSolution } from '../../engine/judge';
import type { EntryOrigin, FailOn } from '../../engine/report/build';
import { buildReport, judgedFileReport, reachesFailOn, unjudgedFileReport } from '../../engine/report/build';
import { renderJson } from '../../engine/report/json';
import { renderMarkdown } from '../../engine/report/markdown';
import { renderSarif } from '../../engine/report/sarif';
import type { FileReport, Report } from '../../engine/report/schema';
import { renderText, renderTextFile, renderTextSummary } from '../../engine/report/text';
import type { DocumentFormat } from '../../engine/types';
import { DocumentFormatSchema } from '../../engine/types';
import type { OptionSpec, ParsedArgs } from '../args';
import { booleanValue, formatHelp, integerValue, numberValue, parseCommandArgs, stringValue } from '../args';
import type { CliContext, Command } from '../command';
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_USAGE, UsageError } from '../command';
import { buildCheckDependencies } from '../deps';
import { findSiblingTests } from '../../engine/code/siblings';
import { LLM_ENDPOINT_OPTIONS, LLM_RUN_OPTIONS, LLM_SWITCH_OPTION } from './llm-options';
import { PRM_OPTIONS } from './prm-options';
import { CALIBRATION_OPTION } from './calibration-option';
import { checkOutputTarget, writeFileAtomic } from '../output-file';
import { forEachConcurrently } from '../pool';
import type { Progress } from '../progress';
import { noProgress, terminalProgress } from '../progress';
import { colourEnabled, noPaint, painter } from '../style';
import { TOOL_VERSION } from '../version';
import { BATCH_OPTIONS, readBatchSettings, runBatchCheck, wantsBatch } from './check-batch';
import { errorMessage } from '../../engine/error-message';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
const FAIL_ON = ['incorrect', 'uncertain', 'never'] as const;
const DATASET_FORMATS = DocumentFormatSchema.options.filter((f) => !['markdown', 'text', 'python', 'javascript', 'typescript'].includes(f));

/** A progress bar is worth drawing from this many entries on (or for any dataset). */
const PROGRESS_FROM_ENTRIES = 20;
const DEFAULT_JOBS = 8;
const DEFAULT_MAX_STEPS = 200;

// Other features add their flags here (and read them in ../deps.ts).
export const CHECK_OPTIONS: OptionSpec[] = [
  { name: 'format', short: 'f', type: 'string', valueName: 'FORMAT', choices: REPORT_FORMATS, defaultText: 'text', description: 'Report format' },
  { name: 'out', short: 'o', type: 'string', valueName: 'FILE', description: 'Write the report to FILE (atomically) instead of stdout' },
  { name: 'force', type: 'boolean', description: 'Let --out replace an existing file that is not a Step Critic report' },
  {
    name: 'fail-on',
    type: 'string',
    valueName: 'LEVEL',
    choices: FAIL_ON,
    defaultText: 'incorrect',
    description: 'Exit with status 1 when a finding reaches LEVEL',
  },
  {
    name: 'max-steps',
    type: 'string',
    valueName: 'N',
    defaultText: String(DEFAULT_MAX_STEPS),
    description: 'Judge at most N steps per solution (the rest is reported as truncated)',
  },
  {
    name: 'max-file-size',
    type: 'string',
    valueName: 'MB',
    defaultText: String(DEFAULT_MAX_FILE_BYTES / (1024 * 1024)),
    description: 'Skip solution files larger than this',
  },
  {
    name: 'dataset-format',
    type: 'string',
    valueName: 'NAME',
    choices: DATASET_FORMATS,
    description: 'Read every dataset record as this format (default: detected per record)',
  },
  { name: 'jobs', short: 'j', type: 'string', valueName: 'N', defaultText: String(DEFAULT_JOBS), description: 'Judge up to N solutions at once' },
  ...BATCH_OPTIONS,
  { name: 'verbose', short: 'v', type: 'boolean', description: 'List every step, not only the findings' },
  { name: 'quiet', short: 'q', type: 'boolean', description: 'Print only findings and failures: no summaries, notes or progress' },
  { name: 'color', type: 'boolean', negatable: true, description: 'Force colour on or off (default: on a terminal, unless NO_COLOR is set)' },
  {
    name: 'run-code',
    type: 'boolean',
    description: "Run code solutions' tests (doctests, asserts, sibling test files, dataset tests) in a sandbox: off by default",
  },
  LLM_SWITCH_OPTION,
  ...LLM_ENDPOINT_OPTIONS,
  ...LLM_RUN_OPTIONS,
  ...PRM_OPTIONS,
  CALIBRATION_OPTION,
];

export interface CheckSettings {
  paths: string[];
  format: ReportFormat;
  out?: string;
  force: boolean;
  failOn: FailOn;
  maxSteps: number;
  maxFileBytes: number;
  datasetFormat?: DocumentFormat;
  jobs: number;
  verbose: boolean;
  quiet: boolean;
  color?: boolean;
}

export function readCheckSettings(args: ParsedArgs): CheckSettings {
  const maxFileMb = numberValue('check', args, 'max-file-size', 0.0001, 1024);
  const out = stringValue(args, 'out');
  if (out !== undefined && out.trim() === '') throw new UsageError('--out needs a file name', "Run 'stepcritic check --help' for usage.");
  return {
    paths: args.positionals,
    format: (stringValue(args, 'format') ?? 'text') as ReportFormat,
    ...(out !== undefined ? { out } : {}),
    force: booleanValue(args, 'force') ?? false,
    failOn: (stringValue(args, 'fail-on') ?? 'incorrect') as FailOn,
    maxSteps: integerValue('check', args, 'max-steps', 1, 100_000) ?? DEFAULT_MAX_STEPS,
    maxFileBytes: maxFileMb !== undefined ? Math.round(maxFileMb * 1024 * 1024) : DEFAULT_MAX_FILE_BYTES,
    ...(stringValue(args, 'dataset-format') !== undefined ? { datasetFormat: stringValue(args, 'dataset-format') as DocumentFormat } : {}),
    jobs: integerValue('check', args, 'jobs', 1, 256) ?? DEFAULT_JOBS,
    verbose: booleanValue(args, 'verbose') ?? false,
    quiet: booleanValue(args, 'quiet') ?? false,
    ...(booleanValue(args, 'color') !== undefined ? { color: booleanValue(args, 'color') } : {}),
  };
}

/** One thing to judge: a solution file, a dataset record, or something already known to be unjudgeable. */
type Entry =
  | { origin: EntryOrigin; source: 'file'; file: DiscoveredFile }
  | { origin: EntryOrigin; source: 'record'; value: unknown }
  | { origin: EntryOrigin; source: 'unjudgeable'; status: 'skipped' | 'failed'; reason: string };

async function* entriesOf(files: readonly DiscoveredFile[], signal: AbortSignal): AsyncGenerator<Entry> {
  for (const file of files) {
    if (signal.aborted) return;
    const origin: EntryOrigin = { uri: file.display, path: file.display };
    if (file.kind.kind === 'unsupported') {
      const what = file.kind.extension ? `'${file.kind.extension}' files` : 'files without an extension';
      yield { origin, source: 'unjudgeable', status: 'skipped', reason: `not a solution file (${what} are not read; see --help)` };
      continue;
    }
    if (file.kind.kind === 'solution') {
      yield { origin, source: 'file', file };
      continue;
    }
    try {
      for await (const record of streamDataset(file.path, file.kind.container)) {
        if (signal.aborted) return;
        const recordOrigin: EntryOrigin = {
          uri: `${file.display}#${record.index}`,
          path: file.display,
          record: { index: record.index, ...(record.line !== undefined ? { line: record.line } : {}) },
        };
        yield record.ok
          ? { origin: recordOrigin, source: 'record', value: record.value }
          : { origin: recordOrigin, source: 'unjudgeable', status: 'failed', reason: record.error };
      }
    } catch (error) {
      yield { origin, source: 'unjudgeable', status: 'failed', reason: `cannot read the dataset: ${oneLine(error)}` };
    }
  }
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'Critique solution files and datasets step by step',
  help: () =>
    formatHelp({
      usage: 'stepcritic check [options] [paths...]',
      description: [
        'Reads each solution, checks every step (computations, identities, equation steps, function',
        'values, units and percentages are checked exactly; the LLM critic judges the reasoning when an',
        'endpoint is configured) and reports the verdicts, the first wrong step and P(True) per step.',
        '',
        'Paths are files, folders or globs (default: .). A folder is walked for *.solution.md files,',
        'honouring .gitignore and skipping node_modules and .git. Named files and glob matches may also be',
        'Markdown (.md), plain text (.txt), code (.py .js .ts) or datasets (.jsonl .json: one solution per',
        'record, reported as file.jsonl#N). Quote globs so that the shell does not expand them.',
      ].join('\n'),
      options: CHECK_OPTIONS,
      sections: {
        'Exit status': [
          '0  nothing reached --fail-on',
          '1  a finding reached --fail-on (incorrect: a wrong step or solution; uncertain: also',
          '   uncertain steps and steps that could not be judged)',
          '2  usage error (bad flag, missing path), or a file or record that could not be read or parsed',
          '130  interrupted',
        ],
        Environment: [
          'STEPCRITIC_BASE_URL, STEPCRITIC_MODEL, STEPCRITIC_API_KEY (or OPENAI_API_KEY)  the LLM critic endpoint',
          'STEPCRITIC_PRM_BASE_URL, STEPCRITIC_PRM_MODEL, STEPCRITIC_PRM_API_KEY  the PRM critic (--critic prm)',
          'NO_COLOR, FORCE_COLOR  colour of the text report',
        ],
        Examples: [
          'stepcritic check examples',
          "stepcritic check 'solutions/**/*.md' --format sarif --out report.sarif",
          'stepcritic check ../shared/data/gsm8k/test.jsonl --fail-on never --format json',
        ],
      },
    }),
  run: runCheck,
};

async function runCheck(context: CliContext): Promise<number> {
  const args = parseCommandArgs('check', context.argv, CHECK_OPTIONS);
  const settings = readCheckSettings(args);
  const batchSettings = wantsBatch(args) ? readBatchSettings(args) : undefined;
  const started = performance.now();

  const discovery = await discoverFiles(settings.paths, context.cwd);
  if (discovery.problems.length > 0) {
    for (const problem of discovery.problems) context.stderr.write(`stepcritic: ${problem}\n`);
    return EXIT_USAGE;
  }
  if (discovery.files.length === 0) {
    throw new UsageError(
      `no solution files found in ${settings.paths.length > 0 ? settings.paths.join(', ') : '.'}`,
      `A folder walk picks *${FOLDER_WALK_SUFFIX} files; name other files (${SUPPORTED_EXTENSIONS.join(' ')}) or use a quoted glob.`,
    );
  }
  if (settings.out !== undefined) {
    await checkOutputTarget(
      settings.out,
      discovery.files.map((f) => f.path),
      settings.force,
    );
  }

  const dependencies = await buildCheckDependencies({ args, env: context.env, cwd: context.cwd });
  // A worker per core (and a spare), at most one per solution judged at once: reading and verifying is
  // CPU work, and each worker costs a start-up; a text stuck at its deadline holds up only its own worker.
  const checks = new CheckPool({ maxWorkers: Math.min(settings.jobs, availableParallelism()) + 1 });
  try {
    if (dependencies.notice && !settings.quiet) context.stderr.write(`stepcritic: ${dependencies.notice}\n`);
    // --run-log, --resume, --triage, --concurrency: the engine's batch runner (streamed, logged, resumable).
    if (batchSettings) return await runBatchCheck(context, { ...settings, files: discovery.files }, batchSettings, dependencies);

    const streamText = settings.format === 'text' && settings.out === undefined;
    const paint = painter(settings.color ?? colourEnabled(context.stdout, context.env));
    const wantsProgress =
      !settings.quiet &&
      context.stderr.isTTY === true &&
      (discovery.files.length >= PROGRESS_FROM_ENTRIES || discovery.files.some((f) => f.kind.kind === 'dataset'));
    const progress: Progress = wantsProgress ? terminalProgress(context.stderr) : noProgress;
    const knownTotal = discovery.files.every((f) => f.kind.kind !== 'dataset') ? discovery.files.length : undefined;

    const reports: FileReport[] = [];
    const waiting = new Map<number, FileReport>();
    let printed = 0;
    let done = 0;
    let incorrect = 0;
    const emit = (sequence: number, report: FileReport) => {
      waiting.set(sequence, report);
      done++;
      if (report.verdict === 'incorrect') incorrect++;
      while (waiting.has(printed)) {
        const next = waiting.get(printed)!;
        waiting.delete(printed);
        reports.push(next);
        printed++;
        if (streamText) {
          const lines = renderTextFile(next, { paint, verbose: settings.verbose, quiet: settings.quiet });
          if (lines.length > 0) {
            progress.clear();
            context.stdout.write(`${lines.join('\n')}\n`);
          }
        }
      }
      progress.update(done, knownTotal, incorrect > 0 ? `${incorrect} incorrect` : '');
    };

    try {
      await forEachConcurrently(
        entriesOf(discovery.files, context.signal),
        settings.jobs,
        async (entry, sequence) => emit(sequence, await judgeEntry(entry, settings, dependencies.deps, checks, context.signal)),
        context.signal,
      );
    } catch (error) {
      // An aborted judge throws; anything else is a bug that must not pass as a clean run.
      if (!context.signal.aborted) throw error;
    }
    progress.finish();

    if (context.signal.aborted) {
      context.stderr.write(`stepcritic: interrupted after ${done} ${done === 1 ? 'solution' : 'solutions'}; no report written\n`);
      return EXIT_INTERRUPTED;
    }

    const report = buildReport(reports, {
      toolVersion: TOOL_VERSION,
      critic: dependencies.critic,
      ...(dependencies.promptVersion !== undefined ? { promptVersion: dependencies.promptVersion } : {}),
      failOn: settings.failOn,
      durationMs: performance.now() - started,
    });

    if (streamText) {
      if (!settings.quiet) context.stdout.write(`${renderTextSummary(report, { paint }).join('\n')}\n`);
    } else {
      const rendered = render(report, settings, context.cwd);
      if (settings.out !== undefined) {
        await writeFileAtomic(settings.out, rendered);
        if (!settings.quiet) context.stderr.write(`stepcritic: wrote ${settings.out} (${renderTextSummary(report)[0]})\n`);
      } else {
        context.stdout.write(rendered);
      }
    }
    return exitStatus(report, settings.failOn);
  } finally {
    await checks.close();
    await dependencies.close();
  }
}

function render(report: Report, settings: CheckSettings, cwd: string): string {
  switch (settings.format) {
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report, { baseUri: `${pathToFileURL(cwd).href}/`, verbose: settings.verbose });
    case 'markdown':
      return renderMarkdown(report, { verbose: settings.verbose });
    case 'text':
      // A file keeps its summary even with --quiet: it is how a later run knows the file is a report.
      return renderText(report, { paint: noPaint, verbose: settings.verbose });
  }
}

/** Findings first, then input errors: a run with both still says the input needs attention (2). */
export function exitStatus(report: Report, failOn: FailOn): number {
  if (report.files.some((f) => f.status === 'failed')) return EXIT_USAGE;
  if (report.files.some((f) => reachesFailOn(f, failOn))) return EXIT_FINDINGS;
  return EXIT_CLEAN;
}

async function judgeEntry(
  entry: Entry,
  settings: CheckSettings,
  deps: Parameters<typeof judgeSolution>[1],
  checks: CheckPool,
  signal: AbortSignal,
): Promise<FileReport> {
  const started = performance.now();
  if (entry.source === 'unjudgeable') return unjudgedFileReport(entry.origin, entry.status, entry.reason);

  let document;
  // Read and verified in the check worker, under a deadline: one hostile file cannot stall the run.
  let checked: CheckedText;
  if (entry.source === 'file') {
    const read = await readTextFile(entry.file.path, settings.maxFileBytes);
    if (!read.ok) return unjudgedFileReport(entry.origin, read.status, read.reason);
    checked = await checks.check({ uri: entry.origin.uri, text: read.text, maxSteps: settings.maxSteps }, { signal });
    if (checked.unreadable !== undefined)
      return unjudgedFileReport(entry.origin, 'failed', `cannot parse: ${withoutUri(checked.unreadable.split('\n')[0]!, entry.origin.uri)}`);
    if (checked.notCheckable && checked.document.steps.length === 0) return unjudgedFileReport(entry.origin, 'failed', checked.notCheckable);
    document = checked.document;
    if (document.kind === 'code') document = { ...document, tests: [...(document.tests ?? []), ...(await findSiblingTests(entry.file.path))] };
  } else {
    try {
      document = recordToDocument(entry.value, {
        uri: entry.origin.uri,
        ...(settings.datasetFormat ? { format: settings.datasetFormat } : {}),
      });
    } catch (error) {
      return unjudgedFileReport(entry.origin, 'failed', `not a solution record: ${withoutUri(oneLine(error), entry.origin.uri)}`);
    }
    if (document.steps.length > settings.maxSteps) {
      document = {
        ...document,
        steps: document.steps.slice(0, settings.maxSteps),
        warnings: [...document.warnings, `Only the first ${settings.maxSteps} of ${document.steps.length} steps were judged (--max-steps).`],
      };
    }
    checked = await checks.check({ document }, { signal });
  }

  try {
    const judgement = await judgeSolution(document, deps, { signal, checked });
    return judgedFileReport(entry.origin, document, judgement, performance.now() - started);
  } catch (error) {
    if (signal.aborted) throw error;
    return unjudgedFileReport(entry.origin, 'failed', `could not judge: ${oneLine(error)}`, { format: document.format, kind: document.kind });
  }
}

/** The entry's name is already on the line: don't repeat it when an error message starts with it. */
function withoutUri(message: string, uri: string): string {
  return message.startsWith(`${uri}: `) ? message.slice(uri.length + 2) : message;
}

/** An error as one line: zod's first issue, or the first line of the message. */
function oneLine(error: unknown): string {
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    if (issue) return `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
  }
  const message = errorMessage(error);
  const first = message.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  return first.trim().slice(0, 300);
}
