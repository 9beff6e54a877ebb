// Datasets kept as Parquet (Hugging Face datasets, pandas, polars), CSV/TSV (pandas' to_csv,
// spreadsheets) and Zstandard-compressed text (large JSON Lines dumps): read record by record into the
// same records a JSON Lines file of the data holds.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { parquetWriteFile } from 'hyparquet-writer';
import { streamDataset, type DatasetRecord } from '../../src/engine/batch/dataset-stream';
import { datasetKindOf } from '../../src/engine/files/kinds';
import { recordToDocument } from '../../src/engine/datasets/records';
import { readItems } from '../../src/engine/pipeline/items';
import { runCli } from '../cli/run-cli';

const dir = mkdtempSync(join(tmpdir(), 'stepcritic-containers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function records(path: string): Promise<DatasetRecord[]> {
  const all: DatasetRecord[] = [];
  for await (const record of streamDataset(path)) all.push(record);
  return all;
}

const PROBLEMS = ['What is 2 * 3 + 1?', 'What is 4 * 5?', 'What is 1 + 1?'];
const STEPS = [['2 * 3 = 6.', '6 + 1 = 8.'], ['4 * 5 = 20.'], ['1 + 1 = 2.']];

/** ProcessBench's columns as Hugging Face keeps them: a list of steps, a 64-bit label, a boolean. */
function writeProcessBenchParquet(path: string, codec: 'SNAPPY' | 'GZIP') {
  parquetWriteFile({
    filename: path,
    columnData: [
      { name: 'id', data: ['gsm8k-0', 'gsm8k-1', 'gsm8k-2'] },
      { name: 'problem', data: PROBLEMS },
      { name: 'steps', data: STEPS },
      { name: 'label', data: [1n, -1n, -1n], type: 'INT64' },
      { name: 'final_answer_correct', data: [false, true, true] },
    ],
    // Two row groups: the reader goes from one to the next.
    rowGroupSize: 2,
    codec,
    ...(codec === 'GZIP' ? { compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input)) } } : {}),
  });
}

