// Segmentation of code solutions: statements become steps with exact LSP ranges (0-based lines,
// UTF-16 characters), `# Step` / `// Step` blocks, the problem, and the tests found in the file.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCodeSolution } from '../../src/engine/code/parse';
import type { Range, SolutionDocument } from '../../src/engine/types';

function slice(doc: SolutionDocument, range: Range): string {
  const lines = doc.text.split(/\r\n|\r|\n/);
  if (range.start.line === range.end.line) return lines[range.start.line]!.slice(range.start.character, range.end.character);
  return [
    lines[range.start.line]!.slice(range.start.character),
    ...lines.slice(range.start.line + 1, range.end.line),
    lines[range.end.line]!.slice(0, range.end.character),
  ].join('\n');
}

const PYTHON = `"""Return the largest even number in xs, or None.

>>> largest_even([1, 4, 2])
4
"""
import math


def largest_even(xs):
    """Docstrings are not steps."""
    best = None
    for x in xs:
        if x % 2 == 0 and (best is None or x > best):
            best = x
        elif x < 0:
            continue
        else:
            pass
    try:
        label = "😀"; n = len(xs)
    except TypeError:
        raise
    return best


assert largest_even([3, 6]) == 6

if __name__ == "__main__":
    print(largest_even([2]))
`;

describe('parseCodeSolution (Python, through python3)', () => {
  it('makes every simple statement and every compound header its own step, nested ones included', async () => {
    const doc = await parseCodeSolution({ uri: 'largest.py', text: PYTHON, language: 'python' });
    assert.deepEqual(
      doc.steps.map((s) => s.text),
      [
        'import math',
        'def largest_even(xs):',
        'best = None',
        'for x in xs:',
        'if x % 2 == 0 and (best is None or x > best):',
        'best = x',
        'elif x < 0:',
        'continue',
        'else:',
        'pass',
        'try:',
        'label = "😀"',
        'n = len(xs)',
        'except TypeError:',
        'raise',
        'return best',
      ],
    );
    for (const step of doc.steps) assert.equal(slice(doc, step.range), step.text, `range of ${step.text}`);
    assert.equal(doc.kind, 'code');
    assert.equal(doc.format, 'python');
  });

  it('counts characters in UTF-16 after an astral character, as LSP does', async () => {
    const doc = await parseCodeSolution({ uri: 'largest.py', text: PYTHON, language: 'python' });
    const n = doc.steps.find((s) => s.text === 'n = len(xs)')!;
    // `        label = "😀"; ` is 8 spaces + 14 UTF-16 units: the emoji counts as two (code points: 21).
    assert.deepEqual(n.range.start, { line: 19, character: 22 });
    assert.equal(doc.steps[0]!.range.start.line, 5);
  });

  it('takes the problem from the module docstring and finds doctests, asserts and the __main__ block', async () => {
    const doc = await parseCodeSolution({ uri: 'largest.py', text: PYTHON, language: 'python' });
    assert.match(doc.problem, /^Return the largest even number/);
    assert.deepEqual(doc.problemRange?.start, { line: 0, character: 0 });
    const origins = doc.tests!.map((t) => t.origin);
    assert.deepEqual(origins, ['doctest', 'assert', 'main']);
    assert.equal(doc.tests![1]!.code, 'assert largest_even([3, 6]) == 6');
    assert.equal(doc.tests![1]!.range?.start.line, 25);
    assert.match(doc.tests![2]!.code, /print\(largest_even\(\[2\]\)\)/);
    // Tests are not steps.
    assert.ok(!doc.steps.some((s) => s.text.includes('assert') || s.text.includes('__main__')));
  });

  it('makes `# Step` comment blocks the steps, up to the next marker or the end of the function', async () => {
    const text = [
      'def mean(xs):',
      '    # Step 1: add up',
      '    total = 0',
      '    for x in xs:',
      '        total += x',
      '    # Step 2: divide',
      '    return total / len(xs)',
      '',
      'print(mean([1, 2]))',
      '',
    ].join('\n');
    const doc = await parseCodeSolution({ uri: 'mean.py', text, language: 'python' });
    assert.deepEqual(
      doc.steps.map((s) => [s.label ?? null, s.text]),
      [
        [null, 'def mean(xs):'],
        ['Step 1: add up', '# Step 1: add up\n    total = 0\n    for x in xs:\n        total += x'],
        ['Step 2: divide', '# Step 2: divide\n    return total / len(xs)'],
        [null, 'print(mean([1, 2]))'],
      ],
    );
    assert.deepEqual(doc.steps[1]!.range, { start: { line: 1, character: 4 }, end: { line: 4, character: 18 } });
  });

  it('keeps the steps of a file with a syntax error and says where the error is', async () => {
    const text = 'def f(x):\n    y = x +\n    return y\n';
    const doc = await parseCodeSolution({ uri: 'broken.py', text, language: 'python' });
    assert.deepEqual(
      doc.steps.map((s) => s.text),
      ['def f(x):', 'y = x +', 'return y'],
    );
    assert.ok(
      doc.warnings.some((w) => /SyntaxError: invalid syntax \(line 2\)/.test(w)),
      doc.warnings.join('|'),
    );
  });

  it('honours the step limit and says so', async () => {
    const text = Array.from({ length: 10 }, (_, i) => `x${i} = ${i}`).join('\n');
    const doc = await parseCodeSolution({ uri: 'many.py', text, language: 'python', maxSteps: 4 });
    assert.equal(doc.steps.length, 4);
    assert.ok(doc.warnings.some((w) => w.includes('first 4 of 10')));
  });
});

