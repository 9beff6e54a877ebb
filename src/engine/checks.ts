// The contracts between the judge and the checks it runs. Each check is injected, so the judge
// stays pure and each surface (CLI, server, tests) wires the checks it is allowed to run.
import type { RubricItem } from './rubric/rubric';
import type { CriticSource, CriticStop, Evidence, SolutionDocument, Usage } from './types';

/** What the LLM critic said about one step. */
export interface CriticStepResult {
  index: number;
  /** `error`: the critic could not judge this step (malformed reply, wrong step count, failure). */
  verdict: 'correct' | 'incorrect' | 'error';
  pTrue: number | null;
  source: CriticSource;
  explanation: string;
  cached: boolean;
  /** For `error`: why. */
  error?: string;
  /** For `error` from a reply: cut off at its token limit, or where the server's context was full; declined (a refusal or a content filter); or unreadable. */
  cause?: 'cut-off' | 'context-full' | 'declined' | 'unreadable';
}

/** The result for a step the critic was asked about and could not judge, saying why. */
export function couldNotJudge(index: number, reason: string, cause?: CriticStepResult['cause']): CriticStepResult {
  return { index, verdict: 'error', pTrue: null, source: 'verbal', explanation: '', cached: false, error: reason, ...(cause ? { cause } : {}) };
}

/** What the LLM critic said about one rubric item (judged in the same request as the steps). */
export interface CriticRubricResult {
  /** 1-based item number, as in the rubric. */
  number: number;
  /** `error`: the critic could not judge this item (`error` says why). */
  verdict: 'met' | 'unmet' | 'error';
  pTrue: number | null;
  source: CriticSource;
  /** 0-based indices of the steps the critic said the item rests on. */
  steps: number[];
  explanation: string;
  cached: boolean;
  error?: string;
}

export interface CriticResult {
  model: string;
  steps: CriticStepResult[];
  /** P(True) of the final answer when a solution-level call was asked for. */
  finalAnswerPTrue: number | null;
  usage: Usage;
  /** A fault that hit the whole call (budget reached, endpoint down), already reflected in `steps`. */
  note?: string;
  /** Set when the critic stopped before judging every step asked about (the token budget). */
  stopped?: CriticStop;
  /** One result per rubric item, when the request carried a rubric. */
  rubric?: CriticRubricResult[];
}

export interface CriticRequest {
  document: SolutionDocument;
  /** What the deterministic checks found, per step index, so the critic can be told. */
  evidence: ReadonlyMap<number, readonly Evidence[]>;
  /** Steps with an index below this are context only; the critic judges from here on. */
  fromStep: number;
  /** Steps from this index on are context only too (after a refuted step, shown for the rubric); default: none. */
  judgeUntil?: number;
  /** Rubric items to judge in the same request as the steps. */
  rubric?: readonly RubricItem[];
  signal?: AbortSignal;
  /** Called as steps get verdicts, for live step states. */
  onStep?: (result: CriticStepResult) => void;
}

/** The LLM critic, as the judge sees it. Implementations own their cache. */
export interface StepCritic {
  /** `model @ baseURL`, for display. */
  readonly description: string;
  judge(request: CriticRequest): Promise<CriticResult>;
}

/** What running a code solution's tests found. */
export interface CodeCheckResult {
  /** Evidence per step index (syntax errors, fault localization). */
  stepEvidence: Map<number, Evidence[]>;
  /** Solution-level test results. */
  tests: Evidence[];
  /** False when no test ran (none found, running code not allowed, interpreter missing). */
  ran: boolean;
  /** Tests that could not be judged (timed out once, no time left to retry with a longer limit). */
  unjudged?: number;
  note?: string;
}

export interface CodeChecker {
  check(document: SolutionDocument, signal?: AbortSignal): Promise<CodeCheckResult>;
}

/** P(True) bands: at or above `correct` a step is correct; at or below `incorrect` it is incorrect; between, uncertain. */
export interface Thresholds {
  correct: number;
  incorrect: number;
}

export const defaultThresholds: Thresholds = { correct: 0.7, incorrect: 0.3 };
