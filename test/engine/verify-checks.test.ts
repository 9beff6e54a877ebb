// The verifiers beyond arithmetic, check by check, on tables of claims that must be verified, refuted
// (with the value that holds), left uncertain, or left alone (the false-alarm traps); and bounded
// evaluation on hostile input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMarkdownSolution } from '../../src/engine/documents/markdown';
import { verifyDocument } from '../../src/engine/judge';
import type { ClaimEvidence } from '../../src/engine/types';
import { isClaimEvidence } from '../../src/engine/types';
import { verifyStepArithmetic } from '../../src/engine/verify/arithmetic';

/** Every claim finding of a solution whose steps are the paragraphs of `body`. */
function findings(body: string, problem = 'Solve the problem.'): ClaimEvidence[] {
  const document = parseMarkdownSolution('t.solution.md', `${problem}\n\n${body}\n`);
  return [...verifyDocument(document).values()].flat().filter(isClaimEvidence);
}

type Expect = 'verified' | 'refuted' | 'uncertain' | 'none';

/** [solution text, the kind checked, what must come of it, the value that holds when refuted] */
function check(table: [string, ClaimEvidence['kind'], Expect, string?][]): void {
  for (const [text, kind, expect, expected] of table) {
    const found = findings(text).filter((e) => e.kind === kind);
    const said = found.map((e) => `${e.status}: ${e.claim}${e.expected ? ` (${e.expected})` : ''}`).join('; ');
    if (expect === 'none') {
      assert.ok(!found.some((e) => e.status === 'refuted' || e.status === 'uncertain'), `${text} → ${said}`);
      assert.ok(!findings(text).some((e) => e.status === 'refuted'), `${text}: nothing refuted`);
      continue;
    }
    const hit = found.find((e) => e.status === expect);
    assert.ok(hit, `${text}: expected ${kind} ${expect}, got ${said || 'nothing'}`);
    if (expected !== undefined) assert.equal(hit.expected, expected, text);
    if (expect !== 'refuted') assert.ok(!findings(text).some((e) => e.status === 'refuted'), `${text}: nothing refuted`);
  }
}

describe('identities with variables', () => {
  it('verifies identities, refutes a slip with the right side, and never refutes a condition', () => {
    check([
      ['Expanding, $(x+3)(x-2) = x^2 + x - 6$.', 'identity', 'verified'],
      ['$(x+3)(x-2) = x^2 - x - 6$', 'identity', 'refuted', 'x^2 + x - 6'],
      ['(x+3)(x-2) = x^2 - x - 6', 'identity', 'refuted', 'x^2 + x - 6'],
      ['$(x+1)^2 = x^2 + 2x + 1 = x(x + 2) + 1$', 'identity', 'verified'],
      ['$(2a - b)^2 = 4a^2 - 4ab + b^2$', 'identity', 'verified'],
      ['\\[ \\frac{6x^2 + 3x}{3x} = 2x + 1 = 2(x + 1) \\]', 'identity', 'refuted'],
      ['$3 \\cdot 2x = 5x$', 'identity', 'refuted'],
      ['$(1+i)(1-i) = 1 - i^2 = 2$', 'identity', 'verified'],
      // conditions, definitions and facts: not identities
      ['$3x + 5 = 20$', 'identity', 'none'],
      ['$2x + 3 = x + 7$', 'identity', 'none'],
      ['By Pythagoras, $(x+1)^2 = x^2 + 25$.', 'identity', 'none'],
      ['$y = x^2 + 1$', 'identity', 'none'],
      ['$x_1 + x_2 = -\\frac{b}{a}$', 'identity', 'none'],
      ['$AB = BC = CA$', 'identity', 'none'],
      ['$x^2 + y^2 = 25$', 'identity', 'none'],
      ['$e^{i\\pi} + 1 = 0$', 'identity', 'none'],
      ['Suppose $(x+1)^2 = x^2 + 1$; then $2x = 0$.', 'identity', 'none'],
    ]);
  });

  it('refutes a rewrite one number away from an identity with that number right, and leaves conditions of one form alone', () => {
    check([
      // a coefficient, an exponent, a base, a number under a root, a logarithm's argument or base
      ['\\[ (a-2)(a+1) = a^2 + a - 2a - 2 = a^5 - a - 2 \\]', 'identity', 'refuted', 'a^2 - a - 2'],
      ['\\[ n + (n+1) + (n+2) = 3n + 3 = 4(n+1) \\]', 'identity', 'refuted', '3(n+1)'],
      ['\\[(x^2 - 45)(x^2 - 5) = x^7 - 50x^2 + 225\\]', 'identity', 'refuted', 'x^4 - 50x^2 + 225'],
      ['\\[ (n+1)^2 - (n+1) + 41 = n^2 + 2n + 1 - n - 1 + 41 = n^{20} + n + 41 \\]', 'identity', 'refuted', 'n^{2} + n + 41'],
      ['Since \\( 2^x = (2^1)^x = 4^x \\), we simplify.', 'identity', 'refuted', '2^x'],
      ['\\[|3 - ci| = \\sqrt{3^2 + (-c)^2} = \\sqrt{90 + c^2}\\]', 'identity', 'refuted', '\\sqrt{9 + c^2}'],
      ['\\[ \\log_{x} 2 + \\log_{x} 4 = \\log_{x} (2 \\cdot 4) = \\log_{x} 7 \\]', 'identity', 'refuted', '\\log_{x} 8'],
      [
        '\\[ \\log _{2} x \\cdot \\log _{2}\\left(\\frac{x}{64}\\right) = \\log _{2} x (\\log _{2}x - \\log _{2}64) = (\\log _{4}x)^2 - 6\\log _{2} x \\]',
        'identity',
        'refuted',
      ],
      ['\\[ (\\sin^2 x + \\cos^2 x)^2 - 2\\sin^2 x \\cos^2 x = 10 - 2\\sin^2 x \\cos^2 x \\]', 'identity', 'refuted'],
      [
        '\\[ \\sin^4 x + \\cos^4 x = (\\sin^2 x + \\cos^2 x)^2 - 2\\sin^2 x \\cos^2 x = 10 - 2\\sin^2 x \\cos^2 x \\]',
        'identity',
        'refuted',
        '1 - 2\\sin^2 x \\cos^2 x',
      ],
      ['\\[ (2p^2 + 4) = 2(p^2 + 2) = 2p^2 + 5 \\]', 'identity', 'refuted', '2p^2 + 4'],
      ['\\[ n = \\binom{d}{2} = \\frac{d(d-1)}{2} \\]', 'identity', 'verified'],
      ['\\[ \\frac{(x^2 + 1) - x(2x)}{(x^2 + 1)^2} = \\frac{3 - x^2}{(x^2 + 1)^2} \\]', 'identity', 'refuted', '\\frac{1 - x^2}{(x^2 + 1)^2}'],
      // false-alarm traps: two sides of one form are a condition (equally far from two points, f(a) = f(b)),
      // a substitution of a known fact is more than one number away, a substitution of a definition changes the variables
      ['\\[ r^2 = (h - 2)^2 + (k - 0)^2 = (h - 4)^2 + (k - 0)^2 \\]', 'identity', 'none'],
      ['\\[ 2(x+3) = 3(x+3) \\]', 'identity', 'none'],
      ['\\[ a^2 - ab + b^2 = (a+b)^2 - 3ab = 7^2 - 3ab \\]', 'identity', 'none'],
      ['\\[ \\frac{qr + 2pr + 3pq}{pqr} = \\frac{qr + 2pr + 3pq}{48} \\]', 'identity', 'none'],
      ['\\[x = r \\cdot 1\\] \\[y = r \\cdot x = r^2\\]', 'identity', 'none'],
      ['\\[ A = \\frac{1}{2} a h_a = \\frac{1}{2} b h_b \\]', 'identity', 'none'],
      // a variable that cancels in one side (`a_1`) leaves a rewrite in the others
      ['\\[\\frac{a_5}{a_2} = \\frac{a_1 r^4}{a_1 r} = r^{3}\\]', 'identity', 'verified'],
      ['\\[\\frac{a_5}{a_2} = \\frac{a_1 r^4}{a_1 r} = r^{30}\\]', 'identity', 'refuted', 'r^{3}'],
      ['\\[ 3(x - 2) = 2(x + 1) \\]', 'identity', 'none'],
      ['\\[ \\frac{x+1}{2} = \\frac{x-1}{3} \\]', 'identity', 'none'],
      ['\\[ x(x+1) = 2(x+1) \\]', 'identity', 'none'],
      ['\\[\\sin 2x = 2 \\sin x \\cos x\\]', 'identity', 'none'],
    ]);
  });
});

