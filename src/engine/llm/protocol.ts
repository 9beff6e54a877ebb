// The critic protocol: the prompts the critic model gets and how its replies are read.
// Documented for people in docs/critic-protocol.md; any change to a prompt or to how a reply is read
// must bump PROTOCOL_VERSION, which enters every cache key (old verdicts must not outlive their prompt).
//
// One request judges all steps of a solution from the first one that needs judging; earlier steps are
// given as context. Steps are tagged with their 1-based numbers. The reply is one JSON object; for each
// step the model writes its analysis first and its verdict last. The verdict is the JSON boolean
// `"correct": true|false`: `true` and `false` are single tokens in the common tokenizers (tiktoken,
// Llama, Qwen, Mistral) and differ in their first character, so the verdict token's log-probabilities
// give P(True) without a word being cut into ambiguous prefixes (`c`, `cor`, … of "correct" and
// "incorrect" both).
//
// The system prompt is assembled from sections (role, criteria, reply format) and the user message
// from tagged parts, so that a new part (a reference solution, a rubric) is one more entry in a list.
import { z } from 'zod';
import type { Evidence } from '../types';
import { isClaimEvidence } from '../types';
import { claimCorrection, claimNoun } from '../verify/claim-words';
import { errorMessage } from '../error-message';
import type { RubricItem } from '../rubric/rubric';

export const PROTOCOL_VERSION = 'stepcritic-critic/3';

/** The key whose boolean value is the verdict, in step entries and in the final-answer reply. */
export const VERDICT_KEY = 'correct';

/** The key whose boolean value says whether a rubric item is met (its token gives the item's P(True)). */
export const MET_KEY = 'met';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface PromptStep {
  /** 0-based index in the document; the prompt shows `index + 1`. */
  index: number;
  text: string;
}

export interface StepCritiqueInput {
  kind: 'math' | 'code';
  problem: string;
  /** Steps shown as context and not judged: those before the first judged one, and any after the last (for the rubric). */
  context: readonly PromptStep[];
  /** Steps to judge, in order. */
  judged: readonly PromptStep[];
  /** What the deterministic checks found, per step index. */
  evidence?: ReadonlyMap<number, readonly Evidence[]>;
  /** The most words an analysis may have (the reply budget is sized for it). */
  analysisWords?: number;
  /** Rubric items the critic judges in the same reply, numbered from 1. */
  rubric?: readonly RubricItem[];
  /** A reference solution to judge against (never judged itself). */
  reference?: string;
}

/** Words per analysis when nothing else is said: about 80 tokens, so a step's entry fits 120. */
export const DEFAULT_ANALYSIS_WORDS = 60;

const ROLE = `You are a careful, independent verifier of step-by-step solutions. You did not write the solution you are shown; assume nothing in it is right until you have checked it.`;

const CRITERIA = `For every step you are asked to judge, first analyse it: recompute every calculation, check every claim and every use of the problem's data against the problem and the earlier steps as they are written. Only then give your verdict.

A step is incorrect if it contains a calculation error, a logical error, a misreading of the problem, an unjustified claim, or a conclusion that does not follow. A step is correct if it is right given the problem and the earlier steps as written (a step that correctly continues from an earlier mistake is still judged on its own). Steps shown as context are not to be judged.`;

function stepReplyFormat(words: number): string {
  return `Reply with ONLY one JSON object, no other text, of exactly this shape:
{"steps": [{"step": <step number>, "analysis": "<your check of this step>", "${VERDICT_KEY}": true}, ...]}
- one entry for each step you are asked to judge, in order, with the step's number as given;
- "analysis" first: specific, at most ${words} words;
- "${VERDICT_KEY}" last: the JSON boolean true if the step is correct, false if it is not (no quotes).`;
}

function rubricReplyFormat(words: number): string {
  return `The reply object also has a "rubric" array after "steps", one entry per rubric item, in order:
"rubric": [{"item": <item number>, "analysis": "<how the solution does or does not do this>", "steps": [<numbers of the steps it rests on>], "${MET_KEY}": true}, ...]
- "analysis" first: specific, at most ${words} words; "steps": the step numbers that do (or fail to do) what the item asks, [] if none;
- "${MET_KEY}" last: the JSON boolean true if the solution fully does what the item asks, false if not (no quotes).`;
}

