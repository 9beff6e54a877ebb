// Dataset records → SolutionDocument, on real records (the subsets in test/fixtures/datasets): the dataset's own step
// boundaries, its labels converted to 0-based first-error indices, and ranges into the laid-out text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { removeCalculatorAnnotations } from '../../src/engine/datasets/calculator';
import { detectRecordFormat, recordToDocument } from '../../src/engine/datasets/records';
import type { Range, SolutionDocument } from '../../src/engine/types';
import { SolutionDocumentSchema } from '../../src/engine/types';
import { DATASETS } from '../support/fixtures';

const DATA = DATASETS;

function jsonl(path: string, count: number): Record<string, unknown>[] {
  return readFileSync(resolve(DATA, path), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, count)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function json<T>(path: string): T {
  return JSON.parse(readFileSync(resolve(DATA, path), 'utf8')) as T;
}

function textAt(text: string, range: Range): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return text.slice(starts[range.start.line]! + range.start.character, starts[range.end.line]! + range.end.character);
}

function assertConsistent(document: SolutionDocument): void {
  SolutionDocumentSchema.parse(document);
  for (const step of document.steps) assert.equal(textAt(document.text, step.range), step.text);
  if (document.problemRange) assert.equal(textAt(document.text, document.problemRange), document.problem);
  if (document.finalAnswer?.range) assert.equal(textAt(document.text, document.finalAnswer.range), document.finalAnswer.text);
}

interface ProcessBenchRecord {
  id: string;
  problem: string;
  steps: string[];
  label: number;
  final_answer_correct: boolean;
}

describe('ProcessBench records', () => {
  it('keep their steps and their 0-based label', () => {
    const records = json<ProcessBenchRecord[]>('processbench/gsm8k.json').slice(0, 5);
    for (const [i, record] of records.entries()) {
      const doc = recordToDocument(record, { uri: `processbench/gsm8k.json#${i}` });
      assertConsistent(doc);
      assert.equal(doc.format, 'processbench');
      assert.deepEqual(
        doc.steps.map((s) => s.text),
        record.steps.map((s) => s.trim()),
      );
      assert.equal(doc.problem, record.problem.trim());
      assert.deepEqual(doc.labels, { firstErrorStep: record.label, finalAnswerCorrect: record.final_answer_correct, dataset: 'processbench' });
    }
    const first = recordToDocument(records[0], { uri: 'pb#0' });
    assert.equal(first.labels?.firstErrorStep, 1);
    assert.equal(first.finalAnswer?.text, '30');
    // one paragraph per step: the problem on line 0, the steps on lines 2, 4, 6, 8
    assert.deepEqual(
      first.steps.map((s) => s.range.start.line),
      [2, 4, 6, 8],
    );
  });

  it('label -1 means every step is correct', () => {
    const records = json<ProcessBenchRecord[]>('processbench/math.json');
    const correct = records.findIndex((r) => r.label === -1);
    const doc = recordToDocument(records[correct], { uri: `processbench/math.json#${correct}`, format: 'processbench' });
    assertConsistent(doc);
    assert.equal(doc.labels?.firstErrorStep, -1);
  });
});

describe('GSM8K records', () => {
  it('drop the calculator annotations and take each line before #### as a step', () => {
    const [record] = jsonl('gsm8k/test.jsonl', 1);
    const doc = recordToDocument(record, { uri: 'gsm8k/test.jsonl#0' });
    assertConsistent(doc);
    assert.equal(doc.format, 'gsm8k');
    assert.deepEqual(
      doc.steps.map((s) => s.text),
      ['Janet sells 16 - 3 - 4 = 9 duck eggs a day.', 'She makes 9 * 2 = $18 every day at the farmer’s market.'],
    );
    assert.deepEqual(
      doc.steps.map((s) => s.range),
      [
        { start: { line: 2, character: 0 }, end: { line: 2, character: 43 } },
        { start: { line: 4, character: 0 }, end: { line: 4, character: 55 } },
      ],
    );
    assert.deepEqual(doc.finalAnswer, { text: '18', range: { start: { line: 6, character: 5 }, end: { line: 6, character: 7 } } });
    assert.equal(doc.expectedAnswer, '18');
    assert.deepEqual(doc.labels, { firstErrorStep: -1, finalAnswerCorrect: true, dataset: 'gsm8k' });
    assert.equal(removeCalculatorAnnotations('2/2=<<2/2=1>>1 bolt'), '2/2=1 bolt');
  });

  it('every test record parses, with as many steps as answer lines', () => {
    for (const [i, record] of jsonl('gsm8k/test.jsonl', Infinity).entries()) {
      const doc = recordToDocument(record, { uri: `gsm8k#${i}` });
      const lines = String(record.answer)
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('####'));
      assert.equal(doc.steps.length, lines.length);
      assert.ok(doc.steps.every((s) => !s.text.includes('<<')));
    }
  });
});