describe('a rewrite under a relation written before', () => {
  it('puts in what an expression was given, and refutes a slip in one number of the right side only', () => {
    check([
      [
        'Vieta gives \\( uvw = 30 \\).\n\n\\[ \\frac{1}{u} + \\frac{1}{v} + \\frac{1}{w} = \\frac{vw + uw + uv}{uvw} = \\frac{vw + uw + uv}{30} \\]',
        'identity',
        'verified',
      ],
      [
        'Vieta gives \\( uvw = 30 \\).\n\n\\[ \\frac{1}{u} + \\frac{5}{w} = \\frac{vw + 5uv}{uvw} = \\frac{vw + 3uv}{30} \\]',
        'identity',
        'refuted',
        '\\frac{vw + 5uv}{30}',
      ],
      [
        '\\[ m = 2, \\quad \\text{and} \\quad rs = 12 \\]\n\n\\[ \\frac{r + s}{rs} = \\frac{r}{rs} + \\frac{s}{rs} = \\frac{r + s}{13} \\]',
        'identity',
        'refuted',
        '\\frac{r + s}{12}',
      ],
      ['Let \\( u + v = S \\) and \\( uv = P \\).\n\n\\[ u^2 + v^2 = (u + v)^2 - 2uv = S^2 - 2P \\]', 'identity', 'verified'],
      ['Let \\( u + v = S \\) and \\( uv = P \\).\n\n\\[ u^3 + v^3 = (u + v)^3 - 3uv(u + v) = S^3 - 3PS^2 \\]', 'identity', 'refuted', 'S^3 - 3PS^1'],
      // false-alarm traps: no relation written, a relation only supposed, one side folded to numbers alone
      ['\\[ \\frac{1}{u} + \\frac{1}{v} = \\frac{u + v}{uv} = \\frac{u + v}{30} \\]', 'identity', 'none'],
      ['If \\( uv = 30 \\), then \\[ \\frac{1}{u} + \\frac{1}{v} = \\frac{u + v}{uv} = \\frac{u + v}{30} \\]', 'identity', 'none'],
      ['Here \\( u + v = 7 \\) and \\( uv = 10 \\). \\[ u^2 + v^2 = (u + v)^2 - 2uv = 49 - 20 = 29 \\]', 'identity', 'none'],
    ]);
  });
});

describe('a slip in an index', () => {
  it('refutes a rewrite that writes one indexed term for another, unless something written says they are equal', () => {
    check([
      ['\\[ P = x_1 x_2 x_3 = (-1)^3 \\frac{c_0}{c_3} = -\\frac{c_0}{c_3} \\]', 'identity', 'verified'],
      ['\\[ P = x_1 x_2 x_3 = (-1)^3 \\frac{c_0}{c_3} = -\\frac{c_2}{c_3} \\]', 'identity', 'refuted', '-\\frac{c_0}{c_3}'],
      ['\\[ T = a_{1} + a_{12} = a_{12} + a_{10} \\]', 'identity', 'refuted', 'a_{12} + a_{1}'],
      // false-alarm traps: a relation of the two terms written before, a definition, a condition of two sides
      ['The sequence repeats every 3 terms, so \\( a_5 = a_2 \\). Then \\[ S = a_1 + a_2 = a_1 + a_5 \\]', 'identity', 'none'],
      ['Let \\( y_4 = 2y_1 \\). \\[ Q = y_1 + y_1 = y_4 + 0 \\]', 'identity', 'none'],
      ['\\[ x_1 + x_2 = x_1 + x_3 \\]', 'identity', 'none'],
      ['Suppose \\[ S = b_1 + b_2 = b_1 + b_3 \\]', 'identity', 'none'],
      ['The sequence satisfies \\( a_{n+2} = a_n \\). \\[ S = a_1 + a_2 = a_3 + a_2 \\]', 'identity', 'none'],
      ['Here \\( c_1 = 4 \\) and \\( c_2 = 4 \\). \\[ T = c_1 + c_5 = c_2 + c_5 \\]', 'identity', 'none'],
      ['The radii are equal: \\( r = OP_1 = OP_2 \\).', 'identity', 'none'],
      ['The functions repeat: \\[ y = f_{7}(2^{10}) = f_1(2^{10}) \\]', 'identity', 'none'],
    ]);
  });
});

describe('the a, b and c of the discriminant', () => {
  it('reads them off the quadratic written just before in standard form, and no other', () => {
    check([
      // with a variable left, a, b and c are put in as definitions: agreement is left unjudged (known-values.ts)
      ['\\[ t^2 + 6t + m = 0 \\] \\[ D = b^2 - 4ac = 6^2 - 4(1)(m) \\]', 'identity', 'none'],
      ['\\[ t^2 + 6t + m = 0 \\] \\[ D = b^2 - 4ac = 5^2 - 4(1)(m) \\]', 'identity', 'refuted', '6^2 - 4(1)(m)'],
      ['We get \\[ 2x^2 + 3x - 5 = 0 \\] so \\[ \\Delta = b^2 - 4ac = 3^2 - 4(2)(-5) = 49 \\]', 'identity', 'verified'],
      ['We get \\[ 2x^2 + 3x - 5 = 0 \\] so \\[ \\Delta = b^2 - 4ac = 3^2 - 4(3)(-5) = 69 \\]', 'identity', 'refuted', '49'],
      // false-alarm traps: not in standard form, another equation in between, a, b and c given otherwise
      ['We get \\[ 2x^2 + 3x = 5 \\] so \\[ \\Delta = b^2 - 4ac = 3^2 - 4(2)(5) = -31 \\]', 'identity', 'none'],
      ['We get \\[ 2x^2 + 3x - 5 = 0 \\] and \\[ y^2 - y = 2 \\] so \\[ \\Delta = b^2 - 4ac = 1 + 8 = 9 \\]', 'identity', 'none'],
      ['The sides are \\( a = 3 \\), \\( b = 4 \\), \\( c = 5 \\). \\[ x^2 + x + 1 = 0 \\] \\[ b^2 - 4ac = 16 - 60 = -44 \\]', 'identity', 'none'],
    ]);
  });
});

describe("a value tried in the problem's equation", () => {
  it("checks the terms the step gets against the equation's terms at that value, and nothing else", () => {
    const problem = 'Find the positive integer $n$ with $2^n + 3^n + n = 100$.';
    const tried = (text: string) => findings(text, problem).filter((e) => e.kind === 'equation');
    assert.deepEqual(
      tried('Let us try $n = 3$. We get $8 + 27 + 3 = 38$, too small. Next, let us try $n = 4$. We get $16 + 81 + 4 = 101$.').map((e) => e.status),
      ['verified', 'verified'],
    );
    const slip = tried('Let us try $n = 3$. We get $8 + 27 + 3 = 38$, too small. Next, let us try $n = 5$. We get $16 + 81 + 4 = 101$.');
    assert.deepEqual(
      slip.map((e) => [e.status, e.expected]),
      [
        ['verified', undefined],
        ['refuted', '32 + 243 + 5'],
      ],
    );
    // a value given for the formula right after it
    assert.deepEqual(
      findings('For $m = 3$, $m^2 + m = 9 + 3 = 12$. For $m = 4$, $m^2 + m = 16 + 3 = 19$.')
        .filter((e) => e.kind === 'equation')
        .map((e) => [e.status, e.expected]),
      [
        ['verified', undefined],
        ['refuted', '20'],
      ],
    );
    // traps: a mixed number, a formula in another variable, a value far from the formula
    for (const text of [
      'For $C = 22$, $C/3 = 7\\frac{1}{3}$.',
      'For $m = 3$, $y = m + 1 = 4$.',
      'For $m = 3$ we saw before that the total was large, and $m^2 = 7$.',
    ])
      assert.ok(!findings(text).some((e) => e.status === 'refuted'), text);
    // traps: a sum of another length, a value not tried ("for"), something else in between, no equation in n
    for (const text of [
      'Let us try $n = 5$. We get $16 + 85 = 101$.',
      'For $n = 5$, we get $16 + 81 + 4 = 101$.',
      'Let us try $n = 5$ in the second formula. We get $16 + 81 + 4 = 101$.',
    ])
      assert.ok(!findings(text, problem).some((e) => e.status === 'refuted'), text);
    assert.ok(!findings('Let us try $n = 5$. We get $16 + 81 + 4 = 101$.').some((e) => e.status === 'refuted'));
  });
});

