// Records of model outputs as researchers keep them: a problem and the model's response, in the field
// names the common tools write — `{problem, response}`, `{question, output}`, `{prompt, completion}`,
// `{instruction, output}`, `{query, generation}` — a chat (`messages` with roles, or ShareGPT
// `conversations` with `from`/`value`), or an lm-evaluation-harness sample (`--log_samples`: the task's
// `doc`, the generation in `resps[0][0]`, the expected answer in `target`). The response is free text,
// so it is read as a Markdown solution (paragraphs, list items, `Step N` lines and `## Step N` headings are steps; `\boxed{}`,
// `#### x` or an `Answer:` line is the final answer). An expected answer, when the record carries one
// (`ground_truth`, `gt_answer`, `expected_answer`, `reference_answer`, `target`, or `answer` beside a
// separate response), is checked like the front matter's `answer:`. Such records carry no step labels;
// a final-answer label (`is_correct`, `correct`, RealCritic's `previous_score: [true]`) lets `stepcritic
// eval` score them per solution. A record with several solutions to its problem (samples, one per model)
// is split by the item reader into one item per solution (`solutionsInRecord`).
import { z } from 'zod';
import { parseMarkdownSolution } from '../documents/markdown';
import { withReference } from '../documents/reference';
import { removeCalculatorAnnotations } from './calculator';
import { BooleanCell } from './cells';
import type { Labels, SolutionDocument } from '../types';
import type { RecordLocation } from './records';

const PROBLEM_KEYS = ['problem', 'question', 'prompt', 'instruction', 'query', 'input', 'Problem', 'Question'] as const;
/** In order of preference: a record with a model's response and a reference `solution` is about the response. */
const RESPONSE_KEYS = [
  'response',
  'output',
  'completion',
  'generation',
  'model_output',
  'model_response',
  // Hugging Face's text-generation pipeline.
  'generated_text',
  'prediction',
  'model_answer',
  // RealCritic's `reasoning` is the model's; its MATH records' `solution` is the dataset's own.
  'reasoning',
  'solution',
  'Response',
  'Output',
] as const;
const EXPECTED_KEYS = ['ground_truth', 'ground_truth_answer', 'gt_answer', 'gt', 'expected_answer', 'reference_answer', 'target', 'answer'] as const;
/** Fields that hold several responses to one problem: each is a solution of its own (`solutionsInRecord`). */
const SAMPLE_LIST_KEYS = ['responses', 'outputs', 'completions', 'generations', 'samples'] as const;
/** A preference pair (DPO/reward-model data, TRL's format): two responses to one prompt, each a solution. */
const PREFERENCE_KEYS = ['chosen', 'rejected'] as const;
/** Solution-level labels: whether the response's final answer is right (RealCritic's `previous_score: [true]`). */
const CORRECTNESS_KEYS = ['is_correct', 'correct', 'final_answer_correct', 'previous_score'] as const;
/** Text fields that mark an object as one model-output record (not a wrapper around a list of them). */
export const MODEL_OUTPUT_TEXT_FIELDS: readonly string[] = [...PROBLEM_KEYS, ...RESPONSE_KEYS, ...EXPECTED_KEYS];

const Text = z.string();
const Scalar = z.union([z.string(), z.number()]).transform(String);
const ContentPart = z.object({ type: z.string().optional(), text: z.string().optional() }).passthrough();
/** OpenAI chat content: a string, or an array of parts of which the text ones count. */
const Content = z.union([
  z.string(),
  z.array(ContentPart).transform((parts) =>
    parts
      .map((p) => p.text ?? '')
      .filter(Boolean)
      .join('\n'),
  ),
  z.null().transform(() => ''),
]);
const ChatMessage = z.union([
  z.object({ role: z.string(), content: Content }).transform((m) => ({ role: m.role.toLowerCase(), text: m.content })),
  z.object({ from: z.string(), value: z.string() }).transform((m) => ({ role: m.from.toLowerCase(), text: m.value })),
]);
const Chat = z.array(ChatMessage);

const USER_ROLES = new Set(['user', 'human']);
const ASSISTANT_ROLES = new Set(['assistant', 'gpt', 'model', 'bot']);

/** The first of `keys` that holds text, else the first that holds an empty string (reported as empty, not as unknown). */
function firstKey(record: Record<string, unknown>, keys: readonly string[]): string | undefined {
  const strings = keys.filter((k) => typeof record[k] === 'string');
  return strings.find((k) => (record[k] as string).trim() !== '') ?? strings[0];
}

function chatOf(record: Record<string, unknown>): unknown[] | undefined {
  const chat = record.messages ?? record.conversations ?? record.conversation;
  if (Array.isArray(chat)) return chat;
  // TRL's conversational prompt-completion: the prompt a chat, the completion the chat's continuation.
  if (Array.isArray(record.prompt) && Array.isArray(record.completion)) return [...(record.prompt as unknown[]), ...(record.completion as unknown[])];
  return undefined;
}

