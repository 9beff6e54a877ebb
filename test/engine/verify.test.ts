// The arithmetic verifier on a table of true and false claims, in prose and in LaTeX, and the things
// that look like claims but are not (dates, ranges, ratios, times, assignments, unit conversions).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMarkdownSolution } from '../../src/engine/documents/markdown';
import type { SolutionDocument, Step } from '../../src/engine/types';
import { checkFinalAnswer } from '../../src/engine/verify/answer';
import { findClaims, verifyStepArithmetic } from '../../src/engine/verify/arithmetic';

function step(text: string, line = 0, character = 0): Step {
  return { index: 0, text, hash: 'h', range: { start: { line, character }, end: { line, character: character + text.length } } };
}

function statuses(text: string): string[] {
  return verifyStepArithmetic(step(text)).map((e) => `${e.status}: ${e.claim}`);
}

/** [text, the claim as reported] — each must be verified, and nothing in the text refuted. */
const TRUE_CLAIMS: [string, string][] = [
  ['Natalia sold 48/2 = 24 clips in May.', '48/2 = 24'],
  ['48 / 2 = 24 clips', '48 / 2 = 24'],
  ['Janet sells 16 - 3 - 4 = 9 duck eggs a day.', '16 - 3 - 4 = 9'],
  ['She makes 9 * 2 = $18 every day.', '9 * 2 = $18'],
  ['4 × 5 = 20', '4 × 5 = 20'],
  ['4 x 5 = 20 apples', '4 x 5 = 20'],
  ['2 · 3 = 6', '2 · 3 = 6'],
  ['12 ÷ 4 = 3', '12 ÷ 4 = 3'],
  ['(3 + 5) × 2 = 16', '(3 + 5) × 2 = 16'],
  ['2^10 = 1024', '2^10 = 1024'],
  ['5² = 25', '5² = 25'],
  ['5! = 120', '5! = 120'],
  ['80,000+50,000=$130,000', '80,000+50,000=$130,000'],
  ['The total is $5.50 + $2.25 = $7.75.', '$5.50 + $2.25 = $7.75'],
  ['20% of 50 = 10', '20% of 50 = 10'],
  ['0.4 * 100 = 40% of the class', '0.4 * 100 = 40%'],
  ['a tip of 0.05 * $40 = $2.00', '0.05 * $40 = $2.00'],
  ['1/3 = 0.33', '1/3 = 0.33'],
  ['2/3 = 0.67', '2/3 = 0.67'],
  ['22/7 ≈ 3.14', '22/7 ≈ 3.14'],
  ['1000/3 ≈ 330 people', '1000/3 ≈ 330'],
  ['10/3 = 3.333...', '10/3 = 3.333...'],
  ['He earns 50 minutes * $0.2 = $10.', '50 minutes * $0.2 = $10'],
  ['$20/hour * 5 hours = $100', '$20/hour * 5 hours = $100'],
  ['6 tubs of lip gloss * 2 tubes per tub = 12 tubes', '6 tubs of lip gloss * 2 tubes per tub = 12'],
  ['1,200 * 2 = 2,400', '1,200 * 2 = 2,400'],
  ['three times: 3 times 4 = 12', '3 times 4 = 12'],
  ['\\(1/3 \\times 18 = 6\\) flamingos', '1/3 \\times 18 = 6'],
  ['$\\frac{48}{2} = 24$', '\\frac{48}{2} = 24'],
  ['\\[ 3 \\cdot 4 = 12 \\]', '3 \\cdot 4 = 12'],
  ['$\\$12 \\div 4 = \\$3$', '\\$12 \\div 4 = \\$3'],
  ['\\(2^{3} \\cdot 5 = 40\\)', '2^{3} \\cdot 5 = 40'],
  ['$\\sqrt{16} = 4$', '\\sqrt{16} = 4'],
  ['$\\sqrt{2} \\approx 1.41$', '\\sqrt{2} \\approx 1.41'],
  ['$\\binom{5}{2} = 10$', '\\binom{5}{2} = 10'],
  ['$75\\% \\times 200 = 150$', '75\\% \\times 200 = 150'],
  ['$1{,}200 + 300 = 1{,}500$', '1{,}200 + 300 = 1{,}500'],
  ['¾ x 12 = 9', '¾ x 12 = 9'],
  ['-5 + 3 = -2', '-5 + 3 = -2'],
  ['two 50/2 = 25-foot sections', '50/2 = 25'],
  ['Missy yells 4 * 12 times = 48 times', '4 * 12 times = 48'],
  ['24 crayons total - 8 red - 6 blue - 4 green = 6 pink crayons', '24 crayons total - 8 red - 6 blue - 4 green = 6'],
  ['3 lbs. coffee * 40 cups per lb. = 120 cups', '3 lbs. coffee * 40 cups per lb. = 120'],
  ['Total punch = 4.5 + 9 + 7.5 = 21 L', '4.5 + 9 + 7.5 = 21'],
];

