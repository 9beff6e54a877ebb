// The code checker end to end: tests from every source run in the sandbox, failing tests make the
// solution incorrect, fault localization marks the wrong step, syntax errors are verdicts, and
// nothing runs unless running code is allowed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCodeChecker } from '../../src/engine/code/checker';
import { parseCodeSolution } from '../../src/engine/code/parse';
import { findSiblingTests } from '../../src/engine/code/siblings';
import { judgeSolution } from '../../src/engine/judge';
import type { FaultLocalizationEvidence, SolutionDocument } from '../../src/engine/types';

const run = createCodeChecker({ allowRun: true, timeoutMs: 10_000 });

const py = (text: string, uri = 'solution.py') => parseCodeSolution({ uri, text, language: 'python' });
const stepWith = (doc: SolutionDocument, text: string) => doc.steps.find((s) => s.text === text)!.index;

// The bundled example: the classic `mid` from the spectrum-based fault localization literature (Jones &
// Harrold), whose bug is `m = y` in the `elif x < z` branch (should be `m = x`).
const MID = readFileSync(join(__dirname, '..', '..', 'examples', 'mid.py'), 'utf8');

describe('createCodeChecker', () => {
  it('runs doctests; a failing one makes the solution incorrect and the faulty step is marked', async () => {
    const doc = await py(MID);
    assert.equal(doc.tests!.length, 6);
    const judgement = await judgeSolution(doc, { codeChecker: run });
    assert.equal(judgement.verdict, 'incorrect');
    const buggy = doc.steps.findIndex((s, i) => s.text === 'm = y' && doc.steps[i - 1]!.text === 'elif x < z:');
    assert.equal(judgement.firstErrorIndex, buggy);
    const fl = judgement.steps[buggy]!.evidence.find((e): e is FaultLocalizationEvidence => e.kind === 'fault-localization')!;
    assert.equal(fl.rank, 1);
    assert.equal(fl.clear, true);
    assert.equal(fl.failedTests, 1);
    assert.equal(fl.passedTests, 5);
    assert.equal(judgement.steps[buggy]!.code, 'test-failure');
  });

  it('finds a wrong operator that every test executes (mutation analysis), and offers the change', async () => {
    const text = [
      'def total_price(prices, discount):',
      '    total = 0',
      '    for p in prices:',
      '        total += p',
      '    return total + discount',
      '',
      'assert total_price([10, 20], 5) == 25',
      'assert total_price([1], 1) == 0',
      'assert total_price([], 0) == 0',
      '',
    ].join('\n');
    const doc = await py(text);
    const result = await run.check(doc);
    const ret = stepWith(doc, 'return total + discount');
    const fl = result.stepEvidence.get(ret)!.find((e): e is FaultLocalizationEvidence => e.kind === 'fault-localization')!;
    assert.equal(fl.rank, 1);
    assert.equal(fl.clear, true);
    assert.equal(fl.mutation?.change, 'total + discount -> total - discount');
    assert.equal(fl.mutation?.fixedTests, 2);
    assert.equal(fl.mutation?.brokenTests, 0);
    // The tests: two failing asserts with their output, one passing.
    assert.deepEqual(
      result.tests.map((t) => t.kind === 'test' && t.status),
      ['failed', 'failed', 'passed'],
    );
  });

  it('passing tests make no step incorrect and say which steps they run', async () => {
    const text = 'def add(a, b):\n    """\n    >>> add(2, 3)\n    5\n    """\n    return a + b\n\nif __name__ == "__main__":\n    assert add(1, 1) == 2\n';
    const doc = await py(text);
    const judgement = await judgeSolution(doc, { codeChecker: run });
    assert.equal(judgement.verdict, 'correct');
    const ret = stepWith(doc, 'return a + b');
    assert.ok(judgement.steps[ret]!.evidence.some((e) => e.kind === 'test' && e.status === 'passed' && /2 tests run this step/.test(e.name)));
  });

  it('a syntax error is an incorrect verdict on its step, with the interpreter message, and no test runs', async () => {
    const doc = await py('def f(x):\n    y = x +\n    return y\n\nassert f(1) == 1\n');
    const judgement = await judgeSolution(doc, { codeChecker: run });
    const step = judgement.steps.find((s) => s.code === 'syntax')!;
    assert.equal(doc.steps[step.stepIndex]!.text, 'y = x +');
    assert.equal(step.verdict, 'incorrect');
    assert.match(step.message, /SyntaxError: invalid syntax/);
    assert.ok(judgement.warnings.some((w) => w.includes('does not parse')));
  });

  it('runs nothing when running code is off, and says so; syntax is still checked', async () => {
    const marker = join(tmpdir(), `stepcritic-should-not-exist-${process.pid}`);
    const doc = await py(`open(${JSON.stringify(marker)}, "w").write("ran")\nassert 1 == 2\n`);
    const off = createCodeChecker({ allowRun: false });
    const result = await off.check(doc);
    assert.equal(result.ran, false);
    assert.equal(result.tests.length, 0);
    assert.match(result.note ?? '', /Tests not run \(1 test found\): running code is off/);
    await assert.rejects(import('node:fs/promises').then((fs) => fs.access(marker)));
    const broken = await off.check(await py('x = (\n'));
    assert.equal([...broken.stepEvidence.values()].flat()[0]?.kind, 'syntax');
  });

  it('runs tests of a JavaScript solution (console.assert) and localizes the failing step', async () => {
    const text = [
      'function absolute(x) {',
      '  if (x < 0) {',
      '    return x;',
      '  }',
      '  return x;',
      '}',
      'console.assert(absolute(2) === 2);',
      'console.assert(absolute(-3) === 3);',
      'console.assert(absolute(0) === 0);',
      '',
    ].join('\n');
    const doc = await parseCodeSolution({ uri: 'absolute.js', text, language: 'javascript' });
    const judgement = await judgeSolution(doc, { codeChecker: run });
    assert.equal(judgement.verdict, 'incorrect');
    assert.equal(doc.steps[judgement.firstErrorIndex]!.text, 'return x;');
    assert.equal(doc.steps[judgement.firstErrorIndex]!.range.start.line, 2);
  });
});