describe('Parquet datasets', () => {
  it('read every row of every row group as the record JSON would hold, whatever the codec', async () => {
    for (const codec of ['SNAPPY', 'GZIP'] as const) {
      const path = join(dir, `processbench-${codec}.parquet`);
      writeProcessBenchParquet(path, codec);
      assert.equal(datasetKindOf(path), 'parquet');
      const read = await records(path);
      assert.deepEqual(
        read.map((r) => (r.ok ? r.value : r.error)),
        PROBLEMS.map((problem, i) => ({ id: `gsm8k-${i}`, problem, steps: STEPS[i], label: i === 0 ? 1 : -1, final_answer_correct: i !== 0 })),
        codec,
      );
      const document = recordToDocument(read[0]!.ok ? read[0]!.value : undefined, { uri: `${path}#0` });
      assert.deepEqual(document.labels, { firstErrorStep: 1, finalAnswerCorrect: false, dataset: 'processbench' });
    }
  });

  it('are checked and scored by the commands a user types', async () => {
    writeProcessBenchParquet(join(dir, 'processbench.parquet'), 'SNAPPY');
    const checked = await runCli(['check', 'processbench.parquet', '--no-llm', '--no-cache'], { cwd: dir });
    assert.equal(checked.status, 1, checked.stderr);
    assert.match(checked.stdout, /^processbench\.parquet#0 {2}step 2 {2}incorrect {2}6 \+ 1 = 8 \(should be 7\)$/m);
    assert.match(checked.stdout, /^3 solutions checked/m);
    const scored = await runCli(['eval', dir, '--split', 'processbench', '--no-llm', '--no-cache', '--format', 'json'], { cwd: dir });
    assert.equal(scored.status, 0, scored.stderr);
    const report = JSON.parse(scored.stdout) as { overall: { solutions: number; erroneous: { caught: number; total: number } } };
    assert.equal(report.overall.solutions, 3);
  });

  it('are one split when Hugging Face keeps a split as shards (data/test-00000-of-00002.parquet, …) in the folder a user names', async () => {
    const hub = join(dir, 'hub', 'data');
    mkdirSync(hub, { recursive: true });
    writeFileSync(join(dir, 'hub', 'README.md'), '---\nlicense: apache-2.0\n---\n# A dataset card\n');
    for (const shard of ['00000', '00001']) writeProcessBenchParquet(join(hub, `test-${shard}-of-00002.parquet`), 'SNAPPY');
    const scored = await runCli(['eval', join(dir, 'hub'), '--no-llm', '--no-cache', '--format', 'json'], { cwd: dir });
    assert.equal(scored.status, 0, scored.stderr);
    const report = JSON.parse(scored.stdout) as { splits: { split: string; solutions: number }[] };
    assert.deepEqual(
      report.splits.map((s) => [s.split, s.solutions]),
      [['data/test', 6]],
    );
    mkdirSync(join(dir, 'cards', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'cards', 'sub', 'README.md'), '# nothing to score\n');
    const none = await runCli(['eval', 'cards', '--no-llm'], { cwd: dir });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no dataset files \(\.jsonl, \.ndjson, \.json, \.parquet, \.csv, \.tsv\) in cards or its subfolders/);
  });

  it('keep apart splits of two folders that share a folder and file name (gsm8k/test, realcritic/gsm8k/test)', async () => {
    const line = (i: number) => `${JSON.stringify({ problem: PROBLEMS[i], steps: STEPS[i], label: i === 0 ? 1 : -1 })}\n`;
    for (const [path, records] of [
      ['tree/gsm8k/test.jsonl', [0, 1]],
      ['tree/realcritic/gsm8k/test.jsonl', [2]],
      ['tree/processbench/math.jsonl', [0, 1, 2]],
      ['tree/hub/data/test-00000-of-00002.jsonl', [0]],
      ['tree/hub/data/test-00001-of-00002.jsonl', [1]],
    ] as const) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), records.map(line).join(''));
    }
    const scored = await runCli(['eval', 'tree', '--no-llm', '--no-cache', '--format', 'json'], { cwd: dir });
    assert.equal(scored.status, 0, scored.stderr);
    const report = JSON.parse(scored.stdout) as { splits: { split: string; solutions: number }[] };
    assert.deepEqual(
      report.splits.map((s) => [s.split, s.solutions]),
      [
        ['gsm8k/test', 2],
        ['data/test', 2],
        ['processbench/math', 3],
        ['realcritic/gsm8k/test', 1],
      ],
    );
  });

  it('say what is wrong with a file that is not Parquet, as one failed item', async () => {
    const path = join(dir, 'broken.parquet');
    writeFileSync(path, 'this is not parquet at all');
    const items = [];
    for await (const item of readItems([path])) items.push(item);
    assert.equal(items.length, 1);
    assert.equal(items[0]!.source.kind, 'unreadable');
    assert.match(items[0]!.source.kind === 'unreadable' ? items[0]!.source.reason : '', /cannot read the dataset: not a readable Parquet file/);
  });
});

describe('CSV and TSV datasets', () => {
  it('read the header as the field names and each row as a record, quoted newlines and a BOM included', async () => {
    const path = join(dir, 'outputs.csv');
    writeFileSync(path, '\uFEFFproblem, response ,is_correct\r\n"What is 2 * 3 + 1?","2 * 3 = 6.\n\n6 + 1 = 8.",False\r\n\r\n"Say ""hi"".",hi,true\r\n');
    const read = await records(path);
    assert.deepEqual(
      read.map((r) => (r.ok ? [r.index, r.value] : r.error)),
      [
        [0, { problem: 'What is 2 * 3 + 1?', response: '2 * 3 = 6.\n\n6 + 1 = 8.', is_correct: 'False' }],
        [1, { problem: 'Say "hi".', response: 'hi', is_correct: 'true' }],
      ],
    );
    // The cell's "False" is the label JSON's false would be.
    const document = recordToDocument(read[0]!.ok ? read[0]!.value : undefined, { uri: `${path}#0` });
    assert.equal(document.labels?.finalAnswerCorrect, false);
    assert.deepEqual(
      document.steps.map((s) => s.text),
      ['2 * 3 = 6.', '6 + 1 = 8.'],
    );
  });

  it('read TSV and gzipped CSV, and a ProcessBench-style label written as text', async () => {
    writeFileSync(join(dir, 'labelled.tsv'), 'problem\tresponse\tlabel\nWhat is 4 * 5?\t4 * 5 = 21.\t0\n');
    writeFileSync(join(dir, 'outputs.csv.gz'), gzipSync('question,output\nWhat is 4 * 5?,4 * 5 = 20.\n'));
    const tsv = await records(join(dir, 'labelled.tsv'));
    assert.deepEqual(tsv[0]!.ok && tsv[0]!.value, { problem: 'What is 4 * 5?', response: '4 * 5 = 21.', label: '0' });
    const gz = await records(join(dir, 'outputs.csv.gz'));
    assert.deepEqual(gz[0]!.ok && gz[0]!.value, { question: 'What is 4 * 5?', output: '4 * 5 = 20.' });
    const labelled = recordToDocument({ problem: 'What is 4 * 5?', steps: ['4 * 5 = 21.'], label: '0' }, { uri: 'x.csv#0' });
    assert.equal(labelled.labels?.firstErrorStep, 0);
  });

  it('report the rows that cannot be read in their place, and read on after them', async () => {
    const path = join(dir, 'broken.csv');
    writeFileSync(path, 'problem,response\n"What is 1 + 1?","1 + 1 = 2."\n"Bad "quote,x\n"What is 2 + 2?","2 + 2 = 4."\n"What is 3 + 3?","6"\n');
    const read = await records(path);
    // The stray quote takes the next row with it before the parser finds its feet: both are said, none is lost unsaid.
    assert.deepEqual(
      read.map((r) => [r.index, r.ok ? (r.value as { problem: string }).problem : r.error.replace(/\(.*\)/, '(…)')]),
      [
        [0, 'What is 1 + 1?'],
        [1, 'a row of the CSV could not be read (…)'],
        [2, 'a row of the CSV could not be read (…)'],
        [3, 'What is 3 + 3?'],
      ],
    );
    assert.match(read[1]!.ok ? '' : read[1]!.error, /Invalid Closing Quote: got "q" at line 3/);
  });
});

