// `stepcritic check [paths…]`: find the solutions, send them through the judging pipeline, report like a
// compiler. One road whatever the flags: the pipeline judges (concurrently, bounded), and its entries
// arrive in input order — printed as text as they come, written to a report (any format, streamed to a
// spool, never held in memory), appended to the run log. Bad files are reported with their reason,
// never fatal; a path that does not exist among others is a failed entry and the others are checked.
import { performance } from 'node:perf_hooks';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAnswerScreen } from '../../engine/batch/answer-screen';
import { readRunLog, runLogMeta } from '../../engine/batch/run-log-reader';
import type { RunLogWriter } from '../../engine/batch/run-log';
import { createStoredResultCache, resultCacheKey } from '../../engine/batch/result-cache';
import type { TriageOptions } from '../../engine/batch/triage';
import type { DiscoveredFile, MissingInput } from '../../engine/files/discover';
import { describeMissing, discoverFiles, displayPath, walkForDatasets } from '../../engine/files/discover';
import { FOLDER_WALK_SUFFIX, SUPPORTED_EXTENSIONS } from '../../engine/files/kinds';
import { setGlobalLlmConcurrency } from '../../engine/llm/concurrency';
import type { PipelineItem } from '../../engine/pipeline/items';
import { readItems } from '../../engine/pipeline/items';
import { shardItems, shardScope } from '../../engine/pipeline/shard';
import type { PipelineOptions, PipelineResult } from '../../engine/pipeline/run';
import { describeStop, runPipeline } from '../../engine/pipeline/run';
import type { ReportMeta } from '../../engine/report/build';
import { reachesFailOn, SummaryCounter } from '../../engine/report/build';
import { rendererFor } from '../../engine/report/formats';
import type { FileReport } from '../../engine/report/schema';
import { ReportWriter } from '../../engine/report/stream';
import { findingsIn, renderTextFile, renderTextSummary } from '../../engine/report/text';
import { TOOL_VERSION } from '../../engine/version';
import type { ParsedArgs } from '../args';
import { formatHelp, helpHint, parseCommandArgs } from '../args';
import type { BatchResults } from '../../engine/batch/batch-files';
import type { ReplySource } from '../../engine/llm/batch-request';
import { SwitchedReplySource } from '../../engine/llm/batch-request';
import { batchApiResults, notDone } from './batch-api';
import type { CliContext, Command } from '../command';
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_USAGE, UsageError } from '../command';
import type { CheckDependencies } from '../deps';
import { buildCheckDependencies, warnIfNoCheckWorker } from '../deps';
import { checkOutputTarget, streamSink, writeReportOutput } from '../output-file';
import { noProgress, terminalProgress } from '../progress';
import { colourEnabled, noPaint, painter } from '../style';
import type { CheckSettings } from './check-options';
import { CHECK_OPTIONS, readCheckSettings } from './check-options';
import { prepareRun } from './check-prepare';

/** A progress line is worth drawing from this many files on (or for any dataset). */
const PROGRESS_FROM_ENTRIES = 20;

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
        'record, reported as file.jsonl#N). Quote globs so that the shell does not expand them. Entries are',
        'reported in path order, records in file order, in every format.',
      ].join('\n'),
      options: CHECK_OPTIONS,
      sections: {
        'Exit status': [
          '0  nothing reached --fail-on',
          '1  a finding reached --fail-on (incorrect: a wrong step or solution; uncertain: also',
          '   uncertain steps and steps that could not be judged)',
          '2  usage error (bad flag, no path found at all), or a path, file or record that could not be',
          '   found, read or parsed (the others are still checked and reported)',
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
          'stepcritic check ../shared/data/gsm8k/test.jsonl --fail-on never --out report.html',
        ],
      },
    }),
  run: runCheck,
};

async function runCheck(context: CliContext): Promise<number> {
  const args = parseCommandArgs('check', context.argv, CHECK_OPTIONS);
  return checkWith(context, args, readCheckSettings(args));
}

