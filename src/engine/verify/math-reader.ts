// Reads the mathematics of a step (inline and display LaTeX, and equations in prose such as
// `3x + 5 = 20`) into chains of sides joined by `=`, every side translated into mathjs syntax, which
// mathjs then parses: `\frac{a}{b}` → `((a)/(b))`, `2x` → `2*x`, `(x+1)(x-2)` → `(x+1)*(x-2)`,
// `x_1` → a name, `f(3)` → a call when f is a function the text defined, a product otherwise.
// Variables get names of their own (`v_x`), so that a variable named e, i or pi is not mistaken for a
// constant; the checks decide which reading of e and i to try. What the translator does not know
// (`\overline`, `\pm`, primes, series with `\dots`) makes the side unreadable: never a guess.
import type { MathNode } from 'mathjs';
import type { Token } from './tokens';
import { tokenize } from './tokens';
import { parseExact } from './evaluate';
import { ALTERNATING_SUM, ELLIPSIS_SUM, PRODUCT, SUM, boundName } from './series';

export interface MathSide {
  start: number;
  end: number;
  /** mathjs syntax, or undefined when the side could not be read. */
  expr?: string;
  node?: MathNode;
  /** Variable names as written (`x`, `a_1`), in the order met. */
  variables: string[];
  /** Names of functions it calls (defined ones). */
  calls: string[];
  /** A reading that might be meant otherwise (`1/2x`, a function name written without brackets). */
  ambiguous: boolean;
  /** It had units written in `\text{…}` after its numbers, which the expression leaves out. */
  units?: boolean;
}

export interface MathChain {
  sides: MathSide[];
  /** `≈` between side k and k+1. */
  approximate: boolean[];
  start: number;
  end: number;
  /** Inside `$…$`, `\[…\]` and the like, rather than in prose. */
  latex: boolean;
}

/** The name a sequence `t_1, t_2, …` has as a function of its index (functions.ts): `seq_t`. */
export function sequenceName(letter: string): string {
  return `seq_${letter}`;
}

