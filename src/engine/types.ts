// The engine's core data model: documents → steps → evidence → verdicts.
// Everything that crosses a boundary (reports, the LSP contract, the run log) is built from these
// zod schemas, so the runtime shape and the static type cannot drift apart.
import { z } from 'zod';

/** 0-based line and UTF-16 character offset, exactly as LSP counts them. */
export const PositionSchema = z.object({
  line: z.number().int().nonnegative(),
  character: z.number().int().nonnegative(),
});
export type Position = z.infer<typeof PositionSchema>;

export const RangeSchema = z.object({ start: PositionSchema, end: PositionSchema });
export type Range = z.infer<typeof RangeSchema>;

export const StepSchema = z.object({
  /** 0-based position of the step in its solution. */
  index: z.number().int().nonnegative(),
  /** The step's text as written (markup included), exactly the text covered by `range`. */
  text: z.string(),
  range: RangeSchema,
  /** Content hash of the normalised text: identifies the step across edits elsewhere. */
  hash: z.string(),
  /** A label the author wrote (`Step 3`, `# Step: parse input`), if any. */
  label: z.string().optional(),
});
export type Step = z.infer<typeof StepSchema>;

export const SolutionKindSchema = z.enum(['math', 'code']);
export type SolutionKind = z.infer<typeof SolutionKindSchema>;

export const DocumentFormatSchema = z.enum([
  'markdown',
  'text',
  'python',
  'javascript',
  'typescript',
  'processbench',
  'gsm8k',
  'mr-ben',
  'big-bench-mistake',
  'prmbench',
  'prm800k',
  'model-output',
  'humaneval',
  'humanevalfix',
  'quixbugs',
]);
export type DocumentFormat = z.infer<typeof DocumentFormatSchema>;

/** A test a code solution can be run against (doctest, assert, sibling file, dataset record). */
export const CodeTestSchema = z.object({
  name: z.string(),
  /** Where it came from: 'doctest' | 'assert' | 'main' | 'sibling' | 'front-matter' | 'dataset'. */
  origin: z.string(),
  /** Source code of the test, in the solution's language. */
  code: z.string(),
  /** For dataset tests (HumanEval `check(candidate)`): the function under test. */
  entryPoint: z.string().optional(),
  range: RangeSchema.optional(),
});
export type CodeTest = z.infer<typeof CodeTestSchema>;

/** Ground truth that comes with a dataset record, for `stepcritic eval` and the reports. */
export const LabelsSchema = z.object({
  /** Index (0-based, into `steps`) of the earliest wrong step; -1 when every step is correct. */
  firstErrorStep: z.number().int().min(-1).nullable(),
  finalAnswerCorrect: z.boolean().nullable().optional(),
  /** For code: 1-based source lines that the dataset marks as the bug. */
  bugLines: z.array(z.number().int().positive()).optional(),
  dataset: z.string(),
});
export type Labels = z.infer<typeof LabelsSchema>;

export const TruncationSchema = z.object({ kept: z.number().int().nonnegative(), total: z.number().int().nonnegative() });
export type Truncation = z.infer<typeof TruncationSchema>;

/** A worked solution the solution is judged against (a teacher's model solution): never judged itself. */
export const ReferenceSchema = z.object({
  /** The reference as written (Markdown: steps, and an `Answer:` line, `#### x` or `\\boxed{}` for its final answer). */
  text: z.string(),
  /** Where it came from: the front matter's `reference:`, a dataset record's `reference` field, a `name.reference.md` beside the solution. */
  origin: z.enum(['front-matter', 'record', 'file']),
  /** Its final answer, when it states one (its own front matter `answer:` first). */
  finalAnswer: z.string().optional(),
});
export type Reference = z.infer<typeof ReferenceSchema>;

