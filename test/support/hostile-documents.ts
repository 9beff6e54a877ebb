// Hostile documents for the fuzz test (test/fuzz.test.ts) and bench (bench/fuzz.ts): seeded, so any
// failure replays. What users and datasets really throw at the tool: power towers and huge powers,
// endless digits, deep nesting, broken LaTeX and front matter, control characters, thousands of steps,
// one giant line, code that does not parse, empty files.

import { seededRandom } from '../../src/engine/seeded-random';

export interface HostileDocument {
  /** File name, with the extension that picks the parser. */
  name: string;
  text: string;
  kind: string;
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: Random, lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const digits = (random: Random, n: number) => Array.from({ length: n }, (_, i) => String(i === 0 ? int(random, 1, 9) : int(random, 0, 9))).join('');

const solution = (steps: readonly string[], problem = 'Compute it.') =>
  `# Problem\n\n${problem}\n\n# Solution\n\n${steps.map((s, i) => `Step ${i + 1}: ${s}`).join('\n\n')}\n`;

/** Each maker gives one kind of hostile text; `slow` kinds may run into the check deadline. */
const MAKERS: { kind: string; slow?: boolean; make: (random: Random) => { text: string; ext?: string } }[] = [
  {
    kind: 'power tower',
    slow: true,
    make: (r) => ({ text: solution([`${int(r, 5, 9)}^${int(r, 5, 9)}^${int(r, 5, 9)} = ${int(r, 1, 999)}.`, '1 + 1 = 2.']) }),
  },
  { kind: 'huge power', slow: true, make: (r) => ({ text: solution([`${digits(r, 30)}^${int(r, 20, 60)}.${int(r, 1, 9)} = 3.`]) }) },
  { kind: 'long digits', make: (r) => ({ text: solution([`${digits(r, int(r, 200, 2000))} + 1 = ${digits(r, 50)}.`]) }) },
  { kind: 'deep parentheses', make: (r) => ({ text: solution([`${'('.repeat(int(r, 200, 3000))}1${')'.repeat(int(r, 0, 3000))} = 1.`]) }) },
  { kind: 'factorial', make: (r) => ({ text: solution([`${int(r, 1000, 99999)}! = ${digits(r, 20)}.`, `${int(r, 10, 99)}!! = 3.`]) }) },
  { kind: 'broken latex', make: (r) => ({ text: solution([`$\\frac{${'\\frac{1}{'.repeat(int(r, 5, 400))}2} = \\sqrt{{{`, '\\boxed{', '$$ 1 + $$ = 2']) }) },
  { kind: 'nested fractions', make: (r) => ({ text: solution([`$${'\\frac{1}{1+'.repeat(int(r, 20, 200))}1${'}'.repeat(int(r, 20, 200))} = 0.5$.`]) }) },
  {
    kind: 'control characters',
    make: (r) => ({
      text: solution([`2 + 2 = 4\u0000\u0007\u001b[31m`, String.fromCharCode(...Array.from({ length: 200 }, () => int(r, 0, 31))), '\uFEFF\u202E 3 * 3 = 9']),
    }),
  },
  { kind: 'unicode soup', make: (r) => ({ text: solution([`٣ + ٤ = ٧, 𝟐 × 𝟑 = 𝟔, ${'🙂'.repeat(int(r, 10, 500))}`, '½ + ½ = 1', '10⁹ = 1000000000']) }) },
  {
    kind: 'broken front matter',
    make: (r) => ({ text: `---\nanswer: [${'{'.repeat(int(r, 1, 50))}\nid: &a [*a, *a]\n${'x: '.repeat(int(r, 1, 100))}\n${solution(['1 + 1 = 2.'])}` }),
  },
  {
    kind: 'many steps',
    slow: true,
    make: (r) => ({ text: solution(Array.from({ length: int(r, 1000, 5000) }, (_, i) => `${i} + ${i} = ${i * 2 + (i % 97 === 0 ? 1 : 0)}.`)) }),
  },
  {
    kind: 'one giant line',
    make: (r) => ({ text: `# Problem\n\nx\n\n# Solution\n\n${Array.from({ length: int(r, 2000, 20000) }, (_, i) => `${i} * 2 = ${i * 2}`).join(', ')}\n` }),
  },
  { kind: 'crlf and tabs', make: (r) => ({ text: solution([`\t48 / 2 = ${int(r, 23, 25)}.`, '25 + 10 = 35.']).replace(/\n/g, '\r\n') }) },
  { kind: 'empty', make: (r) => ({ text: pick(r, ['', '\n', '   \n\t\n', '# Problem\n', '# Solution\n']) }) },
  { kind: 'random bytes', make: (r) => ({ text: String.fromCharCode(...Array.from({ length: int(r, 10, 3000) }, () => int(r, 1, 0xd7ff))) }) },
  {
    kind: 'division by zero',
    make: (r) => ({ text: solution([`${int(r, 1, 9)} / 0 = ${pick(r, ['0', 'infinity', '1'])}.`, '0 / 0 = 1.', 'log(0) = 2.', 'sqrt(-4) = 2.']) }),
  },
  {
    kind: 'huge numbers',
    make: (r) => ({ text: solution([`1e${int(r, 300, 100000)} * 1e${int(r, 300, 100000)} = 1e999.`, `10^${int(r, 1000, 10000000)} - 1 = 9.`]) }),
  },
  {
    kind: 'python that does not parse',
    make: (r) => ({ ext: 'py', text: `def f(x):\n    return x +\n${'    '.repeat(int(r, 1, 60))}if (((\n\u0000\n` }),
  },
  {
    kind: 'python loop',
    make: (r) => ({ ext: 'py', text: `def f(n):\n    """\n    >>> f(${int(r, 1, 9)})\n    1\n    """\n    while True:\n        n += 1\n` }),
  },
  { kind: 'javascript mess', make: (r) => ({ ext: 'js', text: `function f(x) { return ${'['.repeat(int(r, 10, 2000))} }\n/* unterminated` }) },
];

/** `count` hostile documents for `seed`, every kind in turn at first, then drawn at random. */
export function hostileDocuments(seed: number, count: number, options: { slowShare?: number } = {}): HostileDocument[] {
  const random = seededRandom(seed);
  const slowShare = options.slowShare ?? 0.05;
  const fast = MAKERS.filter((m) => !m.slow);
  const slow = MAKERS.filter((m) => m.slow);
  const documents: HostileDocument[] = [];
  for (let i = 0; i < count; i++) {
    const maker = i < MAKERS.length ? MAKERS[i]! : random() < slowShare ? pick(random, slow) : pick(random, fast);
    const { text, ext } = maker.make(random);
    documents.push({ name: `hostile-${String(i).padStart(4, '0')}.${ext ?? 'solution.md'}`, text, kind: maker.kind });
  }
  return documents;
}
