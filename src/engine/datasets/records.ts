// Dataset records → SolutionDocument, for batch runs and `stepcritic eval`.
//
// Every record keeps its dataset's own step boundaries, so the dataset's label of the first wrong step
// lines up with our step index. Labels are stored 0-based (`firstErrorStep`, -1 when every step is
// correct, null when unknown), converted from the datasets that count from 1.
//
//   processbench       { problem, steps[], label (0-based, -1), final_answer_correct }
//   gsm8k              { question, answer: "…<<48/2=24>>24…\n#### 72" } — a human reference solution:
//                      calculator annotations removed, each line before `####` is one step
//   mr-ben (math)      { Question, Options, Model_Solution_Steps: ["Step 1: …", …, "Solution: Choice_B"],
//                      Model_Solution_First_Error_Step: "2" (1-based) | "N/A" }; MR-GSM8K records
//                      ({ question, model_output_steps, model_output_solution_first_error_step }) too
//   mr-ben (coding)    { Question, Model_Solution_Steps: "def …" (the program), Model_Solution_First_Error_Step:
//                      the text of the first wrong line | "N/A" }: read by the code engine
//   big-bench-mistake  { input, steps[], answer, target, mistake_index (0-based) | null }
//   prmbench           { modified_question, modified_process[], error_steps (1-based) }
//   prm800k            { question: { problem, ground_truth_answer, pre_generated_steps? }, label: { steps, finish_reason } }
//                      (prm800k.ts)
//   model-output       a problem and a model's response in the field names common tools write, or a
//                      chat; no labels (model-output.ts). Detected last, after every named shape.
//   humaneval, humanevalfix, quixbugs: code records, read by the code engine (codeRecordToDocument).
//
// Any record may carry a `reference` field: a worked reference solution (documents/reference.ts).
import { z } from 'zod';
import { codeRecordToDocument, mrBenCodeToDocument } from '../code/datasets';
import { buildDocument } from '../documents/build';
import type { Span, StepSpan } from '../documents/build';
import { lastBoxedIn } from '../documents/final-answer';
import { withReference } from '../documents/reference';
import type { DocumentFormat, Labels, SolutionDocument } from '../types';
import { removeCalculatorAnnotations } from './calculator';
import { BooleanCell, IntegerCell } from './cells';
import { layoutRecord } from './layout';
import { hasModelResponse, isModelOutputRecord, isObject, MODEL_OUTPUT_TEXT_FIELDS, modelOutputToDocument } from './model-output';
import { Prm800kRecord, prm800kToDocument } from './prm800k';

export interface RecordLocation {
  /** `file.jsonl#<record>`. */
  uri: string;
  format?: DocumentFormat;
  maxSteps?: number;
  /** Code bug datasets: critique the buggy program (default) or the fixed one. */
  variant?: 'buggy' | 'fixed';
  /** Code datasets: where the dataset's side files are (QuixBugs test cases). */
  dataDir?: string;
}

const ProcessBenchRecord = z.object({
  id: z.union([z.string(), z.number().transform(String)]).optional(),
  problem: z.string(),
  steps: z.array(z.string()),
  /** Absent in model outputs split into steps that nobody has labelled: judged, not scored. */
  label: IntegerCell.pipe(z.number().int().min(-1)).optional(),
  final_answer_correct: BooleanCell.optional(),
});

const Gsm8kRecord = z.object({
  question: z.string(),
  answer: z.string(),
});

const MrBenMathRecord = z.object({
  Question: z.string(),
  Options: z.string().optional(),
  Subject: z.string().optional(),
  Ground_Truth_Answer: z.string().optional(),
  Model_Solution_Steps: z.array(z.string()),
  Model_Solution_Correctness: z.string(),
  Model_Solution_First_Error_Step: z.union([z.string(), z.number()]),
});

const MrGsm8kRecord = z.object({
  question: z.string(),
  ground_truth_answer: z.union([z.string(), z.number()]).optional(),
  model_output_steps: z.array(z.string()),
  model_output_answer_correctness: z.string().optional(),
  model_output_solution_correctness: z.string().optional(),
  model_output_solution_first_error_step: z.union([z.number(), z.string()]).nullable().optional(),
});

