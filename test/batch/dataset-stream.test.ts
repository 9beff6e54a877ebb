// Reading datasets for a batch run: every record comes out once, in order, with its location; a bad
// record is reported and the others still come; and memory stays flat however many records there are.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readItems } from '../../src/engine/pipeline/items';
import { DATASETS } from '../support/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'stepcritic-stream-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function collect(path: string, cwd = dir) {
  const out = [];
  for await (const item of readItems([path], { cwd })) out.push(item);
  return out;
}

function record(i: number) {
  return {
    id: `rec-${i}`,
    problem: `What is ${i} + ${i}?`,
    steps: [`We add ${i} and ${i}.`, `${i} + ${i} = ${2 * i}.`, `The answer is \\boxed{${2 * i}}.`],
    label: -1,
  };
}

async function writeLines(path: string, count: number, pad: number): Promise<void> {
  const out = createWriteStream(path);
  const filler = 'x'.repeat(pad);
  for (let i = 0; i < count; i++) {
    if (!out.write(`${JSON.stringify({ ...record(i), filler })}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

describe('readItems over datasets', () => {
  it('gives one item per JSONL line, with ids, line numbers and the parsed record; blank lines are not records', async () => {
    const path = join(dir, 'three.jsonl');
    writeFileSync(path, `${JSON.stringify(record(0))}\n\n${JSON.stringify(record(1))}\r\n${JSON.stringify(record(2))}`);
    const items = await collect(path);
    assert.deepEqual(
      items.map((i) => i.id),
      ['three.jsonl#0', 'three.jsonl#1', 'three.jsonl#2'],
    );
    assert.deepEqual(
      items.map((i) => i.record),
      [
        { index: 0, line: 1 },
        { index: 1, line: 3 },
        { index: 2, line: 4 },
      ],
    );
    assert.deepEqual(items[1]!.source, { kind: 'record', value: record(1) });
    assert.equal(new Set(items.map((i) => i.contentHash)).size, 3);
  });

  it('reports a malformed line as a failed item and keeps reading the records after it', async () => {
    const path = join(dir, 'broken.jsonl');
    writeFileSync(path, [JSON.stringify(record(0)), '{"problem": "unterminated', JSON.stringify(record(2))].join('\n'));
    const items = await collect(path);
    assert.equal(items.length, 3);
    assert.equal(items[0]!.source.kind, 'record');
    assert.equal(items[1]!.source.kind, 'unreadable');
    assert.match(items[1]!.source.kind === 'unreadable' ? items[1]!.source.reason : '', /line 2 is not valid JSON/);
    assert.deepEqual(items[2]!.source, { kind: 'record', value: record(2) });
  });

  it('reads a gzipped JSONL file', async () => {
    const path = join(dir, 'packed.jsonl.gz');
    writeFileSync(path, gzipSync([record(0), record(1)].map((r) => JSON.stringify(r)).join('\n')));
    const items = await collect(path);
    assert.deepEqual(
      items.map((i) => (i.source.kind === 'record' ? (i.source.value as { id: string }).id : '?')),
      ['rec-0', 'rec-1'],
    );
  });

  it('says a file that is not gzip data is not, in words', async () => {
    const path = join(dir, 'not-gzip.jsonl.gz');
    writeFileSync(path, 'plain text, not gzip');
    const [item] = await collect(path);
    assert.deepEqual(item!.source, { kind: 'unreadable', status: 'failed', reason: 'cannot read the dataset: not valid gzip data' });
  });

  it('skips a record over the size limit unparsed, as a file over it is, and reads the next one', async () => {
    const big = { ...record(1), steps: Array.from({ length: 2000 }, (_, i) => `${i} + ${i} = ${2 * i}.`) };
    for (const [name, text] of [
      ['big.jsonl', [record(0), big, record(2)].map((r) => JSON.stringify(r)).join('\n')],
      ['big.json', JSON.stringify([record(0), big, record(2)])],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const items = [];
      for await (const item of readItems([path], { cwd: dir, maxFileBytes: 20_000 })) items.push(item);
      assert.deepEqual(
        items.map((i) => (i.source.kind === 'unreadable' ? i.source.status : i.source.kind)),
        ['record', 'skipped', 'record'],
        name,
      );
      assert.match(items[1]!.source.kind === 'unreadable' ? items[1]!.source.reason : '', /^too large \(\d+\.\d KB; a record may be at most 19\.5 KB\)$/);
    }
  });

  it('streams the records of a JSON array (ProcessBench) in order, with the same ids as their positions', async () => {
    const path = join(dir, 'array.json');
    writeFileSync(path, JSON.stringify([record(0), record(1), record(2)], null, 2));
    const items = await collect(path);
    assert.deepEqual(
      items.map((i) => i.id),
      ['array.json#0', 'array.json#1', 'array.json#2'],
    );
    assert.deepEqual(
      items.map((i) => (i.source.kind === 'record' ? i.source.value : null)),
      [record(0), record(1), record(2)],
    );
  });

  it('reads a real ProcessBench file record by record', async () => {
    const items = await collect(join(DATASETS, 'processbench/gsm8k.json'));
    assert.equal(items.length, 32);
    const first = items[0]!.source;
    assert.equal(first.kind, 'record');
    assert.equal(first.kind === 'record' ? (first.value as { id: string }).id : '', 'gsm8k-0');
  });

  it('reads an object of record arrays (MR-BEN: question id → solutions) as one item per solution', async () => {
    const path = join(dir, 'keyed.json');
    writeFileSync(path, JSON.stringify({ 'q-1': [record(0), record(1)], 'q-2': [record(2)] }));
    const items = await collect(path);
    assert.deepEqual(
      items.map((i) => i.id),
      ['keyed.json#0', 'keyed.json#1', 'keyed.json#2'],
    );
  });

  it('reads the records of a wrapper object ({"meta": …, "data": [records]}) and skips its metadata', async () => {
    const path = join(dir, 'wrapped.json');
    writeFileSync(path, JSON.stringify({ version: '1.2', meta: { model: 'm', n: 3 }, data: [record(0), record(1), record(2)] }));
    const items = await collect(path);
    assert.deepEqual(
      items.map((i) => (i.source.kind === 'record' ? (i.source.value as { id: string }).id : i.source.kind)),
      ['rec-0', 'rec-1', 'rec-2'],
    );
  });

  it('reads a file as what it holds, whatever its name: JSON Lines named .json, a JSON array named .jsonl', async () => {
    const ids = (items: Awaited<ReturnType<typeof collect>>) =>
      items.map((i) => (i.source.kind === 'record' ? (i.source.value as { id: string }).id : `${i.source.kind}: ${JSON.stringify(i.source)}`));
    // pandas' to_json(lines=True) and Hugging Face's to_json write JSON Lines under a .json name.
    const lines = join(dir, 'pandas.json');
    writeFileSync(lines, `\n${JSON.stringify(record(0))}\r\n${JSON.stringify(record(1))}\r\n\r\n${JSON.stringify(record(2))}\r\n`);
    const read = await collect(lines);
    assert.deepEqual(ids(read), ['rec-0', 'rec-1', 'rec-2']);
    assert.deepEqual(
      read.map((i) => i.record),
      [
        { index: 0, line: 2 },
        { index: 1, line: 3 },
        { index: 2, line: 5 },
      ],
    );
    const array = join(dir, 'pretty.jsonl');
    writeFileSync(array, JSON.stringify([record(0), record(1)], null, 2));
    assert.deepEqual(ids(await collect(array)), ['rec-0', 'rec-1']);
    // One object on one line is one record, a minified wrapper still a wrapper, whatever follows it.
    const one = join(dir, 'one-line.json');
    writeFileSync(one, `${JSON.stringify(record(7))}\n\n`);
    assert.deepEqual(ids(await collect(one)), ['rec-7']);
    const wrapper = join(dir, 'minified-wrapper.json');
    writeFileSync(wrapper, JSON.stringify({ meta: { n: 2 }, data: [record(3), record(4)] }));
    assert.deepEqual(ids(await collect(wrapper)), ['rec-3', 'rec-4']);
  });

  it('reads a single model-output object, whose fields are all text, as one record', async () => {
    const path = join(dir, 'one-output.json');
    const single = { id: 'x', meta: { model: 'm' }, problem: 'What is 2 + 2?', response: '2 + 2 = 4. The answer is 4.' };
    writeFileSync(path, JSON.stringify(single));
    const items = await collect(path);
    assert.equal(items.length, 1);
    assert.deepEqual(items[0]!.source, { kind: 'record', value: single });
  });

  it('reads a single JSON object as one record, even one that starts with an array of step objects', async () => {
    const path = join(dir, 'single.json');
    const single = { steps: [{ text: 'a' }, { text: 'b' }], problem: 'p' };
    writeFileSync(path, JSON.stringify(single));
    const items = await collect(path);
    assert.equal(items.length, 1);
    assert.deepEqual(items[0]!.source, { kind: 'record', value: single });
  });

  it('keeps the records before a syntax error in a JSON array and reports the rest as failed', async () => {
    const path = join(dir, 'cut.json');
    writeFileSync(path, `[${JSON.stringify(record(0))}, ${JSON.stringify(record(1))}, {"problem": `);
    const items = await collect(path);
    assert.equal(items.filter((i) => i.source.kind === 'record').length, 2);
    const last = items[items.length - 1]!;
    assert.equal(last.source.kind, 'unreadable');
  });

  it('keeps the records before a break in the same chunk, and says when a second JSON value follows the first', async () => {
    for (const [name, tail, reason] of [
      ['broken.json', ', }', /not valid JSON after record 2 \(Unexpected/],
      ['lines.json', ']\n[[127], 7]\n', /not valid JSON after record 2 \(more JSON follows the first value: .*a \.jsonl file\)/],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, `[${JSON.stringify(record(0))}, ${JSON.stringify(record(1))}${tail}`);
      const items = await collect(path);
      assert.equal(items.filter((i) => i.source.kind === 'record').length, 2, name);
      const last = items[items.length - 1]!;
      assert.match(last.source.kind === 'unreadable' ? last.source.reason : '', reason);
    }
  });

  it('turns a missing dataset into one failed item, not an exception', async () => {
    const items = await collect(join(dir, 'nope.jsonl'));
    assert.equal(items.length, 1);
    assert.equal(items[0]!.source.kind, 'unreadable');
    assert.match(items[0]!.source.kind === 'unreadable' ? items[0]!.source.reason : '', /no such file/);
  });

  it('holds one record at a time: peak heap is flat from 4,000 to 40,000 records of JSONL and of a JSON array', async () => {
    const probe = join(process.cwd(), 'test/batch/support/stream-memory-probe.ts');
    const measure = (path: string) => {
      const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', probe, path], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      return JSON.parse(run.stdout) as { records: number; failed: number; growthBytes: number };
    };
    // ~1.2 KB per record: the large file is ~48 MB, far more than the heap growth allowed below.
    const small = join(dir, 'small.jsonl');
    const large = join(dir, 'large.jsonl');
    await writeLines(small, 4_000, 1_000);
    await writeLines(large, 40_000, 1_000);
    const s = measure(small);
    const l = measure(large);
    assert.equal(s.records, 4_000);
    assert.equal(l.records, 40_000);
    assert.equal(l.failed, 0);
    assert.ok(l.growthBytes < 16e6, `40,000 records grew the heap by ${(l.growthBytes / 1e6).toFixed(1)} MB`);
    assert.ok(l.growthBytes < s.growthBytes + 8e6, `not flat: ${(s.growthBytes / 1e6).toFixed(1)} MB → ${(l.growthBytes / 1e6).toFixed(1)} MB`);

    // The same records as one JSON array.
    const arrayPath = join(dir, 'large.json');
    const out = createWriteStream(arrayPath);
    out.write('[\n');
    for (let i = 0; i < 40_000; i++) {
      if (!out.write(`${i > 0 ? ',\n' : ''}${JSON.stringify({ ...record(i), filler: 'x'.repeat(1_000) })}`))
        await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((resolve) => out.end(']\n', () => resolve()));
    const a = measure(arrayPath);
    assert.equal(a.records, 40_000);
    assert.ok(a.growthBytes < 16e6, `a 40,000-record JSON array grew the heap by ${(a.growthBytes / 1e6).toFixed(1)} MB`);
  });
});
