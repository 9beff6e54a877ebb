// The JSON report of a `stepcritic check` run, defined once: the JSON output, the SARIF/Markdown/text
// renderers, the run log and `stepcritic report` all read and write this shape. Bump
// REPORT_SCHEMA_VERSION on any change a reader would notice (a field removed, renamed or re-typed);
// adding an optional field is not such a change.
import { z } from 'zod';
import {
  CalibrationNoteSchema,
  CodeTestSchema,
  DocumentFormatSchema,
  EvidenceSchema,
  FindingCodeSchema,
  LabelsSchema,
  RangeSchema,
  RubricResultSchema,
  ReferenceSchema,
  SolutionKindSchema,
  SolutionVerdictSchema,
  TextEditSchema,
  UsageSchema,
  VerdictSchema,
  VerdictSourceSchema,
} from '../types';

export const REPORT_SCHEMA_VERSION = 1;

export const StepReportSchema = z
  .object({
    index: z.number().int().nonnegative().describe('0-based position of the step in its solution.'),
    label: z.string().optional().describe('A label the author wrote (`Step 3`), if any.'),
    range: RangeSchema.describe('Where the step stands: 0-based line and UTF-16 character, as LSP counts them.'),
    text: z.string().describe('The step as written.'),
    hash: z.string().describe('Content hash of the normalised step text.'),
    verdict: VerdictSchema.describe('correct | incorrect | uncertain | downstream | unchecked | error (could not judge).'),
    pTrue: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .describe('P(True) that the step is correct; null when nothing gave a probability. Calibrated when the entry has `calibration`.'),
    rawPTrue: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("The critic's own P(True) before calibration; present only on steps a calibration map applied to (`--calibration`)."),
    source: VerdictSourceSchema.describe('What decided the verdict: verifier | logprobs | samples | verbal | prm | user | none.'),
    code: FindingCodeSchema.optional().describe('The kind of finding (arithmetic, logic, test-failure, ...); absent for a step with nothing to report.'),
    message: z.string().describe('One short sentence a person reads first.'),
    evidence: z.array(EvidenceSchema).describe('What each check found about this step (arithmetic claims, tests, the critic, ...).'),
    fixes: z.array(TextEditSchema).describe('Edits that need no model (e.g. the right value of a refuted claim), in document coordinates.'),
    accepted: z.boolean().describe('The user marked this step as correct.'),
    premiseStep: z.number().int().nonnegative().optional().describe('For a downstream step: the index of the earlier wrong step it follows.'),
  })
  .describe('One step of a solution and its verdict.');
export type StepReport = z.infer<typeof StepReportSchema>;

export const FileStatusSchema = z
  .enum(['judged', 'skipped', 'failed'])
  .describe(
    'judged: read, parsed and judged; skipped: not a solution (empty, binary, too large, unsupported); failed: should have been judged but could not be (bad encoding, broken front matter, unreadable).',
  );
export type FileStatus = z.infer<typeof FileStatusSchema>;

export const RecordLocationSchema = z
  .object({
    index: z.number().int().nonnegative().describe('0-based position of the record in its dataset.'),
    line: z.number().int().positive().optional().describe('1-based line of the record in a JSONL file.'),
    solution: z
      .string()
      .optional()
      .describe('For a record holding several solutions (a list of samples, or one per model): which one, as in the id `file.jsonl#N/solution`.'),
  })
  .describe('For a dataset record: where it is in its file.');

export const CriticInfoSchema = z
  .object({
    enabled: z.boolean().describe('Whether an LLM critic was configured and asked.'),
    model: z.string().optional().describe('The model that judged, when the critic ran.'),
    note: z.string().optional().describe('Why the critic did not run, or what went wrong with it.'),
  })
  .describe('Whether the LLM critic judged this solution.');

