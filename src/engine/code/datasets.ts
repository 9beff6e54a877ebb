// Code dataset records → documents: HumanEval, HumanEvalFix (HumanEvalPack Python) and QuixBugs, as
// stored under ../shared/data (see each SOURCE.md). The document's text is the program exactly as it
// runs, so that the checker's line numbers and the labelled bug lines are in the same coordinates.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { CodeTest, SolutionDocument, Step } from '../types';
import { changedLines } from './line-diff';
import { parseCodeSolutionSync } from './parse';
import { SourceText } from './source-text';

export const HumanEvalRecordSchema = z.object({
  task_id: z.string(),
  prompt: z.string(),
  canonical_solution: z.string(),
  test: z.string(),
  entry_point: z.string(),
});

export const HumanEvalFixRecordSchema = HumanEvalRecordSchema.extend({
  buggy_solution: z.string(),
  bug_type: z.string().optional(),
  failure_symptoms: z.string().optional(),
});

export const QuixBugsRecordSchema = z.object({
  name: z.string(),
  buggy_program: z.string(),
  correct_program: z.string(),
  json_testcases_file: z.string().nullable(),
  pytest_file_text: z.string(),
  derived_diff_hunks: z.array(
    z.object({
      op: z.enum(['replace', 'insert', 'delete']),
      buggy_line_numbers: z.array(z.number().int().positive()),
      insert_after_buggy_line: z.number().int().nonnegative().optional(),
    }),
  ),
  derived_first_buggy_line: z.number().int().positive().nullable(),
});

export type CodeDatasetFormat = 'humaneval' | 'humanevalfix' | 'quixbugs';

export interface CodeRecordWhere {
  /** `file.jsonl#<record>`. */
  uri: string;
  format?: CodeDatasetFormat;
  /** Which program of a bug dataset record: the buggy one (default, the one to critique) or the fix. */
  variant?: 'buggy' | 'fixed';
  /** Where the dataset's side files are (QuixBugs json_testcases/): default, the record file's folder. */
  dataDir?: string;
  maxSteps?: number;
}

/** Which code dataset a record is from, by its fields; undefined when it is none of them. */
export function detectCodeFormat(record: unknown): CodeDatasetFormat | undefined {
  if (QuixBugsRecordSchema.safeParse(record).success) return 'quixbugs';
  if (HumanEvalFixRecordSchema.safeParse(record).success) return 'humanevalfix';
  if (HumanEvalRecordSchema.safeParse(record).success) return 'humaneval';
  return undefined;
}

function firstStepWith(steps: readonly Step[], bugLines: readonly number[]): number {
  const hit = steps.find((s) => bugLines.some((l) => s.range.start.line + 1 <= l && l <= s.range.end.line + 1));
  return hit ? hit.index : -1;
}

