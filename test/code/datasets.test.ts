// Code dataset records → documents: the program as it runs, the dataset's tests, and the labelled bug
// lines (HumanEvalFix: diffed against the canonical solution; QuixBugs: from the record).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createCodeChecker } from '../../src/engine/code/checker';
import { codeRecordToDocument, detectCodeFormat } from '../../src/engine/code/datasets';
import { changedLines } from '../../src/engine/code/line-diff';
import { DATASETS } from '../support/fixtures';

const data = DATASETS;
const record = (file: string, n: number): unknown => JSON.parse(readFileSync(join(data, file), 'utf8').split('\n')[n]!);

describe('changedLines', () => {
  it('labels replaced lines, and both neighbours of a deleted one', () => {
    assert.deepEqual(changedLines(['a', 'b2', 'c'], ['a', 'b', 'c']), [2]);
    assert.deepEqual(changedLines(['a', 'c', '', 'd'], ['a', 'b', 'c', '', 'd']), [1, 2]);
  });
});

describe('codeRecordToDocument', () => {
  it('HumanEvalFix: prompt + buggy body, the record test, the bug line found by diff', () => {
    const r = record('humanevalfix/humanevalpack.jsonl', 0);
    assert.equal(detectCodeFormat(r), 'humanevalfix');
    const doc = codeRecordToDocument(r, { uri: 'humanevalpack.jsonl#0' });
    assert.equal(doc.format, 'humanevalfix');
    assert.deepEqual(doc.labels?.bugLines, [15]);
    assert.equal(doc.text.split('\n')[14]!.trim(), 'distance = elem - elem2');
    assert.equal(doc.steps[doc.labels!.firstErrorStep!]!.text, 'distance = elem - elem2');
    assert.deepEqual(
      doc.tests!.map((t) => [t.origin, t.entryPoint]),
      [['dataset', 'has_close_elements']],
    );
    const fixed = codeRecordToDocument(r, { uri: 'humanevalpack.jsonl#0', variant: 'fixed' });
    assert.equal(fixed.labels?.firstErrorStep, -1);
    assert.ok(fixed.text.includes('abs(elem - elem2)'));
  });

  it('QuixBugs: the buggy program, one test per JSON case, the labelled line', async () => {
    const lines = readFileSync(join(data, 'quixbugs/quixbugs_python.jsonl'), 'utf8').split('\n');
    const gcd = JSON.parse(lines.find((l) => l.includes('"name": "gcd"'))!) as unknown;
    const doc = codeRecordToDocument(gcd, { uri: join(data, 'quixbugs/quixbugs_python.jsonl#gcd') });
    assert.equal(doc.format, 'quixbugs');
    assert.deepEqual(doc.labels?.bugLines, [5]);
    assert.ok(doc.tests!.length >= 5);
    assert.match(doc.problem, /Greatest Common Divisor/i);
    const result = await createCodeChecker({ allowRun: true }).check(doc);
    assert.ok(result.tests.some((t) => t.kind === 'test' && t.status !== 'passed'));
  });

  it('rejects a record that is none of the code datasets, with the reason', () => {
    assert.throws(() => codeRecordToDocument({ task_id: 1 }, { uri: 'x#0' }), /Not a HumanEval, HumanEvalFix or QuixBugs record/);
  });
});