export const FileReportSchema = z
  .object({
    uri: z
      .string()
      .describe('The path as shown to the user (relative to the working directory when inside it); `data.jsonl#N` for record N (0-based) of a dataset.'),
    path: z.string().describe('The file the entry comes from (for a record: its dataset file).'),
    record: RecordLocationSchema.optional(),
    format: DocumentFormatSchema.optional().describe('How the file was read; absent when it was not parsed.'),
    kind: SolutionKindSchema.optional().describe('math or code.'),
    status: FileStatusSchema,
    reason: z.string().optional().describe('For skipped and failed entries: why, in one line.'),
    problem: z.string().optional().describe('The problem statement the solution answers.'),
    problemHash: z.string().optional().describe('Content hash of the problem statement (keys accepted steps and the cache).'),
    steps: z.array(StepReportSchema).describe('Every step in order; empty when the entry was not judged.'),
    firstErrorIndex: z.number().int().min(-1).nullable().describe('0-based index of the earliest wrong step, -1 when none was found, null when not judged.'),
    finalAnswer: z
      .object({ text: z.string(), range: RangeSchema.optional() })
      .optional()
      .describe('The final answer as written (`\\boxed{}`, `#### x`, `Answer:`), and where it stands.'),
    expectedAnswer: z.string().optional().describe('The expected answer (front matter or dataset record), when known.'),
    reference: ReferenceSchema.optional().describe(
      "The reference solution the entry was judged against (front matter `reference:`, a record's `reference` field, `name.reference.md`), when there was one.",
    ),
    verdict: SolutionVerdictSchema.nullable().describe('The verdict on the whole solution; null when not judged.'),
    finalAnswerPTrue: z.number().min(0).max(1).nullable().describe('P(True) of the final answer, when the critic was asked for it.'),
    critic: CriticInfoSchema.optional(),
    usage: UsageSchema.optional().describe('LLM requests and tokens spent on this entry.'),
    calibration: CalibrationNoteSchema.optional().describe(
      "The calibration map the critic's P(True) went through before the thresholds (method, and the labelled steps and dataset it was fitted on); absent when none was applied.",
    ),
    rubric: RubricResultSchema.optional().describe(
      'The solution graded by its rubric: score, expected score under P(True), every item with its evidence; absent when the solution has no rubric.',
    ),
    tests: z.array(CodeTestSchema).optional().describe('For code: the tests found for the solution.'),
    labels: LabelsSchema.optional().describe('Ground truth that came with a dataset record.'),
    warnings: z.array(z.string()).describe('Things the parser or judge wants the user to know.'),
    durationMs: z.number().nonnegative().optional().describe('Time spent reading, parsing and judging this entry.'),
  })
  .describe('One checked file, or one record of a dataset.');
export type FileReport = z.infer<typeof FileReportSchema>;

const countsOf = <T extends z.ZodEnum>(keys: T) =>
  z.object(
    Object.fromEntries(keys.options.map((k) => [k, z.number().int().nonnegative()])) as {
      [K in z.infer<T> & string]: z.ZodNumber;
    },
  );

export const SolutionCountsSchema = countsOf(SolutionVerdictSchema).describe('Judged solutions by verdict.');
export const StepCountsSchema = countsOf(VerdictSchema).describe('Steps of judged solutions by verdict.');

export const ReportSummarySchema = z
  .object({
    entries: z.number().int().nonnegative().describe('Files and dataset records in the report.'),
    judged: z.number().int().nonnegative().describe('Entries with status judged.'),
    skipped: z.number().int().nonnegative().describe('Entries with status skipped.'),
    failed: z.number().int().nonnegative().describe('Entries with status failed.'),
    solutions: SolutionCountsSchema,
    steps: StepCountsSchema,
    usage: UsageSchema.describe('LLM requests and tokens over the run.'),
    durationMs: z.number().nonnegative().optional().describe('Wall time of the run.'),
  })
  .describe('Totals over the whole run.');
export type ReportSummary = z.infer<typeof ReportSummarySchema>;

export const ReportShardsSchema = z
  .object({
    count: z.number().int().positive().describe('N of --shard I/N: the run was split into this many shards.'),
    included: z.array(z.number().int().positive()).describe('The shards (1-based) this report covers.'),
  })
  .describe('The shards of a sharded run (--shard I/N) this report covers, when it covers only some of them; absent for a whole run.');
export type ReportShards = z.infer<typeof ReportShardsSchema>;

export const ReportSchema = z
  .object({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION).describe('Version of this schema; readers check it first.'),
    tool: z
      .object({
        name: z.literal('stepcritic'),
        version: z.string().describe('Version of the stepcritic package that wrote the report.'),
        promptVersion: z.string().optional().describe('Version of the LLM critic prompt, when the critic ran.'),
      })
      .describe('What wrote the report.'),
    createdAt: z.string().describe('When the run finished (ISO 8601).'),
    critic: CriticInfoSchema.describe('The LLM critic for the run as a whole.'),
    failOn: z.enum(['incorrect', 'uncertain', 'never']).optional().describe('The --fail-on level the run used.'),
    shards: ReportShardsSchema.optional(),
    summary: ReportSummarySchema,
    files: z.array(FileReportSchema).describe('One entry per file or dataset record, in path order.'),
  })
  .describe('The JSON report of one run.');
export type Report = z.infer<typeof ReportSchema>;

/** Parses a report that came from outside (a file, a run log): fails with zod's explanation. */
export function parseReport(value: unknown): Report {
  return ReportSchema.parse(value);
}