/** The inputs in path order (missing paths among them, reported as failed), or the exit status when there are none. */
export async function findInputs(
  context: CliContext,
  settings: Pick<CheckSettings, 'paths'>,
): Promise<{ inputs: (DiscoveredFile | MissingInput)[] } | { exit: number }> {
  const discovery = await discoverFiles(settings.paths, context.cwd);
  if (discovery.files.length === 0) {
    if (discovery.problems.length > 0) {
      for (const problem of discovery.problems) context.stderr.write(`stepcritic: ${describeMissing(problem)}\n`);
      return { exit: EXIT_USAGE };
    }
    const folders = settings.paths.length > 0 ? settings.paths : ['.'];
    throw new UsageError(
      `no solution files found in ${folders.join(', ')}`,
      (await datasetHint(context.cwd, folders)) ??
        `A folder walk picks *${FOLDER_WALK_SUFFIX} files; name other files (${SUPPORTED_EXTENSIONS.join(' ')}) or use a quoted glob.`,
    );
  }
  // Missing paths take their place among the files: reported as failed, in path order.
  const inputs = [...discovery.files, ...discovery.problems].sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
  return { inputs };
}

/** A hint naming the dataset files in folders that hold no solution files: a user who meant them names them. */
async function datasetHint(cwd: string, folders: readonly string[]): Promise<string | undefined> {
  const found: string[] = [];
  for (const folder of folders) {
    const absolute = resolve(cwd, folder);
    if ((await stat(absolute).catch(() => undefined))?.isDirectory()) found.push(...(await walkForDatasets(absolute)));
  }
  if (found.length === 0) return undefined;
  const quoteForShell = (word: string) => (/^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);
  const shown = found.slice(0, 3).map((path) => quoteForShell(displayPath(path, cwd)));
  const files = found.length === 1 ? 'is a dataset file' : `are ${found.length} dataset files`;
  return `A folder walk picks *${FOLDER_WALK_SUFFIX} files. There ${files} there; to check ${found.length === 1 ? 'it' : 'them'}: stepcritic check ${shown.join(' ')}${found.length > 3 ? ' …' : ''}`;
}

/** The solutions of the inputs as the pipeline takes them (one item per file or record, of the shard). */
export function checkItems(context: CliContext, settings: CheckSettings, inputs: readonly (DiscoveredFile | MissingInput)[]): AsyncIterable<PipelineItem> {
  return shardItems(
    readItems(inputs, {
      cwd: context.cwd,
      maxFileBytes: settings.maxFileBytes,
      signal: context.signal,
      ...(settings.datasetFormat ? { format: settings.datasetFormat } : {}),
    }),
    settings.shard,
  );
}

/**
 * `check` once its flags are read. `batch import` comes here too, with `replies`: the critic takes its
 * replies from the batch's results instead of sending requests, and everything else is this road.
 */
export async function checkWith(context: CliContext, args: ParsedArgs, settings: CheckSettings, replies?: ReplySource): Promise<number> {
  const found = await findInputs(context, settings);
  if ('exit' in found) return found.exit;
  const { inputs } = found;
  const paths = inputs.flatMap((i) => ('missing' in i ? [] : [i.path]));
  if (settings.out !== undefined) await checkOutputTarget(settings.out, paths, settings.force);
  if (settings.runLog !== undefined && paths.includes(resolve(context.cwd, settings.runLog))) {
    throw new UsageError(`--run-log ${settings.runLog} is one of the files being checked; choose another file`);
  }
  // --batch-api: the critic's replies come from the batches, once they have run (batch-api.ts).
  const batched = settings.batchApi && !replies ? new SwitchedReplySource() : undefined;
  const dependencies = await buildCheckDependencies({
    args,
    env: context.env,
    cwd: context.cwd,
    ...(settings.quiet ? {} : { report: (line: string) => context.stderr.write(`stepcritic: ${line}\n`) }),
    ...((replies ?? batched) ? { replies: replies ?? batched } : {}),
  });
  try {
    if (replies && !dependencies.llm) {
      throw new UsageError('a batch import needs the LLM critic: give it the model of the export (--model, and --provider or --base-url)', helpHint('batch'));
    }
    if (batched && !dependencies.llm)
      throw new UsageError('--batch-api needs the LLM critic: an endpoint and a model (--base-url, --model)', helpHint('check'));
    if (dependencies.notice && !settings.quiet) context.stderr.write(`stepcritic: ${dependencies.notice}\n`);
    warnIfNoCheckWorker(context);
    return await checkInputs(context, settings, dependencies, inputs, batched);
  } finally {
    await dependencies.close();
  }
}