describe('what a formula says, read where it is written', () => {
  // false alarms met on correct RealCritic solutions, each beside a slip of the same shape that must stay
  it('reads a symbol, a vector, a partial product and a letter after a value as what they are', () => {
    check([
      // two inline formulas with prose between them, and a LaTeX symbol, are not one named quantity
      [
        'The angle \\(\\theta\\) that satisfies \\(\\sin \\theta = \\frac{1}{2}\\) is \\(\\theta = 30^\\circ\\) or \\(\\theta = 150^\\circ\\).',
        'arithmetic',
        'none',
      ],
      ['Let \\(\\alpha = \\frac{3}{4}\\). Then \\(\\alpha = 45^\\circ\\) is the other angle.', 'arithmetic', 'none'],
      ['\\[ \\text{Total cost} = 3 + 4 \\] \\[ \\text{Total cost} = 8 \\]', 'arithmetic', 'refuted', '7'],
      // a bold letter is a vector: the cross product does not commute
      ['Also, $\\mathbf{u} \\times \\mathbf{v} = -\\mathbf{v} \\times \\mathbf{u}.$ Therefore', 'identity', 'none'],
      ['$\\boldsymbol{a} \\times \\boldsymbol{b} = -\\boldsymbol{b} \\times \\boldsymbol{a}$', 'identity', 'none'],
      ['$\\mathbf{24} + 1 = 26$', 'arithmetic', 'refuted', '25'],
      // a letter after a value in LaTeX math multiplies it (`s`, `a` are no units there)
      ['\\[ 20 = \\frac{\\sqrt{6}}{3} a \\]', 'arithmetic', 'none'],
      ['\\[ 5 + 6 + 7 = \\frac{\\sqrt{3}}{2} s. \\]\n\\[ 18 = \\frac{\\sqrt{3}}{2} s. \\]', 'arithmetic', 'none'],
      ['\\[ 12 = 2 \\cdot 3 m \\]', 'arithmetic', 'none'],
      ['$3 \\times 4 = 13$ apples', 'arithmetic', 'refuted', '12'],
      ['3 \\times 4 = 13 m', 'arithmetic', 'refuted', '12'],
      // a part of the left side worked out first, then the rest
      ['\\[ 10 \\cdot 12 \\cdot 14 = 10 \\cdot 12 = 120 \\quad \\text{and} \\quad 120 \\cdot 14 = 1680 \\]', 'arithmetic', 'none'],
      ['$2 \\cdot 5 + 7 = 2 \\cdot 5 = 10$, then $10 + 7 = 17$', 'arithmetic', 'none'],
      ['$12 + 34 = 2 + 3 = 5$', 'arithmetic', 'refuted', '46'],
      ['\\[ 23 \\cdot 2^{1/4} \\cdot \\sqrt{2} = 23 \\cdot 2 = 46 \\]', 'arithmetic', 'refuted', '38.6812'],
      ['$x_1 = \\frac{1 + 3}{1 - 3} = -\\frac{1}{1} = -1.$', 'arithmetic', 'refuted', '-2'],
      // a computation rewritten with a value rounded as written holds within that rounding, no further
      ['he spends 3.34 + 1600 / 60 = 3.34 + 26.67 = 30 hours a week learning.', 'arithmetic', 'verified'],
      ['he spends 3.34 + 1600 / 60 = 3.34 + 26.67 = 30 hours a week learning.', 'arithmetic', 'none'],
      ['so 100 / 3 \\times 2 = 33.33 \\times 2 = 66.66', 'arithmetic', 'none'],
      ['so 3.34 + 1600 / 60 = 3.34 + 26.76 = 30.1', 'arithmetic', 'refuted'],
      ['so 100 / 3 \\times 2 = 33.3 \\times 3 = 99.9', 'arithmetic', 'refuted'],
      // real slips in correct-answer solutions stay found
      ['\\[ 309 \\times 13 = 3997 \\]', 'arithmetic', 'refuted', '4017'],
      ['\\[\n7 - 6 + 9 - 63 = -47\n\\]', 'arithmetic', 'refuted', '-53'],
    ]);
  });
});