export const SolutionDocumentSchema = z.object({
  /** A file path, or `file.jsonl#<record>` for a dataset record. */
  uri: z.string(),
  format: DocumentFormatSchema,
  kind: SolutionKindSchema,
  /** The text the ranges refer to (a dataset record's steps are laid out one per paragraph). */
  text: z.string(),
  problem: z.string(),
  problemRange: RangeSchema.optional(),
  problemHash: z.string(),
  steps: z.array(StepSchema),
  finalAnswer: z.object({ text: z.string(), range: RangeSchema.optional() }).optional(),
  expectedAnswer: z.string().optional(),
  reference: ReferenceSchema.optional(),
  frontMatter: z.record(z.string(), z.unknown()).optional(),
  tests: z.array(CodeTestSchema).optional(),
  labels: LabelsSchema.optional(),
  /** Things the parser wants the user to know (truncated at the step limit, odd front matter). */
  warnings: z.array(z.string()).default([]),
  /** Set when the step limit cut the solution short: the first `kept` of `total` steps are judged. */
  truncated: TruncationSchema.optional(),
});
export type SolutionDocument = z.infer<typeof SolutionDocumentSchema>;

// ---- evidence: what each check found about a step -------------------------------------------

/**
 * What the deterministic checks of a math step look at: explicit computations (`arithmetic`), identities
 * with variables, equation steps that must keep the solution set, values of functions defined earlier,
 * quantities with units, percentages in prose, values written rounded or cut off (`rounding`), and a named
 * result (`Total cost = 30`) that the reference solution computes otherwise (`reference`).
 */
export const ClaimKindSchema = z.enum(['arithmetic', 'identity', 'equation', 'function', 'units', 'percent', 'rounding', 'reference']);
export type ClaimKind = z.infer<typeof ClaimKindSchema>;

/** One claim a deterministic check judged. `uncertain`: it may hold only in a reading the text does not say (whole units, a value cut off). */
export const ClaimEvidenceSchema = z.object({
  kind: ClaimKindSchema,
  status: z.enum(['verified', 'refuted', 'uncertain', 'uncheckable']),
  /** The claim as written, e.g. `48 / 2 = 25`. */
  claim: z.string(),
  /** Where the claim stands in the document. */
  range: RangeSchema,
  /** For a refuted or uncertain claim: the value (or solution, or right-hand side) that holds, written as the author would. */
  expected: z.string().optional(),
  /** For a refuted claim: the edit that puts the right value in place of the wrong one. */
  fix: z.object({ range: RangeSchema, newText: z.string() }).optional(),
  note: z.string().optional(),
});

export const TestEvidenceSchema = z.object({
  kind: z.literal('test'),
  status: z.enum(['passed', 'failed', 'timeout', 'error']),
  name: z.string(),
  output: z.string().optional(),
  range: RangeSchema.optional(),
});

export const SyntaxEvidenceSchema = z.object({
  kind: z.literal('syntax'),
  message: z.string(),
  range: RangeSchema.optional(),
});

export const FaultLocalizationEvidenceSchema = z.object({
  kind: z.literal('fault-localization'),
  /** Suspiciousness in [0,1]: Ochiai over the tests' line spectra, averaged with `mutation.score` when mutants were tried. */
  score: z.number(),
  /** 1 = most suspicious step. */
  rank: z.number().int().positive(),
  failedTests: z.number().int().nonnegative(),
  passedTests: z.number().int().nonnegative(),
  /** True when this step is clearly ahead of the next candidate. */
  clear: z.boolean(),
  /** The best small change to this step that made failing tests pass (mutation analysis), e.g. `a < b -> a <= b`. */
  mutation: z
    .object({ change: z.string(), fixedTests: z.number().int().nonnegative(), brokenTests: z.number().int().nonnegative(), score: z.number() })
    .optional(),
});

export const CriticSourceSchema = z.enum(['logprobs', 'samples', 'verbal', 'prm']);
export type CriticSource = z.infer<typeof CriticSourceSchema>;

export const CriticEvidenceSchema = z.object({
  kind: z.literal('critic'),
  verdict: z.enum(['correct', 'incorrect']),
  pTrue: z.number().min(0).max(1).nullable(),
  source: CriticSourceSchema,
  explanation: z.string(),
  model: z.string(),
  /** Set when the verdict came from the cache rather than a request. */
  cached: z.boolean().optional(),
});

export const JudgeErrorEvidenceSchema = z.object({
  kind: z.literal('judge-error'),
  message: z.string(),
});

/** The final answer compared with the expected one (front matter, dataset record). */
export const AnswerEvidenceSchema = z.object({
  kind: z.literal('answer'),
  status: z.enum(['matches', 'differs', 'uncheckable']),
  expected: z.string(),
  actual: z.string(),
  range: RangeSchema.optional(),
  /** The expected answer is the reference solution's (there was no `answer:`). */
  fromReference: z.boolean().optional(),
});

