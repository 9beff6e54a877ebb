// The batch side of `stepcritic check`: `--run-log` (one JSON line per finished solution, appended as
// the run goes), `--resume`, `--triage`, `--concurrency`, and the cost estimate before a large LLM run.
// The work itself is the engine's runBatch (src/engine/batch); this file only turns flags into its
// options and its progress and results into terminal output.
import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface as createLineReader } from 'node:readline';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { pathToFileURL } from 'node:url';
import { createAnswerScreen } from '../../engine/batch/answer-screen';
import { hashConfig } from '../../engine/batch/config-hash';
import { calibrationFingerprint } from '../../engine/calibration/file';
import { CONFIRM_ABOVE_TOKENS, describeEstimate, estimateRun, parsePrices } from '../../engine/batch/estimate';
import type { Prices } from '../../engine/batch/estimate';
import type { BatchItem } from '../../engine/batch/items';
import { readItems } from '../../engine/batch/items';
import { formatEta, formatProgressLine } from '../../engine/batch/progress';
import type { BatchProgress } from '../../engine/batch/progress';
import { reportFromRunLog } from '../../engine/batch/report-from-log';
import { runBatch } from '../../engine/batch/run';
import type { RunLogWriter } from '../../engine/batch/run-log';
import { loadRunLog, openRunLog, RunLogError } from '../../engine/batch/run-log';
import { createFileResultCache, resultCacheKey } from '../../engine/batch/result-cache';
import { defaultCacheDir } from '../../engine/cache/location';
import { itemToDocument } from '../../engine/batch/to-document';
import type { TriageOptions } from '../../engine/batch/triage';
import { DEFAULT_TRIAGE_THRESHOLD } from '../../engine/batch/triage';
import type { DiscoveredFile } from '../../engine/files/discover';
import { setGlobalLlmConcurrency } from '../../engine/llm/concurrency';
import { samplingSettings } from '../../engine/llm/config';
import type { LlmCritic } from '../../engine/llm/critic';
import type { FailOn } from '../../engine/report/build';
import { buildReport, reachesFailOn } from '../../engine/report/build';
import { renderJson } from '../../engine/report/json';
import type { FileReport } from '../../engine/report/schema';
import { renderMarkdown } from '../../engine/report/markdown';
import { renderSarif } from '../../engine/report/sarif';
import { renderText, renderTextFile } from '../../engine/report/text';
import type { OptionSpec, ParsedArgs } from '../args';
import { booleanValue, helpHint, integerValue, numberValue, stringValue } from '../args';
import type { CliContext } from '../command';
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_USAGE, UsageError } from '../command';
import type { CheckDependencies } from '../deps';
import { writeFileAtomic } from '../output-file';
import { colourEnabled, noPaint, painter } from '../style';
import { TOOL_VERSION } from '../version';

export const BATCH_OPTIONS: OptionSpec[] = [
  {
    name: 'run-log',
    type: 'string',
    valueName: 'FILE',
    description: 'Append one JSON line per finished solution to FILE as the run goes (Ctrl-C or a crash loses nothing); `stepcritic report FILE` renders it',
  },
  { name: 'resume', type: 'boolean', description: 'Continue the run in --run-log: skip the solutions already in it (same name and content)' },
  { name: 'retry-errors', type: 'boolean', description: 'With --resume: judge again the solutions that failed or could not be judged' },
  {
    name: 'triage',
    type: 'string',
    valueName: 'MODE',
    choices: ['verifiers', 'answer'],
    description: 'A cheap first pass (verifiers only, or one short answer-level P(True) call); the full step critique only for what it does not settle',
  },
  {
    name: 'triage-threshold',
    type: 'string',
    valueName: 'P',
    defaultText: String(DEFAULT_TRIAGE_THRESHOLD),
    description: '--triage answer: settle a solution whose answer P(True) is at least P',
  },
  {
    name: 'concurrency',
    type: 'string',
    valueName: 'N',
    description: 'LLM requests (and solutions) in flight at once [default: the critic configuration, else --jobs]',
  },
  { name: 'yes', short: 'y', type: 'boolean', description: 'Start a large LLM run without asking (the estimate is still printed)' },
  { name: 'price', type: 'string', valueName: 'IN/OUT', description: 'Dollars per million prompt/completion tokens, for the cost estimate (e.g. 2.5/10)' },
];