describe('sums, products, floors and ±', () => {
  it('evaluates finite sums, products, floors and ceilings, and checks sums with a variable bound at whole numbers', () => {
    check([
      ['\\[ \\sum_{k=1}^{10} k = 55 \\]', 'arithmetic', 'verified'],
      ['\\[ \\sum_{k=1}^{10} k = 56 \\]', 'arithmetic', 'refuted', '55'],
      ['\\[ \\prod_{k=1}^{5} k = 120 \\]', 'arithmetic', 'verified'],
      ['\\[ \\sum_{k=1}^{44} \\cos (8k^\\circ) = 0 \\]', 'arithmetic', 'refuted'],
      ['\\[ \\sum_{k=1}^n k^2 = \\frac{n(n+4)(2n+1)}{6} \\]', 'identity', 'refuted', '\\frac{n(n+1)(2n+1)}{6}'],
      ['\\[ \\sum_{i=1}^{j-1} (j - i) = \\sum_{i=1}^{j-1} i = \\frac{(j-1)j}{2} \\]', 'identity', 'verified'],
      ['\\[ \\sum_{i=1}^{j-1} (j - i) = \\sum_{i=1}^{j-1} i = \\frac{(j-3)j}{2} \\]', 'identity', 'refuted', '\\frac{(j-1)j}{2}'],
      ['\\[ \\text{pop}(\\mathcal{F}_d) = \\binom{d}{2} = \\frac{d(d-10)}{2} \\]', 'identity', 'refuted'],
      ['\\[ \\lceil \\frac{25}{4} \\rceil = 6 \\]', 'arithmetic', 'refuted', '7'],
      ['\\[ \\lfloor \\frac{100}{3} \\rfloor + \\lfloor \\frac{100}{9} \\rfloor = 33 + 11 = 44 \\]', 'arithmetic', 'verified'],
      // a power with a variable exponent is evaluated in floating point, and so is the product it stands in
      ['\\[20^4 \\cdot 11^T = (2^2 \\cdot 5)^4 \\cdot 11^T = 20^{8} \\cdot 5^{4} \\cdot 11^{T}\\]', 'identity', 'refuted', '2^{8} \\cdot 5^{4} \\cdot 11^{T}'],
      ['\\[ \\text{Highest power of } 2007 = \\left\\lfloor \\frac{2007}{2007} \\right\\rfloor \\]', 'arithmetic', 'none'],
      // not read: a sequence summed, a sum in degrees that says no degrees, the end of a longer sum
      ['\\[ \\sum_{i=1}^{3} x_i = 5 \\]', 'arithmetic', 'none'],
      ['\\[ \\sum_{x=1}^{89} \\sin^6 x = 5 \\]', 'arithmetic', 'none'],
      [
        '\\[\\sum_{k=0}^{n-1} \\cos(a + kd) = \\frac{\\sin\\left(\\frac{nd}{4}\\right)}{\\sin\\left(\\frac{d}{2}\\right)} \\cos\\left(a + \\frac{(n-1)d}{2}\\right)\\]',
        'identity',
        'refuted',
      ],
      ['\\[ \\sin^2 4^\\circ + \\sin^2 8^\\circ + \\cdots + \\sin^2 176^\\circ = \\sum_{k=1}^{44} \\sin^2 (4k^\\circ) \\]', 'arithmetic', 'none'],
      ['\\[ 1^2 - 2^2 + \\cdots + 2001^2 = 1 + \\sum_{k=1}^{1000} [(2k+1)^2 - (2k)^2] \\]', 'arithmetic', 'none'],
    ]);
  });

  it('evaluates an infinite series whose terms fall geometrically, at small points when it has a variable, and no other', () => {
    check([
      ['\\[ \\sum_{n=1}^{\\infty} \\frac{1}{2^n} = 2 \\]', 'arithmetic', 'refuted', '1'],
      ['\\[ \\sum_{n=1}^{\\infty} \\frac{4.5}{10^n} = 0.5 \\]', 'arithmetic', 'verified'],
      ['\\[ E[X] = \\sum_{n=1}^{\\infty} \\frac{4.5}{10^n} = 4.5 \\sum_{n=10}^{\\infty} \\frac{1}{10^n} \\]', 'arithmetic', 'refuted', '0.5'],
      ['\\[ S = \\sum_{n=0}^{\\infty} x^n = \\frac{1}{1-x} \\]', 'identity', 'verified'],
      ['\\[ S = \\sum_{n=0}^{\\infty} x^n = \\frac{1}{2-x} \\]', 'identity', 'refuted', '\\frac{1}{1-x}'],
      ['\\[ P = \\prod_{n=0}^{\\infty} (1 + x^{2^n}) = \\frac{2}{1-x} \\]', 'identity', 'refuted', '\\frac{1}{1-x}'],
      [
        '\\[ S = 4 \\sum_{n=0}^{\\infty} \\frac{10^n x^n}{1-x} = \\frac{4}{1-x} \\sum_{n=3}^{\\infty} 10^n x^n \\]',
        'identity',
        'refuted',
        '\\frac{4}{1-x} \\sum_{n=0}^{\\infty} 10^n x^n',
      ],
      // traps: a series that converges too slowly to sum here, one that converges only far from 0, a limit
      ['\\[ \\sum_{n=1}^{\\infty} \\frac{1}{n^2} = 2 \\]', 'arithmetic', 'none'],
      ['\\[ S = \\sum_{n=1}^{\\infty} \\frac{1}{x^n} = \\frac{2}{x-1} \\]', 'identity', 'none'],
      ['\\[ L = \\lim_{n \\to \\infty} \\frac{1}{n} = 1 \\]', 'arithmetic', 'none'],
    ]);
  });

  it('reads a sum written by its pattern, arithmetic or geometric, finite or infinite, and no other', () => {
    check([
      ['\\[ 1 + 2 + \\cdots + 100 = 5050 \\]', 'arithmetic', 'verified'],
      ['\\[ 1 + 2 + \\cdots + 100 = 5000 \\]', 'arithmetic', 'refuted', '5050'],
      ['\\[ 1 + 2 + 4 + \\cdots + 2^{10} = 2048 \\]', 'arithmetic', 'refuted', '2047'],
      ['\\[ \\frac{1}{2} + \\frac{1}{4} + \\frac{1}{8} + \\cdots = 1 \\]', 'arithmetic', 'verified'],
      ['\\[ S = 1 + 3 + 5 + \\cdots + (2n - 1) = n^2 \\]', 'identity', 'verified'],
      ['\\[ G = a + ar + ar^2 + ar^3 + \\ldots = \\frac{a}{10 - r} \\]', 'identity', 'refuted', '\\frac{a}{1 - r}'],
      ['\\[ S = \\sum_{j=2}^{200} \\left( (j-1) + (j-2) + \\cdots + 1 \\right) = \\sum_{j=2}^{200} \\frac{(j-1)j}{2} \\]', 'arithmetic', 'verified'],
      ['\\[ S = \\sum_{j=2}^{200} \\left( (j-1) + (j-2) + \\cdots + 1 \\right) = \\sum_{j=3}^{200} \\frac{(j-1)j}{2} \\]', 'arithmetic', 'refuted', '1333300'],
      // traps: alternating signs, two powers (any two values make a progression), a sequence of unknowns, terms that do not move
      ['\\[ 1^2 - 2^2 + 3^2 - \\cdots + 2001^2 = 7 \\]', 'arithmetic', 'none'],
      ['\\[ S = 1^2 + 2^2 + \\cdots + n^2 = \\frac{n(n+1)(2n+3)}{6} \\]', 'identity', 'none'],
      ['\\[ \\sin^2 4^\\circ + \\sin^2 8^\\circ + \\cdots + \\sin^2 176^\\circ = 7 \\]', 'arithmetic', 'none'],
      ['$a_1 + a_2 + \\cdots + a_n = 1$', 'identity', 'none'],
      ['\\[ 1 + 1 + \\cdots + 1 = 5 \\]', 'arithmetic', 'none'],
    ]);
  });

  it('reads a pattern with alternating signs, and one whose terms follow a quadratic rule from four terms on', () => {
    check([
      ['\\[ 1 - 2 + 3 - 4 + \\cdots + 99 = 50 \\]', 'arithmetic', 'verified'],
      ['\\[ 1 - 2 + 3 - 4 + \\cdots - 100 = -50 \\]', 'arithmetic', 'verified'],
      ['\\[ 1 - 2 + 3 - 4 + \\cdots - 100 = -49 \\]', 'arithmetic', 'refuted', '-50'],
      ['\\[ 1^2 - 2^2 + 3^2 - 4^2 + \\cdots + 99^2 = 4950 \\]', 'arithmetic', 'verified'],
      ['\\[ 1 \\cdot 2 - 2 \\cdot 3 + 3 \\cdot 4 - 4 \\cdot 5 + \\cdots + 11 \\cdot 12 = 72 \\]', 'arithmetic', 'verified'],
      ['\\[ 1^2 + 2^2 + 3^2 + 4^2 + \\cdots + 10^2 = 385 \\]', 'arithmetic', 'verified'],
      ['\\[ 1^2 - 2^2 + 3^2 - 4^2 + \\cdots + 2001^2 = 1 + \\sum_{k=2}^{1000} [(2k+1)^2 - (2k)^2] \\]', 'arithmetic', 'refuted'],
      ['\\[ T = 1 + 4 + 9 + 16 + \\cdots + n^2 = \\frac{n(n+1)(2n+1)}{6} \\]', 'identity', 'verified'],
      // traps: signs that do not alternate, a last term off the rule or on the wrong sign, a rule from too few terms
      ['\\[ 1 + 2 - 3 + 4 + \\cdots + 99 = 7 \\]', 'arithmetic', 'none'],
      ['\\[ 1 - 2 + 3 - 4 + \\cdots - 99 = 7 \\]', 'arithmetic', 'none'],
      ['\\[ 1^2 - 2^2 + 3^2 - 4^2 + \\cdots + 50 = 7 \\]', 'arithmetic', 'none'],
      ['\\[ 1 + 4 + 9 + \\cdots + 100 = 7 \\]', 'arithmetic', 'none'],
    ]);
  });

  it('reads a term of a sequence defined by a formula of its index inside a sum over that index', () => {
    check([
      [
        'Let \\( u_m = \\frac{1}{m(m+1)} \\). \\[ T_k = \\sum_{m=1}^{k} u_m = \\sum_{m=1}^{k} \\left(\\frac{1}{m} - \\frac{1}{m+1}\\right) = 1 - \\frac{1}{k+1} \\]',
        'identity',
        'verified',
      ],
      [
        'Let \\( u_m = \\frac{1}{m(m+1)} \\). \\[ T_k = \\sum_{m=1}^{k} u_m = \\sum_{m=3}^{k} \\frac{1}{m(m+1)} \\]',
        'identity',
        'refuted',
        '\\sum_{m=1}^{k} \\frac{1}{m(m+1)}',
      ],
      ['Let \\( u_m = 2m + 1 \\). \\[ \\sum_{m=1}^{10} u_m = 120 \\]', 'arithmetic', 'verified'],
      // traps: a sequence with no formula, a recurrence, a term at another index
      ['\\[ S = \\sum_{m=1}^{k} u_m = \\sum_{m=3}^{k} u_m \\]', 'identity', 'none'],
      ['Let \\( u_m = u_{m-1} + 2 \\). \\[ S = \\sum_{m=1}^{k} u_m = \\sum_{m=3}^{k} (2m) \\]', 'identity', 'none'],
      ['Let \\( u_m = 2m \\). \\[ S = \\sum_{m=1}^{k} u_{m+1} = \\sum_{m=3}^{k} 2m \\]', 'identity', 'none'],
    ]);
  });

  it('reads a limit of what does not change with its variable as that expression, and no other limit', () => {
    check([
      ['Then \\[ L = \\lim_{n \\to \\infty} \\left(\\frac{k+1}{k}\\right)^k = \\left(\\frac{k+2}{k}\\right)^k \\]', 'identity', 'refuted'],
      ['Then \\[ L = \\lim_{n \\to \\infty} \\left(\\frac{k+1}{k}\\right)^k = \\left(1 + \\frac{1}{k}\\right)^k \\]', 'identity', 'verified'],
      // traps: a limit whose expression changes with its variable, however far the limit reaches
      ['So \\[ L = \\lim_{n \\to \\infty} 2 + \\frac{1}{n} = 2 \\]', 'identity', 'none'],
      ['So \\[ L = \\lim_{x \\to 0} \\frac{\\sin x}{x} = 1 \\]', 'identity', 'none'],
      ['So \\[ L = \\lim_{n \\to \\infty} \\frac{n+1}{n} = 1 \\]', 'identity', 'none'],
    ]);
  });

  it('reads ± as either sign, the same on both sides', () => {
    check([
      ['\\[ x = \\frac{-2 \\pm \\sqrt{4 + 4n}}{2} = -1 \\pm \\sqrt{n+1} \\]', 'identity', 'verified'],
      ['\\[ x = \\frac{-2 \\pm \\sqrt{4 + 4n}}{2} = -3 \\pm \\sqrt{n+1} \\]', 'identity', 'refuted', '-1 \\pm \\sqrt{n+1}'],
      [
        '\\[ d = \\frac{-(-1) \\pm \\sqrt{(-1)^2 - 4(1)(-2n)}}{2(1)} = \\frac{4 \\pm \\sqrt{1 + 8n}}{2} \\]',
        'identity',
        'refuted',
        '\\frac{1 \\pm \\sqrt{1 + 8n}}{2}',
      ],
      ['\\[ y = \\frac{a \\pm \\sqrt{a^2 - 4}}{2} = \\frac{a \\mp \\sqrt{a^2 - 4}}{2} \\]', 'identity', 'none'],
      ['$x^2 = 9$, so $x = \\pm 3$.', 'equation', 'none'],
    ]);
  });
});

