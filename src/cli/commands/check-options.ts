// The flags of `stepcritic check` and what they mean once read: which inputs, how documents are built,
// where the report goes, and the batch side (run log, resume, triage, concurrency, the estimate).
import { DEFAULT_TRIAGE_THRESHOLD } from '../../engine/batch/triage';
import type { Prices } from '../../engine/batch/estimate';
import { parsePrices } from '../../engine/batch/estimate';
import { DEFAULT_MAX_STEPS } from '../../engine/documents/build';
import { DEFAULT_MAX_FILE_BYTES } from '../../engine/files/read';
import type { BatchLimits } from '../../engine/batch/batch-files';
import { OPENAI_BATCH_LIMITS } from '../../engine/batch/batch-files';
import type { FailOn } from '../../engine/report/build';
import type { DocumentFormat } from '../../engine/types';
import { DocumentFormatSchema } from '../../engine/types';
import type { OptionSpec, ParsedArgs } from '../args';
import { booleanValue, helpHint, integerValue, numberValue, stringValue } from '../args';
import { UsageError } from '../command';
import type { ReportOutput } from '../output-file';
import { readReportOutput, REPORT_OUTPUT_OPTIONS } from '../output-file';
import { LLM_ENDPOINT_OPTIONS, LLM_RUN_OPTIONS, LLM_SWITCH_OPTION } from './llm-options';
import { PRM_OPTIONS } from './prm-options';
import { CALIBRATION_OPTION } from './calibration-option';
import type { Shard } from '../../engine/pipeline/shard';
import { readShard, shardOption } from './shard-option';
import { RUBRIC_OPTION } from './rubric-option';

const FAIL_ON = ['incorrect', 'uncertain', 'never'] as const;
const DATASET_FORMATS = DocumentFormatSchema.options.filter((f) => !['markdown', 'text', 'python', 'javascript', 'typescript'].includes(f));
const DEFAULT_JOBS = 8;

