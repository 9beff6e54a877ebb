// `stepcritic batch export|import`: the offline road for a vLLM cluster (or any runner of OpenAI batch
// files). Export sends the solutions through the judging pipeline with a critic whose every request is
// written to a request file instead of sent; `vllm run-batch` answers the file on the user's GPUs;
// import is `check` itself, with the critic's replies taken from the results file by custom_id. Both
// read the same flags as `check`, so that the same options ask the same requests.
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRequestFileWriter, openBatchResults } from '../../engine/batch/batch-files';
import { errorMessage } from '../../engine/error-message';
import { runPipeline } from '../../engine/pipeline/run';
import type { ParsedArgs } from '../args';
import { formatHelp, helpHint, parseCommandArgs } from '../args';
import type { CliContext, Command } from '../command';
import { EXIT_CLEAN, EXIT_INTERRUPTED, UsageError } from '../command';
import { buildCheckDependencies } from '../deps';
import { checkOutputTarget } from '../output-file';
import { noProgress, terminalProgress } from '../progress';
import { checkItems, checkWith, findInputs } from './check';
import type { CheckSettings } from './check-options';
import { CHECK_OPTIONS, readCheckSettings } from './check-options';

export const batchCommand: Command = {
  name: 'batch',
  summary: 'Write the critic requests as an OpenAI batch file (vllm run-batch), and read its results',
  help: () =>
    formatHelp({
      usage: 'stepcritic batch export [options] [paths...] --out requests.jsonl\n       stepcritic batch import [options] results.jsonl [paths...]',
      description: [
        'export: reads the solutions as `check` does, runs the verifiers, and writes every request the LLM',
        'critic would send as one line of the OpenAI batch input format ({"custom_id", "method", "url",',
        '"body"}) to --out. The custom_id names the solution and the step range (samples and the final',
        'answer check have their own). Run the file on your own GPUs:',
        '  vllm run-batch -i requests.jsonl -o results.jsonl --model MODEL',
        '',
        'import: judges the same solutions as `check` does, with the critic replies taken from',
        'results.jsonl (joined by custom_id, in any order): the same parsing, P(True), run log and',
        'reports. Without paths, the files the results name are read. Give import the same options as',
        'export (model, samples, rubric, ...): a reply is used only for the very request it answers. A',
        'request without a reply, or whose reply failed, is "could not judge" with the reason;',
        '--resume --retry-errors with a later results file judges those again.',
        '',
        'Options are those of `stepcritic check`; --out is the request file for export.',
      ].join('\n'),
      options: CHECK_OPTIONS,
      sections: {
        Examples: [
          'stepcritic batch export data.jsonl --provider vllm --model Qwen/Qwen2.5-7B-Instruct --out requests.jsonl',
          'vllm run-batch -i requests.jsonl -o results.jsonl --model Qwen/Qwen2.5-7B-Instruct',
          'stepcritic batch import results.jsonl data.jsonl --provider vllm --model Qwen/Qwen2.5-7B-Instruct --run-log run.jsonl --out report.html',
        ],
      },
    }),
  run: runBatch,
};

async function runBatch(context: CliContext): Promise<number> {
  const [action, ...argv] = context.argv;
  if (action !== 'export' && action !== 'import') {
    throw new UsageError(action === undefined ? 'say what to do: batch export or batch import' : `unknown batch action '${action}'`, helpHint('batch'));
  }
  const args = parseCommandArgs('batch', argv, CHECK_OPTIONS);
  // A batch is judged afresh: a cache hit would leave a request out of the file, or a reply unused.
  args.values.cache = false;
  const settings = readCheckSettings(args);
  if (settings.batchApi) throw new UsageError('--batch-api is for check: batch export and import are the offline road', helpHint('batch'));
  if (settings.triage === 'answer') throw new UsageError('--triage answer needs a reply before the step critique: it cannot go in a batch', helpHint('batch'));
  return action === 'export' ? exportRequests(context, args, settings) : importResults(context, args, settings);
}