describe('equation steps', () => {
  it('keeps the solution set from one equation to the next, in a step or across steps', () => {
    check([
      ['$3x + 5 = 20$, so $3x = 15$ and $x = 5$.', 'equation', 'verified'],
      ['3x + 5 = 20\n\n3x = 15\n\nx = 5', 'equation', 'verified'],
      ['3x + 5 = 20\n\n3x = 16', 'equation', 'refuted', 'x = 5'],
      ['$x/4 + 2 = 5$, so $x/4 = 3$, so $x = 12$.', 'equation', 'verified'],
      ['$x/4 + 2 = 5$, so $x/4 = 3$, so $x = 7$.', 'equation', 'refuted', 'x = 12'],
      ['We have \\(p + \\frac{3}{4} = 2\\), and thus \\(p = 5 - \\frac{3}{4}\\).', 'equation', 'refuted', 'p = 5/4'],
      ['We have \\(p + \\frac{3}{4} = 2\\), and thus \\(p = 2 - \\frac{3}{4}\\).', 'equation', 'verified'],
      ['$x^2 - 5x + 6 = 0$, so $x = 2$ or $x = 3$.', 'equation', 'verified'],
      ['$x^2 - 5x + 6 = 0$, so $x = 1$ or $x = 4$.', 'equation', 'refuted', 'x = 3 or x = 2'],
      ['$x^2 = 2$, so $x = 1.41$.', 'equation', 'verified'],
    ]);
  });

  it('lets steps gain or lose solutions, and leaves separate cases alone', () => {
    check([
      ['$x^2 = 3x$. Dividing by $x$, $x = 3$.', 'equation', 'verified'],
      ['$x^2 = 4$ and since $x > 0$, $x = 2$.', 'equation', 'none'],
      ['Squaring $\\sqrt{x+3} = x - 3$ gives $x + 3 = x^2 - 6x + 9$, so $x^2 - 7x + 6 = 0$, and $x = 1$ or $x = 6$.', 'equation', 'none'],
      ['Case 1: $x - 8 = 12$, so $x = 20$. Case 2: $x - 8 = -12$, so $x = -4$.', 'equation', 'none'],
      ['$x - 3 = 5$ or $x - 3 = -5$.', 'equation', 'none'],
      ['$(x^2 - 3)(x^2 + 5) = 0$ gives $x^2 - 3 = 0$ and $x^2 + 5 = 0$.', 'equation', 'none'],
      ['$x = 5$.\n\nFor the other question, $2x + 1 = 9$.', 'equation', 'none'],
      // found as false alarms on ProcessBench: a repeating decimal, a ratio, an undefined function,
      // a restated equation, a list of givens, a bullet list, a supposition that is then rejected
      ['\\[100x - x = 5.75757... - 0.05757...\\]\n\n\\[99x = 5.7\\]', 'equation', 'none'],
      ['\\[20 : (80 + y) = 1 : 6\\] This implies: \\[20 / (80 + y) = 1 / 6\\]', 'equation', 'none'],
      ['\\[ d = \\frac{f(6102) - f(2016)}{6102 - 2016} \\] \\[ d = \\frac{-4086}{4086} \\] \\[ d = -1 \\]', 'equation', 'none'],
      ['if \\( x - 4 = 1 \\) or \\( x - 4 = 11 \\). Solving: \\[ x - 4 = 1 \\implies x = 5 \\]', 'equation', 'none'],
      ['The first pair of equations:\n\\[ x^2 + 5x + 6 = 0 \\]\n\\[ x^2 + 5x - 6 = 0 \\]', 'equation', 'none'],
      ['- \\( x^2 - 11 = 0 \\) gives \\( x = \\pm \\sqrt{11} \\).\n- \\( x + 1 = 0 \\) gives \\( x = -1 \\).', 'equation', 'none'],
      ['If \\( a = 4 \\), then \\( \\frac{1}{a} = \\frac{1}{4} \\), which is too large. Therefore, \\( a = 5 \\).', 'equation', 'none'],
    ]);
  });

  it('carries a computed value on, and tells roots, approximations and discarded values from a derivation', () => {
    check([
      ['\\[k = 6(3)^2 - 36(3) - 96\\] \\[k = 6(9) - 108 - 96\\] \\[k = 540 - 108 - 96\\] \\[k = -150\\]', 'equation', 'refuted', 'k = -150'],
      ['\\[k = 6(3)^2 - 36(3) - 96\\] \\[k = 6(9) - 108 - 96\\] \\[k = 54 - 108 - 96\\] \\[k = -150\\]', 'equation', 'verified'],
      ['We find \\(a\\) from the first equation: \\[ a + 591 = 998 \\] \\[ a = 995 - 591 \\] \\[ a = 407 \\]', 'equation', 'refuted', 'a = 407'],
      ['Cross-multiplying gives \\[120 = 80 + y\\] Solving for \\(y\\): \\[y = 1200 - 80\\] \\[y = 40\\]', 'equation', 'refuted', 'y = 40'],
      ['Simplifying, we get: 150 + \\( x \\) = 500. Subtracting 150 from both sides, we get: \\( x \\) = 350 - 150.', 'equation', 'refuted', 'x = 350'],
      // traps: the two roots of a quadratic one under the other, a value said to be approximate, a value discarded
      ['\\[x = 1\\] \\[x = \\frac{3 + \\sqrt{21}}{2}\\] \\[x = \\frac{3 - \\sqrt{21}}{2}\\]', 'equation', 'none'],
      ['\\( 999 = 14d \\). Solving for d, we get: \\( d = 71.5 \\) (approximately).', 'equation', 'none'],
      ['We discard \\( z = -\\frac{3}{2} \\). Thus, \\( z = 2 \\).', 'equation', 'none'],
      ['\\( x = 1^\\circ \\), \\( x = 2^\\circ \\), and so on up to \\( x = 89^\\circ \\).', 'equation', 'none'],
    ]);
  });
});

describe('a formula cut in two by its delimiters', () => {
  it('reads a display that starts with = as going on with the display before it', () => {
    check([
      ['\\[Total = 24 \\times 24 \\times (11111)\\] \\[= 576 \\times 11111\\] \\[= 63950064\\]', 'arithmetic', 'refuted', '6399936'],
      ['\\[Total = 24 \\times 24 \\times (11111)\\] \\[= 576 \\times 11111\\] \\[= 6399936\\]', 'arithmetic', 'verified'],
      ['Simplify: \\[ = (t^2 - t - 2) - (t^2 + t - 6) \\] \\[ = t^2 - t - 2 - t^2 - t + 6 \\] \\[ = -2t + 5 \\]', 'identity', 'refuted'],
      ['$$x + 1 = 3$$ $$x = 2$$', 'arithmetic', 'none'],
    ]);
  });
});

describe('functions defined earlier', () => {
  const define = 'Let $f(x) = 2x^2 - 3x + 1$ and $g(t) = f(t) + 4$.\n\n';
  it('checks substitutions and values, compositions too', () => {
    check([
      [`${define}$f(3) = 2(3)^2 - 3(3) + 1 = 10$`, 'function', 'verified'],
      [`${define}$f(4) = 22$`, 'function', 'refuted', '21'],
      [`${define}$g(1) = 4$`, 'function', 'verified'],
      [`${define}$g(f(2)) = 14$`, 'function', 'verified'],
      [`${define}$g(f(2)) = 19$`, 'function', 'refuted', '14'],
      [`${define}$f(-x) = 2x^2 + 3x + 1$`, 'function', 'verified'],
      [`${define}$f(a + 1) = 2a^2 + 3a$`, 'function', 'refuted'],
      // a probability, a functional equation, a redefinition: no values to check
      ['$P(A) = 0.3$ and $P(B) = 0.5$', 'function', 'none'],
      [`${define}We need $f(x) + 2(x + 4) = x^2 + 2$.`, 'function', 'none'],
      [`${define}Now let $f(x) = x + 1$.\n\n$f(3) = 4$`, 'function', 'none'],
    ]);
  });
});