describe('sibling test files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stepcritic-sibling-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds test_<name>.py and runs each of its test functions against the solution', async () => {
    const solution = join(dir, 'gcd.py');
    await writeFile(solution, 'def gcd(a, b):\n    while b:\n        a, b = b, a % b\n    return a\n');
    await writeFile(
      join(dir, 'test_gcd.py'),
      'from gcd import gcd\n\ndef test_small():\n    assert gcd(12, 8) == 4\n\ndef test_zero():\n    assert gcd(5, 0) == 5\n\ndef helper():\n    raise RuntimeError("not a test")\n',
    );
    const found = await findSiblingTests(solution);
    assert.deepEqual(
      found.map((t) => [t.origin, t.name]),
      [['sibling', 'test_gcd.py']],
    );
    const doc = await parseCodeSolution({ uri: solution, text: '', language: 'python' }).then(async () =>
      parseCodeSolution({ uri: solution, text: await import('node:fs/promises').then((fs) => fs.readFile(solution, 'utf8')), language: 'python' }),
    );
    const result = await run.check({ ...doc, tests: [...(doc.tests ?? []), ...found] });
    assert.deepEqual(
      result.tests.map((t) => t.kind === 'test' && [t.name, t.status]),
      [
        ['test_gcd.py: test_small', 'passed'],
        ['test_gcd.py: test_zero', 'passed'],
      ],
    );
  });

  it('finds <name>.test.ts next to a TypeScript solution and runs it', async () => {
    const solution = join(dir, 'square.ts');
    await writeFile(solution, 'export function square(x: number): number {\n  return x + x;\n}\n');
    await writeFile(join(dir, 'square.test.ts'), "import assert from 'node:assert';\nimport { square } from './square';\nassert.equal(square(3), 9);\n");
    const found = await findSiblingTests(solution);
    assert.deepEqual(
      found.map((t) => t.name),
      ['square.test.ts'],
    );
    const text = await import('node:fs/promises').then((fs) => fs.readFile(solution, 'utf8'));
    const doc = await parseCodeSolution({ uri: solution, text, language: 'typescript' });
    const result = await run.check({ ...doc, tests: found });
    assert.equal(result.tests[0]?.kind === 'test' && result.tests[0].status, 'failed');
    assert.match(result.tests[0]?.kind === 'test' ? (result.tests[0].output ?? '') : '', /AssertionError.*6 == 9/);
  });
});