export const EvidenceSchema = z.discriminatedUnion('kind', [
  ClaimEvidenceSchema,
  AnswerEvidenceSchema,
  TestEvidenceSchema,
  SyntaxEvidenceSchema,
  FaultLocalizationEvidenceSchema,
  CriticEvidenceSchema,
  JudgeErrorEvidenceSchema,
]);
export type Evidence = z.infer<typeof EvidenceSchema>;
export type ClaimEvidence = z.infer<typeof ClaimEvidenceSchema>;
export type TestEvidence = z.infer<typeof TestEvidenceSchema>;
export type AnswerEvidence = z.infer<typeof AnswerEvidenceSchema>;
export type FaultLocalizationEvidence = z.infer<typeof FaultLocalizationEvidenceSchema>;

// ---- verdicts --------------------------------------------------------------------------------

/** `error` is "could not judge" (the critic failed for this step): honest, never a silent correct. */
export const VerdictSchema = z.enum(['correct', 'incorrect', 'uncertain', 'downstream', 'unchecked', 'error']);
export type Verdict = z.infer<typeof VerdictSchema>;

export const VerdictSourceSchema = z.enum(['verifier', 'logprobs', 'samples', 'verbal', 'prm', 'user', 'none']);
export type VerdictSource = z.infer<typeof VerdictSourceSchema>;

/** What kind of finding a verdict is; becomes the diagnostic `code`. */
export const FindingCodeSchema = z.enum([...ClaimKindSchema.options, 'logic', 'test-failure', 'syntax', 'judge-error', 'downstream', 'low-confidence']);
export type FindingCode = z.infer<typeof FindingCodeSchema>;

const CLAIM_KINDS: ReadonlySet<string> = new Set(ClaimKindSchema.options);

export function isClaimEvidence(e: Evidence): e is ClaimEvidence {
  return CLAIM_KINDS.has(e.kind);
}

/** A claim a deterministic check showed to be false: the step is wrong whatever a model says. */
export function isRefutedClaim(e: Evidence): e is ClaimEvidence {
  return isClaimEvidence(e) && e.status === 'refuted';
}

export const TextEditSchema = z.object({ range: RangeSchema, newText: z.string() });
export type TextEdit = z.infer<typeof TextEditSchema>;

export const StepVerdictSchema = z.object({
  stepIndex: z.number().int().nonnegative(),
  stepHash: z.string(),
  verdict: VerdictSchema,
  /** P(True) that the step is correct, or null when nothing gave a probability (calibrated, when a calibration applies). */
  pTrue: z.number().min(0).max(1).nullable(),
  /** The critic's own P(True), when a calibration map turned it into `pTrue`. */
  rawPTrue: z.number().min(0).max(1).optional(),
  source: VerdictSourceSchema,
  code: FindingCodeSchema.optional(),
  /** One short sentence a person reads first. */
  message: z.string(),
  evidence: z.array(EvidenceSchema),
  /** A fix that needs no model (e.g. the right value of a refuted claim). */
  fixes: z.array(TextEditSchema).default([]),
  /** The user marked this step as correct (`.stepcritic/accepted.json`). */
  accepted: z.boolean().default(false),
  /** For downstream steps: the earlier wrong step they depend on. */
  premiseStep: z.number().int().nonnegative().optional(),
});
export type StepVerdict = z.infer<typeof StepVerdictSchema>;

export const UsageSchema = z.object({
  requests: z.number().int().nonnegative(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  cachedSteps: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const emptyUsage = (): Usage => ({ requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: 0 });

export const SolutionVerdictSchema = z.enum(['correct', 'incorrect', 'uncertain', 'unchecked', 'error']);

/** A calibration map applied to the critic's P(True) (`--calibration`, `stepcritic.calibration`): what it was fitted on. */
export const CalibrationNoteSchema = z.object({
  method: z.enum(['temperature', 'isotonic']),
  /** Labelled steps the map was fitted on. */
  steps: z.number().int().nonnegative(),
  /** The data they came from, e.g. `processbench/gsm8k`. */
  dataset: z.string(),
});
export type CalibrationNote = z.infer<typeof CalibrationNoteSchema>;
/** Why a critic stopped before judging every step it was asked about: a typed signal, never matched in text. */
export const CriticStopSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('budget'),
    /** Tokens spent and the run's limit when it stopped. */
    used: z.number().int().nonnegative(),
    limit: z.number().int().nonnegative(),
    /** One sentence for the user. */
    message: z.string(),
  }),
  z.object({
    /** The endpoint accepted no connection for as long as the run waits (`--timeout`): nothing more can be judged. */
    kind: z.literal('unreachable'),
    /** The base URL it was asked at. */
    endpoint: z.string(),
    waitedMs: z.number().nonnegative(),
    message: z.string(),
  }),
]);
export type CriticStop = z.infer<typeof CriticStopSchema>;

