// Seeded slips of the kinds the verifiers beyond arithmetic look for, put into real correct solutions
// (ProcessBench, label -1) one per solution, remembering the step: the corruption set of
// bench/verifier.ts (e). Candidates are found by the text alone, never by asking the verifier:
//   - solution: a stated root `x = 5` after an equation in the same variable in the same step;
//   - rewrite: a number in the last side of a formula chain `A = B = C` with variables;
//   - percent: the stated value of "P% of N is/= V";
//   - units: the right number of a conversion `N unit = M other-unit`.
// The changed number is moved by a small amount (±1…3) or a factor of ten, the way a careless solver would,
// and written the way that solver would write it: a two-digit exponent or subscript in LaTeX gets braces
// (`x^{20}`; `x^20` is x² followed by a 0, not the slip meant).
//
// What counts as a candidate is what each kind claims, read from the text:
//   - a stated root follows an equation in that one variable (`3x + 5 = 20`, then `x = 5`), not any
//     earlier formula with the letter in it (`a = 4` after `ax^2 + bx + c = 0` names a coefficient);
//   - a chain `A = B = C` is one run of `=` between formulas: `\implies`, `\quad`, a comma, a new line of
//     a system (`\\` not followed by `&=`) or `\text{…}` end it, so `x + y = 5 \implies y = 5 - x` is no chain.
//
// What the set holds that no deterministic check here can catch, and why it stays in (measured 2026-12-08
// after relations written before were folded in (`pqr = 48`, Vieta's sums), index slips (`b_3` for `b_0`),
// the a, b, c of `b^2 - 4ac`, alternating and quadratic patterns, tried values and terms of a sequence
// defined by a formula were read: 23 of 237 missed, was 30): a number in notation the reader does not
// evaluate (a slowly converging or double infinite series, a sum of a sequence `x_i` with no formula, a
// pattern of factorials with `\pm`, a sum over divisors), a link whose sides have different variables with no
// definition of them written before (`A = \frac{1}{2} a h_a = \frac{1}{2} b h_b`, a ratio `\sqrt{a}:2`), a given
// restated with a bare variable on one side (`S = \sum_{i=10}^{100} …`, `4y + 6 = a + 30` for the problem's
// "is a + 27" in prose: a new member of a family is written so too), calls of an unknown function at
// different numbers (`f(1) + 1^2 = f(2) + 1`, `f(1)^{20} = f(3)^{19}`: a property of f, stated or not, may
// make them equal), a side that is a bare name or value, the first side of a chain (a definition or a
// given), a formula written wrong (the binomial probability, the shoelace sum), a value restated after
// "since" (`x = 3`, then `x = 5`: a new derivation may start there), and links read but left alone on
// purpose (two floats too close to compare, `i^d + i^{-d}` against `i^d + \frac{10}{i^d}` at large powers).
// A wrong given is no slip to any checker; the others would need a computer algebra system.

export interface Slip {
  problem: string;
  steps: string[];
  step: number;
  kind: 'solution' | 'rewrite' | 'percent' | 'units';
  from: string;
  to: string;
  /** The changed text around the change, for the bench's list of misses. */
  context: string;
}

interface Candidate {
  step: number;
  kind: Slip['kind'];
  at: number;
  shown: string;
}

const SOLVED = /(?<![\w^_{}\\])([a-z])\s*=\s*(-?\d+(?:\.\d+)?)(?![\d.,/^]|\s*[a-z(\\^{])/g;
const FORMULA = /\\\[([\s\S]*?)\\\]|\\\(([\s\S]*?)\\\)|\$\$([\s\S]*?)\$\$|\$([^$\n]*?)\$/g;
const PERCENT = /(\d+(?:\.\d+)?)\s*\\?%\s*of\s*(?:the\s+)?\$?(\d[\d,]*(?:\.\d+)?)\s*(?:[a-z]+\s+){0,3}?(?:is|=|equals)\s*\\?\$?(\d[\d,]*(?:\.\d+)?)/gi;
const UNIT = String.raw`(km|kilometers?|m|meters?|cm|mm|kg|g|grams?|hours?|h|minutes?|min|seconds?|L|liters?|mL)`;
const CONVERSION = new RegExp(String.raw`(\d[\d,]*(?:\.\d+)?)\s*${UNIT}\s*=\s*(\d[\d,]*(?:\.\d+)?)\s*${UNIT}\b`, 'g');

/** Ends a chain inside a formula: what follows is another formula, not another side. */
const CHAIN_END =
  /\\(?:implies|Rightarrow|Longrightarrow|iff|quad|qquad|text\s*\{[^}]*\}|tag\s*\{[^}]*\}|begin\s*\{[^}]*\}|end\s*\{[^}]*\})|\\\\(?!\s*&?\s*=)|,|;/g;