export interface BatchSettings {
  runLog?: string;
  resume: boolean;
  retryErrors: boolean;
  triage?: 'verifiers' | 'answer';
  triageThreshold: number;
  concurrency?: number;
  yes: boolean;
  prices?: Prices;
  /** The result cache: off with --no-cache; it lives in the critic's cache folder (--cache-dir). */
  useCache: boolean;
  cacheDir?: string;
}

/** Whether the run goes through the batch runner (any batch flag given). */
export function wantsBatch(args: ParsedArgs): boolean {
  return BATCH_OPTIONS.some((option) => args.values[option.name] !== undefined);
}

export function readBatchSettings(args: ParsedArgs): BatchSettings {
  const runLog = stringValue(args, 'run-log');
  if (runLog !== undefined && runLog.trim() === '') throw new UsageError('--run-log needs a file name', helpHint('check'));
  const resume = booleanValue(args, 'resume') ?? false;
  const retryErrors = booleanValue(args, 'retry-errors') ?? false;
  if (resume && runLog === undefined) throw new UsageError('--resume needs --run-log FILE (the log to continue)', helpHint('check'));
  if (retryErrors && !resume) throw new UsageError('--retry-errors goes with --resume', helpHint('check'));
  const price = stringValue(args, 'price');
  const prices = price !== undefined ? parsePrices(price) : undefined;
  if (price !== undefined && prices === undefined)
    throw new UsageError(`--price must be dollars per million tokens, IN/OUT or one number (got '${price}')`, helpHint('check'));
  const concurrency = integerValue('check', args, 'concurrency', 1, 1024);
  return {
    ...(runLog !== undefined ? { runLog } : {}),
    resume,
    retryErrors,
    ...(stringValue(args, 'triage') !== undefined ? { triage: stringValue(args, 'triage') as 'verifiers' | 'answer' } : {}),
    triageThreshold: numberValue('check', args, 'triage-threshold', 0, 1) ?? DEFAULT_TRIAGE_THRESHOLD,
    ...(concurrency !== undefined ? { concurrency } : {}),
    yes: booleanValue(args, 'yes') ?? false,
    ...(prices ? { prices } : {}),
    useCache: booleanValue(args, 'cache') !== false,
    ...(stringValue(args, 'cache-dir') !== undefined ? { cacheDir: stringValue(args, 'cache-dir')! } : {}),
  };
}

/** What `check` has decided before the batch starts. */
export interface BatchCheckInput {
  files: readonly DiscoveredFile[];
  format: 'text' | 'json' | 'sarif' | 'markdown';
  out?: string;
  failOn: FailOn;
  maxSteps: number;
  maxFileBytes: number;
  datasetFormat?: BatchItem['format'];
  jobs: number;
  verbose: boolean;
  quiet: boolean;
  color?: boolean;
}

function llmCriticOf(dependencies: CheckDependencies): LlmCritic | undefined {
  const critic = dependencies.deps.critic;
  return critic && 'config' in critic && 'client' in critic ? (critic as LlmCritic) : undefined;
}