describe('notation a computer algebra system reads: Greek letters, primes, factorials of a variable, givens', () => {
  it('reads Greek letters and primed letters as variables, a factorial of a variable at whole numbers, an unknown function of a letter as a quantity', () => {
    check([
      ['\\( (\\alpha + 1)^2 = \\alpha^2 + 2\\alpha + 1 \\)', 'identity', 'verified'],
      ['\\( (\\alpha + 1)^2 = \\alpha^2 + 3\\alpha + 1 \\)', 'identity', 'refuted', '\\alpha^2 + 2\\alpha + 1'],
      ["Let \\( m' \\) be an integer not divisible by 3. Then \\( m = 3^3 m' = 27m' \\).", 'identity', 'verified'],
      ["Let \\( m' \\) be an integer not divisible by 3. Then \\( m = 3^3 m' = 26m' \\).", 'identity', 'refuted', "27m'"],
      ['\\[ \\binom{G}{2} = \\frac{G!}{2!(G-2)!} = \\frac{G \\times (G-1)}{2} \\]', 'identity', 'verified'],
      ['\\[ \\binom{G}{2} = \\frac{G!}{2!(G-2)!} = \\frac{G \\times (G-3)}{2} \\]', 'identity', 'refuted'],
      ['\\[ \\frac{\\frac{d!}{(d-k)! k!} (k-1)!}{2} = \\frac{d! (k-1)!}{2 (d-k)! k!} = \\frac{d!}{2 (d-k)! k} \\]', 'identity', 'verified'],
      ['\\[ \\varphi_{\\varphi(n)}(n) = \\varphi(n) \\cdot \\varphi(n) = (\\varphi(n))^5 \\]', 'identity', 'refuted', '(\\varphi(n))^2'],
      ['\\[ S = \\varphi(n) \\cdot \\varphi(n) = (\\varphi(n))^2 \\]', 'identity', 'verified'],
      // traps: an equation in two Greek letters, a derivative, a new primed variable, an angle in degrees, two calls of an
      // unknown function at different arguments, a call at an expression
      ['\\[ S = \\varphi(n) + \\varphi(m) = 2\\varphi(n) \\]', 'identity', 'none'],
      ['\\[ \\Gamma(x+1) = x\\Gamma(x) = 2x \\]', 'identity', 'none'],
      ['\\( \\alpha + \\beta = 90 \\) and \\( 2\\alpha = \\beta \\)', 'identity', 'none'],
      ["\\( f'(x) = 2x + 3 \\)", 'identity', 'none'],
      ["\\( x' = 2x + 1 \\)", 'identity', 'none'],
      ['$\\tan\\theta = 2$, so $\\theta = \\tan^{-1}(2)$.', 'equation', 'none'],
      ['$\\sin\\theta = \\frac{1}{2}$, so $\\theta = 30$.', 'equation', 'none'],
    ]);
  });

  it('finds the slip in a number inside a floor, a factorial of a difference or a denominator with the imaginary unit', () => {
    check([
      [
        '\\[ k = \\left\\lfloor \\frac{1 + \\sqrt{8m + 400 - 7}}{2} \\right\\rfloor = \\left\\lfloor \\frac{10 + \\sqrt{8m + 393}}{2} \\right\\rfloor \\]',
        'identity',
        'refuted',
        '\\lfloor \\frac{1 + \\sqrt{8m + 393}}{2} \\right\\rfloor',
      ],
      [
        '\\[ \\frac{\\frac{d!}{(d-k)! k!} (k-1)!}{2} = \\frac{d! (k-1)!}{2 (d-k)! k!} = \\frac{d!}{20 (d-k)! k} \\]',
        'identity',
        'refuted',
        '\\frac{d!}{2 (d-k)! k}',
      ],
      [
        '\\[ (\\sin x)^7 = \\frac{1}{(2i)^7} (e^{ix} - e^{-ix})^7 = \\frac{1}{-128i} (e^{ix} - e^{-ix})^7 = \\frac{i}{1280} (e^{ix} - e^{-ix})^7 \\]',
        'identity',
        'refuted',
        '\\frac{i}{128} (e^{ix} - e^{-ix})^7',
      ],
      [
        '\\[ (\\sin x)^7 = \\frac{1}{(2i)^7} (e^{ix} - e^{-ix})^7 = \\frac{1}{-128i} (e^{ix} - e^{-ix})^7 = \\frac{i}{128} (e^{ix} - e^{-ix})^7 \\]',
        'identity',
        'verified',
      ],
      // trap: an equation one dropped term away from an identity is still an equation
      ['This simplifies to: \\[ \\frac{1}{x^2} = \\frac{1}{(5 - x)^2} \\]', 'identity', 'none'],
    ]);
  });

  it('compares a rewrite with a variable defined before put in, and says nothing when a definition makes it hold', () => {
    check([
      ["Let \\( L = r\\theta \\).\n\nThen \\( L' = r'\\theta' = 1.25r \\cdot 1.2\\theta = 1.5r\\theta = 4.5L \\).", 'identity', 'refuted', '1.5L'],
      ['\\[x = r \\cdot 1\\] \\[y = r \\cdot x = r^4\\]', 'identity', 'refuted', 'r^2'],
      ['Since \\( c = \\sqrt{a^2 + b^2} \\), \\[ BD = \\frac{\\sqrt{a^2 + b^2}}{2} = \\frac{c}{3} \\]', 'identity', 'refuted', '\\frac{c}{2}'],
      // traps: the definition right, two definitions (cases) one of which makes it hold, no definition at all
      ['Since \\( c = \\sqrt{a^2 + b^2} \\), \\[ BD = \\frac{\\sqrt{a^2 + b^2}}{2} = \\frac{c}{2} \\]', 'identity', 'none'],
      ['Case 1: \\( a = 3b \\). Case 2: \\( a = 2b \\). In case 1, \\[ S = a + b = 3b + b = 4b \\]', 'identity', 'none'],
      ['\\[ A = \\frac{1}{2} a h_a = \\frac{1}{2} b h_b = \\frac{10}{2} c h_c \\]', 'identity', 'none'],
    ]);
  });

  it('never verifies through floats too near 0 to compare', () => {
    const found = findings('Then \\(\\frac{1}{re^{i\\theta}} = \\frac{10}{r}e^{-i\\theta}\\).');
    assert.ok(!found.some((e) => e.status === 'verified'), found.map((e) => `${e.status}: ${e.claim}`).join('; '));
  });

  it('takes a "not" only from the claim\'s own sentence, and the numbers of an identity as its own', () => {
    check([
      ['Let \\( m \\) be a number not divisible by 3. Then \\( (m+1)^2 = m^2 + 2m + 1 = m^2 + 3m + 1 \\).', 'identity', 'refuted'],
      ['\\[ r^2 = 1 + k^2 = 10 + k^2 \\] This does not add new information.', 'identity', 'refuted'],
      ['\\[ \\text{Distance} = x^2 \\times 3 = 6x^2 \\text{ miles} \\]', 'identity', 'refuted', '3x^2'],
      // traps: the sentence itself denies the claim
      ['Then \\( (x+1)^2 = x^2 + 2x + 2 = x^2 + 2 \\), which is not true.', 'identity', 'none'],
      ['Suppose \\( (x+1)^2 = x^2 + 1 = x^2 \\).', 'identity', 'none'],
    ]);
  });

  it('checks a function the problem defines where a step writes it again', () => {
    const problem = 'If $f(x) = x^2 + 2bx + 1$ and $g(x) = 2a(x + b)$, where do the graphs meet?';
    const table: [string, Expect][] = [
      ['The graphs of \\( y = f(x) = x^2 + 2bx + 1 \\) and \\( y = g(x) = 2a(x + b) \\) do not intersect.', 'verified'],
      ['Given \\(f(x) = x^{2} + 2bx + 1\\), the graph of \\( y = f(x) = x^{20} + 2bx + 1 \\) is a curve.', 'refuted'],
      // traps: two functions set equal, a name defined anew
      ['They meet where \\( f(x) = g(x) \\).', 'none'],
      ['Now let $f(x) = x + 1$.\n\nThen \\( y = f(x) = x + 1 \\).', 'none'],
    ];
    for (const [body, expect] of table) {
      const found = findings(body, problem).filter((e) => e.kind === 'function');
      const said = found.map((e) => `${e.status}: ${e.claim}`).join('; ');
      if (expect === 'none') assert.ok(!found.some((e) => e.status === 'refuted'), `${body} → ${said}`);
      else
        assert.ok(
          found.some((e) => e.status === expect),
          `${body}: expected ${expect}, got ${said || 'nothing'}`,
        );
    }
  });

  it('reads x = a ± b as its two roots: against the equation before it, and against the two written out after it', () => {
    check([
      ['$x^2 - 5x + 6 = 0$, so \\[ x = \\frac{5 \\pm 1}{2} \\]', 'equation', 'verified'],
      ['$x^2 - 5x + 6 = 0$, so \\[ x = \\frac{5 \\pm 3}{2} \\]', 'equation', 'refuted', 'x = 3 or x = 2'],
      ['We get \\[y = 2 \\pm \\sqrt{5}\\]\n\nSo, the two solutions for $y$ are $y = 2 + \\sqrt{5}$ and $y = 4 - \\sqrt{5}$.', 'equation', 'refuted'],
      ['We get \\[y = 2 \\pm \\sqrt{5}\\]\n\nSo, the two solutions for $y$ are $y = 2 + \\sqrt{5}$ and $y = 2 - \\sqrt{5}$.', 'equation', 'verified'],
      ['1. We get \\[y = 2 \\pm \\sqrt{5}\\]\n\n2. So, the two solutions are $y = 2 + \\sqrt{5}$ and $y = 4 - \\sqrt{5}$.', 'equation', 'refuted'],
      // traps: a list with the root of another factor, one value taken for a reason
      ['\\[x = \\frac{3 \\pm \\sqrt{21}}{2}\\] Therefore, the solutions are: \\[x = 1\\] \\[x = \\frac{3 + \\sqrt{21}}{2}\\]', 'equation', 'none'],
      ['We get \\[y = 2 \\pm \\sqrt{5}\\]\n\nSince y > 0, we take $y = 5$.', 'equation', 'none'],
    ]);
  });

  it('takes a root chosen for a reason from among the roots, and leaves trials, new values and other equations alone', () => {
    check([
      [
        'Factoring, $$(c-5)(c+27)=0.$$ Since the point is closest, it must be that $c>3$. Therefore, we must have $c=50$.',
        'equation',
        'refuted',
        'c = 5 or c = -27',
      ],
      ['Factoring, $$(c-5)(c+27)=0.$$ Since the point is closest, it must be that $c>3$. Therefore, we must have $c=5$.', 'equation', 'verified'],
      ['$x^2 - 5x + 6 = 0$, so $x = 2$ or $x = 3$. Since $x > 2$, we must have $x = 4$.', 'equation', 'refuted', 'x = 2 or x = 3'],
      // traps: a value under a supposition, a new value of the variable, another equation in between, a check
      ['$(c-5)(c+27)=0$. If instead $c > 30$ were allowed, we must have $c = 50$.', 'equation', 'none'],
      ['Since we know that $x = 3$, then $x = 5$.', 'equation', 'none'],
      ['$(c-5)(c+27)=0$. Since $b = 2c$ must be positive, we must have $c = 50$.', 'equation', 'none'],
      ['$(t-2)(t-7) = 0$ has two roots. As a check, since $t > 3$ is wanted, we take $t = 9$.', 'equation', 'none'],
    ]);
  });

  it('puts a value substituted in words into the equation it goes into, and compares what that gives', () => {
    check([
      ['Substituting $k = 30$ into the first relation \\[3a = 2k\\], we get: \\[3a = 6\\]', 'equation', 'refuted', 'a = 20'],
      ['Substituting $k = 3$ into the first relation \\[3a = 2k\\], we get: \\[3a = 6\\]', 'equation', 'verified'],
      ['Substituting $x = 3$ into $y = 2x + 1$ gives $y = 8$.', 'equation', 'refuted', 'y = 7'],
      ['Plugging $x = 3$ into $y = x^2 - 1$, we get $y = 8$.', 'equation', 'verified'],
      // traps: the equation named in words, two variables left, a further operation before the result
      ['Substituting $x = 3$ into the second equation gives $y = 8$.', 'equation', 'none'],
      ['Substituting $x = 3$ into $z = 2x + w$ gives $z = 8$.', 'equation', 'none'],
      ['Substituting $x = 3$ into $y = 2x + 1$, and then doubling, we get $y = 14$.', 'equation', 'none'],
    ]);
  });

  it('substitutes every stated root back, an integer root exactly', () => {
    check([
      ['$x^2 - 5x + 6 = 0$, so $x = 2$ or $x = 4$.', 'equation', 'refuted', 'x = 3 or x = 2'],
      ['From \\( x(x^2 - 3) = 0 \\) we have two possibilities: either \\( x = 2 \\) or \\( x^2 - 3 = 0 \\).', 'equation', 'refuted'],
      ['$x^2 = 3$, so $x = 2$.', 'equation', 'refuted'],
      ['$x^2 = 3$, so $x = 1.73$.', 'equation', 'verified'],
      // trap: a root the step itself rejects
      ['$x^2 - 5x + 6 = 0$, so $x = 2$ or $x = 4$, but $x = 4$ is extraneous.', 'equation', 'none'],
    ]);
  });
});