const BigBenchMistakeRecord = z.object({
  input: z.string(),
  steps: z.array(z.string()),
  answer: z.string().nullable().optional(),
  target: z.string().nullable().optional(),
  mistake_index: z.number().int().min(0).nullable(),
});

const PrmBenchRecord = z.object({
  question: z.string().optional(),
  modified_question: z.string().optional(),
  original_question: z.string().optional(),
  modified_process: z.array(z.string()),
  error_steps: z.array(z.number().int().positive()),
  classification: z.string().optional(),
});

const FILE_FORMATS = new Set<DocumentFormat>(['markdown', 'text', 'python', 'javascript', 'typescript']);

function has(record: Record<string, unknown>, ...keys: string[]): boolean {
  return keys.every((k) => k in record);
}

/** Fields of one record that hold arrays of objects (steps, chat turns, tests). */
const RECORD_ARRAY_FIELDS = new Set(['steps', 'completions', 'tests', 'labels', 'messages', 'turns', 'conversations', 'label', 'process']);
/** Fields of one record that hold its text (the named datasets' and the model-output shapes'). */
const RECORD_TEXT_FIELDS = new Set([
  ...MODEL_OUTPUT_TEXT_FIELDS,
  'buggy_solution',
  'canonical_solution',
  'buggy_program',
  'correct_program',
  'task_id',
  'test',
  'Model_Solution_Steps',
  'model_output_steps',
  'modified_process',
  'modified_question',
  'error_steps',
  'steps',
]);

/**
 * Whether a top-level field of a JSON object makes the object one record, as opposed to a wrapper
 * such as `{"meta": {…}, "data": [records]}` or `{"q-1": [records], …}` whose arrays are the records.
 */
export function isRecordField(key: string, value: unknown): boolean {
  return Array.isArray(value) ? RECORD_ARRAY_FIELDS.has(key) : RECORD_TEXT_FIELDS.has(key);
}

/** Which dataset a record comes from, by its fields; undefined when it matches none. */
export function detectRecordFormat(record: unknown): DocumentFormat | undefined {
  if (!isObject(record)) return undefined;
  const r = record;
  if (has(r, 'buggy_solution', 'canonical_solution')) return 'humanevalfix';
  if (has(r, 'buggy_program', 'correct_program')) return 'quixbugs';
  if (has(r, 'task_id', 'prompt', 'canonical_solution', 'test')) return 'humaneval';
  if (has(r, 'Model_Solution_Steps')) return 'mr-ben';
  if (has(r, 'model_output_steps')) return 'mr-ben';
  if (has(r, 'modified_process', 'error_steps')) return 'prmbench';
  if (has(r, 'problem', 'steps') && (has(r, 'label') || Array.isArray(r.steps))) return 'processbench';
  if (has(r, 'input', 'steps')) return 'big-bench-mistake';
  if (has(r, 'question', 'label') && isObject(r.question) && 'problem' in r.question && isObject(r.label) && 'steps' in r.label) return 'prm800k';
  if (has(r, 'question', 'answer') && typeof r.answer === 'string' && !hasModelResponse(r)) return 'gsm8k';
  if (isModelOutputRecord(r)) return 'model-output';
  return undefined;
}

function parseRecord<T>(schema: z.ZodType<T>, record: unknown, format: string, uri: string): T {
  const parsed = schema.safeParse(record);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `field "${issue.path.join('.')}"` : 'record';
  throw new Error(`${uri}: not a valid ${format} record (${where}: ${issue?.message ?? 'invalid'})`);
}

/** A record's `reference` field: a worked solution as text. */
const ReferenceField = z.object({ reference: z.unknown() });

export function recordToDocument(record: unknown, where: RecordLocation): SolutionDocument {
  const document = recordDocument(record, where);
  const field = ReferenceField.safeParse(record);
  if (!field.success || field.data.reference === undefined || field.data.reference === null) return document;
  const text = z.string().safeParse(field.data.reference);
  if (text.success) return withReference(document, text.data, 'record');
  const warning = 'The record\'s "reference" field should be a text (a worked solution); it was ignored.';
  return { ...document, warnings: [...document.warnings, warning] };
}