async function checkInputs(
  context: CliContext,
  settings: CheckSettings,
  dependencies: CheckDependencies,
  inputs: readonly (DiscoveredFile | MissingInput)[],
  batched?: SwitchedReplySource,
): Promise<number> {
  const started = performance.now();
  const items = () => checkItems(context, settings, inputs);
  const llm = dependencies.llm;
  if (settings.triage && !llm && !settings.quiet) {
    context.stderr.write('stepcritic: --triage has nothing to save without the LLM critic: every solution gets the verifiers only\n');
  }
  if (settings.concurrency !== undefined) setGlobalLlmConcurrency(settings.concurrency);
  const prepared = await prepareRun(
    context,
    settings,
    dependencies,
    items,
    inputs.map((i) => i.display),
  );
  if (!prepared.ok) return prepared.exit;
  const { runLog, configHash } = prepared;
  let batchResults: BatchResults | undefined;
  if (batched && runLog && settings.batchApi) {
    const exportPass = () =>
      runPipeline(notDone(items(), runLog.done), {
        deps: dependencies.deps,
        document: { maxSteps: settings.maxSteps },
        concurrency: settings.jobs,
        signal: context.signal,
      });
    const ran = await batchApiResults(
      context,
      { batchApi: settings.batchApi, quiet: settings.quiet, resumeHint: `--resume with the run log ${settings.runLog} re-attaches to them` },
      llm!,
      runLog,
      batched,
      exportPass,
    );
    if ('exit' in ran) return ran.exit;
    batchResults = ran;
  }
  const hasDataset = inputs.some((i) => 'kind' in i && i.kind.kind === 'dataset');
  const fileCount = hasDataset || settings.shard ? null : inputs.length;

  const streamText = settings.format === 'text' && settings.out === undefined;
  const paint = painter(settings.color ?? colourEnabled(context.stdout, context.env));
  const showProgress = !settings.quiet && context.stderr.isTTY === true && (inputs.length >= PROGRESS_FROM_ENTRIES || hasDataset);
  const progress = showProgress ? terminalProgress(context.stderr) : noProgress;
  const stdout = streamSink(context.stdout);
  const thisRun = new RunTally();
  // A report document from this run's entries; with a run log it is made from the log at the end
  // (so that a resumed run's report covers every run that wrote to the log).
  const writer = !streamText && !runLog ? new ReportWriter(rendererFor(settings.format, renderOptions(settings, context, dependencies))) : undefined;

  let result: PipelineResult;
  try {
    result = await runPipeline(items(), {
      deps: dependencies.deps,
      document: { maxSteps: settings.maxSteps },
      concurrency: settings.concurrency ?? (llm ? Math.max(settings.jobs, llm.config.concurrency) : settings.jobs),
      ...judgeExtras(settings, dependencies, configHash),
      ...(runLog ? { runLog } : {}),
      total: prepared.total ?? fileCount,
      signal: context.signal,
      onProgress: (p) => progress.update(p),
      onEntry: async (entry) => {
        if (entry.kind === 'resumed') return;
        thisRun.add(entry.entry, settings.failOn);
        writer?.add(entry.entry, entry.triage ? { triage: entry.triage } : undefined);
        if (!streamText) return;
        const lines = renderTextFile(entry.entry, { paint, verbose: settings.verbose, quiet: settings.quiet });
        if (lines.length === 0) return;
        progress.clear();
        await stdout.write(`${lines.join('\n')}\n`);
      },
    });
  } catch (error) {
    writer?.discard();
    throw error;
  } finally {
    progress.finish();
    await batchResults?.close();
  }
  const durationMs = performance.now() - started;
  runLog?.close({
    interrupted: result.stopped !== undefined,
    ...(result.stopped ? { reason: describeStop(result.stopped) } : {}),
    durationMs,
    judgedThisRun: result.progress.finishedThisRun,
    usage: result.progress.usage,
  });
  const logNote = runLog ? `; the run log ${settings.runLog} has every finished solution, and --resume continues it` : '';
  if (result.stopped?.kind === 'cancelled') {
    writer?.discard();
    const n = result.progress.finishedThisRun;
    context.stderr.write(`stepcritic: interrupted after ${n} ${n === 1 ? 'solution' : 'solutions'}${logNote || '; no report written'}\n`);
    return EXIT_INTERRUPTED;
  }
  if (result.stopped) context.stderr.write(`stepcritic: stopped early: ${describeStop(result.stopped)}${logNote}\n`);

  const status = runLog ? await reportFromLog(context, settings, dependencies, runLog, streamText) : thisRun;
  if (writer) await writeReport(context, settings, writer, runMeta(settings, dependencies, durationMs), thisRun.findingSteps);
  if (streamText && !settings.quiet) {
    const lines = renderTextSummary(thisRun.counter.summary(durationMs), thisRun.findingSteps, { paint }, shardScope(settings.shard));
    if (result.progress.resumed > 0) lines.push(`${result.progress.resumed} already in the run log ${settings.runLog} (not judged again)`);
    await stdout.write(`${lines.join('\n')}\n`);
  }
  // The endpoint never answered: the run did not do what was asked, whatever the verdicts so far.
  return result.stopped?.kind === 'unreachable' ? EXIT_USAGE : status.exitCode();
}