const BATCH_OPTIONS: OptionSpec[] = [
  {
    name: 'run-log',
    type: 'string',
    valueName: 'FILE',
    description: 'Append one JSON line per finished solution to FILE as the run goes (Ctrl-C or a crash loses nothing); `stepcritic report FILE` renders it',
  },
  { name: 'resume', type: 'boolean', description: 'Continue the run in --run-log: skip the solutions already in it (same name and content)' },
  {
    name: 'retry-errors',
    type: 'boolean',
    description: 'With --resume: judge again the solutions that failed or could not be judged (a step, or a rubric item)',
  },
  shardOption('`stepcritic report` merges their run logs'),
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

const DEFAULT_BATCH_POLL_SECONDS = 10;

/** `--batch-api` and its limits, for `check` and `eval`. */
export const BATCH_API_OPTIONS: OptionSpec[] = [
  {
    name: 'batch-api',
    type: 'boolean',
    description:
      "Send the critic's requests through the endpoint's batch API (/v1/files, /v1/batches: OpenAI, Azure OpenAI) at the batch price; needs --run-log, where the batch ids are kept so that --resume re-attaches",
  },
  {
    name: 'batch-max-requests',
    type: 'string',
    valueName: 'N',
    defaultText: String(OPENAI_BATCH_LIMITS.maxRequests),
    description: '--batch-api: requests per batch file (the provider limit)',
  },
  {
    name: 'batch-max-mb',
    type: 'string',
    valueName: 'MB',
    defaultText: String(OPENAI_BATCH_LIMITS.maxBytes / (1024 * 1024)),
    description: '--batch-api: size of a batch file (the provider limit)',
  },
  {
    name: 'batch-poll',
    type: 'string',
    valueName: 'SECONDS',
    defaultText: String(DEFAULT_BATCH_POLL_SECONDS),
    description: '--batch-api: first wait between two status polls (it grows by half each time, up to 5 minutes)',
  },
];

export interface BatchApiSettings {
  limits: BatchLimits;
  pollMs: number;
}

/** `--batch-api` and its limits, or undefined without it. */
export function readBatchApi(command: string, args: ParsedArgs, runLog: string | undefined): BatchApiSettings | undefined {
  const maxRequests = integerValue(command, args, 'batch-max-requests', 1, 10_000_000);
  const maxMb = numberValue(command, args, 'batch-max-mb', 0.001, 100_000);
  const poll = numberValue(command, args, 'batch-poll', 0.001, 3600);
  if (booleanValue(args, 'batch-api') !== true) {
    if (maxRequests !== undefined || maxMb !== undefined || poll !== undefined)
      throw new UsageError('--batch-max-requests, --batch-max-mb and --batch-poll go with --batch-api', helpHint(command));
    return undefined;
  }
  if (runLog === undefined)
    throw new UsageError(
      '--batch-api needs --run-log FILE: the batch ids are kept there, so that --resume re-attaches to a batch in flight',
      helpHint(command),
    );
  if (stringValue(args, 'triage') === 'answer')
    throw new UsageError('--triage answer needs a reply before the step critique: it cannot go in a batch', helpHint(command));
  return {
    limits: {
      maxRequests: maxRequests ?? OPENAI_BATCH_LIMITS.maxRequests,
      maxBytes: maxMb !== undefined ? Math.round(maxMb * 1024 * 1024) : OPENAI_BATCH_LIMITS.maxBytes,
    },
    pollMs: Math.round((poll ?? DEFAULT_BATCH_POLL_SECONDS) * 1000),
  };
}

// Other features add their flags here (and read them in ../deps.ts).
export const CHECK_OPTIONS: OptionSpec[] = [
  ...REPORT_OUTPUT_OPTIONS,
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
    description: 'Skip solution files, and dataset records, larger than this',
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
  ...BATCH_API_OPTIONS,
  { name: 'title', type: 'string', valueName: 'TEXT', description: 'Title of the HTML report' },
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
  RUBRIC_OPTION,
];

export interface CheckSettings extends ReportOutput {
  paths: string[];
  failOn: FailOn;
  maxSteps: number;
  maxFileBytes: number;
  datasetFormat?: DocumentFormat;
  jobs: number;
  title?: string;
  verbose: boolean;
  quiet: boolean;
  color?: boolean;
  runLog?: string;
  resume: boolean;
  retryErrors: boolean;
  /** `--shard I/N`: only the solutions of this shard. */
  shard?: Shard;
  triage?: 'verifiers' | 'answer';
  triageThreshold: number;
  concurrency?: number;
  yes: boolean;
  prices?: Prices;
  /** `--batch-api`: the critic's requests go through the endpoint's batch API (judged afresh: no cache). */
  batchApi?: BatchApiSettings;
}

export function readCheckSettings(args: ParsedArgs): CheckSettings {
  const maxFileMb = numberValue('check', args, 'max-file-size', 0.0001, 1024);
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
  const datasetFormat = stringValue(args, 'dataset-format') as DocumentFormat | undefined;
  const concurrency = integerValue('check', args, 'concurrency', 1, 1024);
  const triage = stringValue(args, 'triage') as CheckSettings['triage'];
  const title = stringValue(args, 'title');
  const color = booleanValue(args, 'color');
  const shard = readShard('check', args);
  const batchApi = readBatchApi('check', args, runLog);
  return {
    paths: args.positionals,
    ...readReportOutput('check', args),
    failOn: (stringValue(args, 'fail-on') ?? 'incorrect') as FailOn,
    maxSteps: integerValue('check', args, 'max-steps', 1, 100_000) ?? DEFAULT_MAX_STEPS,
    maxFileBytes: maxFileMb !== undefined ? Math.round(maxFileMb * 1024 * 1024) : DEFAULT_MAX_FILE_BYTES,
    ...(datasetFormat !== undefined ? { datasetFormat } : {}),
    jobs: integerValue('check', args, 'jobs', 1, 256) ?? DEFAULT_JOBS,
    ...(title !== undefined ? { title } : {}),
    verbose: booleanValue(args, 'verbose') ?? false,
    quiet: booleanValue(args, 'quiet') ?? false,
    ...(color !== undefined ? { color } : {}),
    ...(runLog !== undefined ? { runLog } : {}),
    resume,
    retryErrors,
    ...(shard ? { shard } : {}),
    ...(triage !== undefined ? { triage } : {}),
    triageThreshold: numberValue('check', args, 'triage-threshold', 0, 1) ?? DEFAULT_TRIAGE_THRESHOLD,
    ...(concurrency !== undefined ? { concurrency } : {}),
    yes: booleanValue(args, 'yes') ?? false,
    ...(prices ? { prices } : {}),
    ...(batchApi ? { batchApi } : {}),
  };
}