/** [text, the claim as reported, the value it should have] */
const FALSE_CLAIMS: [string, string, string][] = [
  ['Natalia sold 48 / 2 = 25 clips in May.', '48 / 2 = 25', '24'],
  ['1/3 = 0.4', '1/3 = 0.4', '0.33'],
  ['3 x 4 = 13', '3 x 4 = 13', '12'],
  ['She makes 9 * 2 = $19 every day.', '9 * 2 = $19', '$18'],
  ['1,200 * 2 = 2,500', '1,200 * 2 = 2,500', '2,400'],
  ['20% of 50 = 12', '20% of 50 = 12', '10'],
  ['20/50 = 45%', '20/50 = 45%', '40%'],
  ['2^10 = 1000', '2^10 = 1000', '1024'],
  ['$5.50 * 2 = $11.50', '$5.50 * 2 = $11.50', '$11.00'],
  ['\\(5 \\times 6 = 35\\)', '5 \\times 6 = 35', '30'],
  ['$\\frac{1}{3} = 0.34$', '\\frac{1}{3} = 0.34', '0.33'],
  ['$\\$12 \\div 4 = \\$4$', '\\$12 \\div 4 = \\$4', '$3'],
  ['\\[ (2 + 3) \\cdot 4 = 25 \\]', '(2 + 3) \\cdot 4 = 25', '20'],
  ['The six T-shirts cost 6 x $8 = $41.', '6 x $8 = $41', '$48'],
  ['22/7 ≈ 3.5', '22/7 ≈ 3.5', '3.14'],
];

/** Text with numbers and `=` that must not be refuted (nor, mostly, even read as a claim). */
const NOT_REFUTED = [
  'The meeting was on 3/4/2020 = a Tuesday.',
  'It takes 3-5 = 2 hours, roughly.',
  'Pages 3-5 = 3 pages to read.',
  'The ratio 3:2 = 6:4.',
  'At 2:30 = 150 minutes past noon.',
  'Let x = 5, so x + 2 = 7.',
  '2x + 3 = 7, so 2x = 4.',
  '1 hour = 60 minutes.',
  '2 hours = 2 * 60 = 120 minutes.',
  '3 * 2 hours = 360 minutes.',
  'Step 1. 2 + 2 = 4',
  '1529 ÷ 6 = 255 with a remainder of 4.',
  '2^{10} = 1 \\pmod{1023}',
  'Half of 48 + 2 = 26.',
  '5*2=10+3=13',
  '$\\frac{1}{2}$ inch = 20 miles on the map.',
  'f(3) = 2*3 + 3 = 9',
  '48 = 100% + 20% = 120% of the actual number',
  '3y + 2 = 8',
  'a_1 + 2 = 5',
  'Day 3:100+20=120',
  '(1, 2) + 3 = 4',
  '100 = 5AD^2 + 20',
  '17 \\equiv 2 \\pmod 5',
  'It heats to 400 degrees - 5 minutes. Time to cook = 28 - 5 = 23 minutes.',
  '2L + 8 = 22, so 2L = 14',
  '\\frac{90}{123} < k < \\frac{180}{123} \\approx 0.732 < k < 1.463',
  'Check: 60 = 5^2 + 6^2 = 25 + 36 = 61. This does not work.',
  '9 = \\frac{1}{4} d(d - 3)',
];