describe('a function the text never defines, at a computation then at a number', () => {
  it('checks the argument worked out, and leaves a functional equation alone', () => {
    check([
      ['Therefore, \\( f(12) = f\\left(\\frac{1}{2} \\cdot 12\\right) = f(5) \\).', 'function', 'refuted', 'f(6)'],
      ['Therefore, \\( f(12) = f\\left(\\frac{1}{2} \\cdot 12\\right) = f(6) \\).', 'function', 'verified'],
      // traps: the functional equation itself, two calls at numbers, an argument with a variable, a sum of calls
      ['By the equation, \\( f(12) = f(\\frac{1}{2} \\cdot 12) \\).', 'function', 'none'],
      ['We know \\( g(1) = f(1) + 1^2 = f(2) + 1 \\).', 'function', 'none'],
      ['\\( f(x + 1) = f(2x) \\)', 'function', 'none'],
      ['\\( S = f(1) + f(3) = f(4) \\)', 'function', 'none'],
      ['By periodicity, \\( f(2) = f(6 - 4) = f(6) \\).', 'function', 'none'],
      ['\\( S = f(2 + 3) = f(6) \\)', 'function', 'none'],
    ]);
  });
});

describe('a given of the problem written again', () => {
  it('refutes a given copied with one number changed, and leaves new members of a family, other values and cut pieces alone', () => {
    const table: [string, string, Expect, string?][] = [
      // [problem, step, what must come of it, the given shown as what holds]
      [
        'Find $PB$ given that $\\frac{PB}{PA}=\\frac{4}{7}=\\frac{PA}{PB+6}$.',
        'Given: \\( \\frac{PB}{PA} = \\frac{4}{7} = \\frac{PA}{PB + 3} \\).',
        'refuted',
        '\\frac{4}{7}=\\frac{PA}{PB+6}',
      ],
      [
        'Find $x / y$ if $(x+4) / 2=(y+9) /(z-3)=(x+5) /(z-5)$.',
        'We start from \\[ \\frac{x+4}{2} = \\frac{y+9}{z-3} = \\frac{x+3}{z-5} \\]',
        'refuted',
        '(y+9) /(z-3)=(x+5) /(z-5)',
      ],
      [
        'Solve $\\log _{2 x}(48 \\sqrt[3]{3})=\\log _{3 x}(162 \\sqrt[3]{2})$.',
        'Let \\(y = \\log_{2x}(48 \\sqrt[3]{3}) = \\log_{30x}(162 \\sqrt[3]{2})\\).',
        'refuted',
      ],
      ['If $L E=\\frac{1}{n}$ and $\\sin C = \\frac{1}{T}$, find the area.', 'Here, \\(a = LE = \\frac{10}{n}\\).', 'refuted'],
      // traps: the given exactly (either way round), a parallel line, another value of a function, a piece of a longer side
      ['Find $x / y$ if $(x+4) / 2=(y+9) /(z-3)=(x+5) /(z-5)$.', 'We start from \\[ \\frac{x+4}{2} = \\frac{y+9}{z-3} = \\frac{x+5}{z-5} \\]', 'none'],
      ['Find $PB$ given that $\\frac{PA}{PB+6}=\\frac{4}{7}$.', 'So \\( \\frac{4}{7} = \\frac{PA}{PB + 6} \\).', 'none'],
      ['Find the line parallel to $y = 2x + 3$ through $(1, 7)$.', 'The line is $y = 2x + 5$.', 'none'],
      ['Find $f(2)$ if $f(x+1) = f(x)$ and $f(1) + 3 = 5$.', 'So $f(2) + 3 = 5$ as well.', 'none'],
      ['If $\\angle BAC = 43^\\circ$, find $\\angle HCA$.', 'Then \\(\\angle BHC = 180^\\circ - \\angle BAC = 137^\\circ\\).', 'none'],
      ['Find $a_{3}$ if $a_{1} + a_{2} = 5$.', 'Likewise $a_{2} + a_{3} = 5$.', 'none'],
    ];
    for (const [problem, body, expect, expected] of table) {
      const found = findings(body, problem);
      const said = found.map((e) => `${e.kind} ${e.status}: ${e.claim}${e.expected ? ` (${e.expected})` : ''}`).join('; ');
      if (expect === 'none') {
        assert.ok(!found.some((e) => e.status === 'refuted'), `${body} → ${said}`);
        continue;
      }
      const hit = found.find((e) => e.kind === 'equation' && e.status === 'refuted');
      assert.ok(hit, `${body}: expected a misquoted given, got ${said || 'nothing'}`);
      if (expected !== undefined) assert.equal(hit.expected, expected, body);
    }
  });
});

