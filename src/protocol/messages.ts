// The custom messages between the Step Critic client and server. Method names are under `stepcritic/`.
// Every message has a zod schema for its params (the receiving side parses with it) and a typed
// descriptor (`method` + phantom types) so both sides name the same thing. Descriptors are plain
// objects, not vscode-jsonrpc classes: the client and the server bundle different versions of
// vscode-jsonrpc, whose classes do not type-check against each other. Use them as
// `connection.onRequest(CritiqueFileRequest.method, handler)` / `client.sendRequest(X.method, params)`.
import { z } from 'zod';
import { RangeSchema, TextEditSchema, VerdictSchema, VerdictSourceSchema, SolutionVerdictSchema, UsageSchema } from '../engine/types';

/** `params` parses what arrives; `ParamsOf<D>` is what a sender sends, `ResultOf<D>` what comes back. */
export interface RequestDescriptor<S extends z.ZodType, R> {
  readonly method: string;
  readonly params: S;
  /** Phantom: the result type. */
  readonly _result?: R;
}
export interface NotificationDescriptor<S extends z.ZodType> {
  readonly method: string;
  readonly params: S;
}

function request<R>() {
  return <S extends z.ZodType>(method: string, params: S): RequestDescriptor<S, R> => ({ method, params });
}
function notification<S extends z.ZodType>(method: string, params: S): NotificationDescriptor<S> {
  return { method, params };
}

// ---- step states (server → client), for the gutter --------------------------------------------

/** A step's state as the gutter draws it. `queued`/`judging`: not yet (re)judged for this version. */
export const StepStateSchema = z.enum(['queued', 'judging', 'correct', 'incorrect', 'uncertain', 'downstream', 'accepted', 'unchecked', 'error']);
export type StepState = z.infer<typeof StepStateSchema>;

export const StepStateEntrySchema = z.object({
  index: z.number().int().nonnegative(),
  hash: z.string(),
  range: RangeSchema,
  state: StepStateSchema,
  pTrue: z.number().min(0).max(1).nullable(),
  /** Where P(True) / the verdict came from; null while queued or judging. */
  source: VerdictSourceSchema.nullable(),
  /** The verdict's one-line message (inline text, tooltips). */
  message: z.string().optional(),
});
export type StepStateEntry = z.infer<typeof StepStateEntrySchema>;

export const SolutionSummarySchema = z.object({
  counts: z.record(StepStateSchema, z.number().int().nonnegative()),
  /** Index of the earliest wrong step, -1 when none (yet). */
  firstErrorIndex: z.number().int().min(-1),
  verdict: SolutionVerdictSchema.nullable(),
  /** P(True) of the whole solution: the product of the steps' P(True) up to the first wrong one. */
  pTrue: z.number().min(0).max(1).nullable(),
  finalAnswerPTrue: z.number().min(0).max(1).nullable(),
  /** Steps beyond `stepcritic.maxSteps` were not critiqued. */
  truncated: z.boolean(),
  totalSteps: z.number().int().nonnegative(),
});
export type SolutionSummary = z.infer<typeof SolutionSummarySchema>;

export const CriticStatusSchema = z.object({
  enabled: z.boolean(),
  model: z.string().optional(),
  /** Why the critic is off, or what went wrong with it. */
  note: z.string().optional(),
});
export type CriticStatus = z.infer<typeof CriticStatusSchema>;

export const StepStatesParamsSchema = z.object({
  uri: z.string(),
  version: z.number().int(),
  steps: z.array(StepStateEntrySchema),
  summary: SolutionSummarySchema,
  critic: CriticStatusSchema,
  usage: UsageSchema,
  /** False while steps are still queued or being judged for this version. */
  done: z.boolean(),
  warnings: z.array(z.string()),
});
export type StepStatesParams = z.infer<typeof StepStatesParamsSchema>;

/** Sent on every change of any step's state (judging started, a verdict arrived, the run ended). */
export const StepStatesNotification = notification('stepcritic/stepStates', StepStatesParamsSchema);

/** Sent when a document stops being critiqued (closed, disabled): the client clears its decorations. */
export const ClearStepStatesNotification = notification('stepcritic/clearStepStates', z.object({ uri: z.string() }));

// ---- server status (server → client), for the status bar --------------------------------------