function recordDocument(record: unknown, where: RecordLocation): SolutionDocument {
  const format = where.format ?? detectRecordFormat(record);
  if (!format) {
    const keys = typeof record === 'object' && record !== null ? Object.keys(record).slice(0, 8).join(', ') : typeof record;
    throw new Error(
      `${where.uri}: unknown record format (fields: ${keys}); expected a problem and a response (problem/question/prompt with response/output/completion, or chat messages), or ProcessBench, PRM800K, GSM8K, MR-BEN, BIG-Bench Mistake, PRMBench, HumanEval, HumanEvalFix or QuixBugs records`,
    );
  }
  if (FILE_FORMATS.has(format)) throw new Error(`${where.uri}: "${format}" is a file format, not a dataset record format`);
  switch (format) {
    case 'humaneval':
    case 'humanevalfix':
    case 'quixbugs':
      return codeRecordToDocument(record, { uri: where.uri, format, maxSteps: where.maxSteps, variant: where.variant, dataDir: where.dataDir });
    case 'processbench':
      return processBench(record, where);
    case 'gsm8k':
      return gsm8k(record, where);
    case 'mr-ben':
      return mrBen(record, where);
    case 'big-bench-mistake':
      return bigBenchMistake(record, where);
    case 'prmbench':
      return prmBench(record, where);
    case 'prm800k':
      return prm800kToDocument(parseRecord(Prm800kRecord, record, 'PRM800K', where.uri), where);
    case 'model-output':
      if (!isObject(record)) throw new Error(`${where.uri}: a model-output record is a JSON object`);
      return modelOutputToDocument(record, where);
    default:
      throw new Error(`${where.uri}: "${format}" is not a dataset record format`);
  }
}

function labels(dataset: string, firstErrorStep: number | null, finalAnswerCorrect?: boolean | null): Labels {
  const l: Labels = { firstErrorStep, dataset };
  if (finalAnswerCorrect !== undefined) l.finalAnswerCorrect = finalAnswerCorrect;
  return l;
}

function boxedAnswer(text: string, steps: StepSpan[]): { text: string; span: Span } | undefined {
  const span = lastBoxedIn(text, steps);
  return span ? { text: text.slice(span.start, span.end), span } : undefined;
}

function processBench(record: unknown, where: RecordLocation): SolutionDocument {
  const r = parseRecord(ProcessBenchRecord, record, 'ProcessBench', where.uri);
  const layout = layoutRecord(
    r.problem,
    r.steps.map((text) => ({ text })),
  );
  const warnings: string[] = [];
  const firstError = r.label === undefined || r.label >= r.steps.length ? null : r.label;
  if (r.label !== undefined && firstError === null) warnings.push(`The record's label (${r.label}) is past its last step; it was ignored.`);
  return buildDocument({
    uri: where.uri,
    format: 'processbench',
    text: layout.text,
    problem: layout.problem,
    steps: layout.steps,
    finalAnswer: boxedAnswer(layout.text, layout.steps),
    ...(r.label !== undefined ? { labels: labels('processbench', firstError, r.final_answer_correct ?? null) } : {}),
    warnings,
    maxSteps: where.maxSteps,
  });
}

