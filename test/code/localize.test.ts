// Fault localization arithmetic: Ochiai by hand, max over a step's lines, the clear margin, and the
// mutation score lifting the one statement whose small change fixes the failing tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localizeFaults, ochiaiByLine } from '../../src/engine/code/localize';

const step = (index: number, from: number, to = from) => ({ index, range: { start: { line: from - 1, character: 0 }, end: { line: to - 1, character: 5 } } });

describe('localizeFaults', () => {
  it('computes Ochiai ef / sqrt(F (ef + ep)) per line', () => {
    const scores = ochiaiByLine([
      { failed: true, lines: [1, 2, 3] },
      { failed: true, lines: [1, 3] },
      { failed: false, lines: [1, 2] },
    ]);
    assert.equal(scores.get(1), 2 / Math.sqrt(2 * 3));
    assert.equal(scores.get(2), 1 / Math.sqrt(2 * 2));
    assert.equal(scores.get(3), 2 / Math.sqrt(2 * 2));
  });

  it('marks the top step clear only when it is ahead by the margin', () => {
    const spectra = [
      { failed: true, lines: [1, 2, 3] },
      { failed: false, lines: [1, 2] },
      { failed: false, lines: [1] },
    ];
    const found = localizeFaults([step(0, 1), step(1, 2), step(2, 3)], spectra);
    assert.deepEqual([found.get(2)!.rank, found.get(2)!.clear, found.get(2)!.score], [1, true, 1]);
    assert.deepEqual([found.get(1)!.rank, found.get(1)!.clear], [2, false]);
    assert.equal(found.get(0)!.rank, 3);
  });

  it('leaves tied steps unclear (every test runs both): the judge then says uncertain, not incorrect', () => {
    const spectra = [
      { failed: true, lines: [1, 2] },
      { failed: false, lines: [1, 2] },
    ];
    const found = localizeFaults([step(0, 1), step(1, 2)], spectra);
    assert.equal(found.get(0)!.clear, false);
    assert.equal(found.get(1)!.clear, false);
    assert.equal(found.get(0)!.rank, 1, 'ties go to the earlier step');
  });

  it('ranks the more deeply nested of tied steps first (it runs at least as often), and stays unclear', () => {
    // def f(xs): / total = 0 / for x in xs: / total += x * 2 / return total — every test runs every line.
    const nested = (index: number, line: number, character: number) => ({
      index,
      range: { start: { line: line - 1, character }, end: { line: line - 1, character: character + 5 } },
    });
    const steps = [nested(0, 2, 4), nested(1, 3, 4), nested(2, 4, 8), nested(3, 5, 4)];
    const found = localizeFaults(steps, [
      { failed: true, lines: [2, 3, 4, 5] },
      { failed: false, lines: [2, 3, 4, 5] },
    ]);
    assert.deepEqual(
      [...found.values()].sort((a, b) => a.rank - b.rank).map((e) => [...found].find(([, v]) => v === e)![0]),
      [2, 0, 1, 3],
    );
    assert.equal(found.get(2)!.clear, false);
  });

  it('takes the maximum over a multi-line step', () => {
    const found = localizeFaults(
      [step(0, 1, 3)],
      [
        { failed: true, lines: [3] },
        { failed: false, lines: [1] },
      ],
    );
    assert.equal(found.get(0)!.score, 1);
  });

  it('averages in the mutation score: a fixing mutant breaks the tie and is reported', () => {
    const spectra = [
      { failed: true, lines: [1, 2] },
      { failed: false, lines: [1, 2] },
    ];
    const found = localizeFaults([step(0, 1), step(1, 2)], spectra, {
      mutation: { tried: 12, statements: [{ line: 2, endLine: 2, score: 1, fixed: 1, broke: 0, change: 'a < b -> a <= b' }] },
    });
    assert.equal(found.get(1)!.rank, 1);
    assert.equal(found.get(1)!.clear, true);
    assert.equal(found.get(1)!.score, Math.round(((1 / Math.sqrt(2) + 1) / 2) * 1000) / 1000);
    assert.equal(found.get(1)!.mutation?.change, 'a < b -> a <= b');
  });

  it('a statement whose mutant fixes every failing test ranks above one whose mutant fixes only some, whatever the spectra', () => {
    // bsearch: `while lo < hi` (line 3) runs in every test; `mid = (lo + hi) // 2` (line 4) runs in fewer
    // passing ones, so its spectrum is higher. `lo < hi -> lo <= hi` fixes both failing tests; `// 2 -> // 1`
    // flips one assertion by accident. The candidate fix goes first, and is clear.
    const spectra = [
      { failed: true, lines: [2, 3, 4] },
      { failed: true, lines: [2, 3, 4] },
      ...Array.from({ length: 10 }, () => ({ failed: false, lines: [2, 3] })),
    ];
    const steps = [step(0, 2), step(1, 3), step(2, 4)];
    const mutation = {
      tried: 40,
      statements: [
        { line: 3, endLine: 3, score: 1, fixed: 2, broke: 0, change: 'lo < hi -> lo <= hi' },
        { line: 4, endLine: 4, score: 0.5, fixed: 1, broke: 0, change: '(lo + hi) // 2 -> (lo + hi) // 1' },
      ],
    };
    const found = localizeFaults(steps, spectra, { mutation });
    assert.equal(found.get(1)!.rank, 1);
    assert.equal(found.get(1)!.clear, true);
    assert.equal(found.get(2)!.rank, 2);
    // By score alone the partial fix on the line with the higher spectrum is ahead: (1 + 0.5) / 2 > (0.41 + 1) / 2.
    assert.ok(found.get(2)!.score > found.get(1)!.score);
    const partialOnly = localizeFaults(steps, spectra, {
      mutation: { tried: 40, statements: [{ ...mutation.statements[0]!, score: 0.5, fixed: 1 }, mutation.statements[1]!] },
    });
    assert.equal(partialOnly.get(2)!.rank, 1);
  });

  it("gives a mutant to the step of its own statement when two statements share a line ('for j in r: x *= i')", () => {
    // def f(n): / for j in range(1, n + 1): x *= i / return x — line 2 holds two steps, the for header and its body.
    const steps = [
      { index: 0, range: { start: { line: 1, character: 4 }, end: { line: 1, character: 28 } } },
      { index: 1, range: { start: { line: 1, character: 29 }, end: { line: 1, character: 35 } } },
      { index: 2, range: { start: { line: 2, character: 4 }, end: { line: 2, character: 12 } } },
    ];
    const spectra = [
      { failed: true, lines: [2, 3] },
      { failed: false, lines: [2, 3] },
    ];
    const found = localizeFaults(steps, spectra, {
      mutation: { tried: 9, statements: [{ line: 2, col: 29, endLine: 2, score: 1, fixed: 1, broke: 0, change: 'i -> j' }] },
    });
    assert.equal(found.get(1)!.rank, 1);
    assert.equal(found.get(1)!.clear, true, "the header does not share the body statement's mutant, so it does not tie with it");
    assert.equal(found.get(0)!.mutation, undefined);
  });

  it('never ranks an import, a docstring or a plain def header, which every test runs as well', () => {
    // def f(s): / import math / "doc" / return math.floor(s) — every test runs every line.
    const steps = [step(0, 1), { index: 1, range: { start: { line: 1, character: 4 }, end: { line: 1, character: 15 } } }, step(2, 3), step(3, 4)];
    const spectra = [
      { failed: true, lines: [1, 2, 3, 4] },
      { failed: false, lines: [1, 2, 3, 4] },
    ];
    const inert = [
      [1, 0, 2, 4],
      [2, 4, 2, 15],
      [3, 0, 3, 5],
    ] as const;
    const found = localizeFaults(steps, spectra, { inert });
    assert.deepEqual([...found.keys()], [3]);
    assert.equal(found.get(3)!.clear, true, 'alone in the ranking, the return is the step');
    assert.equal(localizeFaults(steps, spectra).get(3)!.clear, false, 'without the spans the four steps tie');
  });

  it('of two candidate fixes, an operator or constant change stands out over one variable put for another', () => {
    // t = 1 (line 2, the bug) and for i in list1 (line 4): `1 -> 0` and `list1 -> test` both fix the one failing test.
    const spectra = [
      { failed: true, lines: [2, 3, 4] },
      { failed: false, lines: [2, 3, 4] },
    ];
    const statements = [
      { line: 4, endLine: 4, score: 1, fixed: 1, broke: 0, change: 'list1 -> test', tier: 2 },
      { line: 2, endLine: 2, score: 1, fixed: 1, broke: 0, change: '1 -> 0', tier: 0 },
    ];
    const found = localizeFaults([step(0, 2), step(1, 3), step(2, 4)], spectra, { mutation: { tried: 30, statements } });
    assert.equal(found.get(0)!.rank, 1);
    assert.equal(found.get(0)!.clear, true);
    assert.equal(found.get(2)!.rank, 2);
    const sameKind = localizeFaults([step(0, 2), step(1, 3), step(2, 4)], spectra, {
      mutation: { tried: 30, statements: statements.map((m) => ({ ...m, tier: 0 })) },
    });
    assert.equal(sameKind.get(0)!.clear, false, 'two operator/constant fixes: no step stands out');
  });

  it('of two candidate fixes of the same kind, the statement that more of its mutants fix stands out', () => {
    // current_depth = 0 (line 2) and if current_depth < 0 (line 4, the bug), both run by every failing
    // test: `0 -> -1` compensates for the bug once; `< 0` is fixed by `<= 0`, `== 0` and `0 -> 1` alike.
    const spectra = [
      { failed: true, lines: [2, 3, 4] },
      { failed: true, lines: [2, 3, 4] },
    ];
    const steps = [step(0, 2), step(1, 3), step(2, 4)];
    const statements = [
      { line: 2, endLine: 2, score: 1, fixed: 2, broke: 0, change: '0 -> -1', tier: 0, alike: 1 },
      { line: 4, endLine: 4, score: 1, fixed: 2, broke: 0, change: 'current_depth < 0 -> current_depth <= 0', tier: 0, alike: 3 },
    ];
    const found = localizeFaults(steps, spectra, { mutation: { tried: 40, statements } });
    assert.deepEqual([found.get(2)!.rank, found.get(2)!.clear], [1, true]);
    assert.deepEqual([found.get(0)!.rank, found.get(0)!.clear], [2, false]);
    const asMany = localizeFaults(steps, spectra, { mutation: { tried: 40, statements: statements.map((m) => ({ ...m, alike: 2 })) } });
    assert.equal(asMany.get(0)!.rank, 1, 'as many fixes: the earlier step first');
    assert.equal(asMany.get(0)!.clear, false, 'and no step stands out');
    const partial = localizeFaults(steps, spectra, {
      mutation: { tried: 40, statements: [statements[0]!, { ...statements[1]!, score: 0.5, fixed: 1, alike: 5 }] },
    });
    assert.equal(partial.get(0)!.rank, 1, 'mutants that fix only some failing tests do not count, however many');
  });

  it('says nothing when no test fails', () => {
    assert.equal(localizeFaults([step(0, 1)], [{ failed: false, lines: [1] }]).size, 0);
  });
});