const RUBRIC_CRITERIA = `You are also given a grading rubric. Judge every rubric item against the whole solution as written, context steps included: an item is met only if the solution really does what it asks, correctly; an item that rests on an incorrect step is not met.`;
const REFERENCE_NOTE = `A reference solution, known to be correct, is given in <reference>. Use its results to check the steps' data and results. Do not require the same method: a step that reaches a right result another valid way is correct, and a step is never incorrect only because the reference does it differently. The reference is not to be judged.`;

const CODE_NOTE = `The solution is a program; each step is a part of it (a statement, a block, a function). A step is incorrect if it has a bug that makes the program wrong for some valid input of the problem.`;

const ANSWER_SYSTEM_PROMPT = `You are a careful, independent verifier. You are shown a problem, a proposed solution and the answer it proposes. Check the answer yourself.

Reply with ONLY one JSON object, no other text, of exactly this shape:
{"analysis": "<your check of the proposed answer>", "${VERDICT_KEY}": true}
"${VERDICT_KEY}" is the JSON boolean true if the proposed answer is correct, false if it is not (no quotes).`;

/** Text inside a tag must not close it early. */
function escapeTagText(text: string): string {
  return text.replace(/<\/(step|context-step|problem|solution|answer|item|rubric|reference)>/gi, '<\\/$1>');
}

function unescapeTagText(text: string): string {
  return text.replace(/<\\\/(step|context-step|problem|solution|answer|item|rubric|reference)>/gi, '</$1>');
}

export function describeEvidence(evidence: readonly Evidence[]): string[] {
  const lines: string[] = [];
  for (const e of evidence) {
    if (isClaimEvidence(e)) {
      const correction = claimCorrection(e);
      const what = `${claimNoun(e.kind)} \`${e.claim}\``;
      if (e.status === 'verified') lines.push(`${what} checks out`);
      else if (e.status === 'refuted') lines.push(`${what} is FALSE${correction ? ` (${correction})` : ''}`);
      else if (e.status === 'uncertain') lines.push(`${what} may not hold as written${correction ? ` (${correction})` : ''}`);
      continue;
    }
    switch (e.kind) {
      case 'test':
        if (e.status !== 'passed') lines.push(`test ${e.name} ${e.status}${e.output ? `: ${e.output.slice(0, 200)}` : ''}`);
        break;
      case 'syntax':
        lines.push(`syntax error: ${e.message}`);
        break;
      case 'fault-localization':
        if (e.failedTests > 0) lines.push(`failing tests point here (suspiciousness rank ${e.rank}, Ochiai ${e.score.toFixed(2)})`);
        break;
      default:
        break;
    }
  }
  return lines;
}

/** Step numbers as short runs: "step 3", "steps 1 to 4", "steps 1 to 2 and 5". */
function describeNumbers(numbers: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < numbers.length;) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    runs.push(i === j ? `${numbers[i]}` : `${numbers[i]} to ${numbers[j]}`);
    i = j + 1;
  }
  return `${numbers.length === 1 ? 'step' : 'steps'} ${runs.join(' and ')}`;
}

function rubricPart(rubric: readonly RubricItem[]): string {
  const items = rubric.map((item, i) => {
    const text = [item.title, ...(item.description ? [item.description] : [])].map((t) => escapeTagText(t.trim())).join('\n');
    return `<item number="${i + 1}" points="${item.points}">\n${text}\n</item>`;
  });
  return `<rubric>\n${items.join('\n')}\n</rubric>`;
}

function judgeInstruction(input: StepCritiqueInput): string {
  const numbers = input.judged.map((s) => s.index + 1);
  const context = input.context.map((s) => s.index + 1).sort((a, b) => a - b);
  const which =
    numbers.length === 0
      ? 'Judge no step'
      : numbers.length === 1
        ? `Judge step ${numbers[0]}`
        : `Judge steps ${numbers[0]} to ${numbers[numbers.length - 1]} (${numbers.length} steps)`;
  const contextNote = context.length === 0 ? '' : ` ${describeNumbers(context).replace(/^s/, 'S')} ${context.length === 1 ? 'is' : 'are'} context only.`;
  const rubric = input.rubric?.length ? ` Judge all ${input.rubric.length} rubric item${input.rubric.length === 1 ? '' : 's'}.` : '';
  return `${which}.${contextNote}${rubric} Reply with the JSON object only.`;
}