function runMeta(settings: CheckSettings, dependencies: CheckDependencies, durationMs: number): ReportMeta {
  return {
    toolVersion: TOOL_VERSION,
    critic: dependencies.critic,
    ...(dependencies.promptVersion !== undefined ? { promptVersion: dependencies.promptVersion } : {}),
    failOn: settings.failOn,
    ...(settings.shard ? { shards: shardScope(settings.shard) } : {}),
    durationMs,
  };
}

/**
 * Triage, and the result cache: whole results of earlier runs (same tool, configuration and text) come
 * back without judging; only with a critic (verifiers alone cost less than the lookup), and --no-cache
 * turns it off.
 */
function judgeExtras(settings: CheckSettings, dependencies: CheckDependencies, configHash: string): Pick<PipelineOptions, 'triage' | 'resultCache'> {
  const llm = dependencies.llm;
  let triage: TriageOptions | undefined;
  if (settings.triage === 'verifiers') triage = { mode: 'verifiers' };
  else if (settings.triage === 'answer' && llm) triage = { mode: 'answer', threshold: settings.triageThreshold, screen: createAnswerScreen(llm) };
  if (!dependencies.deps.critic || !dependencies.cacheStore) return triage ? { triage } : {};
  return {
    ...(triage ? { triage } : {}),
    resultCache: {
      cache: createStoredResultCache(dependencies.cacheStore.table('results')),
      keyOf: (item: PipelineItem) => resultCacheKey({ toolVersion: TOOL_VERSION, configHash, id: item.id, contentHash: item.contentHash }),
    },
  };
}

/** With a run log: the report (if one is asked for) and the exit status cover every run in the log. */
async function reportFromLog(
  context: CliContext,
  settings: CheckSettings,
  dependencies: CheckDependencies,
  runLog: RunLogWriter,
  streamText: boolean,
): Promise<RunTally> {
  const log = await readRunLog(runLog.path);
  const tally = new RunTally();
  const options = renderOptions(settings, context, dependencies);
  const writer = streamText ? undefined : new ReportWriter(rendererFor(settings.format, { ...options, html: { ...options.html, run: log.run } }));
  for await (const item of log.items({ trusted: !writer })) {
    tally.add(item.entry, settings.failOn);
    writer?.add(item.entry, item.triage ? { triage: item.triage } : undefined);
  }
  if (writer) await writeReport(context, settings, writer, runLogMeta(log, settings.failOn), tally.findingSteps);
  return tally;
}

function renderOptions(settings: CheckSettings, context: CliContext, dependencies: CheckDependencies) {
  return {
    verbose: settings.verbose,
    paint: noPaint,
    baseUri: `${pathToFileURL(context.cwd).href}/`,
    ...(dependencies.promptVersion !== undefined ? { promptVersion: dependencies.promptVersion } : {}),
    failOn: settings.failOn,
    html: settings.title !== undefined ? { title: settings.title } : {},
  };
}

async function writeReport(context: CliContext, settings: CheckSettings, writer: ReportWriter, meta: ReportMeta, findings: number): Promise<void> {
  await writeReportOutput(writer, meta, settings.out, context.stdout);
  if (settings.out !== undefined && !settings.quiet)
    context.stderr.write(`stepcritic: wrote ${settings.out} (${renderTextSummary(writer.summary, findings)[0]})\n`);
}

/** What the exit status and the text summary need from the entries: totals, failures, findings. */
class RunTally {
  readonly counter = new SummaryCounter();
  private failed = false;
  private findings = false;
  findingSteps = 0;

  add(entry: FileReport, failOn: CheckSettings['failOn']): void {
    this.counter.add(entry);
    if (entry.status === 'failed') this.failed = true;
    if (reachesFailOn(entry, failOn)) this.findings = true;
    this.findingSteps += findingsIn(entry);
  }

  /** Findings first, then input errors: a run with both still says the input needs attention (2). */
  exitCode(): number {
    if (this.failed) return EXIT_USAGE;
    return this.findings ? EXIT_FINDINGS : EXIT_CLEAN;
  }
}