/** The mathjs name of a variable written `name`. */
export function variableName(name: string): string {
  return `v_${name
    .replace(/'/g, '_prime')
    .replace(/\((\w+)\)$/, '_of_$1')
    .replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** The name as written in LaTeX: `m'`, `\theta`, `x_1`. */
export function writtenName(mathjsName: string): string {
  const name = mathjsName
    .replace(/^v_/, '')
    .replace(/^F_/, '')
    .replace(/_prime/g, "'")
    .replace(/_of_(\w+)$/, '($1)');
  return GREEK.has(/^[A-Za-z]+/.exec(name)?.[0] ?? '') ? `\\${name}` : name;
}

/**
 * The sign of `\pm` (and minus it for `\mp`): `a \pm b` reads `a + PM*b`, a name no variable gets (they
 * are `v_…`). A link with it on both sides holds when it holds for both signs (identity.ts).
 */
export const PLUS_MINUS = 'PM_sign';

export function functionName(name: string): string {
  return `F_${name}`;
}

/** LaTeX commands read as functions of one argument. */
const LATEX_FUNCTIONS: Record<string, string> = {
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  cot: 'cot',
  sec: 'sec',
  csc: 'csc',
  arcsin: 'asin',
  arccos: 'acos',
  arctan: 'atan',
  ln: 'log',
  exp: 'exp',
  sinh: 'sinh',
  cosh: 'cosh',
  tanh: 'tanh',
};
/** The same, written as words in prose: `sqrt(2)`, `sin(x)`. */
const WORD_FUNCTIONS: Record<string, string> = { ...LATEX_FUNCTIONS, sqrt: 'sqrt', abs: 'abs' };
/** Letters that, before a bracket, name a function more often than they multiply (`f(x)`, `P(A)`, `g(2)`). */
const FUNCTION_LETTERS = new Set(['f', 'g', 'h', 'p', 'q', 'F', 'G', 'H', 'P', 'Q', 'N', 'E', 'T', 'S', 'R', 'L']);
/**
 * Greek letters read as variables (`\theta`, `\alpha_1`, `\omega'`); `\pi` is the constant. Followed by a
 * bracket (`\varphi(n)`, `\Gamma(x)`) one names a function the text did not define: unreadable.
 */
const GREEK = new Set([
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'varepsilon',
  'zeta',
  'eta',
  'theta',
  'vartheta',
  'iota',
  'kappa',
  'lambda',
  'mu',
  'nu',
  'xi',
  'rho',
  'varrho',
  'sigma',
  'tau',
  'upsilon',
  'phi',
  'varphi',
  'chi',
  'psi',
  'omega',
  'Gamma',
  'Delta',
  'Theta',
  'Lambda',
  'Xi',
  'Sigma',
  'Upsilon',
  'Phi',
  'Psi',
  'Omega',
]);

function isGreek(t: Token | undefined): boolean {
  return t?.type === 'cmd' && GREEK.has(t.value);
}

/** Brackets that round: `\lfloor x \rfloor`. */
const ROUNDINGS: Record<string, { fn: string; close: string }> = { lfloor: { fn: 'floor', close: 'rfloor' }, lceil: { fn: 'ceil', close: 'rceil' } };
/** Commands of a formula that are no function: sums, products, `\pm`, floor and ceiling brackets. */
const SERIES_AND_SIGNS = new Set(['sum', 'prod', 'pm', 'mp', 'lfloor', 'rfloor', 'lceil', 'rceil']);
/** A power, a call, or a division by anything but a plain number, in mathjs syntax. */
const NOT_AFFINE = /\^|[\w]\(|\/(?!\(\(\d+(?:\.\d+)?\)\))/;
const MAX_SIDE_TOKENS = 200;
const MAX_NESTING = 30;
const MAX_CHAINS = 200;

class Unreadable extends Error {}

/** Translates the tokens of one side into mathjs syntax. */
class SideTranslator {
  private pos: number;
  private depth = 0;
  readonly variables: string[] = [];
  readonly calls: string[] = [];
  ambiguous = false;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly text: string,
    start: number,
    private readonly end: number,
    private readonly latex: boolean,
    private readonly functions: ReadonlySet<string>,
  ) {
    this.pos = start;
  }

  private peek(offset = 0): Token | undefined {
    const k = this.pos + offset;
    return k < this.end ? this.tokens[k] : undefined;
  }

  translate(): string {
    const out = this.expression(undefined);
    if (this.pos !== this.end) throw new Unreadable();
    return out;
  }

  /** A sum/product until `closer` (a closing bracket) or the end. */
  private expression(closer: string | undefined): string {
    if (++this.depth > MAX_NESTING) throw new Unreadable();
    const parts: string[] = [];
    let expectOperand = true;
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (t.type === 'rparen' || (t.type === 'punct' && t.value === '|' && closer === '|') || (t.type === 'cmd' && t.value === closer)) break;
      if (t.type === 'punct' && t.value === ',' && closer !== undefined) break;
      if (t.type === 'cmd' && (t.value === 'pm' || t.value === 'mp')) {
        // `a \pm b`: the sign of b is PLUS_MINUS, the same in every `\pm` of the text (`\mp` is its opposite)
        parts.push(`${expectOperand ? ' ' : ''}${t.value === 'pm' ? '+' : '-'}${PLUS_MINUS}*`);
        this.pos++;
        expectOperand = true;
        continue;
      }
      if (t.type === 'ellipsis' && expectOperand && this.latex && ['+', '-'].includes(parts[parts.length - 1]?.trim() ?? ''))
        return this.pattern(parts, closer);
      if (t.type === 'op') {
        if (expectOperand && t.value !== '-' && t.value !== '+') throw new Unreadable();
        if (t.value === '^') throw new Unreadable();
        parts.push(expectOperand ? ` ${t.value}` : t.value);
        this.pos++;
        expectOperand = true;
        continue;
      }
      // two numbers side by side (`3 1/2`, a mixed number?) are not a product anyone writes
      if (!expectOperand && t.type === 'num' && this.tokens[this.pos - 1]?.type === 'num') throw new Unreadable();
      // in prose, `1600 x^2` is two formulas run together, not a product (that is written 1600x^2)
      if (!expectOperand && !this.latex && t.start > this.tokens[this.pos - 1]!.end) throw new Unreadable();
      const factor = this.factor();
      if (!expectOperand) {
        // juxtaposition multiplies: 2x, 3(x+1), (x+1)(x-2); after a division it is ambiguous (1/2x)
        if (parts[parts.length - 2] === '/') this.ambiguous = true;
        parts.push('*');
      }
      parts.push(factor);
      expectOperand = false;
    }
    if (expectOperand) throw new Unreadable();
    this.depth--;
    return parts.join('');
  }

  /** A bracketed group `{…}` or `(…)`, or a single atom (`\frac12`, `x^2`). */
  private group(): string {
    const t = this.peek();
    if (!t) throw new Unreadable();
    if (t.type === 'lparen') {
      this.pos++;
      const inner = this.expression(t.value);
      const close = this.peek();
      if (!close || close.type !== 'rparen') throw new Unreadable();
      this.pos++;
      return `(${inner})`;
    }
    return this.atom();
  }

  private factor(): string {
    let base = this.atom();
    // `ax^3` is a·x³: a postfix belongs to the last letter of a word of variables
    const prefix = this.wordPrefix;
    this.wordPrefix = undefined;
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (t.type === 'sup' && t.start === this.tokens[this.pos - 1]!.end) {
        base = `(${base})^${t.value}`;
        this.pos++;
      } else if (t.type === 'op' && t.value === '^') {
        this.pos++;
        base = `(${base})^(${this.exponent()})`;
      } else if (t.type === 'fact' || (t.type === 'punct' && t.value === '!' && t.start === this.tokens[this.pos - 1]!.end)) {
        // `n!` of a variable: checked at whole numbers (series.ts integerVariables)
        base = `factorial(${base})`;
        this.pos++;
      } else if (t.type === 'pct') {
        base = `(${base}/100)`;
        this.pos++;
      } else if (t.type === 'deg') {
        base = `(${base}*pi/180)`;
        this.pos++;
      } else break;
    }
    return prefix ? `(${prefix}*${base})` : base;
  }

  /** Whether an operand follows right away, with no operator between (a product by juxtaposition). */
  private juxtaposedNext(): boolean {
    const next = this.peek();
    // `\sin 2x`, `\log_2 x (…)`: the argument may go on; `\sin x \cos x`, `\ln 2 \sqrt{3}`: another factor
    return next !== undefined && (['num', 'word', 'lparen'].includes(next.type) || isGreek(next));
  }

  /** Whether a `(` follows the exponent starting at tokens[k] (`{-1}(x)`, `2(x)`): what makes `f^…` a function's power. */
  private bracketAfterExponent(k: number): boolean {
    let j = k;
    if (this.tokens[j]?.type === 'op' && this.tokens[j]!.value === '-') j++;
    const first = this.tokens[j];
    if (!first) return false;
    if (first.type === 'lparen') {
      let depth = 0;
      for (; j < this.end; j++) {
        const u = this.tokens[j]!;
        if (u.type === 'lparen') depth++;
        else if (u.type === 'rparen' && --depth === 0) break;
      }
    }
    const next = this.tokens[j + 1];
    return next?.type === 'lparen' && next.value !== '{';
  }

  /** The letters before the last one of the word just read (`a` of `ax`), for `factor`. */
  private wordPrefix: string | undefined;

  private exponent(): string {
    const t = this.peek();
    if (!t) throw new Unreadable();
    if (t.type === 'lparen') return this.group();
    if (t.type === 'op' && t.value === '-') {
      this.pos++;
      return `-${this.exponent()}`;
    }
    // x^23 means x²·3 in LaTeX and x to the 23rd in prose: only one digit is unambiguous
    if (t.type === 'num' && this.latex && t.value.length > 1) throw new Unreadable();
    if (t.type === 'num' || t.type === 'word' || t.type === 'const' || isGreek(t)) return this.atom();
    throw new Unreadable();
  }

  private atom(): string {
    const t = this.peek();
    if (!t) throw new Unreadable();
    switch (t.type) {
      case 'num':
        this.pos++;
        return t.value.startsWith('.') ? `0${t.value}` : t.value.includes('/') ? `(${t.value})` : t.value;
      case 'cur':
        this.pos++;
        return this.atom();
      case 'const':
        this.pos++;
        return 'pi';
      case 'lparen':
        return this.group();
      case 'frac': {
        this.pos++;
        const a = this.group();
        const b = this.group();
        return `((${a})/(${b}))`;
      }
      case 'binom': {
        this.pos++;
        const a = this.group();
        const b = this.group();
        // \binom{n}{2} of a variable n is n(n-1)/2: a polynomial, which the checks can evaluate anywhere
        const k = /^\((\d)\)$/.exec(b);
        if (k && /[A-Za-z_]/.test(a.replace(/combinations|sqrt|pi/g, ''))) {
          const factors = Array.from({ length: Number(k[1]) }, (_, j) => `(${a}-${j})`);
          return factors.length === 0 ? '1' : `((${factors.join('*')})/${[...Array(Number(k[1])).keys()].reduce((f, j) => f * (j + 1), 1)})`;
        }
        return `combinations(${a},${b})`;
      }
      case 'sqrt': {
        this.pos++;
        const open = this.peek();
        if (open?.type === 'lparen' && open.value === '[') {
          this.pos++;
          const index = this.expression(']');
          if (this.peek()?.type !== 'rparen') throw new Unreadable();
          this.pos++;
          return `nthRoot(${this.group()},${index})`;
        }
        return `sqrt(${this.group()})`;
      }
      case 'punct':
        if (t.value === '|') {
          this.pos++;
          const inner = this.expression('|');
          const close = this.peek();
          if (!close || close.value !== '|') throw new Unreadable();
          this.pos++;
          return `abs(${inner})`;
        }
        throw new Unreadable();
      case 'cmd':
        if (t.value === 'sum' || t.value === 'prod') return this.series(t);
        if (t.value === 'lim') return this.limit();
        if (t.value in ROUNDINGS) return this.rounding(t.value);
        if (GREEK.has(t.value)) return this.greek(t);
        return this.latexFunction(t);
      case 'word':
        return this.word(t);
      default:
        throw new Unreadable();
    }
  }

  /** `\lfloor x \rfloor`, `\lceil x \rceil`. */
  private rounding(open: string): string {
    const { fn, close } = ROUNDINGS[open]!;
    this.pos++;
    const inner = this.expression(close);
    const end = this.peek();
    if (end?.type !== 'cmd' || end.value !== close) throw new Unreadable();
    this.pos++;
    return `${fn}(${inner})`;
  }

  /**
   * `1 + 2 + \cdots + n`, `a + ar + ar^2 + \ldots`: the terms read so far (`parts`, up to the sign before the
   * ellipsis), then the last term if one follows; every sign between them a `+` (`ellipsisSum(last, t1, t2, …)`),
   * or signs that alternate from the first term on, the one before the ellipsis too (`1 - 2 + 3 - \cdots + n`:
   * `alternatingSum(last, t1, -t2, …)`). series.ts finds the pattern from the values; anything else is unreadable.
   */
  private pattern(parts: string[], closer: string | undefined): string {
    this.pos++; // the ellipsis
    const terms: string[] = [];
    const signs: string[] = ['+'];
    let term: string[] = [];
    for (const part of parts) {
      const sign = part.trim();
      if ((sign === '+' || sign === '-') && term.length > 0) {
        terms.push(term.join(''));
        signs.push(sign);
        term = [];
      } else if (part.includes(PLUS_MINUS)) throw new Unreadable();
      else term.push(part);
    }
    if (term.length > 0 || terms.length < 2) throw new Unreadable();
    const alternating = signs.some((sign) => sign === '-');
    if (alternating && !signs.every((sign, k) => sign === (k % 2 === 0 ? '+' : '-'))) throw new Unreadable();
    let last = 'Infinity';
    const next = this.peek();
    if (next?.type === 'op' && (next.value === '+' || (alternating && next.value === '-'))) {
      this.pos++;
      last = next.value === '-' ? `-${this.term()}` : this.term();
    }
    // two terms tell a progression only if the terms are sums and products of their numbers: the values of
    // `\sin^2 4^\circ + \sin^2 8^\circ` or of `1^2 + 2^2` are two numbers any line goes through (series.ts)
    if (terms.length === 2 && [...terms, last].some((term) => NOT_AFFINE.test(term))) throw new Unreadable();
    const after = this.peek();
    const closes = !after || after.type === 'rparen' || (after.type === 'cmd' && after.value === closer);
    if (!closes) throw new Unreadable();
    this.depth--;
    if (!alternating) return `${ELLIPSIS_SUM}(${last},${terms.map((t) => `(${t})`).join(',')})`;
    return `${ALTERNATING_SUM}(${last},${terms.map((t, k) => `${signs[k] === '-' ? '-' : ''}(${t})`).join(',')})`;
  }

  /** The index of the sum being read (`k` of `\sum_{k=1}^{n}`): a bound name in its body. */
  private index: string | undefined;

  /** `\sum_{k=1}^{n} body`, `\prod_{k=1}^{n} body`: the body is the product after it (`\sum_{k=1}^{n} k^2 + 1` sums k^2). */
  private series(t: Token): string {
    // a sum inside a sum could cost a million terms: not read
    if (this.index !== undefined) throw new Unreadable();
    this.pos++;
    const [under, open, index, eq] = [this.peek(), this.peek(1), this.peek(2), this.peek(3)];
    if (under?.type !== 'punct' || under.value !== '_' || open?.type !== 'lparen' || open.value !== '{') throw new Unreadable();
    if (index?.type !== 'word' || index.end - index.start !== 1 || eq?.type !== 'eq' || eq.value !== 'eq') throw new Unreadable();
    this.pos += 4;
    const from = this.expression('{');
    if (this.peek()?.type !== 'rparen') throw new Unreadable();
    this.pos++;
    const caret = this.peek();
    if (caret?.type !== 'op' || caret.value !== '^') throw new Unreadable();
    this.pos++;
    const to = this.upperBound();
    this.index = this.text.slice(index.start, index.end);
    try {
      const body = this.term();
      // `\sum_{x=1}^{89} \sin^6 x`: in degrees, most likely, though no degree sign says so (with a variable,
      // `\cos(a + kd)`, the unit is the variable's, whichever it is)
      if (/\b(?:a?(?:sin|cos|tan|cot|sec|csc)h?)\(/.test(body) && !body.includes('pi') && !body.includes('v_')) throw new Unreadable();
      return `${t.value === 'sum' ? SUM : PRODUCT}(${boundName(this.index)},${from},${to},${body})`;
    } finally {
      this.index = undefined;
    }
  }

  /**
   * `\lim_{n \to \infty} E` where nothing after it in the side mentions n: E, the limit of what does not
   * change with n being itself (`\lim_{n \to \infty} \left(\frac{k+1}{k}\right)^k`). A side that still depends
   * on n (`\lim_{n \to \infty} 2 + \frac{1}{n}`, whatever the limit's reach) is unreadable: no limit is taken here.
   */
  private limit(): string {
    this.pos++;
    if (this.peek()?.type === 'cmd' && this.peek()!.value === 'limits') this.pos++;
    const [under, open, variable, to] = [this.peek(), this.peek(1), this.peek(2), this.peek(3)];
    if (under?.type !== 'punct' || under.value !== '_' || open?.type !== 'lparen' || open.value !== '{') throw new Unreadable();
    if (variable?.type !== 'word' || to?.type !== 'cmd' || to.value !== 'to') throw new Unreadable();
    const name = this.text.slice(variable.start, variable.end);
    let depth = 0;
    let close = this.pos + 1;
    for (; close < this.tokens.length; close++) {
      const t = this.tokens[close]!;
      if (t.type === 'lparen') depth++;
      else if (t.type === 'rparen' && --depth === 0) break;
    }
    if (close >= this.tokens.length) throw new Unreadable();
    depth = 0;
    for (let k = close + 1; k < this.tokens.length; k++) {
      const t = this.tokens[k]!;
      if (t.type === 'lparen') depth++;
      else if (t.type === 'rparen' && --depth < 0) break;
      else if (depth === 0 && (t.type === 'eq' || t.type === 'delim')) break;
      if (t.type === 'word' && this.text.slice(t.start, t.end).includes(name)) throw new Unreadable();
    }
    this.pos = close + 1;
    return this.term();
  }

  /** The upper bound of a sum or a product: `\infty` (`^\infty`, `^{\infty}`) only here, where it has a meaning. */
  private upperBound(): string {
    const [t, u, v] = [this.peek(), this.peek(1), this.peek(2)];
    const infinity = (x: Token | undefined) => x?.type === 'cmd' && x.value === 'infty';
    if (infinity(t)) {
      this.pos++;
      return 'Infinity';
    }
    if (t?.type === 'lparen' && t.value === '{' && infinity(u) && v?.type === 'rparen') {
      this.pos += 3;
      return 'Infinity';
    }
    return this.exponent();
  }

  /** Factors multiplied, divided or written side by side, up to a `+`, a `-`, a closer or the end. */
  private term(): string {
    const parts = [this.factor()];
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (t.type === 'op' && (t.value === '*' || t.value === '/')) {
        this.pos++;
        parts.push(t.value, this.factor());
      } else if (
        ['num', 'word', 'lparen', 'frac', 'sqrt', 'binom', 'const'].includes(t.type) ||
        (t.type === 'cmd' && (LATEX_FUNCTIONS[t.value] || GREEK.has(t.value)))
      ) {
        parts.push('*', this.factor());
      } else break;
    }
    return `(${parts.join('')})`;
  }

  /** `\sin x`, `\sin(2x)`, `\log_{2} 8`, `\sin^2 x`. */
  private latexFunction(t: Token): string {
    this.pos++;
    let name = LATEX_FUNCTIONS[t.value];
    let base: string | undefined;
    if (t.value === 'log') {
      const under = this.peek();
      if (!under || under.type !== 'punct' || under.value !== '_') throw new Unreadable(); // log without a base: 10 or e?
      this.pos++;
      base = this.group();
      name = 'log';
    }
    if (!name) throw new Unreadable();
    let power: string | undefined;
    if (this.peek()?.type === 'op' && this.peek()!.value === '^') {
      this.pos++;
      power = this.exponent();
      if (/^\(?-1\)?$/.test(power.replace(/\s/g, ''))) throw new Unreadable(); // an inverse (`\tan^{-1}`), not a power
    }
    const next = this.peek();
    let argument: string;
    if (next?.type === 'lparen' && next.value === '(') argument = this.group();
    else {
      // without brackets the argument is the next factor: \sin x, \ln 2; with more after it (\sin 2x:
      // sin(2x) or sin(2)·x?) the reading is a guess
      argument = this.factor();
      if (this.juxtaposedNext()) this.ambiguous = true;
    }
    const call = base !== undefined ? `log(${argument},${base})` : `${name}(${argument})`;
    return power !== undefined ? `(${call})^(${power})` : call;
  }

  private word(t: Token): string {
    const raw = this.text.slice(t.start, t.end);
    if (raw.startsWith('\\')) throw new Unreadable(); // \text{…}: prose inside the math
    const next = this.tokens[this.pos + 1];
    const call = next !== undefined && this.pos + 1 < this.end && next.type === 'lparen' && next.value === '(' && next.start === t.end;
    if (call && WORD_FUNCTIONS[raw]) {
      this.pos++;
      return `${WORD_FUNCTIONS[raw]}${this.group()}`;
    }
    if (call && raw.length === 1 && this.functions.has(raw)) {
      this.pos += 2;
      const args: string[] = [this.expression(')')];
      while (this.peek()?.type === 'punct' && this.peek()!.value === ',') {
        this.pos++;
        args.push(this.expression(')'));
      }
      if (this.peek()?.type !== 'rparen') throw new Unreadable();
      this.pos++;
      if (!this.calls.includes(raw)) this.calls.push(raw);
      return `${functionName(raw)}(${args.join(',')})`;
    }
    // a derivative (f'(x), f'), or a letter that names functions (f(x), P(A)) that the text did not define: not something to guess
    const primed = this.primesAt(this.pos + 1) > 0;
    if (primed && (FUNCTION_LETTERS.has(raw) || this.functions.has(raw))) throw new Unreadable();
    if (call && FUNCTION_LETTERS.has(raw)) throw new Unreadable();
    // f^{-1}(x), g^2(x): a function's inverse or power (but `p^2 + 2`, `h^2` are powers of variables)
    const after = this.tokens[this.pos + 1];
    if (
      (FUNCTION_LETTERS.has(raw) || this.functions.has(raw)) &&
      after?.type === 'op' &&
      after.value === '^' &&
      after.start === t.end &&
      this.bracketAfterExponent(this.pos + 2)
    )
      throw new Unreadable();
    if (raw.length > 1 && !this.latex) throw new Unreadable();
    this.pos++;
    // letters written together are a product of variables (xy), the last maybe primed (x') or with a subscript (x_1)
    const names = raw.split('');
    const last = names.length - 1;
    const primes = this.primes();
    const subscript = this.subscript();
    // a sum's index is a bound name; subscripted by it (`t_n`) is a term of a sequence, which has a value where the
    // solution defined it by a formula (`t_n = \frac{2}{n(n+2)}`, functions.ts); anything else subscripted by it is not read
    if (this.index !== undefined && subscript !== '' && (subscript.slice(1) === this.index || names[last] === this.index)) {
      if (names.length === 1 && primes === '' && subscript.slice(1) === this.index) return `${functionName(sequenceName(names[0]!))}(${boundName(this.index)})`;
      throw new Unreadable();
    }
    const parts = names.map((n, k) => {
      if (n === this.index && primes === '') return boundName(n);
      const name = k === last ? `${n}${primes}${subscript}` : n;
      if (!this.variables.includes(name)) this.variables.push(name);
      return variableName(name);
    });
    if (parts.length > 1) this.wordPrefix = parts.slice(0, -1).join('*');
    return parts[parts.length - 1]!;
  }

  /** `\theta`, `\alpha_1`, `\omega'`: a variable; `\varphi(n)`, a function never defined, is not read. */
  private greek(t: Token): string {
    const next = this.tokens[this.pos + 1];
    if (next !== undefined && this.pos + 1 < this.end && next.type === 'lparen' && next.value === '(' && next.start === t.end) return this.unknownCall(t);
    this.pos++;
    const name = `${t.value}${this.primes()}${this.subscript()}`;
    if (this.index !== undefined && name.endsWith(`_${this.index}`)) throw new Unreadable();
    if (!this.variables.includes(name)) this.variables.push(name);
    return variableName(name);
  }

  /**
   * `\varphi(n)`, `\sigma(12)`: a function the text never defined, of one letter or whole number, read as a
   * quantity of its own (the same written call is the same quantity: `\varphi(n) \cdot \varphi(n) = (\varphi(n))^2`).
   * Any other argument is unreadable.
   */
  private unknownCall(t: Token): string {
    const [arg, close] = [this.tokens[this.pos + 2], this.tokens[this.pos + 3]];
    const simple = arg !== undefined && ((arg.type === 'word' && arg.end - arg.start === 1) || (arg.type === 'num' && /^\d+$/.test(arg.value)));
    if (!simple || close?.type !== 'rparen' || close.value !== ')' || this.pos + 3 >= this.end) throw new Unreadable();
    this.pos += 4;
    const name = `${t.value}(${this.text.slice(arg.start, arg.end)})`;
    if (!this.variables.includes(name)) this.variables.push(name);
    return variableName(name);
  }

  /** How many primes are written tight from tokens[k] on (`x''`). */
  private primesAt(k: number): number {
    let count = 0;
    while (
      k + count < this.end &&
      this.tokens[k + count]!.type === 'punct' &&
      this.tokens[k + count]!.value === "'" &&
      this.tokens[k + count]!.start === this.tokens[k + count - 1]!.end
    )
      count++;
    return count;
  }

  /** The primes after the name just read, read (`'`, `''`), or ''; a primed name called (`x'(t)`) is a derivative. */
  private primes(): string {
    const count = this.primesAt(this.pos);
    if (count === 0) return '';
    this.pos += count;
    const next = this.peek();
    if (next?.type === 'lparen' && next.value === '(' && next.start === this.tokens[this.pos - 1]!.end) throw new Unreadable();
    return "'".repeat(count);
  }

  /** The subscript after the name just read, read (`_1`, `_{n}`), or ''. */
  private subscript(): string {
    if (!(this.peek()?.type === 'punct' && this.peek()!.value === '_')) return '';
    this.pos++;
    const s = this.peek();
    if (!s) throw new Unreadable();
    if (s.type === 'num' || (s.type === 'word' && !this.text.slice(s.start, s.end).startsWith('\\'))) {
      this.pos++;
      return `_${this.text.slice(s.start, s.end)}`;
    }
    if (s.type === 'lparen' && s.value === '{') {
      const close = this.tokens[this.pos + 2];
      const inside = this.tokens[this.pos + 1];
      if (!inside || !close || close.type !== 'rparen' || (inside.type !== 'num' && inside.type !== 'word')) throw new Unreadable();
      this.pos += 3;
      return `_${this.text.slice(inside.start, inside.end)}`;
    }
    throw new Unreadable();
  }
}