interface MrBenRecord {
  Model_Solution_Steps: string[];
  Model_Solution_Correctness: string;
  Model_Solution_First_Error_Step: string;
  Ground_Truth_Answer: string;
}

describe('MR-BEN and MR-GSM8K records', () => {
  it('read the coding subset as Python programs, the labelled line pointing at its step (or the step after a comment)', () => {
    const data =
      json<Record<string, { Model_Solution_Steps: string; Model_Solution_Correctness: string; Model_Solution_First_Error_Step: string }[]>>(
        'mr-ben/coding.json',
      );
    const records = Object.entries(data).flatMap(([uuid, solutions]) => solutions.map((record, j) => ({ uri: `mr-ben/coding.json#${uuid}/${j}`, record })));
    let pointed = 0;
    for (const { uri, record } of records) {
      const doc = recordToDocument(record, { uri });
      assert.equal(doc.kind, 'code', uri);
      assert.equal(doc.format, 'python');
      assert.equal(doc.labels?.dataset, 'mr-ben');
      assert.ok(doc.steps.length > 0, uri);
      const labelled = record.Model_Solution_First_Error_Step;
      if (record.Model_Solution_Correctness === 'correct') {
        assert.deepEqual([doc.labels?.firstErrorStep, doc.labels?.finalAnswerCorrect], [-1, true], uri);
      } else if (labelled.trim() === '') {
        // No line given: scored as a wrong solution, not at a step.
        assert.deepEqual([doc.labels?.firstErrorStep, doc.labels?.finalAnswerCorrect], [null, false], uri);
        assert.match(doc.warnings.join('\n'), /is not one line of the program/);
      } else {
        const step = doc.steps[doc.labels!.firstErrorStep!]!;
        const line = doc.labels!.bugLines![0]!;
        assert.equal(doc.text.split('\n')[line - 1], labelled, uri);
        assert.ok(line <= step.range.end.line + 1, `${uri}: the step holds the line or comes after it`);
        const before = doc.steps[step.index - 1];
        assert.ok(!before || before.range.end.line + 1 < line, `${uri}: no earlier step holds it`);
        pointed++;
      }
    }
    assert.ok(pointed >= 6, `${pointed} labelled lines found`);
    // A labelled text that is on several lines (a docstring's quotes) names no step.
    const twice = { ...records[0]!.record, Model_Solution_First_Error_Step: '    """' };
    assert.equal(recordToDocument(twice, { uri: 'x#0' }).labels?.firstErrorStep, null);
  });

  it('number steps by their "Step k" entries and convert the 1-based label', () => {
    const data = json<Record<string, MrBenRecord[]>>('mr-ben/math.json');
    const [first] = Object.values(data)[0]!;
    const doc = recordToDocument(first, { uri: 'mr-ben/math.json#0' });
    assertConsistent(doc);
    assert.equal(doc.format, 'mr-ben');
    assert.equal(doc.steps.length, 6);
    assert.deepEqual(
      doc.steps.map((s) => s.label),
      ['Step 1', 'Step 2', 'Step 3', 'Step 4', 'Step 5', 'Step 6'],
    );
    assert.equal(doc.labels?.firstErrorStep, 0);
    assert.equal(doc.finalAnswer?.text, 'B');
    assert.equal(doc.expectedAnswer, 'A');
    assert.equal(doc.labels?.finalAnswerCorrect, false);
    assert.ok(doc.problem.includes('D: 2sqrt(2)'));
  });

  it('fold unnumbered entries into the step before them, so the labelled number still points at its step', () => {
    const data = json<Record<string, MrBenRecord[]>>('mr-ben/math.json');
    let checked = 0;
    for (const [uuid, solutions] of Object.entries(data)) {
      for (const [j, record] of solutions.entries()) {
        const entries = record.Model_Solution_Steps.filter((s) => !/^\s*solution\s*:/i.test(s));
        const numbered = entries.filter((s) => /^\s*step\s*\d+/i.test(s));
        if (numbered.length === entries.length || record.Model_Solution_Correctness !== 'incorrect') continue;
        const doc = recordToDocument(record, { uri: `mr-ben/math.json#${uuid}/${j}` });
        assertConsistent(doc);
        const label = Number(record.Model_Solution_First_Error_Step);
        const index = doc.labels?.firstErrorStep;
        if (index === null || index === undefined) continue;
        assert.equal(doc.steps[index]!.label, `Step ${label}`);
        checked++;
      }
      if (checked >= 5) break;
    }
    assert.ok(checked >= 5);
  });

  it('read MR-GSM8K records the same way', () => {
    const [record] = jsonl('mr-gsm8k/MR-GSM8K_incorrect_subset_from_gpt4-grading.jsonl', 1);
    const doc = recordToDocument(record, { uri: 'mr-gsm8k#0' });
    assertConsistent(doc);
    assert.equal(doc.steps.length, 6);
    assert.equal(doc.labels?.firstErrorStep, 2);
    assert.equal(doc.labels?.dataset, 'mr-gsm8k');
    assert.equal(doc.expectedAnswer, '22');
  });
});