describe('quantities with units', () => {
  it('converts and compares, and says when the units do not go together', () => {
    check([
      ['2.5 km = 2,500 m', 'units', 'verified'],
      ['2.5 km = 250 m', 'units', 'refuted', '2500 m'],
      ['3 h 20 min = 200 min', 'units', 'verified'],
      ['3 h 20 min = 180 min', 'units', 'refuted', '200 min'],
      ['$2.50 = 250 cents', 'units', 'verified'],
      ['90 km/h = 25 m/s', 'units', 'verified'],
      ['It is \\(1.5 \\text{ kg} = 1500 \\text{ g}\\).', 'units', 'verified'],
      ['2 h = 120 km', 'units', 'none'],
      ['On the map 1 cm = 5 km.', 'units', 'none'],
      ['1 hour × 60 = 60 minutes', 'units', 'none'],
      ['45 hours/week x 4 weeks = 180 hours', 'units', 'none'],
    ]);
    const different = findings('2 h = 120 km').find((e) => e.kind === 'units');
    assert.equal(different?.status, 'uncheckable');
    assert.match(different?.note ?? '', /different kinds/);
  });
});

describe('percentages in prose', () => {
  it('checks "of", discounts, "more than" and "is P% of"', () => {
    check([
      ['15% of 80 is 12.', 'percent', 'verified'],
      ['15% of 80 is 13.', 'percent', 'refuted', '12'],
      ['A 20% discount on $45 is $9.', 'percent', 'verified'],
      ['A 20% discount on $45 is $36.', 'percent', 'verified'],
      ['A 20% discount on $45 is $40.', 'percent', 'refuted'],
      ['25% of the 60 students, that is 15 students, walk.', 'percent', 'verified'],
      ['130 is 30% more than 100.', 'percent', 'verified'],
      ['120 is 30% more than 100.', 'percent', 'refuted', '130'],
      ['12 is 15% of 80.', 'percent', 'verified'],
      ['10% of 40 seconds is 40*0.1 = 4 seconds.', 'percent', 'none'],
      ['150% of $80,000 is 1.5 x $80,000 = $120,000.', 'percent', 'none'],
      ['150% of 80 is 1.5 \\times 80 = 120.', 'percent', 'none'],
      ['About 33% of 100 is about 33.', 'percent', 'verified'],
    ]);
  });
});

describe('honest rounding', () => {
  it('judges a number at the precision it is written in; = is not ≈', () => {
    check([
      ['1/3 ≈ 0.33', 'arithmetic', 'verified'],
      ['2/3 ≈ 0.67', 'arithmetic', 'verified'],
      ['1/3 = 0.33', 'arithmetic', 'verified'],
      ['2/3 = 0.6', 'rounding', 'uncertain', '0.666666…'],
      ['9 × 0.5 = 4', 'rounding', 'uncertain', '4.5'],
      ['7 / 2 = 3', 'rounding', 'uncertain', '3.5'],
      ['25 / 7 = 3.50', 'arithmetic', 'refuted', '3.57'],
      ['So 25 / 4 = 6 full boxes.', 'rounding', 'uncertain', '6.25'],
      // a quotient with its remainder is whole division, said so
      ['25 ÷ 4 = 6 remainder 1', 'rounding', 'none'],
      ['25 ÷ 4 = 6 remainder 1', 'arithmetic', 'verified'],
      ['1529 ÷ 6 = 255 with a remainder of 4', 'arithmetic', 'refuted', '254 with a remainder of 5'],
      ['706 / 7 = 100 R 6', 'arithmetic', 'verified'],
      ['Then \\(770 \\div 333 = 2\\) with a remainder of \\(58\\).', 'arithmetic', 'refuted', '2 with a remainder of 104'],
      ['Then \\(770 \\div 333 = 2\\) with a remainder of \\(104\\).', 'rounding', 'none'],
    ]);
    const [boxes] = findings('So 25 / 4 = 6 full boxes.').filter((e) => e.kind === 'rounding');
    assert.match(boxes!.note ?? '', /whole units/);
  });
});

describe('bounded evaluation', () => {
  const step = (text: string) => ({ index: 0, text, hash: 'h', range: { start: { line: 0, character: 0 }, end: { line: 0, character: text.length } } });
  it('gives up on values too large to compute, instead of hanging', () => {
    for (const text of ['9^9^9 = 475', '8^8^8 = 3', '5347895125610546356223924271 ^ 2.5 = 0', '1000! = 5', '(2^3)^(2^20) = 4']) {
      const [e] = verifyStepArithmetic(step(text));
      assert.equal(e?.status, 'uncheckable', text);
      assert.match(e?.note ?? '', /too large/, text);
    }
  });

  it('evaluates fractional powers in floating point and still verifies exact roots', () => {
    check([
      ['$4^{1/2} = 2$ and $8^{2/3} = 4$', 'arithmetic', 'verified'],
      ['\\[ \\sqrt{p} \\approx 2.569 \\times 10^{-13.5} = 2.569 \\times 10^{-13} \\times 10^{-0.5} \\]', 'arithmetic', 'verified'],
      ['$8^{2/3} = 5$', 'arithmetic', 'refuted'],
    ]);
  });

  it('reports the per-step cap on claims in the evidence, never a silent pass', () => {
    const many = findings('2 + 2 = 4. '.repeat(250));
    assert.ok(many.some((e) => e.status === 'uncheckable' && /Only the first 200 computations/.test(e.note ?? '')));
  });

  it('reads hostile text without an exception and verifies none of it', () => {
    const hostile = [
      `$$ x^2 = ${'9'.repeat(10_000)}`,
      `${'9'.repeat(10_000)} = ${'9'.repeat(10_000)} + 1`,
      `$${'('.repeat(3000)}x${')'.repeat(3000)} = x + 1$`,
      `$${'\\frac{'.repeat(500)}x = 2x$`,
      '$$ (x+1)^2 = ',
      '\\[ x = \\frac{1}{ \\]',
      `$${'x^'.repeat(2000)}2 = 3$`,
      `$f(x) = f(x) + 1$\n\n$f(2) = 5$`,
      `Let $f(x) = g(x)$ and $g(x) = f(x)$.\n\n$f(1) = 2$`,
      `$x^{${'9'.repeat(50)}} = x + 1$, so $x^{10^{10^{10}}} = 2x$`,
      '\u0000\uD800 = \uDFFF $ $$ \\( \\[ = = =',
    ];
    for (const text of hostile) {
      const found = findings(text);
      assert.ok(!found.some((e) => e.status === 'verified' && e.kind !== 'arithmetic'), `${text.slice(0, 60)} → ${found.map((e) => e.status).join(', ')}`);
    }
  });

  it('survives random fragments of math and prose', () => {
    const fragments = [
      '$',
      '$$',
      '\\frac{',
      '}',
      '{',
      '(',
      ')',
      'x',
      'y',
      '=',
      '^',
      '9',
      '12345678901234567890',
      '\\sqrt',
      '\\left(',
      '\\right)',
      '+',
      '-',
      ' ',
      '\n',
      '\\\\',
      '%',
      'km',
      'h',
      '\\text{ m}',
      'of',
      'is',
      '\\log_{',
      'f(',
      '\\cdot',
      '!',
      '.',
      ',',
      '≈',
      '\\pi',
      'e',
      'i',
    ];
    let seed = 20240611;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let round = 0; round < 300; round++) {
      const text = Array.from({ length: 5 + Math.floor(next() * 80) }, () => fragments[Math.floor(next() * fragments.length)]).join('');
      findings(text);
    }
  });
});