describe('parseCodeSolution (JavaScript/TypeScript, through the compiler API)', () => {
  const TS = `/**
 * Count the vowels in a word.
 */
export function vowels(word: string): number {
  let count = 0;
  for (const c of word) {
    if ('aeiou'.includes(c)) count++;
    else if (c === 'y') { count += 0; }
    else {
      continue;
    }
  }
  // Step 3: report
  const result: number = count;
  return result;
}

console.assert(vowels('tree') === 2);
`;

  it('makes statements and headers steps with exact ranges (TypeScript)', async () => {
    const doc = await parseCodeSolution({ uri: 'vowels.ts', text: TS, language: 'typescript' });
    assert.deepEqual(
      doc.steps.map((s) => s.text),
      [
        'export function vowels(word: string): number',
        'let count = 0;',
        'for (const c of word)',
        "if ('aeiou'.includes(c))",
        'count++;',
        "else if (c === 'y')",
        'count += 0;',
        'else',
        'continue;',
        '// Step 3: report\n  const result: number = count;\n  return result;',
      ],
    );
    for (const step of doc.steps) assert.equal(slice(doc, step.range), step.text);
    assert.equal(doc.steps[9]!.label, 'Step 3: report');
    assert.equal(doc.problem, 'Count the vowels in a word.');
    assert.deepEqual(
      doc.tests!.map((t) => [t.origin, t.code]),
      [['assert', "console.assert(vowels('tree') === 2);"]],
    );
  });

  it('parses JavaScript with arrow-function bodies and reports a syntax error without losing the steps', async () => {
    const text = 'const double = (x) => {\n  return x * 2;\n};\nconst half = (x) => x / 2\nfunction f(\n';
    const doc = await parseCodeSolution({ uri: 'double.js', text, language: 'javascript' });
    assert.deepEqual(
      doc.steps.slice(0, 3).map((s) => s.text),
      ['const double = (x) =>', 'return x * 2;', 'const half = (x) => x / 2'],
    );
    assert.ok(
      doc.warnings.some((w) => w.startsWith('SyntaxError:')),
      doc.warnings.join('|'),
    );
  });
});
