// The index of custom_ids (id-index.ts): every id added is found at its line, an id added again keeps
// its slot, and ids never added are not found; the ids are read back only to tell apart ids of one hash.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LinePlace } from '../../src/engine/batch/id-index';
import { IdIndex } from '../../src/engine/batch/id-index';

const idOf = (i: number) => `steps-1-4:${i.toString(16).padStart(12, '0')}:data/processbench.jsonl#${i}`;

describe('the index of custom_ids', () => {
  it('finds each of 20,000 ids at its own line, past many a growth of the table', () => {
    const ids = new Map<number, string>();
    const index = new IdIndex((place) => ids.get(place.offset)!);
    for (let i = 0; i < 20_000; i++) {
      ids.set(i * 100, idOf(i));
      assert.equal(index.add(idOf(i), { file: i % 3, offset: i * 100, length: 99 }, i % 2).added, true);
    }
    assert.equal(index.size, 20_000);
    for (let i = 0; i < 20_000; i += 7) {
      const slot = index.findExact(idOf(i));
      assert.deepEqual(index.place(slot), { file: i % 3, offset: i * 100, length: 99 });
      assert.equal(index.find(idOf(i)), slot);
      assert.equal(index.marksOf(slot), i % 2);
    }
    assert.equal(index.find(idOf(20_000)), -1);
    assert.equal([...index.slots()].length, 20_000);
  });

  it('keeps one slot per id: adding it again (a later result of the same request) finds the first', () => {
    const read: LinePlace[] = [];
    const index = new IdIndex((place) => {
      read.push(place);
      return 'steps-1-2:aaaaaaaaaaaa:a.md';
    });
    const first = index.add('steps-1-2:aaaaaaaaaaaa:a.md', { file: 0, offset: 0, length: 10 }, 0);
    index.add('steps-1-2:bbbbbbbbbbbb:b.md', { file: 0, offset: 11, length: 10 }, 0);
    assert.equal(read.length, 0, 'distinct ids are told apart by their hashes alone');
    const again = index.add('steps-1-2:aaaaaaaaaaaa:a.md', { file: 1, offset: 0, length: 12 }, 1);
    assert.deepEqual(again, { slot: first.slot, added: false });
    assert.deepEqual(read, [{ file: 0, offset: 0, length: 10 }], 'an id of a known hash is read back once');
    index.put(again.slot, { file: 1, offset: 0, length: 12 }, 1);
    index.mark(again.slot, 2);
    assert.deepEqual(index.place(first.slot), { file: 1, offset: 0, length: 12 });
    assert.equal(index.marksOf(first.slot), 3);
    assert.equal(index.size, 2);
  });
});