function parseRecord<T extends z.ZodType>(schema: T, record: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(record);
  if (!parsed.success) throw new Error(`Not a ${what} record: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

function humanEvalDocument(
  where: CodeRecordWhere,
  format: 'humaneval' | 'humanevalfix',
  record: z.infer<typeof HumanEvalRecordSchema>,
  body: string,
  bugLines: number[] | undefined,
): SolutionDocument {
  const text = record.prompt + body;
  const parsed = parseCodeSolutionSync({ uri: where.uri, text, language: 'python', maxSteps: where.maxSteps });
  const promptLines = new SourceText(record.prompt.replace(/\n$/, '')).lineCount;
  const test: CodeTest = { name: `${record.task_id} check(${record.entry_point})`, origin: 'dataset', code: record.test, entryPoint: record.entry_point };
  return {
    ...parsed,
    format,
    problem: record.prompt.trim(),
    problemRange: { start: { line: 0, character: 0 }, end: { line: promptLines - 1, character: new SourceText(record.prompt).line(promptLines - 1).length } },
    problemHash: parsed.problemHash,
    tests: [test],
    labels: {
      firstErrorStep: bugLines && bugLines.length > 0 ? firstStepWith(parsed.steps, bugLines) : -1,
      finalAnswerCorrect: null,
      ...(bugLines ? { bugLines } : {}),
      dataset: format,
    },
  };
}

// QuixBugs' pytest files load the JSON cases and assert one line; the same lines are run here per case,
// with the case bound the way pytest's parametrize binds it. The slow cases upstream skips are skipped.
function quixJsonTests(record: z.infer<typeof QuixBugsRecordSchema>, dataDir: string): { tests: CodeTest[]; warnings: string[] } {
  const file = join(dataDir, record.json_testcases_file!);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return { tests: [], warnings: [`QuixBugs test cases not found at ${file}.`] };
  }
  const lines = record.pytest_file_text.split('\n');
  const assertLine = lines.find((l) => /^\s+assert\b/.test(l))?.trim();
  if (!assertLine) return { tests: [], warnings: [`No assert line in QuixBugs' test file for ${record.name}.`] };
  const reshape = lines.filter((l) => /^testdata = \[/.test(l));
  const slow: string[] = [];
  const skipPattern = /input_data == (\[[\s\S]*?\]):\s*\n\s*pytest\.skip/g;
  for (let m = skipPattern.exec(record.pytest_file_text); m; m = skipPattern.exec(record.pytest_file_text)) {
    try {
      slow.push(JSON.stringify(JSON.parse(m[1]!.replace(/,(\s*[\]}])/g, '$1'))));
    } catch {
      // Not a plain literal: run the case.
    }
  }
  const tests: CodeTest[] = [];
  let skipped = 0;
  for (const [n, line] of raw.split('\n').entries()) {
    if (!line.trim()) continue;
    const parsed = z.tuple([z.array(z.unknown()), z.unknown()]).safeParse(JSON.parse(line));
    if (!parsed.success) continue;
    const [input] = parsed.data;
    if (slow.includes(JSON.stringify(input))) {
      skipped++;
      continue;
    }
    const code = [
      'import json as _json',
      'class _Approx:',
      '    def __init__(self, expected, abs=1e-6):',
      '        self.expected, self.tolerance = expected, abs',
      '    def __eq__(self, other):',
      '        return abs(other - self.expected) <= self.tolerance',
      '    def __repr__(self):',
      "        return 'approx(%r)' % self.expected",
      // The case's own JSON text, not a re-serialisation: 3.0 must stay a float for Python.
      `testdata = [_json.loads(${JSON.stringify(line.trim())})]`,
      ...reshape,
      'input_data, expected = testdata[0]',
      assertLine.replace(/pytest\.approx\(/g, '_Approx('),
    ].join('\n');
    const shown = JSON.stringify(input);
    tests.push({ name: `${record.name} case ${n + 1}: ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}`, origin: 'dataset', code });
  }
  return { tests, warnings: skipped > 0 ? [`${skipped} slow QuixBugs case${skipped === 1 ? '' : 's'} skipped, as upstream does.`] : [] };
}

// The graph and linked-list programs are tested by pytest functions that import the program and
// QuixBugs' Node class: the imports are replaced by the Node class itself (the program's own names
// are in scope), and each test function runs as one test.
function quixPytestTests(record: z.infer<typeof QuixBugsRecordSchema>, dataDir: string): { tests: CodeTest[]; warnings: string[] } {
  let node: string;
  try {
    const support = z.record(z.string(), z.string()).parse(JSON.parse(readFileSync(join(dataDir, 'quixbugs_support_files.json'), 'utf8')));
    node = support['python_testcases/node.py'] ?? '';
  } catch {
    return { tests: [], warnings: ['quixbugs_support_files.json (the Node class) not found: graph tests not run.'] };
  }
  const text = record.pytest_file_text
    .replace(/^import pytest\n/m, '')
    .replace(/^from node import Node\n/m, '')
    .replace(/^if pytest\.use_correct:\n(?:[ \t]+.*\n)+else:\n(?:[ \t]+.*\n)+/m, '');
  return { tests: [{ name: `${record.name} tests`, origin: 'dataset', code: `${node}\n\n${text}` }], warnings: [] };
}

function quixBugsDocument(where: CodeRecordWhere, record: z.infer<typeof QuixBugsRecordSchema>): SolutionDocument {
  const buggy = where.variant !== 'fixed';
  const text = buggy ? record.buggy_program : record.correct_program;
  const parsed = parseCodeSolutionSync({ uri: where.uri, text, language: 'python', maxSteps: where.maxSteps });
  const dataDir = where.dataDir ?? dirname(where.uri.split('#')[0] ?? '.');
  const { tests, warnings } = record.json_testcases_file ? quixJsonTests(record, dataDir) : quixPytestTests(record, dataDir);
  let bugLines: number[] | undefined;
  if (buggy) {
    const lines = new Set<number>();
    const source = new SourceText(text);
    for (const hunk of record.derived_diff_hunks) {
      for (const l of hunk.buggy_line_numbers) lines.add(l);
      if (hunk.op === 'insert' && hunk.insert_after_buggy_line !== undefined) {
        // A missing line: label the code lines either side of where it goes.
        lines.add(hunk.insert_after_buggy_line);
        for (let l = hunk.insert_after_buggy_line + 1; l <= source.lineCount; l++) {
          if (source.line(l - 1).trim()) {
            lines.add(l);
            break;
          }
        }
      }
    }
    bugLines = [...lines].sort((a, b) => a - b);
  }
  return {
    ...parsed,
    format: 'quixbugs',
    tests,
    warnings: [...parsed.warnings, ...warnings],
    labels: {
      firstErrorStep: bugLines && bugLines.length > 0 ? firstStepWith(parsed.steps, bugLines) : -1,
      finalAnswerCorrect: null,
      ...(bugLines ? { bugLines } : {}),
      dataset: 'quixbugs',
    },
  };
}

/** MR-BEN's coding subset: the program as one text, its first wrong line labelled by that line's text. */
const MrBenCodeRecordSchema = z.object({
  Question: z.string(),
  Model_Solution_Steps: z.string(),
  Model_Solution_Correctness: z.string(),
  Model_Solution_First_Error_Step: z.union([z.string(), z.number()]).optional(),
});

/**
 * The 1-based number of the one line that is the labelled one (exactly, else with its spacing trimmed);
 * undefined when no line is, or several are (a docstring's quotes, a blank line): which one was meant is unknown.
 */
function lineNumberOf(source: SourceText, labelled: string): number | undefined {
  if (labelled.trim() === '') return undefined;
  const lines = Array.from({ length: source.lineCount }, (_, i) => source.line(i));
  for (const same of [(l: string) => l === labelled, (l: string) => l.trim() === labelled.trim()]) {
    const at = lines.flatMap((l, i) => (same(l) ? [i + 1] : []));
    if (at.length > 0) return at.length === 1 ? at[0] : undefined;
  }
  return undefined;
}

/** The step a labelled line is in, or the first one after it (a comment line heads the code it describes). */
function stepFrom(steps: readonly Step[], line: number): number | null {
  return steps.find((s) => line <= s.range.end.line + 1)?.index ?? null;
}

export function mrBenCodeToDocument(record: unknown, where: CodeRecordWhere): SolutionDocument {
  const r = parseRecord(MrBenCodeRecordSchema, record, 'MR-BEN coding');
  const text = r.Model_Solution_Steps;
  const parsed = parseCodeSolutionSync({ uri: where.uri, text, language: 'python', maxSteps: where.maxSteps });
  const labelled = String(r.Model_Solution_First_Error_Step ?? '');
  const correct = r.Model_Solution_Correctness.trim().toLowerCase() === 'correct';
  const line = correct ? undefined : lineNumberOf(new SourceText(text), labelled);
  const warnings =
    correct || line !== undefined
      ? []
      : [`The labelled first wrong line (${JSON.stringify(labelled)}) is not one line of the program: only the solution's correctness is scored.`];
  // The format stays python (the code engine reads the program by it); the labels name the dataset.
  return {
    ...parsed,
    problem: r.Question.trim(),
    warnings: [...parsed.warnings, ...warnings],
    labels: {
      firstErrorStep: correct ? -1 : line !== undefined ? stepFrom(parsed.steps, line) : null,
      // The program as a whole is labelled too: an incorrect one without its line is scored by that.
      finalAnswerCorrect: correct,
      ...(line !== undefined ? { bugLines: [line] } : {}),
      dataset: 'mr-ben',
    },
  };
}

export function codeRecordToDocument(record: unknown, where: CodeRecordWhere): SolutionDocument {
  const format = where.format ?? detectCodeFormat(record);
  if (!format) throw new Error('Not a HumanEval, HumanEvalFix or QuixBugs record.');
  if (format === 'quixbugs') return quixBugsDocument(where, parseRecord(QuixBugsRecordSchema, record, 'QuixBugs'));
  if (format === 'humaneval') {
    const r = parseRecord(HumanEvalRecordSchema, record, 'HumanEval');
    return humanEvalDocument(where, 'humaneval', r, r.canonical_solution, undefined);
  }
  const r = parseRecord(HumanEvalFixRecordSchema, record, 'HumanEvalFix');
  if (where.variant === 'fixed') return humanEvalDocument(where, 'humanevalfix', r, r.canonical_solution, undefined);
  const prefix = new SourceText(r.prompt).lineCount - 1;
  const bugLines = changedLines(r.buggy_solution.split('\n'), r.canonical_solution.split('\n')).map((l) => l + prefix);
  return humanEvalDocument(where, 'humanevalfix', r, r.buggy_solution, bugLines);
}