async function exportRequests(context: CliContext, args: ParsedArgs, settings: CheckSettings): Promise<number> {
  if (settings.out === undefined) throw new UsageError('batch export needs --out FILE (the request file to write)', helpHint('batch'));
  if (settings.runLog !== undefined) throw new UsageError('batch export writes no run log: give --run-log to batch import', helpHint('batch'));
  const found = await findInputs(context, settings);
  if ('exit' in found) return found.exit;
  const out = resolve(context.cwd, settings.out);
  await checkOutputTarget(
    out,
    found.inputs.flatMap((i) => ('missing' in i ? [] : [i.path])),
    settings.force,
  );
  if (!settings.force && existsSync(out)) throw new UsageError(`--out ${settings.out}: the file exists`, 'An existing file is replaced only with --force.');
  // The file is made with the first request: a run refused below leaves nothing behind.
  const writer = createRequestFileWriter(out, { overwrite: settings.force });
  const dependencies = await buildCheckDependencies({ args, env: context.env, cwd: context.cwd, replies: writer });
  if (dependencies.llm === undefined) {
    throw new UsageError('batch export needs the LLM critic: name the model the requests are for (--model, and --provider or --base-url)', helpHint('batch'));
  }
  const model = dependencies.llm.config.model;
  const progress = !settings.quiet && context.stderr.isTTY === true ? terminalProgress(context.stderr) : noProgress;
  try {
    const result = await runPipeline(checkItems(context, settings, found.inputs), {
      deps: dependencies.deps,
      document: { maxSteps: settings.maxSteps },
      concurrency: settings.jobs,
      signal: context.signal,
      onProgress: (p) => progress.update(p),
    });
    progress.finish();
    if (result.stopped?.kind === 'cancelled') {
      context.stderr.write(`stepcritic: interrupted: ${settings.out} holds the requests of the solutions read so far; export again to write them all\n`);
      return EXIT_INTERRUPTED;
    }
    // No request at all (the verifiers settled everything): still the file asked for, empty.
    if (writer.files.length === 0) writeFileSync(out, '');
    const solutions = result.progress.done;
    const none = solutions - writer.solutions;
    const size = writer.bytes >= 1e6 ? `${(writer.bytes / 1e6).toFixed(1)} MB` : `${Math.ceil(writer.bytes / 1e3)} kB`;
    context.stderr.write(
      `stepcritic: wrote ${count(writer.requests, 'request')} for ${count(writer.solutions, 'solution')} to ${settings.out} (${size}, model ${model})` +
        `${none > 0 ? `; ${count(none, 'solution')} need no request (settled by the verifiers, or nothing to judge)` : ''}\n`,
    );
    return EXIT_CLEAN;
  } finally {
    progress.finish();
    writer.close();
    await dependencies.close();
  }
}

async function importResults(context: CliContext, args: ParsedArgs, settings: CheckSettings): Promise<number> {
  const [file, ...paths] = settings.paths;
  if (file === undefined) throw new UsageError('batch import needs the results file (what vllm run-batch -o wrote)', helpHint('batch'));
  let results;
  try {
    results = await openBatchResults([resolve(context.cwd, file)]);
  } catch (error) {
    throw new UsageError(`cannot read the results file ${file}: ${errorMessage(error)}`);
  }
  try {
    if (results.size === 0) throw new UsageError(`${file} holds no batch results (lines with a custom_id)`);
    // Without paths: the files the results name (a record's dataset once).
    const named = paths.length > 0 ? paths : [...results.sources()].sort();
    const status = await checkWith(context, args, { ...settings, paths: named }, results);
    const unused = results.unused();
    if (!settings.quiet && (unused > 0 || results.unreadable > 0)) {
      const notes = [
        unused > 0 ? `${count(unused, 'result')} answered no request of this run (other inputs, or other options than the export's?)` : '',
        results.unreadable > 0 ? `${count(results.unreadable, 'line')} of ${file} are not batch results` : '',
      ];
      context.stderr.write(`stepcritic: ${notes.filter(Boolean).join('; ')}\n`);
    }
    return status;
  } finally {
    await results.close();
  }
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