describe('BIG-Bench Mistake and PRMBench records', () => {
  it('BIG-Bench Mistake: 0-based mistake_index, null = no mistake, the answer found in the last step', () => {
    const records = jsonl('big-bench-mistake/multistep_arithmetic.jsonl', 300);
    const doc = recordToDocument(records[0], { uri: 'bbm#0' });
    assertConsistent(doc);
    assert.equal(doc.format, 'big-bench-mistake');
    assert.equal(doc.steps.length, 5);
    assert.equal(doc.labels?.firstErrorStep, 3);
    assert.equal(doc.finalAnswer?.text, '1244');
    assert.equal(doc.finalAnswer?.range?.start.line, 10);
    assert.equal(doc.expectedAnswer, '-2116');
    assert.equal(doc.labels?.finalAnswerCorrect, false);
    const clean = records.findIndex((r) => r.mistake_index === null);
    assert.equal(recordToDocument(records[clean], { uri: `bbm#${clean}` }).labels?.firstErrorStep, -1);
  });

  it('PRMBench: the earliest of the 1-based error_steps, 0-based', () => {
    const [record] = jsonl('prmbench/target_data.jsonl', 1);
    const doc = recordToDocument(record, { uri: 'prmbench#0' });
    assertConsistent(doc);
    assert.equal(doc.format, 'prmbench');
    assert.equal(doc.steps.length, (record.modified_process as string[]).length);
    assert.equal(doc.labels?.firstErrorStep, 4);
    assert.ok(doc.problem.startsWith('Three pencils and a jumbo eraser'));
  });
});

describe('record formats', () => {
  it('are detected by their fields', () => {
    assert.equal(detectRecordFormat(jsonl('gsm8k/test.jsonl', 1)[0]), 'gsm8k');
    assert.equal(detectRecordFormat(json<unknown[]>('processbench/gsm8k.json')[0]), 'processbench');
    assert.equal(detectRecordFormat(jsonl('big-bench-mistake/word_sorting.jsonl', 1)[0]), 'big-bench-mistake');
    assert.equal(detectRecordFormat(jsonl('prmbench/target_data.jsonl', 1)[0]), 'prmbench');
    assert.equal(detectRecordFormat(jsonl('mr-gsm8k/MR-GSM8K_incorrect_subset_from_gpt4-grading.jsonl', 1)[0]), 'mr-ben');
    assert.equal(detectRecordFormat(jsonl('humanevalfix/humanevalpack.jsonl', 1)[0]), 'humanevalfix');
    assert.equal(detectRecordFormat(jsonl('quixbugs/quixbugs_python.jsonl', 1)[0]), 'quixbugs');
    assert.equal(detectRecordFormat({ hello: 1 }), undefined);
    assert.equal(detectRecordFormat([1, 2]), undefined);
  });

  it('read a problem with its steps and no label (model outputs split into steps) as a solution to judge, not to score', () => {
    const record = { id: 'm-7', problem: 'A box holds 3 bags of 4 apples. How many apples?', steps: ['Each bag has 4 apples.', '3 * 4 = 12 apples.'] };
    assert.equal(detectRecordFormat(record), 'processbench');
    const doc = recordToDocument(record, { uri: 'outputs.jsonl#0' });
    assert.deepEqual(
      doc.steps.map((s) => s.text),
      record.steps,
    );
    assert.equal(doc.labels, undefined);
    assert.deepEqual(doc.warnings, []);
  });

  it('hands code records to the code engine', () => {
    const doc = recordToDocument(jsonl('humanevalfix/humanevalpack.jsonl', 1)[0], { uri: 'humanevalfix#0' });
    assert.equal(doc.kind, 'code');
    assert.equal(doc.format, 'humanevalfix');
  });

  it('reject what they cannot read with a clear reason', () => {
    assert.throws(() => recordToDocument({ hello: 1 }, { uri: 'x.jsonl#3' }), /x\.jsonl#3: unknown record format \(fields: hello\)/);
    assert.throws(() => recordToDocument(42, { uri: 'x.jsonl#4' }), /unknown record format/);
    assert.throws(
      () => recordToDocument({ problem: 'p', steps: 'not a list', label: 0 }, { uri: 'x.jsonl#5' }),
      /x\.jsonl#5: not a valid ProcessBench record \(field "steps"/,
    );
    assert.throws(() => recordToDocument({ question: 'q', answer: 'a' }, { uri: 'y#1', format: 'markdown' }), /file format/);
  });
});