/** Everything that decides a verdict; a resumed run must match it. */
function runConfig(input: BatchCheckInput, batch: BatchSettings, dependencies: CheckDependencies): Record<string, unknown> {
  const llm = llmCriticOf(dependencies);
  return {
    critic: dependencies.critic.enabled
      ? {
          model: llm?.config.model ?? dependencies.critic.model,
          baseUrl: llm?.config.baseUrl,
          sampling: llm ? samplingSettings(llm.config) : undefined,
          finalAnswerCheck: llm?.config.finalAnswerCheck,
        }
      : 'off',
    promptVersion: dependencies.promptVersion,
    calibration: calibrationFingerprint(dependencies.deps.calibration),
    runCode: dependencies.deps.codeChecker !== undefined,
    triage: batch.triage ? { mode: batch.triage, ...(batch.triage === 'answer' ? { threshold: batch.triageThreshold } : {}) } : 'off',
    maxSteps: input.maxSteps,
    datasetFormat: input.datasetFormat,
  };
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function progressPrinter(context: CliContext, enabled: boolean) {
  let last = 0;
  let shown = false;
  let latest: BatchProgress | undefined;
  const draw = () => {
    if (!latest) return;
    const columns = context.stderr.columns ?? 100;
    context.stderr.write(`\r${formatProgressLine(latest).slice(0, columns - 1)}\x1b[K`);
    shown = true;
  };
  const timer = enabled ? setInterval(draw, 1000) : undefined;
  timer?.unref();
  return {
    update(progress: BatchProgress) {
      latest = progress;
      if (!enabled) return;
      const now = performance.now();
      if (now - last < 100 && progress.done !== progress.total) return;
      last = now;
      draw();
    },
    clear() {
      if (shown) context.stderr.write('\r\x1b[K');
      shown = false;
    },
    finish() {
      if (timer) clearInterval(timer);
      this.clear();
    },
  };
}

/**
 * Exit status over the whole log (this run and the resumed ones), read as a stream. Only the fields the
 * status needs are looked at: the log was written by this tool a moment ago.
 */
async function statusOfLog(path: string, failOn: FailOn): Promise<{ failed: boolean; findings: boolean; entries: number }> {
  const latest = new Map<string, { failed: boolean; findings: boolean }>();
  const lines = createLineReader({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const text of lines) {
    let line: { type?: unknown; id?: unknown; entry?: FileReport };
    try {
      line = JSON.parse(text) as typeof line;
    } catch {
      continue;
    }
    if (line.type !== 'item' || typeof line.id !== 'string' || !line.entry || !Array.isArray(line.entry.steps)) continue;
    latest.set(line.id, { failed: line.entry.status === 'failed', findings: reachesFailOn(line.entry, failOn) });
  }
  const values = [...latest.values()];
  return { failed: values.some((v) => v.failed), findings: values.some((v) => v.findings), entries: values.length };
}

function summaryLine(progress: BatchProgress, durationMs: number): string {
  const v = progress.verdicts;
  const counts = (['correct', 'incorrect', 'uncertain', 'error', 'unchecked'] as const)
    .filter((k) => v[k] > 0)
    .map((k) => `${v[k]} ${k === 'error' ? 'could not judge' : k}`);
  const extra = [progress.skipped > 0 ? `${progress.skipped} skipped` : '', progress.failed > 0 ? `${progress.failed} failed` : ''].filter(Boolean);
  const tokens = progress.usage.promptTokens + progress.usage.completionTokens;
  return (
    `${progress.finishedThisRun} ${progress.finishedThisRun === 1 ? 'solution' : 'solutions'} checked this run` +
    (counts.length > 0 ? ` (${counts.join(', ')})` : '') +
    (extra.length > 0 ? `, ${extra.join(', ')}` : '') +
    (progress.resumed > 0 ? `, ${progress.resumed} already in the run log` : '') +
    (progress.usage.requests > 0 ? `, ${progress.usage.requests} LLM requests, ${tokens.toLocaleString('en-US')} tokens` : '') +
    ` in ${formatEta(durationMs)}`
  );
}

export async function runBatchCheck(context: CliContext, input: BatchCheckInput, batch: BatchSettings, dependencies: CheckDependencies): Promise<number> {
  const started = performance.now();
  const llm = llmCriticOf(dependencies);
  const criticOn = dependencies.deps.critic !== undefined;
  if (batch.runLog !== undefined && input.files.some((f) => resolve(f.path) === resolve(context.cwd, batch.runLog!))) {
    throw new UsageError(`--run-log ${batch.runLog} is one of the files being checked; choose another file`);
  }
  if (batch.triage && !criticOn && !input.quiet) {
    context.stderr.write('stepcritic: --triage has nothing to save without the LLM critic: every solution gets the verifiers only\n');
  }
  if (batch.concurrency !== undefined) setGlobalLlmConcurrency(batch.concurrency);
  const concurrency = batch.concurrency ?? (llm ? Math.max(input.jobs, llm.config.concurrency) : input.jobs);

  const config = runConfig(input, batch, dependencies);
  const configHash = hashConfig(config);
  const items = () =>
    readItems(
      input.files.map((f) => f.path),
      { cwd: context.cwd, maxFileBytes: input.maxFileBytes, signal: context.signal, ...(input.datasetFormat ? { format: input.datasetFormat } : {}) },
    );
  const toDocument = (item: BatchItem) => itemToDocument(item, { maxSteps: input.maxSteps });

  let runLog: RunLogWriter | undefined;
  const openLog = async () => {
    if (batch.runLog === undefined) return undefined;
    try {
      return await openRunLog({
        path: resolve(context.cwd, batch.runLog),
        resume: batch.resume,
        retryErrors: batch.retryErrors,
        configHash,
        config,
        tool: { version: TOOL_VERSION, ...(dependencies.promptVersion !== undefined ? { protocolVersion: dependencies.promptVersion } : {}) },
        critic: dependencies.critic,
        inputs: input.files.map((f) => f.display),
      });
    } catch (error) {
      if (error instanceof RunLogError) throw new UsageError(error.message);
      throw error;
    }
  };
  // A resumed run needs the log's done items before the estimate; a new log is made only once the
  // run is sure to start, so that a declined estimate leaves nothing behind.
  if (batch.resume) runLog = await openLog();

  // The pre-pass: how many items (for the progress bar) and, with the LLM critic, what it may cost.
  const estimate = await estimateRun(items(), {
    done: runLog?.done,
    critic: criticOn,
    toDocument,
    ...(batch.prices ? { prices: batch.prices } : {}),
    signal: context.signal,
  });
  if (context.signal.aborted) {
    runLog?.close({
      interrupted: true,
      reason: 'cancelled before starting',
      durationMs: performance.now() - started,
      judgedThisRun: 0,
      usage: { requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: 0 },
    });
    return EXIT_INTERRUPTED;
  }
  if (criticOn && !input.quiet) {
    context.stderr.write(
      `stepcritic: ${describeEstimate(estimate, llm?.config.model ?? dependencies.critic.model)}${batch.triage ? ' (before triage)' : ''}\n`,
    );
    const limit = llm?.budget.limit ?? 0;
    if (limit > 0 && estimate.promptTokens + estimate.completionTokens > limit) {
      context.stderr.write(
        `stepcritic: the token budget of ${limit.toLocaleString('en-US')} will stop the run before the end; --resume with a larger --budget continues it\n`,
      );
    }
  }
  const large = estimate.promptTokens + estimate.completionTokens > CONFIRM_ABOVE_TOKENS;
  if (criticOn && large && !batch.yes && process.stdin.isTTY === true && context.stderr.isTTY === true) {
    if (!(await confirm('Start this run? [y/N] '))) {
      context.stderr.write('stepcritic: not started; nothing was judged (--yes skips this question)\n');
      runLog?.close({
        interrupted: true,
        reason: 'not started',
        durationMs: performance.now() - started,
        judgedThisRun: 0,
        usage: { requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: 0 },
      });
      return EXIT_CLEAN;
    }
  }
  if (!batch.resume) runLog = await openLog();

  let triage: TriageOptions | undefined;
  if (batch.triage === 'verifiers') triage = { mode: 'verifiers' };
  else if (batch.triage === 'answer' && llm) triage = { mode: 'answer', threshold: batch.triageThreshold, screen: createAnswerScreen(llm) };

  const streamText = input.format === 'text' && input.out === undefined;
  const paint = painter(input.color ?? colourEnabled(context.stdout, context.env));
  const progress = progressPrinter(context, !input.quiet && context.stderr.isTTY === true);
  // Text findings are printed in input order as soon as everything before them is done; only the
  // rendered lines wait, never the entries, so memory stays flat on a large dataset.
  const waiting = new Map<number, string[]>();
  let nextToPrint = 0;
  const flush = () => {
    while (waiting.has(nextToPrint)) {
      const lines = waiting.get(nextToPrint)!;
      waiting.delete(nextToPrint);
      nextToPrint += 1;
      if (lines.length > 0) {
        progress.clear();
        context.stdout.write(`${lines.join('\n')}\n`);
      }
    }
  };

  // Whole results of earlier runs (same tool, configuration and text) come back without judging;
  // --no-cache turns this off along with the critic's cache.
  const resultCache = batch.useCache
    ? {
        cache: createFileResultCache(resolve(context.cwd, batch.cacheDir ?? defaultCacheDir(context.env))),
        keyOf: (item: BatchItem) => resultCacheKey({ toolVersion: TOOL_VERSION, configHash, id: item.id, contentHash: item.contentHash }),
      }
    : undefined;

  // A report document without a run log to build it from: the entries are kept in memory.
  const collected: { sequence: number; entry: FileReport }[] | undefined = !streamText && !runLog ? [] : undefined;
  const result = await runBatch(items(), {
    concurrency,
    deps: dependencies.deps,
    toDocument,
    ...(triage ? { triage } : {}),
    ...(runLog ? { runLog } : {}),
    ...(resultCache ? { resultCache } : {}),
    total: estimate.items,
    signal: context.signal,
    onProgress: (p) => progress.update(p),
    onItem: (finished) => {
      collected?.push({ sequence: finished.sequence, entry: finished.entry });
      if (!streamText) return;
      waiting.set(finished.sequence, renderTextFile(finished.entry, { paint, verbose: input.verbose, quiet: input.quiet }));
      flush();
    },
    onResumed: (_item, sequence) => {
      if (!streamText) return;
      waiting.set(sequence, []);
      flush();
    },
  });
  progress.finish();
  const durationMs = performance.now() - started;
  runLog?.close({
    interrupted: result.interrupted,
    ...(result.reason ? { reason: result.reason } : {}),
    durationMs,
    judgedThisRun: result.progress.finishedThisRun,
    usage: result.progress.usage,
  });

  const logNote = runLog ? `; the run log ${batch.runLog} has every finished solution, and --resume continues it` : '';
  if (result.reason === 'cancelled') {
    context.stderr.write(
      `stepcritic: interrupted after ${result.progress.finishedThisRun} ${result.progress.finishedThisRun === 1 ? 'solution' : 'solutions'}${logNote}\n`,
    );
    return EXIT_INTERRUPTED;
  }
  if (result.interrupted) context.stderr.write(`stepcritic: stopped early: ${result.reason}${logNote}\n`);

  if (!streamText || input.out !== undefined) {
    // A report document needs every entry at once: from the run log, or from memory without one.
    const report = runLog
      ? reportFromRunLog(await loadRunLog(runLog.path), { failOn: input.failOn })
      : buildReport(
          collected!.sort((a, b) => a.sequence - b.sequence).map((c) => c.entry),
          {
            toolVersion: TOOL_VERSION,
            critic: dependencies.critic,
            ...(dependencies.promptVersion !== undefined ? { promptVersion: dependencies.promptVersion } : {}),
            failOn: input.failOn,
            durationMs,
          },
        );
    const rendered =
      input.format === 'json'
        ? renderJson(report)
        : input.format === 'sarif'
          ? renderSarif(report, { baseUri: `${pathToFileURL(context.cwd).href}/`, verbose: input.verbose })
          : input.format === 'markdown'
            ? renderMarkdown(report, { verbose: input.verbose })
            : renderText(report, { paint: noPaint, verbose: input.verbose });
    if (input.out !== undefined) await writeFileAtomic(input.out, rendered);
    else context.stdout.write(rendered);
  }
  if (!input.quiet) context.stderr.write(`stepcritic: ${summaryLine(result.progress, durationMs)}\n`);

  if (runLog) {
    const status = await statusOfLog(runLog.path, input.failOn);
    if (status.failed) return EXIT_USAGE;
    return status.findings ? EXIT_FINDINGS : EXIT_CLEAN;
  }
  if (result.progress.failed > 0) return EXIT_USAGE;
  const v = result.progress.verdicts;
  if (input.failOn === 'never') return EXIT_CLEAN;
  const findings = v.incorrect > 0 || (input.failOn === 'uncertain' && (v.uncertain > 0 || v.error > 0));
  return findings ? EXIT_FINDINGS : EXIT_CLEAN;
}