export const ServerStatusParamsSchema = z.object({
  enabled: z.boolean(),
  critic: CriticStatusSchema,
  /** Documents being critiqued right now. */
  busy: z.number().int().nonnegative(),
  /** Tokens and requests spent since the server started. */
  usage: UsageSchema,
  trusted: z.boolean(),
  /** Settings values that were ignored (bad type, out of range). */
  settingsProblems: z.array(z.string()),
});
export type ServerStatusParams = z.infer<typeof ServerStatusParamsSchema>;
export const ServerStatusNotification = notification('stepcritic/status', ServerStatusParamsSchema);

/** The full critique of a step or file, as Markdown, for the client to show (the Explain action). */
export const ShowExplanationParamsSchema = z.object({ uri: z.string(), stepIndex: z.number().int().nonnegative().optional(), markdown: z.string() });
export type ShowExplanationParams = z.infer<typeof ShowExplanationParamsSchema>;
export const ShowExplanationNotification = notification('stepcritic/showExplanation', ShowExplanationParamsSchema);

// ---- configuration (client → server) ----------------------------------------------------------

/**
 * Settings as the client is allowed to send them. In an untrusted workspace the client leaves out
 * workspace-level `baseUrl`/`model` (only user-level values) and the server never runs code.
 */
export const ConfigureParamsSchema = z.object({
  settings: z.unknown(),
  trusted: z.boolean(),
});
export const ConfigureNotification = notification('stepcritic/configure', ConfigureParamsSchema);

/** `initializationOptions` of the `initialize` request. Settings and key may come later too. */
export const InitializationOptionsSchema = z.object({
  settings: z.unknown().optional(),
  trusted: z.boolean().default(false),
  apiKey: z.string().optional(),
  /** Where the critic cache lives (the extension's global storage); memory only when absent. */
  cacheDir: z.string().optional(),
  /** How long reading and verifying one document may take before it is "not checkable" (default 2 s). */
  checkDeadlineMs: z.number().int().positive().optional(),
  /** Tuning of the LLM requests (not user settings): per-attempt timeout, retries, first back-off. */
  llm: z
    .object({
      timeoutMs: z.number().int().positive().optional(),
      maxRetries: z.number().int().nonnegative().optional(),
      retryBaseMs: z.number().int().nonnegative().optional(),
    })
    .optional(),
});
export type InitializationOptions = z.input<typeof InitializationOptionsSchema>;

/** The API key from SecretStorage; null = forget it. Never logged, never written to disk. */
export const SetSecretsParamsSchema = z.object({ apiKey: z.string().nullable() });
export const SetSecretsRequest = request<CriticStatus>()('stepcritic/setSecrets', SetSecretsParamsSchema);

export const ToggleParamsSchema = z.object({ enabled: z.boolean().optional() });
/** Turns critique on/off for the session (without `enabled`: flips it). Returns the new state. */
export const ToggleRequest = request<{ enabled: boolean }>()('stepcritic/toggle', ToggleParamsSchema);

// ---- critique --------------------------------------------------------------------------------

export const CritiqueFileParamsSchema = z.object({
  uri: z.string(),
  /** For a Markdown or code file outside `stepcritic.files`: critique it anyway, from now on. */
  force: z.boolean().default(true),
});

export const FileCritiqueSchema = z.object({
  uri: z.string(),
  /** The document version judged; null for a file read from disk. */
  version: z.number().int().nullable(),
  summary: SolutionSummarySchema,
  critic: CriticStatusSchema,
  usage: UsageSchema,
  warnings: z.array(z.string()),
  /** Set when the file could not be critiqued at all (unreadable, not a solution). */
  error: z.string().optional(),
});
export type FileCritique = z.infer<typeof FileCritiqueSchema>;

/** Critiques one file now, whatever the trigger; resolves when its diagnostics are published. */
export const CritiqueFileRequest = request<FileCritique>()('stepcritic/critiqueFile', CritiqueFileParamsSchema);

export const CritiqueWorkspaceParamsSchema = z.object({
  /** Glob of files to critique; default `stepcritic.files`. */
  include: z.string().optional(),
  /** Only these workspace folders (URIs); default all. */
  folders: z.array(z.string()).optional(),
  /** `$/progress` token created by the client (work-done progress); the server creates one when absent. */
  workDoneToken: z.union([z.string(), z.number()]).optional(),
});

export const WorkspaceCritiqueSchema = z.object({
  files: z.array(FileCritiqueSchema),
  /** Files found by the glob (some may be left when cancelled). */
  total: z.number().int().nonnegative(),
  cancelled: z.boolean(),
  durationMs: z.number().nonnegative(),
  usage: UsageSchema,
});
export type WorkspaceCritique = z.infer<typeof WorkspaceCritiqueSchema>;