function gsm8k(record: unknown, where: RecordLocation): SolutionDocument {
  const r = parseRecord(Gsm8kRecord, record, 'GSM8K', where.uri);
  const lines = removeCalculatorAnnotations(r.answer).split(/\r\n|\r|\n/);
  const marker = lines.findIndex((l) => /^\s*####/.test(l));
  const stepLines = (marker >= 0 ? lines.slice(0, marker) : lines).filter((l) => l.trim() !== '');
  const answer = marker >= 0 ? lines[marker]!.replace(/^\s*####\s*/, '').trim() : undefined;
  const layout = layoutRecord(
    r.question,
    stepLines.map((text) => ({ text })),
    answer !== undefined ? `#### ${answer}` : undefined,
  );
  const finalAnswer =
    answer !== undefined && layout.trailer ? { text: answer, span: { start: layout.trailer.end - answer.length, end: layout.trailer.end } } : undefined;
  return buildDocument({
    uri: where.uri,
    format: 'gsm8k',
    text: layout.text,
    problem: layout.problem,
    steps: layout.steps,
    finalAnswer,
    expectedAnswer: answer,
    // The reference solutions were written by people and are taken as correct (a little label noise).
    labels: labels('gsm8k', -1, true),
    warnings: marker < 0 ? ['The answer has no "####" line: no final answer.'] : [],
    maxSteps: where.maxSteps,
  });
}

const STEP_PREFIX = /^\s*step\s*(\d{1,4})\s*[:.)-]?/i;

/**
 * MR-BEN and MR-GSM8K number their steps "Step k: …" and label the first wrong one by that number.
 * A list entry without the prefix (a continuation the model wrote on its own line) belongs to the step
 * before it, so the labelled numbers and our indices still line up.
 */
function groupNumberedSteps(entries: string[]): { steps: { text: string; label?: string }[]; numbers: number[] } {
  const steps: { text: string; label?: string }[] = [];
  const numbers: number[] = [];
  for (const entry of entries) {
    const m = STEP_PREFIX.exec(entry);
    if (m || steps.length === 0) {
      steps.push(m ? { text: entry, label: `Step ${m[1]}` } : { text: entry });
      numbers.push(m ? Number(m[1]) : 0);
    } else {
      steps[steps.length - 1]!.text += `\n${entry}`;
    }
  }
  return { steps, numbers };
}

function stepIndexOf(numbers: number[], oneBased: number): number | null {
  const exact = numbers.indexOf(oneBased);
  if (exact >= 0) return exact;
  return null;
}

function choiceOf(text: string): string | undefined {
  const m = /choice[\s_:]*([A-Ea-e])\b/i.exec(text) ?? /^\s*solution\s*:\s*\(?([A-Ea-e])\)?\s*$/i.exec(text);
  return m ? m[1]!.toUpperCase() : undefined;
}

function mrBen(record: unknown, where: RecordLocation): SolutionDocument {
  if (isObject(record) && 'model_output_steps' in record) return mrGsm8k(record, where);
  // The coding subset keeps the program as one text.
  if (isObject(record) && typeof record.Model_Solution_Steps === 'string') return mrBenCodeToDocument(record, { uri: where.uri, maxSteps: where.maxSteps });
  const m = parseRecord(MrBenMathRecord, record, 'MR-BEN', where.uri);
  const entries = [...m.Model_Solution_Steps];
  let trailer: string | undefined;
  if (entries.length > 0 && /^\s*solution\s*:/i.test(entries[entries.length - 1]!)) trailer = entries.pop();
  const { steps, numbers } = groupNumberedSteps(entries);
  const problem = m.Options ? `${m.Question.trim()}\n\n${m.Options.trim()}` : m.Question;
  const layout = layoutRecord(problem, steps, trailer);
  const warnings: string[] = [];
  let firstError: number | null;
  if (m.Model_Solution_Correctness.toLowerCase() === 'correct') firstError = -1;
  else {
    const n = Number(String(m.Model_Solution_First_Error_Step).trim());
    firstError = Number.isInteger(n) && n > 0 ? stepIndexOf(numbers, n) : null;
    if (firstError === null) warnings.push(`The labelled first error step ("${m.Model_Solution_First_Error_Step}") is not one of the record's numbered steps.`);
  }
  let choice = trailer ? choiceOf(trailer) : undefined;
  let finalAnswer: { text: string; span?: Span } | undefined;
  if (choice && layout.trailer) {
    const at = layout.text.lastIndexOf(choice, layout.trailer.end);
    finalAnswer = at >= layout.trailer.start ? { text: choice, span: { start: at, end: at + 1 } } : { text: choice };
  } else {
    // no "Solution: Choice_X" line: the last "Choice_X" the last step names
    const last = layout.steps[layout.steps.length - 1];
    const named = last ? [...layout.text.slice(last.start, last.end).matchAll(/choice[\s_:]*([A-E])\b/gi)].pop() : undefined;
    if (last && named) {
      choice = named[1]!.toUpperCase();
      const at = last.start + named.index! + named[0].length - 1;
      finalAnswer = { text: layout.text[at]!, span: { start: at, end: at + 1 } };
    }
  }
  const expected = m.Ground_Truth_Answer?.trim();
  return buildDocument({
    uri: where.uri,
    format: 'mr-ben',
    text: layout.text,
    problem: layout.problem,
    steps: layout.steps,
    finalAnswer,
    expectedAnswer: expected,
    labels: labels('mr-ben', firstError, choice && expected ? choice === expected.toUpperCase() : null),
    warnings,
    maxSteps: where.maxSteps,
  });
}

function mrGsm8k(record: unknown, where: RecordLocation): SolutionDocument {
  const r = parseRecord(MrGsm8kRecord, record, 'MR-GSM8K', where.uri);
  const { steps, numbers } = groupNumberedSteps(r.model_output_steps);
  const layout = layoutRecord(r.question, steps);
  const warnings: string[] = [];
  let firstError: number | null = null;
  const correctness = r.model_output_solution_correctness?.toLowerCase();
  if (correctness === 'correct') firstError = -1;
  else if (r.model_output_solution_first_error_step !== undefined && r.model_output_solution_first_error_step !== null) {
    const n = Number(r.model_output_solution_first_error_step);
    firstError = Number.isInteger(n) && n > 0 ? stepIndexOf(numbers, n) : null;
    if (firstError === null)
      warnings.push(`The labelled first error step (${String(r.model_output_solution_first_error_step)}) is not one of the record's numbered steps.`);
  }
  const answerCorrect = r.model_output_answer_correctness?.toLowerCase();
  return buildDocument({
    uri: where.uri,
    format: 'mr-ben',
    text: layout.text,
    problem: layout.problem,
    steps: layout.steps,
    finalAnswer: boxedAnswer(layout.text, layout.steps),
    expectedAnswer: r.ground_truth_answer !== undefined ? String(r.ground_truth_answer) : undefined,
    labels: labels('mr-gsm8k', firstError, answerCorrect === undefined ? null : answerCorrect === 'correct'),
    warnings,
    maxSteps: where.maxSteps,
  });
}

function bigBenchMistake(record: unknown, where: RecordLocation): SolutionDocument {
  const r = parseRecord(BigBenchMistakeRecord, record, 'BIG-Bench Mistake', where.uri);
  const layout = layoutRecord(
    r.input,
    r.steps.map((text) => ({ text })),
  );
  const warnings: string[] = [];
  let firstError: number | null = r.mistake_index ?? -1;
  if (firstError >= r.steps.length) {
    warnings.push(`The record's mistake_index (${firstError}) is past its last step; it was ignored.`);
    firstError = null;
  }
  let finalAnswer: { text: string; span?: Span } | undefined;
  const answer = r.answer?.trim();
  const last = layout.steps[layout.steps.length - 1];
  if (answer) {
    const at = last ? layout.text.lastIndexOf(answer, last.end - answer.length) : -1;
    finalAnswer = last && at >= last.start ? { text: answer, span: { start: at, end: at + answer.length } } : { text: answer };
  }
  const target = r.target?.trim();
  return buildDocument({
    uri: where.uri,
    format: 'big-bench-mistake',
    text: layout.text,
    problem: layout.problem,
    steps: layout.steps,
    finalAnswer,
    expectedAnswer: target,
    labels: labels('big-bench-mistake', firstError, answer !== undefined && target !== undefined ? answer === target : null),
    warnings,
    maxSteps: where.maxSteps,
  });
}

function prmBench(record: unknown, where: RecordLocation): SolutionDocument {
  const r = parseRecord(PrmBenchRecord, record, 'PRMBench', where.uri);
  const problem = r.modified_question ?? r.question ?? r.original_question ?? '';
  const layout = layoutRecord(
    problem,
    r.modified_process.map((text) => ({ text })),
  );
  const warnings: string[] = [];
  let firstError: number | null = r.error_steps.length > 0 ? Math.min(...r.error_steps) - 1 : -1;
  if (firstError >= r.modified_process.length) {
    warnings.push(`The record's error_steps (${r.error_steps.join(', ')}) are past its last step; they were ignored.`);
    firstError = null;
  }
  return buildDocument({
    uri: where.uri,
    format: 'prmbench',
    text: layout.text,
    problem: layout.problem,
    steps: layout.steps,
    finalAnswer: boxedAnswer(layout.text, layout.steps),
    labels: labels('prmbench', firstError, null),
    warnings,
    maxSteps: where.maxSteps,
  });
}