describe('the arithmetic verifier', () => {
  it('verifies true claims in prose and LaTeX, and refutes nothing in them', () => {
    for (const [text, claim] of TRUE_CLAIMS) {
      const found = statuses(text);
      assert.ok(found.includes(`verified: ${claim}`), `${text} → ${found.join('; ')}`);
      assert.ok(!found.some((f) => f.startsWith('refuted')), `${text} → ${found.join('; ')}`);
    }
  });

  it('refutes false claims with the value written the way the author writes it', () => {
    for (const [text, claim, expected] of FALSE_CLAIMS) {
      const evidence = verifyStepArithmetic(step(text)).filter((e) => e.status === 'refuted');
      assert.equal(evidence.length, 1, `${text} → ${statuses(text).join('; ')}`);
      assert.equal(evidence[0]!.claim, claim, text);
      assert.equal(evidence[0]!.expected, expected, text);
    }
  });

  it('does not refute dates, ranges, ratios, times, algebra, unit conversions or running calculations', () => {
    for (const text of NOT_REFUTED) {
      const found = statuses(text);
      assert.ok(!found.some((f) => f.startsWith('refuted')), `${text} → ${found.join('; ')}`);
    }
  });

  it('reads a running calculation as one claim per result', () => {
    assert.deepEqual(statuses('5*2=10+3=13'), ['verified: 5*2=10', 'verified: 10+3=13']);
    assert.deepEqual(statuses('2 + 3 = 6 * 4 = 24'), ['refuted: 2 + 3 = 6', 'verified: 6 * 4 = 24']);
    assert.deepEqual(statuses('3^2 + 4^2 = 25 = 5^2'), ['verified: 3^2 + 4^2 = 25', 'verified: 25 = 5^2']);
  });

  it('continues an align chain across lines', () => {
    const text = '\\begin{align}\n(2+3) \\cdot 4 &= 5 \\cdot 4 \\\\\n&= 21\n\\end{align}';
    assert.deepEqual(statuses(text), ['verified: (2+3) \\cdot 4 &= 5 \\cdot 4', 'refuted: 5 \\cdot 4 \\\\\n&= 21']);
  });

  it('gives a fix that replaces just the wrong number, in document coordinates', () => {
    const text = '# Problem\nHow many clips?\n\n# Solution\nIn April she sold 48 clips.\nIn May she sold\n48 / 2 = 25 clips.\n';
    const document = parseMarkdownSolution('clips.md', text);
    const evidence = verifyStepArithmetic(document.steps[0]!);
    assert.equal(evidence.length, 1);
    const [e] = evidence;
    assert.equal(e!.status, 'refuted');
    assert.deepEqual(e!.range, { start: { line: 6, character: 0 }, end: { line: 6, character: 11 } });
    assert.deepEqual(e!.fix, { range: { start: { line: 6, character: 9 }, end: { line: 6, character: 11 } }, newText: '24' });
  });

  it('counts positions across CRLF line breaks and UTF-16 surrogate pairs inside a step', () => {
    const document = parseMarkdownSolution('crlf.md', 'What?\r\n\r\n😀 First we add,\r\nthen 😀 7 + 5 = 13.\r\n');
    const [e] = verifyStepArithmetic(document.steps[0]!);
    assert.equal(e!.claim, '7 + 5 = 13');
    assert.deepEqual(e!.range, { start: { line: 3, character: 8 }, end: { line: 3, character: 18 } });
    assert.deepEqual(e!.fix, { range: { start: { line: 3, character: 16 }, end: { line: 3, character: 18 } }, newText: '12' });
  });

  it('keeps currency, thousands separators, decimals and percent out of the fix but in the expected value', () => {
    const [money] = verifyStepArithmetic(step('Total: $1,250.50 + $1,000 = $2,200.50', 3, 4));
    assert.equal(money!.expected, '$2,250.50');
    assert.deepEqual(money!.fix, { range: { start: { line: 3, character: 33 }, end: { line: 3, character: 41 } }, newText: '2,250.50' });
    const [percent] = verifyStepArithmetic(step('15/60 = 20%'));
    assert.equal(percent!.expected, '25%');
    assert.equal(percent!.fix?.newText, '25');
  });

  it('says why it cannot check a claim', () => {
    const [zero] = verifyStepArithmetic(step('5 / 0 = 3'));
    assert.equal(zero!.status, 'uncheckable');
    assert.match(zero!.note ?? '', /division by zero/);
    const [big] = verifyStepArithmetic(step('2^99999 = 5'));
    assert.equal(big!.status, 'uncheckable');
    assert.match(big!.note ?? '', /too large/);
    const [units] = verifyStepArithmetic(step('3 * 2 hours = 360 minutes'));
    assert.equal(units!.status, 'uncheckable');
    assert.match(units!.note ?? '', /units/);
  });

  it('finds claims with exact offsets (findClaims)', () => {
    const [claim] = findClaims('So she sold 48 / 2 = 24 clips.');
    assert.equal(claim!.text, '48 / 2 = 24');
    assert.equal(claim!.start, 12);
    assert.equal(claim!.end, 23);
    assert.equal(claim!.left.expr, '48/2');
    assert.equal(claim!.right.literal?.value, '24');
  });

  it('stays bounded and never throws on hostile text', () => {
    const inputs = [
      '='.repeat(100000),
      '1='.repeat(50000),
      `${'(('.repeat(5000)}1${'))'.repeat(5000)} = 1`,
      '\\frac{'.repeat(3000),
      '9'.repeat(5000) + ' * 2 = 3',
      '1e999 * 2 = 3',
      '\uD800 = \uDFFF',
      `${'2 + 2 = 4. '.repeat(30000)}`,
    ];
    for (const text of inputs) verifyStepArithmetic(step(text));
    const many = verifyStepArithmetic(step('2 + 2 = 4. '.repeat(30000)));
    assert.equal(many.filter((e) => e.status === 'verified').length, 200);
    assert.match(many[many.length - 1]!.note ?? '', /Only the first 200 computations/);
  });
});