export function buildStepCritiqueMessages(input: StepCritiqueInput): ChatMessage[] {
  const words = input.analysisWords ?? DEFAULT_ANALYSIS_WORDS;
  const rubric = input.rubric?.length ? input.rubric : undefined;
  const reference = input.reference?.trim() ? input.reference.trim() : undefined;
  const system = [
    ROLE,
    CRITERIA,
    ...(input.kind === 'code' ? [CODE_NOTE] : []),
    ...(reference !== undefined ? [REFERENCE_NOTE] : []),
    ...(rubric ? [RUBRIC_CRITERIA] : []),
    stepReplyFormat(words),
    ...(rubric ? [rubricReplyFormat(words)] : []),
  ];
  const parts: string[] = [];
  parts.push(`<problem>\n${escapeTagText(input.problem.trim())}\n</problem>`);
  if (reference !== undefined) parts.push(`<reference>\n${escapeTagText(reference)}\n</reference>`);
  const judged = new Set(input.judged.map((s) => s.index));
  const all = [...input.context, ...input.judged].sort((a, b) => a.index - b.index);
  const body = all.map((step) => {
    const tag = judged.has(step.index) ? 'step' : 'context-step';
    return `<${tag} number="${step.index + 1}">\n${escapeTagText(step.text.trim())}\n</${tag}>`;
  });
  parts.push(`<solution>\n${body.join('\n')}\n</solution>`);

  const findings: string[] = [];
  for (const step of all) {
    for (const line of describeEvidence(input.evidence?.get(step.index) ?? [])) findings.push(`- step ${step.index + 1}: ${line}`);
  }
  if (findings.length > 0) {
    parts.push(`Deterministic checks already ran (they are reliable; a FALSE computation makes its step incorrect):\n${findings.join('\n')}`);
  }
  if (rubric) parts.push(rubricPart(rubric));
  parts.push(judgeInstruction(input));
  return [
    { role: 'system', content: system.join('\n\n') },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

/** A JSON schema for a reply, in the shape of OpenAI's `response_format: {type: "json_schema"}`. */
export interface ReplySchema {
  name: string;
  schema: Record<string, unknown>;
}

/**
 * The step reply's schema: exactly one entry per judged step (its number from the list), analysis
 * before verdict (constrained decoders generate properties in schema order). Kept to what OpenAI's
 * strict mode, vLLM/SGLang (xgrammar) and llama.cpp's grammar converter all accept.
 */
export function stepReplySchema(numbers: readonly number[], rubric?: { items: number; steps: readonly number[] }): ReplySchema {
  const properties: Record<string, unknown> = {};
  if (numbers.length > 0) {
    properties.steps = {
      type: 'array',
      minItems: numbers.length,
      maxItems: numbers.length,
      items: {
        type: 'object',
        properties: {
          step: { type: 'integer', enum: [...numbers] },
          analysis: { type: 'string' },
          [VERDICT_KEY]: { type: 'boolean' },
        },
        required: ['step', 'analysis', VERDICT_KEY],
        additionalProperties: false,
      },
    };
  }
  if (rubric && rubric.items > 0) {
    const stepNumber = rubric.steps.length > 0 ? { type: 'integer', enum: [...rubric.steps] } : { type: 'integer' };
    properties.rubric = {
      type: 'array',
      minItems: rubric.items,
      maxItems: rubric.items,
      items: {
        type: 'object',
        properties: {
          item: { type: 'integer', enum: Array.from({ length: rubric.items }, (_, i) => i + 1) },
          analysis: { type: 'string' },
          steps: { type: 'array', items: stepNumber },
          [MET_KEY]: { type: 'boolean' },
        },
        required: ['item', 'analysis', 'steps', MET_KEY],
        additionalProperties: false,
      },
    };
  }
  return {
    name: 'step_critique',
    schema: { type: 'object', properties, required: Object.keys(properties), additionalProperties: false },
  };
}

export const ANSWER_REPLY_SCHEMA: ReplySchema = {
  name: 'answer_check',
  schema: {
    type: 'object',
    properties: { analysis: { type: 'string' }, [VERDICT_KEY]: { type: 'boolean' } },
    required: ['analysis', VERDICT_KEY],
    additionalProperties: false,
  },
};

export interface FinalAnswerInput {
  problem: string;
  steps: readonly PromptStep[];
  answer: string;
}

export function buildFinalAnswerMessages(input: FinalAnswerInput): ChatMessage[] {
  const steps = input.steps.map((s) => `Step ${s.index + 1}: ${s.text.trim()}`).join('\n');
  const user = [
    `<problem>\n${escapeTagText(input.problem.trim())}\n</problem>`,
    `<solution>\n${escapeTagText(steps)}\n</solution>`,
    `<answer>\n${escapeTagText(input.answer.trim())}\n</answer>`,
    'Is the proposed answer True or False? Reply with the JSON object only.',
  ].join('\n\n');
  return [
    { role: 'system', content: ANSWER_SYSTEM_PROMPT },
    { role: 'user', content: user },
  ];
}

/** The follow-up that quotes what was wrong with a reply, sent once before giving up. */
export function buildRepairMessages(original: readonly ChatMessage[], reply: string, error: string): ChatMessage[] {
  return [
    ...original,
    { role: 'assistant', content: reply.length > 6000 ? `${reply.slice(0, 6000)}…` : reply },
    {
      role: 'user',
      content: `Your reply could not be used: ${error}\nReply again with ONLY the JSON object in the required shape, one entry per step you were asked to judge.`,
    },
  ];
}

// ---- reading a prompt back (the scripted test server and the docs use this) --------------------

export interface ParsedStepPrompt {
  kind: 'steps';
  problem: string;
  /** The reference solution, when the prompt carries one. */
  reference?: string;
  context: { number: number; text: string }[];
  judged: { number: number; text: string }[];
  /** Rubric items (their title and description as one text), empty when the prompt has no rubric. */
  rubric: { number: number; points: number; text: string }[];
}

export interface ParsedAnswerPrompt {
  kind: 'answer';
  problem: string;
  answer: string;
}

/** Reads the tagged parts out of a critic prompt's user message (undefined when it is not one). */
export function parseCriticPrompt(user: string): ParsedStepPrompt | ParsedAnswerPrompt | undefined {
  const problem = /<problem>\n?([\s\S]*?)\n?<\/problem>/.exec(user)?.[1];
  if (problem === undefined) return undefined;
  const answer = /<answer>\n?([\s\S]*?)\n?<\/answer>/.exec(user)?.[1];
  if (answer !== undefined) return { kind: 'answer', problem: unescapeTagText(problem), answer: unescapeTagText(answer) };
  const read = (tag: string) =>
    [...user.matchAll(new RegExp(`<${tag} number="(\\d+)">\\n?([\\s\\S]*?)\\n?</${tag}>`, 'g'))].map((m) => ({
      number: Number(m[1]),
      text: unescapeTagText(m[2] ?? ''),
    }));
  const rubric = [...user.matchAll(/<item number="(\d+)" points="([\d.]+)">\n?([\s\S]*?)\n?<\/item>/g)].map((m) => ({
    number: Number(m[1]),
    points: Number(m[2]),
    text: unescapeTagText(m[3] ?? ''),
  }));
  const reference = /<reference>\n?([\s\S]*?)\n?<\/reference>/.exec(user)?.[1];
  return {
    kind: 'steps',
    problem: unescapeTagText(problem),
    ...(reference !== undefined ? { reference: unescapeTagText(reference) } : {}),
    context: read('context-step'),
    judged: read('step'),
    rubric,
  };
}

// ---- reading a reply ---------------------------------------------------------------------------

/** The verdict as written: a JSON boolean, or (from a model that quoted it) "true"/"false". */
const VerdictValueSchema = z.union([z.boolean(), z.string()]);

const StepEntrySchema = z.object({
  step: z.coerce.number().int(),
  analysis: z.string().default(''),
  [VERDICT_KEY]: VerdictValueSchema,
});

const RubricEntrySchema = z.object({
  item: z.coerce.number().int(),
  analysis: z.string().default(''),
  steps: z.array(z.coerce.number().int()).default([]),
  [MET_KEY]: VerdictValueSchema,
});

const StepReplySchema = z.object({ steps: z.array(StepEntrySchema).default([]), rubric: z.array(RubricEntrySchema).optional() });

const AnswerReplySchema = z.object({ analysis: z.string().default(''), [VERDICT_KEY]: VerdictValueSchema });

export interface ReplyEntry {
  /** 1-based step number as the model wrote it. */
  step: number;
  analysis: string;
  verdict: 'correct' | 'incorrect';
  /** Position of this entry in the reply's `steps` array (pairs it with its verdict token). */
  position: number;
}

export interface RubricReplyEntry {
  /** 1-based item number. */
  item: number;
  analysis: string;
  met: boolean;
  /** 0-based indices of the steps the item rests on (numbers outside the solution are dropped). */
  steps: number[];
  /** Position of this entry in the reply's `rubric` array (pairs it with its `met` token). */
  position: number;
}

export type StepReplyParse =
  | {
      ok: true;
      /** Valid entries by 0-based step index. */
      entries: Map<number, ReplyEntry>;
      /** Problems with individual steps (missing, duplicated, unreadable verdict), by 0-based index. */
      stepProblems: Map<number, string>;
      /** Valid rubric entries by 1-based item number. */
      items: Map<number, RubricReplyEntry>;
      /** Problems with individual rubric items, by 1-based number. */
      itemProblems: Map<number, string>;
      /** A summary of what was wrong, when anything was (drives the one repair request). */
      problem?: string;
    }
  | { ok: false; error: string };

/** Reasoning a model wrote before its answer (`<think>…</think>`, unclosed when it was cut off). */
function withoutThinking(content: string): string {
  return content.replace(/<think>[\s\S]*?(<\/think>|$)/g, '');
}

/** The JSON object in a reply: the whole text, or inside a ``` fence, or from the first `{` to the last `}`. */
export function extractJsonText(content: string): string {
  const trimmed = withoutThinking(content).trim();
  const fenced = /```(?:json)?\s*\n?([\s\S]*?)```/.exec(trimmed);
  if (fenced?.[1] !== undefined && fenced[1].trim().startsWith('{')) return fenced[1].trim();
  const first = trimmed.indexOf('{');
  const last = trimmed.lastIndexOf('}');
  if (first >= 0 && last > first) return trimmed.slice(first, last + 1);
  return trimmed;
}

/** true/false from the verdict as written, or undefined when it is neither. */
function readVerdict(raw: boolean | string): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  const word = raw
    .trim()
    .replace(/^["'`]+|["'`.]+$/g, '')
    .toLowerCase();
  return word === 'true' ? true : word === 'false' ? false : undefined;
}

function describeVerdict(raw: boolean | string): string {
  return JSON.stringify(typeof raw === 'string' ? raw.slice(0, 40) : raw);
}

function formatZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'reply'}: ${i.message}`)
    .join('; ');
}

function parseJson(content: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const text = extractJsonText(content);
  if (text.length === 0)
    return {
      ok: false,
      error: content.length > 0 ? `the reply held no JSON (${content.length} characters of whitespace or reasoning)` : 'the reply was empty',
    };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = errorMessage(error);
    return { ok: false, error: `the reply is not valid JSON (${message})` };
  }
}

/**
 * The complete entries of a `steps` array whose text was cut off: every `{…}` object at the array's
 * top level that closed before the cut, parsed on its own. Strings (and the braces in them) are skipped.
 */
export function salvageStepEntries(content: string, array: 'steps' | 'rubric' = 'steps'): unknown[] {
  const text = withoutThinking(content);
  const key = new RegExp(`"${array}"\\s*:\\s*\\[`).exec(text);
  if (!key) return [];
  const entries: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = key.index + key[0].length; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0 && start >= 0) {
        try {
          entries.push(JSON.parse(text.slice(start, i + 1)));
        } catch {
          // a malformed entry is left out; its step gets no verdict
        }
        start = -1;
      }
    } else if (c === ']' && depth === 0) break;
  }
  return entries;
}

/**
 * Reads a step-critique reply; `expected` are the 0-based indices that were asked for, in order.
 * `cutOff`: the reply stopped at its token limit, so only the entries completed before the cut are read
 * (the missing ones are the caller's to explain; they are not a reason to ask again).
 */
export function parseStepCritiqueReply(
  content: string,
  expected: readonly number[],
  options: { cutOff?: boolean; rubricItems?: number; stepCount?: number } = {},
): StepReplyParse {
  let value: unknown;
  const json = parseJson(content);
  if (json.ok) value = json.value;
  else if (options.cutOff) value = { steps: salvageStepEntries(content), rubric: salvageStepEntries(content, 'rubric') };
  else return json;
  const parsed = StepReplySchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: `the reply does not have the required shape (${formatZodError(parsed.error)})` };

  const wanted = new Set(expected);
  const entries = new Map<number, ReplyEntry>();
  const stepProblems = new Map<number, string>();
  const unknown: number[] = [];
  parsed.data.steps.forEach((entry, position) => {
    const index = entry.step - 1;
    if (!wanted.has(index)) {
      unknown.push(entry.step);
      return;
    }
    if (entries.has(index) || stepProblems.get(index)?.startsWith('judged twice')) {
      entries.delete(index);
      stepProblems.set(index, 'judged twice with no single verdict');
      return;
    }
    const raw = entry[VERDICT_KEY];
    const verdict = readVerdict(raw);
    if (verdict === undefined) {
      stepProblems.set(index, `the verdict ${describeVerdict(raw)} is neither true nor false`);
      return;
    }
    entries.set(index, { step: entry.step, analysis: entry.analysis.trim(), verdict: verdict ? 'correct' : 'incorrect', position });
  });
  const missing = expected.filter((i) => !entries.has(i) && !stepProblems.has(i));
  if (!options.cutOff) for (const index of missing) stepProblems.set(index, `the critic's reply had no verdict for step ${index + 1}`);

  const complaints: string[] = [];
  if (!options.cutOff && parsed.data.steps.length !== expected.length) {
    complaints.push(
      `it judged ${parsed.data.steps.length} step${parsed.data.steps.length === 1 ? '' : 's'} but ${expected.length} were asked for (steps ${expected.map((i) => i + 1).join(', ')})`,
    );
  }
  if (!options.cutOff && missing.length > 0) complaints.push(`no verdict for step${missing.length === 1 ? '' : 's'} ${missing.map((i) => i + 1).join(', ')}`);
  if (unknown.length > 0) complaints.push(`it judged step${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}, which were not asked for`);
  for (const [index, problem] of stepProblems) if (!missing.includes(index)) complaints.push(`step ${index + 1}: ${problem}`);
  const rubric = readRubricEntries(parsed.data.rubric ?? [], options.rubricItems ?? 0, options.stepCount ?? Number.POSITIVE_INFINITY, options.cutOff === true);
  complaints.push(...rubric.complaints);
  return {
    ok: true,
    entries,
    stepProblems,
    items: rubric.items,
    itemProblems: rubric.problems,
    problem: complaints.length > 0 ? complaints.join('; ') : undefined,
  };
}

/** The rubric entries of a reply, matched to items 1..count by their number, and what was wrong with them. */
function readRubricEntries(
  entries: readonly z.infer<typeof RubricEntrySchema>[],
  count: number,
  stepCount: number,
  cutOff: boolean,
): { items: Map<number, RubricReplyEntry>; problems: Map<number, string>; complaints: string[] } {
  const items = new Map<number, RubricReplyEntry>();
  const problems = new Map<number, string>();
  const complaints: string[] = [];
  if (count === 0) return { items, problems, complaints };
  const unknown: number[] = [];
  entries.forEach((entry, position) => {
    if (entry.item < 1 || entry.item > count) {
      unknown.push(entry.item);
      return;
    }
    if (items.has(entry.item) || problems.has(entry.item)) {
      items.delete(entry.item);
      problems.set(entry.item, 'judged twice with no single verdict');
      return;
    }
    const met = readVerdict(entry[MET_KEY]);
    if (met === undefined) {
      problems.set(entry.item, `"${MET_KEY}" ${describeVerdict(entry[MET_KEY])} is neither true nor false`);
      return;
    }
    const steps = [...new Set(entry.steps.filter((n) => n >= 1 && n <= stepCount).map((n) => n - 1))].sort((a, b) => a - b);
    items.set(entry.item, { item: entry.item, analysis: entry.analysis.trim(), met, steps, position });
  });
  const missing: number[] = [];
  for (let item = 1; item <= count; item++) if (!items.has(item) && !problems.has(item)) missing.push(item);
  if (!cutOff) for (const item of missing) problems.set(item, `the critic's reply had no verdict for rubric item ${item}`);
  if (!cutOff && missing.length > 0) complaints.push(`no verdict for rubric item${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`);
  if (unknown.length > 0) complaints.push(`it judged rubric item${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}, which the rubric does not have`);
  for (const [item, problem] of problems) if (!missing.includes(item)) complaints.push(`rubric item ${item}: ${problem}`);
  return { items, problems, complaints };
}

export type AnswerReplyParse = { ok: true; verdict: boolean; analysis: string } | { ok: false; error: string };

export function parseFinalAnswerReply(content: string): AnswerReplyParse {
  const json = parseJson(content);
  if (!json.ok) return json;
  const parsed = AnswerReplySchema.safeParse(json.value);
  if (!parsed.success) return { ok: false, error: `the reply does not have the required shape (${formatZodError(parsed.error)})` };
  const raw = parsed.data[VERDICT_KEY];
  const verdict = readVerdict(raw);
  if (verdict === undefined) return { ok: false, error: `the verdict ${describeVerdict(raw)} is neither true nor false` };
  return { ok: true, verdict, analysis: parsed.data.analysis.trim() };
}