/** Letters of a formula, LaTeX commands left out. */
function lettersOf(formula: string): Set<string> {
  return new Set(formula.replace(/\\[a-zA-Z]+/g, '').match(/[A-Za-z]/g) ?? []);
}

/** The last equation before `at` that mentions `variable` (in a formula or on a line of prose). */
function equationBefore(text: string, at: number, variable: string): string | undefined {
  const mentions = new RegExp(String.raw`(?<![A-Za-z\\])${variable}(?![A-Za-z])`);
  const pieces = text
    .slice(0, at)
    .split(/\\\[|\\\]|\\\(|\\\)|\$\$?|\n|\\implies|\\Rightarrow|,|;/)
    .filter((piece) => piece.includes('=') && mentions.test(piece));
  return pieces[pieces.length - 1];
}

function candidatesIn(text: string, step: number): Candidate[] {
  const found: Candidate[] = [];
  for (const m of text.matchAll(SOLVED)) {
    const equation = equationBefore(text, m.index, m[1]!);
    const letters = equation === undefined ? undefined : lettersOf(equation);
    if (letters?.size === 1 && letters.has(m[1]!)) found.push({ step, kind: 'solution', at: m.index + m[0].lastIndexOf(m[2]!), shown: m[2]! });
  }
  for (const m of text.matchAll(FORMULA)) {
    const body = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
    const bodyStart = m.index + m[0].indexOf(body);
    let chainStart = 0;
    for (const end of [...body.matchAll(CHAIN_END)].map((e) => ({ at: e.index, length: e[0].length })).concat([{ at: body.length, length: 0 }])) {
      const chain = body.slice(chainStart, end.at);
      const from = chainStart;
      chainStart = end.at + end.length;
      const sides = chain.split(/(?<![<>\\!])=(?!=)/);
      if (sides.length < 3 || lettersOf(chain).size === 0) continue;
      const last = sides[sides.length - 1]!;
      if (lettersOf(last).size === 0) continue;
      const number = /\d+/.exec(last);
      if (!number) continue;
      found.push({ step, kind: 'rewrite', at: bodyStart + from + chain.length - last.length + number.index, shown: number[0] });
    }
  }
  for (const m of text.matchAll(PERCENT)) found.push({ step, kind: 'percent', at: m.index + m[0].lastIndexOf(m[3]!), shown: m[3]! });
  for (const m of text.matchAll(CONVERSION)) {
    if (m[2]!.toLowerCase() === m[4]!.toLowerCase()) continue;
    found.push({ step, kind: 'units', at: m.index + m[0].lastIndexOf(m[3]!, m[0].length - m[4]!.length), shown: m[3]! });
  }
  return found;
}

function changed(shown: string, rng: () => number): string {
  const negative = shown.startsWith('-');
  const digits = shown.replace(/^-/, '').replace(/,/g, '');
  const [integer, decimals] = digits.split('.') as [string, string | undefined];
  const scale = 10 ** (decimals?.length ?? 0);
  const value = Math.round(Number(digits) * scale);
  const next = rng() < 0.3 ? value * 10 : value + (1 + Math.floor(rng() * 3)) * scale * (rng() < 0.5 && value > 3 * scale ? -1 : 1);
  const text = decimals ? (next / scale).toFixed(decimals.length) : String(next);
  void integer;
  return `${negative ? '-' : ''}${text}`;
}

/** At most one slip per solution, in the order of `solutions`. */
export function seedSlips(solutions: readonly { problem: string; steps: string[] }[], rng: () => number): Slip[] {
  const slips: Slip[] = [];
  for (const solution of solutions) {
    const candidates = solution.steps.flatMap((text, step) => candidatesIn(text, step));
    if (candidates.length === 0) continue;
    const chosen = candidates[Math.floor(rng() * candidates.length)]!;
    const to = changed(chosen.shown, rng);
    if (to === chosen.shown) continue;
    const steps = [...solution.steps];
    const text = steps[chosen.step]!;
    // LaTeX reads one character after ^ or _: a longer exponent or subscript is written in braces
    const written = to.replace(/^-/, '').length > 1 && /[\^_]\s*$/.test(text.slice(0, chosen.at)) ? `{${to}}` : to;
    steps[chosen.step] = text.slice(0, chosen.at) + written + text.slice(chosen.at + chosen.shown.length);
    const context = steps[chosen.step]!.slice(Math.max(0, chosen.at - 70), chosen.at + to.length + 30).replace(/\s+/g, ' ');
    slips.push({ problem: solution.problem, steps, step: chosen.step, kind: chosen.kind, from: chosen.shown, to, context });
  }
  return slips;
}
