// `eval --sample`: strata in proportion, every stratum represented, the same positions for the same seed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocate, planSample, stratumOf } from '../../src/engine/eval/sample';

describe('stratified sample', () => {
  const sizes = new Map([
    [stratumOf('processbench/gsm8k', 2), 207],
    [stratumOf('processbench/gsm8k', -1), 193],
    [stratumOf('processbench/math', 0), 594],
    [stratumOf('processbench/math', -1), 406],
  ]);

  it('gives each stratum its share of N, at least one, and never more than it has', () => {
    const take = allocate(sizes, 100);
    assert.equal(
      [...take.values()].reduce((a, b) => a + b, 0),
      100,
    );
    assert.deepEqual(
      [...take.values()].sort((a, b) => a - b),
      [14, 15, 29, 42],
    );
    assert.deepEqual([...allocate(sizes, 4).values()], [1, 1, 1, 1], 'one each when N is the number of strata');
    assert.deepEqual(
      [
        ...allocate(
          new Map([
            ['a', 2],
            ['b', 50],
          ]),
          40,
        ).entries(),
      ].sort(),
      [
        ['a', 2],
        ['b', 38],
      ],
    );
    assert.deepEqual([...allocate(sizes, 5000).values()], [207, 193, 594, 406], 'everything when N is larger');
  });

  it('draws distinct positions in range, the same for the same seed and others for another', () => {
    const plan = planSample(sizes, 100, 7);
    for (const [stratum, positions] of plan) {
      assert.ok([...positions].every((p) => p >= 0 && p < sizes.get(stratum)!));
    }
    assert.deepEqual(
      [...planSample(sizes, 100, 7).values()].map((s) => [...s].sort((a, b) => a - b)),
      [...plan.values()].map((s) => [...s].sort((a, b) => a - b)),
    );
    assert.notDeepEqual(
      [...planSample(sizes, 100, 8).values()].map((s) => [...s].sort((a, b) => a - b)),
      [...plan.values()].map((s) => [...s].sort((a, b) => a - b)),
    );
  });
});