describe('fault localization through the harness', () => {
  const localized = (result: Awaited<ReturnType<typeof run.check>>) =>
    [...result.stepEvidence]
      .flatMap(([index, list]) => list.filter((e): e is FaultLocalizationEvidence => e.kind === 'fault-localization').map((e) => ({ index, ...e })))
      .sort((a, b) => a.rank - b.rank);

  it("reads '>>> f(x) == y' with nothing under it as an assertion: it passes when it prints True", async () => {
    const example = (body: string) =>
      ['def double(x):', '    """', '    >>> double(2) == 4', '    True', '    >>> double(3) == 6', '    """', body, ''].join('\n');
    const right = await run.check(await py(example('    return 2 * x').replace('    True\n', '')));
    assert.deepEqual(
      right.tests.map((t) => t.kind === 'test' && t.status),
      ['passed', 'passed'],
    );
    const wrong = await run.check(await py(example('    return x + 2').replace('    True\n', '')));
    assert.deepEqual(
      wrong.tests.map((t) => t.kind === 'test' && t.status),
      ['passed', 'failed'],
    );
  });

  it('marks the body of a one-line loop, not its header, when the mutant is in the body', async () => {
    const text = ['def factorial(n):', '    x = 1', '    for j in range(1, n + 1): x *= n', '    return x', ''].join('\n');
    const doc = await py(text);
    const tests = [
      {
        name: 'test_factorial.py',
        origin: 'sibling' as const,
        code: 'def test_3():\n    assert factorial(3) == 6\n\ndef test_1():\n    assert factorial(1) == 1\n',
      },
    ];
    const result = await run.check({ ...doc, tests });
    const [top, next] = localized(result);
    assert.equal(doc.steps[top!.index]!.text, 'x *= n');
    assert.equal(top!.mutation?.change, 'n -> j');
    assert.equal(top!.clear, true);
    assert.notEqual(next?.score, top!.score);
  });

  it('never ranks the import or the docstring that every test runs with the faulty line', async () => {
    const text = ['def boxes(items, size):', '    import math', '    "Boxes needed for the items."', '    return math.floor(items / size)', ''].join('\n');
    const doc = await py(text);
    const tests = [
      { name: 'test_boxes.py', origin: 'sibling' as const, code: 'def test_a():\n    assert boxes(7, 2) == 4\n\ndef test_b():\n    assert boxes(4, 2) == 2\n' },
    ];
    const ranked = localized(await run.check({ ...doc, tests }));
    assert.deepEqual(
      ranked.map((r) => doc.steps[r.index]!.text),
      ['return math.floor(items / size)'],
    );
    assert.equal(ranked[0]!.clear, true);
  });

  it('tries the usual slips beyond binary operators: an augmented assignment, a list out of order, a call whose result is not the value', async () => {
    const cases = [
      {
        text: ['def count_even(xs):', '    n = 0', '    for x in xs:', '        if x % 2 == 0:', '            n -= 1', '    return n', ''],
        test: 'assert count_even([2, 4, 5]) == 2',
        change: 'n -= 1 -> n += 1',
      },
      {
        text: ['def low_high(xs):', '    lo = min(xs)', '    hi = max(xs)', '    return [hi, lo]', ''],
        test: 'assert low_high([3, 1, 2]) == [1, 3]',
        change: '[hi, lo] -> [lo, hi]',
      },
      {
        text: ['def largest(xs, k):', '    ys = sorted(xs)[-k:]', '    return ys.sort(reverse=True)', ''],
        test: 'assert largest([3, 1, 2], 2) == [2, 3]',
        change: 'ys.sort(reverse=True) -> ys',
      },
      {
        // A less likely operator of the same family (tier 1), tried after the likeliest ones.
        text: ['def digit_count(x):', '    n = 0', '    while x > 0:', '        n += 1', '        x -= 10', '    return n', ''],
        test: 'assert digit_count(123) == 3\n    assert digit_count(7) == 1',
        change: 'x -= 10 -> x //= 10',
      },
    ];
    for (const { text, test, change } of cases) {
      const doc = await py(text.join('\n'));
      const tests = [{ name: 'test_it.py', origin: 'sibling' as const, code: `def test_it():\n    ${test}\n` }];
      const [top] = localized(await run.check({ ...doc, tests }));
      assert.equal(top?.mutation?.change, change, text.join('\n'));
      assert.equal(top.clear, true, change);
    }
  });

  it('a docstring example that hangs is a timeout, not an example that disagrees with the passing tests', async () => {
    const text = ['def spin(n):', '    """', '    >>> spin(1)', '    1', '    """', '    while n > 0:', '        pass', '    return n', ''].join('\n');
    const doc = await py(text, 'spin.py');
    const tests = [...(doc.tests ?? []), { name: 'test_spin.py', origin: 'sibling' as const, code: 'def test_zero():\n    assert spin(0) == 0\n' }];
    const quick = createCodeChecker({ allowRun: true, timeoutMs: 4000 });
    const result = await quick.check({ ...doc, tests });
    assert.deepEqual(
      result.tests.map((t) => t.kind === 'test' && t.status),
      ['timeout', 'passed'],
    );
    assert.doesNotMatch(result.note ?? '', /disagrees/);
    assert.equal((await judgeSolution({ ...doc, tests }, { codeChecker: quick })).verdict, 'incorrect');
  });

  it('keeps time for finding the faulty step when tests hang: later tests are not run rather than leaving no lines to rank', async () => {
    // Odd inputs never reach 0: every such test hangs, is retried with twice the time, and would use up the limit.
    const text = ['def pairs(n):', '    steps = 0', '    while n != 0:', '        n -= 2', '        steps += 1', '    return steps', ''].join('\n');
    const doc = await py(text, 'pairs.py');
    const hanging = [3, 5, 7, 9, 11, 13].map((n) => `def test_${n}():\n    assert pairs(${n}) == ${(n + 1) / 2}\n`);
    const tests = [{ name: 'test_pairs.py', origin: 'sibling' as const, code: ['def test_even():\n    assert pairs(4) == 2\n', ...hanging].join('\n') }];
    const result = await createCodeChecker({ allowRun: true, timeoutMs: 6000 }).check({ ...doc, tests });
    assert.match(result.note ?? '', /not run/);
    assert.equal(result.tests.filter((t) => t.kind === 'test' && t.status === 'passed').length, 1);
    const ranked = localized(result);
    assert.ok(ranked.length > 0, 'the hanging tests were traced, so the steps they loop through are ranked');
    assert.ok(
      ranked.every((r) => doc.steps[r.index]!.text !== 'return steps'),
      'the line no failing test reaches is not suspected',
    );
  });

  it('tries mutants on the failing test file first: docstring examples that are wrong do not hide the fix', async () => {
    // Three examples expect values no version of the function returns; the test file is right.
    const text = [
      'def add(a, b):',
      '    """',
      '    >>> add(1, 1)',
      '    3',
      '    >>> add(2, 2)',
      '    5',
      '    >>> add(0, 0)',
      '    1',
      '    """',
      '    return a - b',
      '',
    ].join('\n');
    const doc = await py(text);
    const tests = [...(doc.tests ?? []), { name: 'test_add.py', origin: 'sibling' as const, code: 'def test_a():\n    assert add(2, 3) == 5\n' }];
    const [top] = localized(await run.check({ ...doc, tests }));
    assert.equal(doc.steps[top!.index]!.text, 'return a - b');
    assert.equal(top!.mutation?.change, 'a - b -> a + b');
  });
});