/**
 * Critiques every matching file of the workspace, publishing diagnostics for each; progress as
 * `$/progress` begin/report ("3/12 files")/end; cancellable (`$/cancelRequest` or the progress' cancel).
 */
export const CritiqueWorkspaceRequest = request<WorkspaceCritique>()('stepcritic/critiqueWorkspace', CritiqueWorkspaceParamsSchema);

// ---- refinement ------------------------------------------------------------------------------

/** An edit for exactly one version of a document. Applied only if the document is still at `version`. */
export const VersionedEditSchema = z.object({
  uri: z.string(),
  version: z.number().int(),
  edits: z.array(TextEditSchema),
  /** What the edit does, for the undo stack and messages. */
  label: z.string(),
});
export type VersionedEdit = z.infer<typeof VersionedEditSchema>;

export const RefineAttemptSchema = z.object({
  /** The proposed replacement text (one step, or steps k..end and the final answer). */
  text: z.string(),
  verdict: VerdictSchema.nullable(),
  pTrue: z.number().min(0).max(1).nullable(),
  /** Why it was rejected (or accepted). */
  reason: z.string(),
});

export const RefineProposalSchema = z.object({
  uri: z.string(),
  version: z.number().int(),
  kind: z.enum(['refine-step', 'regenerate', 'refine-solution']),
  /** The first step replaced (0-based). */
  fromStep: z.number().int().nonnegative(),
  /** proposed: `apply` holds a re-checked edit; rejected: no attempt held up; nothing-to-do: no wrong step; unavailable: no critic. */
  status: z.enum(['proposed', 'rejected', 'nothing-to-do', 'unavailable', 'stale']),
  /** E.g. `Refine step 3 (P(True) 0.12 → 0.91)`. */
  title: z.string(),
  message: z.string(),
  pTrueBefore: z.number().min(0).max(1).nullable(),
  pTrueAfter: z.number().min(0).max(1).nullable(),
  /** Every attempt, the accepted one last; rejected ones are kept so the user sees what was tried. */
  attempts: z.array(RefineAttemptSchema),
  apply: VersionedEditSchema.optional(),
  usage: UsageSchema,
});
export type RefineProposal = z.infer<typeof RefineProposalSchema>;

export const RefineParamsSchema = z.object({
  uri: z.string(),
  /** The version the user saw; a proposal for an older version is refused (`stale`). */
  version: z.number().int().optional(),
  /** refineStep only: which step (default: the first wrong one). */
  stepIndex: z.number().int().nonnegative().optional(),
});
export type RefineParams = z.infer<typeof RefineParamsSchema>;

/** Re-writes the first wrong step (or `stepIndex`), re-judged in context before it is proposed. */
export const RefineStepRequest = request<RefineProposal>()('stepcritic/refineStep', RefineParamsSchema);
/** Refines the whole solution: repeatedly fixes the first wrong step, each fix re-judged, capped. */
export const RefineSolutionRequest = request<RefineProposal>()('stepcritic/refineSolution', RefineParamsSchema);
/** Re-writes steps k..end and the final answer from the first wrong step (or `stepIndex`). */
export const RegenerateFromFirstErrorRequest = request<RefineProposal>()('stepcritic/regenerateFromFirstError', RefineParamsSchema);

export const ApplyEditResultSchema = z.object({ applied: z.boolean(), message: z.string() });
export type ApplyEditResult = z.infer<typeof ApplyEditResultSchema>;

// ---- maintenance -----------------------------------------------------------------------------

export const TestConnectionResultSchema = z.object({
  ok: z.boolean(),
  baseUrl: z.string().optional(),
  model: z.string().optional(),
  /** Whether the endpoint returns token log-probabilities (P(True) source `logprobs`); null = unknown. */
  logprobs: z.boolean().nullable(),
  latencyMs: z.number().nonnegative().nullable(),
  message: z.string(),
});
export type TestConnectionResult = z.infer<typeof TestConnectionResultSchema>;
export const TestConnectionRequest = request<TestConnectionResult>()('stepcritic/testConnection', z.object({}));

export const ClearCacheResultSchema = z.object({ cleared: z.number().int().nonnegative(), message: z.string() });
export type ClearCacheResult = z.infer<typeof ClearCacheResultSchema>;
export const ClearCacheRequest = request<ClearCacheResult>()('stepcritic/clearCache', z.object({}));