/** One rubric item as judged: met or not, how sure, and the steps it rests on. */
export const RubricItemResultSchema = z
  .object({
    number: z.number().int().positive().describe('1-based, as the rubric lists it.'),
    title: z.string().describe('The item as the rubric names it.'),
    points: z.number().positive().describe('What the item is worth.'),
    description: z.string().optional().describe("The rubric's description of the item, if any."),
    status: z.enum(['met', 'unmet', 'unjudged']).describe('met | unmet | unjudged (no critic ran, or it could not judge this item: `note` says why).'),
    pTrue: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .describe('P(True) that the item is met; 0 when a verifier refuted a step it rests on; null without a probability.'),
    source: z
      .enum(['verifier', 'logprobs', 'samples', 'verbal', 'prm', 'none'])
      .describe('What decided the status: verifier | logprobs | samples | verbal | none.'),
    steps: z.array(z.number().int().nonnegative()).describe('0-based indices of the steps the judgement rests on.'),
    explanation: z.string().describe("The critic's analysis of the item."),
    note: z.string().optional().describe('Why the item is unjudged, or why a verifier overruled the critic.'),
  })
  .describe('One rubric item and its judgement.');
export type RubricItemResult = z.infer<typeof RubricItemResultSchema>;

/** A solution graded by its rubric: the score, its expected value under P(True), and every item's evidence. */
export const RubricResultSchema = z
  .object({
    items: z.array(RubricItemResultSchema).describe('Every item of the rubric, in order.'),
    maxPoints: z.number().nonnegative().describe('Σ points over all items.'),
    score: z.number().nonnegative().nullable().describe('Σ points over the items judged met; null when any item could not be judged (no made-up score).'),
    expectedScore: z
      .number()
      .nonnegative()
      .nullable()
      .describe('Σ points × P(True) over the items; null when there is no score or an item has no probability.'),
    note: z.string().optional().describe('Why there is no score (or no expected score).'),
  })
  .describe('The solution graded by its rubric (front matter `rubric:`, `--rubric FILE`, `stepcritic.rubric`).');
export type RubricResult = z.infer<typeof RubricResultSchema>;

/** The judgement of one solution: what every surface (CLI, server, reports) presents. */
export const SolutionJudgementSchema = z.object({
  steps: z.array(StepVerdictSchema),
  /** Index of the earliest wrong step, -1 when none was found. */
  firstErrorIndex: z.number().int().min(-1),
  verdict: SolutionVerdictSchema,
  /** P(True) of the final answer (solution-level critic call), when asked for. */
  finalAnswerPTrue: z.number().min(0).max(1).nullable(),
  /** The final answer against the expected one, when the document names one: a differing answer makes the solution incorrect. */
  answer: AnswerEvidenceSchema.optional(),
  critic: z.object({
    enabled: z.boolean(),
    model: z.string().optional(),
    /** Why the critic did not run, or what went wrong with it. */
    note: z.string().optional(),
  }),
  usage: UsageSchema,
  warnings: z.array(z.string()).default([]),
  /** Set when the critic's P(True) went through a calibration map before the thresholds. */
  calibration: CalibrationNoteSchema.optional(),
  /** The critic stopped early (the token budget): the steps it did not reach are not judged. */
  stopped: CriticStopSchema.optional(),
  /** The solution graded by its rubric, when it has one (front matter, `--rubric`, `stepcritic.rubric`). */
  rubric: RubricResultSchema.optional(),
});
export type SolutionJudgement = z.infer<typeof SolutionJudgementSchema>;