/** lm-evaluation-harness `--log_samples`: `{ doc: {…the task's record}, target, resps: [["generation", …]], … }`. */
const HarnessSample = z.object({
  doc: z.record(z.string(), z.unknown()),
  resps: z.array(z.array(z.unknown())),
});

function harnessSampleOf(record: Record<string, unknown>): z.infer<typeof HarnessSample> | undefined {
  const parsed = HarnessSample.safeParse(record);
  return parsed.success ? parsed.data : undefined;
}

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The solutions of a record that holds several to one problem, each as a record of its own named for
 * its id (`file.jsonl#N/name`): a list of samples (`responses: ["…", "…"]`, or objects with a
 * response), or one object per model (`{question, ground_truth, "6b": {solution, is_correct}, …}`, as
 * OpenAI's GSM8K example model solutions). Undefined when the record is one solution (or none).
 */
export function solutionsInRecord(record: unknown): { name: string; record: Record<string, unknown> }[] | undefined {
  if (!isObject(record) || chatOf(record) || harnessSampleOf(record)) return undefined;
  const pair = preferencePairOf(record);
  if (pair) return pair;
  const problemKey = firstKey(record, PROBLEM_KEYS);
  if (
    problemKey === undefined ||
    firstKey(
      record,
      RESPONSE_KEYS.filter((k) => k !== problemKey),
    ) !== undefined
  )
    return undefined;
  const holdsResponse = (value: unknown) => isObject(value) && firstKey(value, RESPONSE_KEYS) !== undefined && firstKey(value, PROBLEM_KEYS) === undefined;
  // vLLM's RequestOutput (`outputs: [{index, text, token_ids, finish_reason}]`): the sample's text is its response.
  const generatedText = (value: unknown) => isObject(value) && typeof value.text === 'string' && firstKey(value, PROBLEM_KEYS) === undefined;
  const listKey = SAMPLE_LIST_KEYS.find((k) => {
    const list = record[k];
    return Array.isArray(list) && list.length > 0 && list.every((v) => typeof v === 'string' || holdsResponse(v) || generatedText(v));
  });
  if (listKey !== undefined) {
    const { [listKey]: list, ...shared } = record;
    const sampleRecord = (sample: unknown) =>
      typeof sample === 'string'
        ? { response: sample }
        : holdsResponse(sample)
          ? (sample as object)
          : { ...(sample as object), response: (sample as { text: string }).text };
    return (list as unknown[]).map((sample, i) => ({ name: String(i), record: { ...shared, ...sampleRecord(sample) } }));
  }
  const named = Object.keys(record).filter((k) => holdsResponse(record[k]));
  if (named.length === 0) return undefined;
  const shared = Object.fromEntries(Object.entries(record).filter(([k]) => !named.includes(k)));
  return named.map((name) => ({ name, record: { ...shared, ...(record[name] as object) } }));
}

/**
 * `{prompt, chosen, rejected}` with text responses, or TRL's conversational form where `chosen` and
 * `rejected` are whole chats (the prompt inside them, or in `prompt` as a chat of its own).
 */
function preferencePairOf(record: Record<string, unknown>): { name: string; record: Record<string, unknown> }[] | undefined {
  const [chosen, rejected] = PREFERENCE_KEYS.map((k) => record[k]);
  const bothText = typeof chosen === 'string' && typeof rejected === 'string';
  const bothChats = Array.isArray(chosen) && Array.isArray(rejected);
  if (!bothText && !bothChats) return undefined;
  const promptChat = Array.isArray(record.prompt) ? (record.prompt as unknown[]) : undefined;
  const dropped = new Set<string>([...PREFERENCE_KEYS, ...(promptChat ? ['prompt'] : [])]);
  const shared = Object.fromEntries(Object.entries(record).filter(([k]) => !dropped.has(k)));
  return PREFERENCE_KEYS.map((name) => {
    const response = record[name];
    return {
      name,
      record: typeof response === 'string' ? { ...shared, response } : { ...shared, messages: [...(promptChat ?? []), ...(response as unknown[])] },
    };
  });
}

/** Whether a record has a model's response beside its other fields (`{question, answer, response}` is not GSM8K). */
export function hasModelResponse(record: Record<string, unknown>): boolean {
  return chatOf(record) !== undefined || RESPONSE_KEYS.some((k) => k !== 'solution' && typeof record[k] === 'string');
}

/** Whether a record reads as a problem and a model's response (checked after every named dataset shape). */
export function isModelOutputRecord(record: Record<string, unknown>): boolean {
  if (chatOf(record) || harnessSampleOf(record)) return true;
  const problem = firstKey(record, PROBLEM_KEYS);
  const response = firstKey(
    record,
    RESPONSE_KEYS.filter((k) => k !== problem),
  );
  return problem !== undefined && (response !== undefined || SAMPLE_LIST_KEYS.some((k) => Array.isArray(record[k])));
}

interface ProblemAndResponse {
  problem: string;
  response: string;
  /** The field the response was read from (so that `answer` beside it can be the expected answer). */
  responseKey?: string;
}

function fromChat(messages: unknown[], uri: string): ProblemAndResponse {
  const parsed = Chat.safeParse(messages);
  if (!parsed.success) throw new Error(`${uri}: the chat is not a list of {role, content} (or {from, value}) messages`);
  const chat = parsed.data;
  const last = chat.map((m) => ASSISTANT_ROLES.has(m.role)).lastIndexOf(true);
  if (last < 0) throw new Error(`${uri}: the chat has no assistant message to critique`);
  const asked = chat.slice(0, last).filter((m) => USER_ROLES.has(m.role));
  return { problem: asked.map((m) => m.text.trim()).join('\n\n'), response: chat[last]!.text };
}

function fromHarnessSample(sample: z.infer<typeof HarnessSample>, uri: string): ProblemAndResponse {
  const problemKey = firstKey(sample.doc, PROBLEM_KEYS);
  if (problemKey === undefined) throw new Error(`${uri}: the sample's "doc" has no problem field (${PROBLEM_KEYS.slice(0, 5).join(', ')}, …)`);
  const generation = sample.resps[0]?.[0];
  if (typeof generation !== 'string') throw new Error(`${uri}: the sample's "resps" holds no generated text (a log-likelihood task has nothing to critique)`);
  return { problem: sample.doc[problemKey] as string, response: generation };
}

function fromFields(record: Record<string, unknown>, uri: string): ProblemAndResponse {
  const problemKey = firstKey(record, PROBLEM_KEYS)!;
  const responseKey = firstKey(
    record,
    RESPONSE_KEYS.filter((k) => k !== problemKey),
  );
  if (responseKey === undefined) {
    const list = SAMPLE_LIST_KEYS.find((k) => Array.isArray(record[k]))!;
    throw new Error(`${uri}: "${list}" holds several responses; write one record per response (one record is one solution)`);
  }
  let problem = Text.parse(record[problemKey]);
  // Alpaca-style records put the data the instruction works on in `input`.
  const input = record.input;
  if (problemKey === 'instruction' && typeof input === 'string' && input.trim() !== '') problem = `${problem.trim()}\n\n${input.trim()}`;
  return { problem, response: Text.parse(record[responseKey]), responseKey };
}

const Correctness = z.union([BooleanCell, z.tuple([z.boolean()]).transform(([b]) => b)]);

/** The record's final-answer label, when it has one; it has no step labels. */
function labelsOf(record: Record<string, unknown>): Labels | undefined {
  for (const key of CORRECTNESS_KEYS) {
    const value = Correctness.safeParse(record[key]);
    if (value.success) return { firstErrorStep: null, finalAnswerCorrect: value.data, dataset: 'model-output' };
  }
  return undefined;
}

/** The expected answer, or a worked solution given where the answer would be (`ground_truth: "…\nA: 18"`). */
function expectedOf(record: Record<string, unknown>, responseKey: string | undefined): { answer: string } | { worked: string } | undefined {
  for (const key of EXPECTED_KEYS) {
    if (key === responseKey) continue;
    const value = Scalar.safeParse(record[key]);
    if (!value.success || value.data.trim() === '') continue;
    return /\n/.test(value.data.trim()) ? { worked: removeCalculatorAnnotations(value.data) } : { answer: value.data.trim() };
  }
  return undefined;
}

export function modelOutputToDocument(record: Record<string, unknown>, where: RecordLocation): SolutionDocument {
  const chat = chatOf(record);
  const sample = chat ? undefined : harnessSampleOf(record);
  const {
    problem,
    response: written,
    responseKey,
  } = chat ? fromChat(chat, where.uri) : sample ? fromHarnessSample(sample, where.uri) : fromFields(record, where.uri);
  if (written.trim() === '') throw new Error(`${where.uri}: the response is empty`);
  const response = removeCalculatorAnnotations(written);
  const expected = expectedOf(record, responseKey);
  const document = parseMarkdownSolution(where.uri, response, {
    maxSteps: where.maxSteps,
    problem,
    ...(expected && 'answer' in expected ? { expectedAnswer: expected.answer } : {}),
    // A response written line by line with no blank line between is a step per line, not one paragraph.
    linePerStep: !/\n[ \t]*\n/.test(response.trim()),
  });
  const labels = labelsOf(record);
  const read: SolutionDocument = { ...document, format: 'model-output', ...(labels ? { labels } : {}) };
  return expected && 'worked' in expected ? withReference(read, expected.worked, 'record') : read;
}