describe('Zstandard-compressed datasets (.jsonl.zst, .csv.zst)', () => {
  // Made with the zstd command-line tool (`zstd -19`); no Zstandard writer runs in Node 20.
  const fixtures = join(process.cwd(), 'test/fixtures/compressed');

  it('are read as the text they hold, and a user checks them by name', async () => {
    const jsonl = await records(join(fixtures, 'processbench.jsonl.zst'));
    assert.deepEqual(
      jsonl.map((r) => (r.ok ? r.value : r.error)),
      PROBLEMS.map((problem, i) => ({ id: `gsm8k-${i}`, problem, steps: STEPS[i], label: i === 0 ? 1 : -1, final_answer_correct: i !== 0 })),
    );
    const csv = await records(join(fixtures, 'outputs.csv.zst'));
    assert.deepEqual(csv[0]!.ok && csv[0]!.value, { question: 'What is 4 * 5?', output: '4 * 5 = 21.' });
    const checked = await runCli(['check', join(fixtures, 'processbench.jsonl.zst'), '--no-llm', '--no-cache'], { cwd: dir });
    assert.equal(checked.status, 1, checked.stderr);
    assert.match(checked.stdout, /processbench\.jsonl\.zst#0 {2}step 2 {2}incorrect {2}6 \+ 1 = 8 \(should be 7\)$/m);
    assert.match(checked.stdout, /^3 solutions checked/m);
  });

  it('read every frame of a file made of several (`cat a.zst b.zst`), and are one split named without .zst', async () => {
    const bytes = readFileSync(join(fixtures, 'processbench.jsonl.zst'));
    mkdirSync(join(dir, 'zst'), { recursive: true });
    writeFileSync(join(dir, 'zst', 'test.jsonl.zst'), Buffer.concat([bytes, bytes]));
    assert.equal((await records(join(dir, 'zst', 'test.jsonl.zst'))).length, 6);
    const scored = await runCli(['eval', join(dir, 'zst'), '--no-llm', '--no-cache', '--format', 'json'], { cwd: dir });
    assert.equal(scored.status, 0, scored.stderr);
    const report = JSON.parse(scored.stdout) as { splits: { split: string; solutions: number }[] };
    assert.deepEqual(
      report.splits.map((s) => [s.split, s.solutions]),
      [['zst/test', 6]],
    );
  });

  it('say in words when the file is cut short or not Zstandard at all', async () => {
    const bytes = readFileSync(join(fixtures, 'processbench.jsonl.zst'));
    writeFileSync(join(dir, 'cut.jsonl.zst'), bytes.subarray(0, bytes.length - 20));
    copyFileSync(join(fixtures, '..', 'README.md'), join(dir, 'plain.jsonl.zst'));
    for (const [name, reason] of [
      ['cut.jsonl.zst', 'cannot read the dataset: the zstd data ends too early'],
      ['plain.jsonl.zst', 'cannot read the dataset: not valid zstd data'],
    ] as const) {
      const items = [];
      for await (const item of readItems([join(dir, name)])) items.push(item);
      assert.deepEqual(
        items.map((i) => i.source),
        [{ kind: 'unreadable', status: 'failed', reason }],
        name,
      );
    }
  });
});
