// Before a large run: how many items, how many requests and tokens it will take at most, and what
// that may cost. A streamed pre-pass over the same items (memory stays flat). The prompt is measured
// with the same yardstick as the client's budget (src/engine/llm/tokens.ts): the fixed part of the
// critic prompt (built once, for an empty solution) plus the solution's own text and per-step tags.
// A record with a `steps` array of strings (ProcessBench, BIG-Bench Mistake, ...) is measured from
// its fields without being parsed — the pre-pass must cost little next to the run it announces;
// anything else is parsed. Completion tokens are an estimate per judged step (the critic writes a
// short analysis and a verdict for each). Cache hits are not known in advance: the figures are upper
// bounds.
import { buildStepCritiqueMessages } from '../llm/protocol';
import { CHARS_PER_TOKEN, estimateMessagesTokens } from '../llm/tokens';
import type { DocumentOptions } from '../pipeline/document';
import { buildItemDocument } from '../pipeline/document';
import type { PipelineItem } from '../pipeline/items';
import { itemKey } from '../pipeline/items';

/** What one judged step's reply costs: a sentence or two of analysis plus the JSON around the verdict. */
export const COMPLETION_TOKENS_PER_STEP = 60;

/** Above this many estimated tokens, a run on a terminal asks before it starts (`--yes` skips it). */
export const CONFIRM_ABOVE_TOKENS = 500_000;

/** `<step number="12">` … `</step>` around each step. */
const STEP_TAG_TOKENS = 8;

const fixedTokens = new Map<string, number>();

/** Tokens of the critic prompt for an empty solution: the system prompt, tags and instructions. */
function fixedPromptTokens(kind: 'math' | 'code'): number {
  let tokens = fixedTokens.get(kind);
  if (tokens === undefined) {
    tokens = estimateMessagesTokens(buildStepCritiqueMessages({ kind, problem: '', context: [], judged: [{ index: 0, text: '' }] }));
    fixedTokens.set(kind, tokens);
  }
  return tokens;
}

/** Size of a record whose steps are a plain array of strings, read from its fields; else undefined. */
function recordShape(value: unknown): { kind: 'math'; textChars: number; steps: number } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const steps = record.steps;
  const problem = record.problem ?? record.input ?? record.question;
  if (!Array.isArray(steps) || typeof problem !== 'string' || !steps.every((s) => typeof s === 'string')) return undefined;
  return { kind: 'math', textChars: problem.length + (steps as string[]).reduce((sum, s) => sum + s.length, 0), steps: steps.length };
}

export interface Prices {
  /** US dollars per million prompt tokens. */
  inputPerMillion: number;
  /** US dollars per million completion tokens. */
  outputPerMillion: number;
}

export interface RunEstimate {
  items: number;
  /** Already in the run log (skipped by --resume). */
  alreadyDone: number;
  toJudge: number;
  /** Items that could not be read or parsed (they cost nothing). */
  unreadable: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** In US dollars, when prices were given. */
  costUsd?: number;
}

export interface EstimateOptions {
  /** Keys already done (the run log's). */
  done?: ReadonlySet<string>;
  /** Whether an LLM critic will judge (otherwise only items are counted). */
  critic: boolean;
  /** How documents are built for the run (the step limit). */
  document?: DocumentOptions;
  prices?: Prices;
  signal?: AbortSignal;
}

export async function estimateRun(items: AsyncIterable<PipelineItem>, options: EstimateOptions): Promise<RunEstimate> {
  const estimate: RunEstimate = { items: 0, alreadyDone: 0, toJudge: 0, unreadable: 0, requests: 0, promptTokens: 0, completionTokens: 0 };
  for await (const item of items) {
    if (options.signal?.aborted) break;
    estimate.items += 1;
    if (options.done?.has(itemKey(item))) {
      estimate.alreadyDone += 1;
      continue;
    }
    if (item.source.kind === 'unreadable') {
      estimate.unreadable += 1;
      continue;
    }
    estimate.toJudge += 1;
    if (!options.critic) continue;
    let shape: { kind: 'math' | 'code'; textChars: number; steps: number } | undefined =
      item.source.kind === 'record' ? recordShape(item.source.value) : undefined;
    if (shape === undefined) {
      const built = await buildItemDocument(item, options.document);
      if (!built.ok) {
        estimate.unreadable += 1;
        continue;
      }
      const document = built.document;
      shape = {
        kind: document.kind,
        textChars: document.problem.length + document.steps.reduce((sum, s) => sum + s.text.length, 0),
        steps: document.steps.length,
      };
    }
    if (shape.steps === 0) continue;
    estimate.requests += 1;
    estimate.promptTokens += fixedPromptTokens(shape.kind) + Math.ceil(shape.textChars / CHARS_PER_TOKEN) + STEP_TAG_TOKENS * shape.steps;
    estimate.completionTokens += COMPLETION_TOKENS_PER_STEP * shape.steps;
  }
  if (options.prices) {
    estimate.costUsd = (estimate.promptTokens / 1e6) * options.prices.inputPerMillion + (estimate.completionTokens / 1e6) * options.prices.outputPerMillion;
  }
  return estimate;
}

/** `--price 2.5/10` (dollars per million prompt/completion tokens); one number prices both. */
export function parsePrices(text: string): Prices | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:[/:,]\s*(\d+(?:\.\d+)?))?\s*$/.exec(text);
  if (!match) return undefined;
  const input = Number(match[1]);
  return { inputPerMillion: input, outputPerMillion: match[2] !== undefined ? Number(match[2]) : input };
}

export function describeEstimate(estimate: RunEstimate, model?: string): string {
  const parts = [`${estimate.toJudge} of ${estimate.items} item${estimate.items === 1 ? '' : 's'} to judge`];
  if (estimate.alreadyDone > 0) parts.push(`${estimate.alreadyDone} already in the run log`);
  if (estimate.requests > 0) {
    const tokens = estimate.promptTokens + estimate.completionTokens;
    parts.push(
      `at most ${estimate.requests} request${estimate.requests === 1 ? '' : 's'} and about ${tokens.toLocaleString('en-US')} tokens (${estimate.promptTokens.toLocaleString('en-US')} prompt + ${estimate.completionTokens.toLocaleString('en-US')} completion)${model ? ` to ${model}` : ''}`,
    );
    parts.push(estimate.costUsd !== undefined ? `about $${estimate.costUsd.toFixed(2)}` : 'cost unknown (give --price IN/OUT in $ per million tokens)');
  }
  return parts.join(', ');
}