function withAnswer(final: string | undefined, expected: string | undefined): SolutionDocument {
  const document = parseMarkdownSolution('a.md', `What?\n\nStep 1: think.\n\n${final !== undefined ? `Answer: ${final}` : ''}`);
  if (expected !== undefined) document.expectedAnswer = expected;
  return document;
}

describe('checkFinalAnswer', () => {
  it('compares numbers by value, at the precision the solution wrote', () => {
    const cases: [string, string, string][] = [
      ['72', '72', 'matches'],
      ['$1,200', '1200', 'matches'],
      ['0.5', '\\frac{1}{2}', 'matches'],
      ['\\boxed{\\frac{3}{4}}', '0.75', 'matches'],
      ['0.33', '1/3', 'matches'],
      ['50%', '50', 'matches'],
      ['72 clips.', '72', 'matches'],
      ['x = 5', '5', 'matches'],
      ['71', '72', 'differs'],
      ['0.4', '1/3', 'differs'],
      ['B', 'B', 'matches'],
      ['(B)', 'Choice_B', 'matches'],
      ['C', 'B', 'differs'],
      ['x^2 + 1', '1 + x^2', 'uncheckable'],
      ['450 km/h', '450', 'matches'],
      ['450 km/h', '50', 'differs'],
      ['$34.00', '34', 'matches'],
      ['\\frac{3}{8}', '0.375', 'matches'],
      ['x = 4', '4', 'matches'],
      ['2, 3', '3, 2', 'matches'],
      ['x = 2 or x = 3', '3, 2', 'matches'],
      ['x = -3, x = 2', '2, -3', 'matches'],
      ['x = 2 or x = 3', '3', 'differs'],
      ['2, 3', '2, 4', 'differs'],
      ['(2, 3)', '(3, 2)', 'uncheckable'],
      ['1,200', '1200', 'matches'],
    ];
    for (const [final, expected, status] of cases) {
      assert.equal(checkFinalAnswer(withAnswer(final, expected))?.status, status, `${final} vs ${expected}`);
    }
  });

  it('has nothing to say without an expected answer or a final answer', () => {
    assert.equal(checkFinalAnswer(withAnswer('72', undefined)), undefined);
    assert.equal(checkFinalAnswer(withAnswer(undefined, '72')), undefined);
  });

  it('reads the expected answer from the front matter and points at the final answer', () => {
    const document = parseMarkdownSolution('f.md', '---\nexpected: 72\n---\nWhat?\n\n48 + 24 = 72\n\n#### 71\n');
    const evidence = checkFinalAnswer(document);
    assert.deepEqual(evidence, {
      kind: 'answer',
      status: 'differs',
      expected: '72',
      actual: '71',
      range: { start: { line: 7, character: 5 }, end: { line: 7, character: 7 } },
    });
  });
});