/** Words in `\text{…}` after a number that say something else than a unit (`= 255 \text{ remainder } 4`). */
const NOT_A_UNIT = new Set([
  'remainder',
  'rem',
  'r',
  'mod',
  'modulo',
  'with',
  'and',
  'or',
  'if',
  'for',
  'when',
  'is',
  'so',
  'then',
  'since',
  'where',
  'because',
  'than',
  'times',
  'less',
  'more',
  'of',
  'as',
  'at',
  'in',
  'on',
  'to',
  'by',
  'from',
  'are',
  'was',
  'which',
  'that',
  'but',
  'not',
]);

/** `360 \text{ pieces}`: a unit written after a number inside the math, which the formula reads past. */
function isUnitAfterNumber(t: Token, previous: Token | undefined): boolean {
  return previous?.type === 'num' && !NOT_A_UNIT.has(t.value);
}

/** Tokens that can stand in a formula of the given kind of text. */
function isMathToken(t: Token, text: string, latex: boolean, previous: Token | undefined, next: Token | undefined): boolean {
  switch (t.type) {
    case 'num':
    case 'op':
    case 'eq':
    case 'lparen':
    case 'rparen':
    case 'frac':
    case 'sqrt':
    case 'binom':
    case 'const':
    case 'fact':
    case 'sup':
    case 'pct':
    case 'deg':
      return true;
    case 'cur':
      return !latex;
    case 'ellipsis':
      // `1 + 2 + \cdots + n`: a sum written by its pattern
      return latex && previous?.type === 'op' && previous.value === '+';
    case 'cmd':
      // `\infty` as the upper bound of a sum (`^\infty`, `^{\infty}`), not after `\to` or alone
      if (t.value === 'infty') return latex && previous !== undefined && (previous.value === '^' || (previous.type === 'lparen' && previous.value === '{'));
      return LATEX_FUNCTIONS[t.value] !== undefined || t.value === 'log' || (latex && (SERIES_AND_SIGNS.has(t.value) || GREEK.has(t.value)));
    case 'punct':
      if (t.value === "'" || t.value === '!') {
        // a prime (`m'`, `\theta'`) or the factorial of a variable (`n!`), written tight after it
        return latex && previous !== undefined && previous.end === t.start && (previous.type === 'word' || isGreek(previous) || previous.value === "'");
      }
      return t.value === '|' || t.value === '_' || (t.value === ',' && latex && previous?.type !== 'num');
    case 'word': {
      const raw = text.slice(t.start, t.end);
      if (raw.startsWith('\\')) return latex && isUnitAfterNumber(t, previous);
      if (latex) return true;
      if (WORD_FUNCTIONS[raw] && next?.type === 'lparen' && next.start === t.end) return true;
      if (raw.length !== 1) return false;
      // `4 x $2`, `3 x 5`: "times" in prose
      if ((raw === 'x' || raw === 'X') && previous && ['num', 'rparen'].includes(previous.type) && next && ['num', 'cur'].includes(next.type)) return false;
      // "a" and "I" are words in prose, unless they stand in a formula (`a + b = 5`)
      if (raw === 'a' || raw === 'I') {
        const mathy = (u: Token | undefined) => u !== undefined && ['op', 'eq', 'sup', 'lparen', 'rparen'].includes(u.type);
        return mathy(previous) || mathy(next);
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * Words in `\text{…}` that join two formulas stated together rather than name what follows. Not `or`: the
 * sides of alternatives (`x - 3 = 0 \quad \text{or} \quad x + 1 = 0`) are equations.ts's to tell apart.
 */
const CONNECTIVE = /^\s*(?:and|where|with)\s*,?\s*$/i;

/** Raw text between two tokens that separates formulas (`\quad`, `\text{ and }` is a word already). */
const GAP_SEPARATOR = /\\q?quad|\\hspace|\\text\s*\{\s*\}|\n\s*\n/;

interface Run {
  start: number;
  end: number;
  latex: boolean;
}

/** The index of the `}` that closes the subscript `_{…}` starting at `k` (after `\limits`), or `k - 1` when there is none. */
function subscriptEnd(tokens: readonly Token[], k: number): number {
  if (tokens[k]?.type === 'cmd' && tokens[k]!.value === 'limits') k++;
  if (tokens[k]?.value !== '_' || tokens[k + 1]?.type !== 'lparen' || tokens[k + 1]!.value !== '{') return k - 1;
  let depth = 0;
  for (let j = k + 1; j < tokens.length && j < k + 40; j++) {
    if (tokens[j]!.type === 'lparen') depth++;
    else if (tokens[j]!.type === 'rparen' && --depth === 0) return j;
  }
  return k - 1;
}

/** Maximal runs of formula tokens, split where the text says something else. */
function formulaRuns(tokens: readonly Token[], text: string): Run[] {
  const runs: Run[] = [];
  const open: string[] = [];
  let latex = false;
  let runStart = -1;
  /** The last token of a `\lim_{n \to \infty}` subscript: all of it belongs to the formula. */
  let limitUntil = -1;
  const close = (k: number) => {
    if (runStart >= 0 && k > runStart) runs.push({ start: runStart, end: k, latex });
    runStart = -1;
  };
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.type === 'delim') {
      close(k);
      if (t.value === '$' || t.value === '$$') {
        if (open[open.length - 1] === t.value) open.pop();
        else open.push(t.value);
      } else if (t.value === '(' || t.value === '[' || t.value === 'begin') open.push(t.value);
      else if ((t.value === ')' || t.value === ']' || t.value === 'end') && open.length > 0) open.pop();
      latex = open.length > 0;
      continue;
    }
    // `\\` ends a line of an align; `\\ &= …` goes on with the chain
    if (t.type === 'linebreak') {
      if (tokens[k + 1]?.type !== 'eq') close(k);
      continue;
    }
    const previous = tokens[k - 1];
    const gap = previous ? text.slice(previous.end, t.start) : '';
    // a new line starts a new formula, unless one of the two lines leaves the expression open (`=`, `+`)
    const continued = t.type === 'eq' || t.type === 'op' || previous?.type === 'eq' || previous?.type === 'op';
    if (runStart >= 0 && (GAP_SEPARATOR.test(gap) || (gap.includes('\n') && !continued))) close(k);
    if (latex && t.type === 'cmd' && t.value === 'lim') limitUntil = subscriptEnd(tokens, k + 1);
    if (k <= limitUntil || isMathToken(t, text, latex, runStart >= 0 ? previous : undefined, tokens[k + 1])) {
      if (runStart < 0) runStart = k;
    } else close(k);
  }
  close(tokens.length);
  return runs;
}

function readSide(tokens: readonly Token[], text: string, start: number, end: number, latex: boolean, functions: ReadonlySet<string>): MathSide {
  // Every field set from the start (none deleted later): one object shape for every side.
  const side: MathSide = {
    start: tokens[start]!.start,
    end: tokens[end - 1]!.end,
    expr: undefined,
    node: undefined,
    variables: [],
    calls: [],
    ambiguous: false,
    units: undefined,
  };
  if (end - start > MAX_SIDE_TOKENS) return side;
  try {
    const own = tokens
      .slice(start, end)
      .filter((t, k, all) => t.type !== 'linebreak' && !(t.type === 'word' && text[t.start] === '\\' && all[k - 1]?.type === 'num'));
    side.units = own.length < end - start && tokens.slice(start, end).some((t) => t.type === 'word' && text[t.start] === '\\');
    const reader = new SideTranslator(own, text, 0, own.length, latex, functions);
    const expr = reader.translate();
    side.node = parseExact(expr);
    side.expr = expr;
    side.variables = reader.variables;
    side.calls = reader.calls;
    side.ambiguous = reader.ambiguous;
  } catch {
    // unreadable: the side keeps no expression
  }
  return side;
}

function readChain(tokens: readonly Token[], text: string, run: Run, functions: ReadonlySet<string>): MathChain | undefined {
  let sideStart = run.start;
  const sides: MathSide[] = [];
  const approximate: boolean[] = [];
  let depth = 0;
  for (let k = run.start; k <= run.end; k++) {
    const t = tokens[k];
    if (k < run.end && t!.type === 'lparen') depth++;
    // a closer the run did not open (`\text{pop}(\mathcal{F}_d) = …`) belongs to what stands before it
    if (k < run.end && t!.type === 'rparen') depth = Math.max(0, depth - 1);
    if (k < run.end && !(t!.type === 'eq' && depth === 0)) continue;
    if (k > sideStart) sides.push(readSide(tokens, text, sideStart, k, run.latex, functions));
    else sides.push({ start: 0, end: 0, expr: undefined, node: undefined, variables: [], calls: [], ambiguous: false, units: undefined });
    if (k < run.end) approximate.push(t!.value === 'approx');
    sideStart = k + 1;
  }
  // a leading `=` (`= 2x + 1` continuing a display) leaves an empty first side: drop it
  if (sides.length > 0 && sides[0]!.start === sides[0]!.end) {
    sides.shift();
    approximate.shift();
  }
  if (sides.length < 2 || sides.some((s) => s.start === s.end)) return undefined;
  // `5.7\overline{6}`, `x'`: notation written tight after the last side changes what it means
  // `\text{Chenny's Age} - 4 = 10 - 4`: the first side goes on to the left of the formula
  const first = tokens[run.start]!;
  const before = tokens[run.start - 1];
  // `20 : (80 + y) = 1 : 6`: a ratio goes on to the left of the formula
  // `\cdots + \sin^2 176^\circ = …`, `+ 2001^2 = …`: a first side that starts with a sign other than a minus is the end of a longer one
  const fragment = first.type === 'op' && (first.value !== '-' || (before !== undefined && ['word', 'rparen', 'num', 'cmd', 'ellipsis'].includes(before.type)));
  // `\text{Highest power of } 2007 = …`: a number after words in `\text{…}` ends a name; a word that joins
  // two formulas (`b = 2, \quad \text{and} \quad pqr = 48`) does not
  const named = first.type !== 'eq' && before?.type === 'word' && text[before.start] === '\\' && !CONNECTIVE.test(before.value);
  if (fragment || named || isRatio(tokens, text, run.start - 1, run.latex)) {
    sides[0]!.expr = undefined;
    sides[0]!.node = undefined;
  }
  const after = tokens[run.end];
  // `5.75757... - 0.05757...`: a repeating decimal, or a series, goes on past the last side
  const modifier =
    after !== undefined &&
    (after.type === 'ellipsis' ||
      isRatio(tokens, text, run.end, run.latex) ||
      (after.type === 'cmd' && /^(?:pmod|bmod|mod|pm|mp|cdots|ldots|dots)$/.test(after.value)) ||
      (after.type === 'word' && NOT_A_UNIT.has(after.value) && ['mod', 'modulo', 'remainder', 'r', 'rem'].includes(after.value)));
  if (
    after &&
    (modifier || (after.start === tokens[run.end - 1]!.end && (after.type === 'cmd' || (after.type === 'punct' && !',.;:?!'.includes(after.value)))))
  ) {
    const last = sides[sides.length - 1]!;
    last.expr = undefined;
    last.node = undefined;
  }
  return { sides, approximate, start: sides[0]!.start, end: sides[sides.length - 1]!.end, latex: run.latex };
}

/** Whether tokens[k] is the colon of a ratio (`1:4`, `20 : (80 + y)` in LaTeX), not a colon ending a sentence. */
function isRatio(tokens: readonly Token[], text: string, k: number, latex: boolean): boolean {
  const colon = tokens[k];
  const left = tokens[k - 1];
  const right = tokens[k + 1];
  if (colon?.type !== 'punct' || colon.value !== ':' || !left || !right) return false;
  const operands = ['num', 'rparen', 'word'].includes(left.type) && ['num', 'lparen', 'word'].includes(right.type);
  const tight = left.end === colon.start && colon.end === right.start;
  return operands && (latex || tight) && !/\n/.test(text.slice(left.end, right.start));
}

/** A run split at its top-level commas (`x = 2, y = 3`); commas inside brackets belong to a call `f(a, b)`. */
function splitAtCommas(tokens: readonly Token[], run: Run): Run[] {
  const parts: Run[] = [];
  let depth = 0;
  let start = run.start;
  for (let k = run.start; k < run.end; k++) {
    const t = tokens[k]!;
    if (t.type === 'lparen') depth++;
    else if (t.type === 'rparen') depth--;
    else if (depth === 0 && t.type === 'punct' && t.value === ',') {
      if (k > start) parts.push({ start, end: k, latex: run.latex });
      start = k + 1;
    }
  }
  if (run.end > start) parts.push({ start, end: run.end, latex: run.latex });
  return parts;
}

/** Every chain `A = B (= C …)` in `text`, with at least two sides. `functions`: names defined as functions so far. */
export function readMath(text: string, functions: ReadonlySet<string> = new Set()): MathChain[] {
  const tokens = tokenize(text);
  const chains: MathChain[] = [];
  for (const run of formulaRuns(tokens, text).flatMap((r) => splitAtCommas(tokens, r))) {
    if (chains.length >= MAX_CHAINS) break;
    if (!tokens.slice(run.start, run.end).some((t) => t.type === 'eq')) continue;
    const chain = readChain(tokens, text, run, functions);
    if (chain) chains.push(chain);
  }
  return chains;
}