export const ExplainParamsSchema = z.object({ uri: z.string(), stepIndex: z.number().int().nonnegative().optional() });
/** The full critique of one step (or of the file) as Markdown. */
export const ExplainRequest = request<{ markdown: string }>()('stepcritic/explain', ExplainParamsSchema);

export const ServerStatsSchema = z.object({
  rssBytes: z.number(),
  heapUsedBytes: z.number(),
  heapTotalBytes: z.number(),
  /** Open documents the server holds, and how many of them it critiques. */
  openDocuments: z.number().int(),
  critiquedDocuments: z.number().int(),
  /** The server's own time (ms) from receiving a change to publishing that version's final critique, latest last (at most 500). */
  changeToPublishedMs: z.array(z.number()),
  /** The check workers (parse + verify under a deadline): idle, idle and warmed up, busy. */
  checkWorkers: z.object({ idle: z.number().int(), ready: z.number().int(), busy: z.number().int() }),
});
export type ServerStats = z.infer<typeof ServerStatsSchema>;
/** The server's own memory and load, for "Show Log" and benchmarks. */
export const ServerStatsRequest = request<ServerStats>()('stepcritic/serverStats', z.object({}));

// ---- diagnostics -----------------------------------------------------------------------------

/** `Diagnostic.data` of every Step Critic diagnostic. */
export const DiagnosticDataSchema = z.object({
  stepIndex: z.number().int().nonnegative(),
  stepHash: z.string(),
  /** The document version the verdict was made for; null for a file critiqued on disk (not open). */
  version: z.number().int().nullable(),
  verdict: VerdictSchema,
  pTrue: z.number().min(0).max(1).nullable(),
  source: VerdictSourceSchema,
  /** A no-LLM fix exists (Fix arithmetic). */
  fixable: z.boolean(),
});
export type DiagnosticData = z.infer<typeof DiagnosticDataSchema>;

export const DIAGNOSTIC_SOURCE = 'stepcritic';

// ---- commands the server executes (workspace/executeCommand) ---------------------------------
// vscode-languageclient registers these ids as VS Code commands by itself; the client must not
// register commands with the same ids.

export const ServerCommands = {
  /** args: [VersionedEdit] → ApplyEditResult. Refused when the document changed since. */
  applyEdit: 'stepcritic.server.applyEdit',
  /** args: [{ uri, stepIndex, stepHash }] */
  acceptStep: 'stepcritic.server.acceptStep',
  /** args: [{ uri, stepIndex, stepHash }] */
  unacceptStep: 'stepcritic.server.unacceptStep',
  /** args: [{ uri, stepIndex? }]: sends ShowExplanation and returns { markdown }. */
  explain: 'stepcritic.server.explain',
  /** args: [{ uri }]: critiques the file now. */
  critique: 'stepcritic.server.critique',
  /** args: [{ uri, version }]: proposes a refined solution and asks the user (showMessageRequest) before applying. */
  refineSolution: 'stepcritic.server.refineSolution',
  /** args: [{ message }]: shows why a refinement is not offered. */
  showMessage: 'stepcritic.server.showMessage',
  /** args: [CodeActionData]: applies the refinement resolved for that version (computing it if needed). */
  applyRefinement: 'stepcritic.server.applyRefinement',
} as const;

export const StepCommandArgsSchema = z.object({
  uri: z.string(),
  stepIndex: z.number().int().nonnegative(),
  stepHash: z.string(),
});
export type StepCommandArgs = z.infer<typeof StepCommandArgsSchema>;

export const UriArgsSchema = z.object({ uri: z.string(), version: z.number().int().optional(), stepIndex: z.number().int().nonnegative().optional() });

// ---- code actions ----------------------------------------------------------------------------

export const CodeActionKinds = {
  fixArithmetic: 'quickfix.stepcritic.fixArithmetic',
  refine: 'quickfix.stepcritic.refine',
  regenerate: 'quickfix.stepcritic.regenerate',
  accept: 'quickfix.stepcritic.accept',
  unaccept: 'quickfix.stepcritic.unaccept',
  explain: 'quickfix.stepcritic.explain',
  fixAll: 'source.fixAll.stepcritic',
} as const;

/** `CodeAction.data` of the actions computed lazily in `codeAction/resolve`. */
export const CodeActionDataSchema = z.object({
  kind: z.enum(['refine', 'regenerate']),
  uri: z.string(),
  version: z.number().int(),
  stepIndex: z.number().int().nonnegative(),
  stepHash: z.string(),
});
export type CodeActionData = z.infer<typeof CodeActionDataSchema>;
