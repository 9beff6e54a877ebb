// Finds explicit computation claims in a step: `a op b = c`, chains `a = b = c`, in prose or LaTeX.
//
// A claim is two sides joined by `=` (or `≈`) where at least one side computes something (an operator,
// a fraction, a power, a factorial). Each side is the longest stretch of tokens that reads as one
// arithmetic expression; the sides are translated into mathjs syntax for evaluation. Words standing
// between a number and an operator (`5 apples * $2`) are units and are skipped; a word right after a
// side (`= 24 clips`) ends it.
//
// The verifier must never cry wolf on a correct human solution, so the extractor also records what
// makes a claim's reading uncertain — a side that continues into algebra (`2x + 3 = 7`), a time or
// ratio (`2:30`), a unit change (`2 hours = 2 * 60`), `mod` — and the judge only refutes claims it
// could read with certainty.
import type { Token } from './tokens';
import { tokenize } from './tokens';

export interface Literal {
  /** Span of the number as written, a leading minus included, currency and percent signs excluded. */
  start: number;
  end: number;
  /** Normalised decimal (no thousands separators), with its sign. */
  value: string;
  decimals: number;
  percent: boolean;
  currency?: string;
  thousands: boolean;
}

export interface Side {
  start: number;
  end: number;
  /** mathjs expression, percentages read as hundredths. */
  expr: string;
  /** mathjs expression with percent signs ignored (`0.4 * 100 = 40%`), when the side has one. */
  altExpr?: string;
  /** Operations in the side (binary operators, fractions, roots, powers, factorials). */
  operations: number;
  /** The side is a single number. */
  literal?: Literal;
  /** The side starts with a number and goes on with an operation (running calculations `= 10 + 3 = 13`). */
  lead?: Literal;
  /** A unit between the side and the next `=`: `2 hours = 120 minutes`. */
  unitBefore?: string[];
  /** The unit (or other words) right after the side: `24 clips`. */
  trailingWords?: string[];
  /** Why this side might not mean what it seems (a range `3-5`, …). */
  ambiguity?: string;
  /** A trailing `...`: the value is written approximately. */
  approximate?: boolean;
  tooLarge?: boolean;
}

export interface Claim {
  /** The claim as written, from the start of its left side to the end of its right side. */
  text: string;
  start: number;
  end: number;
  left: Side;
  right: Side;
  /** `≈`, `\approx`, `~=`, "about", or a trailing `...`. */
  approximate: boolean;
  /** Why the claim's extent is uncertain; such a claim can be verified but never refuted. */
  uncertainExtent?: string;
  /** The uncertainty is algebra around it (`f(3) = …`, `2x + 3 = …`): not an arithmetic claim unless it checks out. */
  algebra?: boolean;
  /** The right side is followed by another `=` (a chain goes on). */
  chainContinues: boolean;
}

/** At most this many claims per step, and this many tokens per side: bounded work on any input. */
export const MAX_CLAIMS_PER_STEP = 200;
const MAX_SIDE_TOKENS = 300;
const MAX_LITERAL_DIGITS = 40;
const MAX_EXPONENT = 2000;
const MAX_FACTORIAL = 300;
const MAX_UNIT_WORDS = 8;
const MAX_NESTING = 20;

/** Words that, right after a result, change what it means (`= 255 remainder 4`, `= 1 mod 5`). */
const RIGHT_CONNECTORS = new Set(['mod', 'modulo', 'pmod', 'remainder', 'rem', 'r', 'squared', 'cubed', 'factorial']);
/** Words that are never units. */
const NOT_UNITS = new Set([
  'and',
  'or',
  'of',
  'is',
  'are',
  'was',
  'the',
  'a',
  'an',
  'to',
  'in',
  'on',
  'at',
  'for',
  'from',
  'so',
  'then',
  'that',
  'which',
  'if',
  'we',
  'it',
  'by',
  'as',
  'per',
  'than',
  'with',
  'less',
  'more',
  'plus',
  'minus',
  'times',
  'mod',
  'modulo',
  'remainder',
  'equals',
  'gives',
  'makes',
  'be',
  'but',
  'not',
  'no',
]);
/** Words that end a unit phrase (`5 books belonging to Albert` stops at "to"). */
const PHRASE_STOPS = new Set([
  'and',
  'or',
  'is',
  'are',
  'was',
  'were',
  'so',
  'then',
  'that',
  'which',
  'if',
  'we',
  'it',
  'as',
  'than',
  'with',
  'less',
  'more',
  'plus',
  'minus',
  'times',
  'mod',
  'modulo',
  'remainder',
  'equals',
  'gives',
  'makes',
  'be',
  'but',
  'not',
  'no',
  'this',
  'these',
  'those',
  'he',
  'she',
  'they',
  'you',
  'i',
  'has',
  'have',
  'had',
  'will',
  'would',
  'left',
  'altogether',
]);
const APPROX_WORDS = new Set(['about', 'approximately', 'approx', 'around', 'roughly', 'nearly', 'almost', 'circa']);

/** `1/2` or `3/4` so far: "1/2 of 48" multiplies. */
function isSimpleFraction(expr: string[]): boolean {
  return expr.length === 3 && expr[1] === '/' && /^[\d.]+$/.test(expr[0]!) && /^[\d.]+$/.test(expr[2]!);
}

function isOperandStart(t: Token | undefined): boolean {
  if (!t) return false;
  return t.type === 'num' || t.type === 'lparen' || t.type === 'cur' || t.type === 'frac' || t.type === 'sqrt' || t.type === 'binom' || t.type === 'const';
}

interface Operand {
  ambiguity?: string;
  expr: string;
  alt: string;
  next: number;
  operations: number;
  literal?: Literal;
  percent: boolean;
  tooLarge: boolean;
  approximate: boolean;
}

class SideParser {
  constructor(private readonly tokens: readonly Token[]) {}

  /** A group argument of \frac, \sqrt, \binom: `{…}` or a single number. */
  private group(pos: number): Operand | undefined {
    const t = this.tokens[pos];
    if (!t) return undefined;
    if (t.type === 'num') return this.number(pos, false);
    if (t.type !== 'lparen') return undefined;
    const inner = this.nested(pos + 1);
    if (!inner || inner.next !== inner.consumedTo || this.tokens[inner.next]?.type !== 'rparen') return undefined;
    return {
      expr: `(${inner.side.expr})`,
      alt: `(${inner.side.altExpr ?? inner.side.expr})`,
      next: inner.next + 1,
      operations: inner.side.operations,
      percent: inner.side.altExpr !== undefined,
      tooLarge: inner.side.tooLarge === true,
      approximate: false,
    };
  }

  /** A number with its currency and postfix signs (`$1,200.50`, `20%`, `5!`, `3²`). */
  private number(pos: number, negative: boolean, signStart?: number): Operand | undefined {
    const tokens = this.tokens;
    let p = pos;
    let currency: string | undefined;
    if (tokens[p]?.type === 'cur') {
      if (tokens[p + 1]?.type !== 'num' || tokens[p + 1]!.start !== tokens[p]!.end) return undefined;
      currency = tokens[p]!.value;
      p++;
    }
    const t = tokens[p];
    if (!t || t.type !== 'num') return undefined;
    p++;
    const digits = t.value.replace(/^0+(?=\d)/, '');
    // `.5` is 0.5; a vulgar fraction (`¾`) arrives as `3/4` and is bracketed so that `2^¾` stays a power of ¾.
    let expr = t.value.startsWith('.') ? `0${t.value}` : t.value.includes('/') ? `(${t.value})` : t.value;
    let alt = expr;
    let percent = false;
    let operations = 0;
    let tooLarge = digits.replace('.', '').length > MAX_LITERAL_DIGITS;
    let approximate = false;
    const literal: Literal = {
      start: signStart ?? t.start,
      end: t.end,
      value: (negative ? '-' : '') + (t.value.startsWith('.') ? `0${t.value}` : t.value),
      decimals: t.decimals ?? 0,
      percent: false,
      thousands: t.thousands === true,
    };
    if (currency) literal.currency = currency;
    let isLiteral = true;
    // postfix signs
    for (;;) {
      const u = tokens[p];
      if (!u) break;
      if ((u.type === 'pct' && u.start - tokens[p - 1]!.end <= 1) || (u.type === 'word' && u.value === 'percent')) {
        percent = true;
        literal.percent = true;
        expr = `(${expr}/100)`;
        p++;
      } else if (u.type === 'deg' && u.start === tokens[p - 1]!.end) {
        p++;
      } else if (u.type === 'sup' && u.start === tokens[p - 1]!.end) {
        expr = `${expr}^${u.value}`;
        alt = `${alt}^${u.value}`;
        operations++;
        isLiteral = false;
        p++;
      } else if (u.type === 'fact' && ['op', 'eq', 'rparen'].includes(tokens[p + 1]?.type ?? '')) {
        if (Number(t.value) > MAX_FACTORIAL) tooLarge = true;
        expr = `${expr}!`;
        alt = `${alt}!`;
        operations++;
        isLiteral = false;
        p++;
      } else if (u.type === 'ellipsis' && u.start - tokens[p - 1]!.end <= 1 && t.decimals) {
        // 0.333... : a repeating or cut-off decimal
        approximate = true;
        p++;
        break;
      } else break;
    }
    // A mixed number: `3\frac{4}{5}`, `4\dfrac{5}{8}` (an integer and a proper numeric fraction).
    let ambiguity: string | undefined;
    if (isLiteral && !percent && /^\d+$/.test(t.value) && tokens[p]?.type === 'frac') {
      const fractionPart = this.operand(p);
      const m = fractionPart && /^\(\(\((\d+)\)\)\/\(\((\d+)\)\)\)$/.exec(fractionPart.expr);
      if (fractionPart && m && Number(m[1]) < Number(m[2])) {
        expr = `(${expr}+${fractionPart.expr})`;
        alt = expr;
        operations++;
        isLiteral = false;
        if (tokens[p]!.start !== t.end) ambiguity = 'a mixed number or a product';
        p = fractionPart.next;
      }
    }
    return {
      expr,
      alt,
      next: p,
      operations,
      literal: isLiteral ? literal : undefined,
      percent,
      tooLarge,
      approximate,
      ambiguity,
    };
  }

  /** One operand: a number, a LaTeX construct, or a constant (parentheses are handled by `side`). */
  private operand(pos: number): Operand | undefined {
    const t = this.tokens[pos];
    if (!t) return undefined;
    if (t.type === 'num' || t.type === 'cur') return this.number(pos, false);
    if (t.type === 'const') return { expr: 'pi', alt: 'pi', next: pos + 1, operations: 1, percent: false, tooLarge: false, approximate: false };
    if (t.type === 'frac' || t.type === 'binom') {
      const a = this.group(pos + 1);
      if (!a) return undefined;
      const b = this.group(a.next);
      if (!b) return undefined;
      const fn = (x: string, y: string) => (t.type === 'frac' ? `((${x})/(${y}))` : `combinations(${x},${y})`);
      return {
        expr: fn(a.expr, b.expr),
        alt: fn(a.alt, b.alt),
        next: b.next,
        operations: a.operations + b.operations + 1,
        percent: a.percent || b.percent,
        tooLarge: a.tooLarge || b.tooLarge,
        approximate: false,
      };
    }
    if (t.type === 'sqrt') {
      let p = pos + 1;
      let index: Operand | undefined;
      if (this.tokens[p]?.type === 'lparen' && this.tokens[p]!.value === '[') {
        const inner = this.nested(p + 1);
        if (!inner || inner.next !== inner.consumedTo || this.tokens[inner.next]?.value !== ']') return undefined;
        index = {
          expr: inner.side.expr,
          alt: inner.side.altExpr ?? inner.side.expr,
          next: inner.next + 1,
          operations: 0,
          percent: false,
          tooLarge: false,
          approximate: false,
        };
        p = inner.next + 1;
      }
      const a = this.group(p);
      if (!a) return undefined;
      return {
        expr: index ? `nthRoot(${a.expr},${index.expr})` : `sqrt(${a.expr})`,
        alt: index ? `nthRoot(${a.alt},${index.alt})` : `sqrt(${a.alt})`,
        next: a.next,
        operations: a.operations + 1,
        percent: a.percent,
        tooLarge: a.tooLarge,
        approximate: false,
      };
    }
    return undefined;
  }

  /** `x`, `times`, `plus`, `minus`, `divided by`, `multiplied by` used as an operator between two operands. */
  operatorWord(pos: number): { operator: string; advance: number } | undefined {
    const t = this.tokens[pos];
    if (!t || t.type !== 'word') return undefined;
    const after = this.tokens[pos + 1];
    if ((t.value === 'x' || t.value === 'times') && isOperandStart(after)) return { operator: '*', advance: 1 };
    if (t.value === 'plus' && isOperandStart(after)) return { operator: '+', advance: 1 };
    if (t.value === 'minus' && isOperandStart(after)) return { operator: '-', advance: 1 };
    if ((t.value === 'divided' || t.value === 'multiplied') && after?.type === 'word' && after.value === 'by' && isOperandStart(this.tokens[pos + 2])) {
      return { operator: t.value === 'divided' ? '/' : '*', advance: 2 };
    }
    return undefined;
  }

  /**
   * A unit written after a number: `apples`, `cups of coffee per lb.`, `/hour`, `push-ups`,
   * `small paintings` (at most MAX_UNIT_WORDS words). Returns its words and the token after it.
   */
  unitPhrase(pos: number): { words: string[]; end: number } | undefined {
    const tokens = this.tokens;
    let k = pos;
    const words: string[] = [];
    if (tokens[k]?.type === 'op' && tokens[k]!.value === '/' && tokens[k + 1]?.type === 'word') k++;
    while (words.length < MAX_UNIT_WORDS) {
      const t = tokens[k];
      if (!t || t.type !== 'word') break;
      if (this.operatorWord(k)) break;
      if (words.length === 0) {
        // "4 times * 20 meters", "12 times = 480 times": a count, when it is not the operator "times"
        const countUnit = t.value === 'times' && !this.operatorWord(k);
        if ((NOT_UNITS.has(t.value) && t.value !== 'per' && !countUnit) || APPROX_WORDS.has(t.value)) return undefined;
        const hyphenated =
          tokens[k + 1]?.type === 'op' &&
          tokens[k + 1]!.value === '-' &&
          tokens[k + 1]!.start === t.end &&
          tokens[k + 2]?.type === 'word' &&
          tokens[k + 2]!.start === tokens[k + 1]!.end;
        // a single letter next to a number is a variable (2x), not a unit; so are letters written tight
        // after a number, unless they are a unit people write that way (10ml)
        const tight = tokens[k - 1]?.end === t.start && tokens[k - 1]?.type === 'num';
        if (tight ? isTightVariable(t, tokens[k - 1]) : t.value.length === 1 && !hyphenated) return undefined;
      } else if (PHRASE_STOPS.has(t.value) || APPROX_WORDS.has(t.value)) break;
      words.push(t.value);
      k++;
      const next = tokens[k];
      if (!next) break;
      // push-ups, lbs., miles/hour
      if (next.type === 'op' && next.value === '-' && next.start === t.end && tokens[k + 1]?.type === 'word' && tokens[k + 1]!.start === next.end) k++;
      // an abbreviation (lbs. coffee), but not the end of a sentence (minutes. Time to cook)
      else if (next.type === 'punct' && next.value === '.' && next.start === t.end && !tokens[k + 1]?.capital) k++;
      else if (next.type === 'op' && next.value === '/' && tokens[k + 1]?.type === 'word') k++;
    }
    return words.length > 0 ? { words, end: k } : undefined;
  }

  /**
   * The longest expression starting at token `start`. `consumedTo` is where the expression's own tokens
   * end; `next` is the token after it (past a unit word when one stands before an `=`).
   */
  /** Groups inside groups (`\frac{\frac{…}{…}}{…}`) are read recursively, at most MAX_NESTING deep. */
  private nesting = 0;

  private nested(start: number): ReturnType<SideParser['side']> {
    if (this.nesting >= MAX_NESTING) return undefined;
    this.nesting++;
    try {
      return this.side(start);
    } finally {
      this.nesting--;
    }
  }

  side(start: number): { side: Side; next: number; consumedTo: number } | undefined {
    const tokens = this.tokens;
    const expr: string[] = [];
    const alt: string[] = [];
    let pos = start;
    let depth = 0;
    let expectOperand = true;
    let operations = 0;
    let operands = 0;
    let percent = false;
    let tooLarge = false;
    let approximate = false;
    let firstLiteral: Literal | undefined;
    let firstOperandIsLiteral = false;
    let lastOperandPercent = false;
    let ambiguity: string | undefined;
    let good: { pos: number; expr: number; operations: number; operands: number } | undefined;
    let unitBefore: string[] | undefined;
    let stopNext: number | undefined;
    let previousOperator = '';
    let lastLiteralValue: string | undefined;

    const limit = Math.min(tokens.length, start + MAX_SIDE_TOKENS);
    while (pos < limit) {
      const t = tokens[pos]!;
      if (expectOperand) {
        if (t.type === 'lparen') {
          depth++;
          expr.push('(');
          alt.push('(');
          pos++;
          continue;
        }
        let negative = false;
        let signStart: number | undefined;
        let p = pos;
        if (t.type === 'op' && (t.value === '-' || t.value === '+') && isOperandStart(tokens[pos + 1]) && tokens[pos + 1]!.start === t.end) {
          negative = t.value === '-';
          signStart = t.start;
          p = pos + 1;
          if (tokens[p]!.type === 'lparen') {
            expr.push(negative ? '-' : '+');
            alt.push(negative ? '-' : '+');
            pos = p;
            continue;
          }
        }
        const operand = tokens[p]?.type === 'num' || tokens[p]?.type === 'cur' ? this.number(p, negative, signStart) : this.operand(p);
        if (!operand) break;
        if (previousOperator === '^' && operand.literal && Math.abs(Number(operand.literal.value)) > MAX_EXPONENT) tooLarge = true;
        const sign = negative ? '-' : '';
        expr.push(sign + operand.expr);
        alt.push(sign + operand.alt);
        operations += operand.operations;
        percent ||= operand.percent;
        tooLarge ||= operand.tooLarge;
        approximate ||= operand.approximate;
        ambiguity ??= operand.ambiguity;
        lastOperandPercent = operand.percent;
        if (operands === 0) {
          firstLiteral = operand.literal;
          firstOperandIsLiteral = operand.literal !== undefined && depth === 0;
        }
        // `3-5` written tight with the larger number second reads as a range as easily as a subtraction.
        if (previousOperator === '-' && operand.literal && lastLiteralValue !== undefined) {
          const minus = tokens[p - 1]!;
          const before = tokens[p - 2];
          if (
            operands === 1 &&
            before &&
            before.end === minus.start &&
            minus.end === tokens[p]!.start &&
            /^\d+$/.test(lastLiteralValue) &&
            /^\d+$/.test(operand.literal.value) &&
            Number(operand.literal.value) > Number(lastLiteralValue)
          ) {
            ambiguity = 'a range or a subtraction';
          }
        }
        lastLiteralValue = operand.literal?.value;
        operands++;
        pos = operand.next;
        expectOperand = false;
        if (operand.approximate) {
          // a cut-off decimal ends the expression
          if (depth === 0) good = { pos, expr: expr.length, operations, operands };
          break;
        }
        if (depth === 0) good = { pos, expr: expr.length, operations, operands };
        continue;
      }

      // expecting an operator
      if (t.type === 'rparen') {
        if (depth === 0) break;
        depth--;
        expr.push(')');
        alt.push(')');
        pos++;
        // postfix on a bracket: (3+2)! (2+3)² (3+2)%
        const u = tokens[pos];
        if (u && u.start === t.end && u.type === 'fact' && ['op', 'eq', 'rparen'].includes(tokens[pos + 1]?.type ?? '')) {
          expr.push('!');
          alt.push('!');
          operations++;
          pos++;
        } else if (u && u.start === t.end && u.type === 'sup') {
          expr.push(`^${u.value}`);
          alt.push(`^${u.value}`);
          operations++;
          pos++;
        }
        if (depth === 0) good = { pos, expr: expr.length, operations, operands };
        continue;
      }
      let operator: string | undefined;
      let advance = 1;
      const operatorWord = t.type === 'word' ? this.operatorWord(pos) : undefined;
      if (t.type === 'op' && !(t.value === '/' && tokens[pos + 1]?.type === 'word')) {
        operator = t.value;
      } else if (operatorWord) {
        operator = operatorWord.operator;
        advance = operatorWord.advance;
      } else if (t.type === 'word' && t.value === 'of' && isOperandStart(tokens[pos + 1]) && (lastOperandPercent || isSimpleFraction(expr))) {
        operator = '*';
      } else if (t.type === 'word' || t.type === 'op') {
        // A unit between a number and what follows: "5 apples * $2", "2 hours = …", "$30/small painting x 4".
        const unit = this.unitPhrase(pos);
        if (!unit) break;
        const following = tokens[unit.end];
        let unitEnd = unit.end;
        // cm^3, m^{2}: the power belongs to the unit
        if (tokens[unitEnd]?.type === 'op' && tokens[unitEnd]!.value === '^' && tokens[unitEnd]!.start === tokens[unitEnd - 1]!.end) {
          const power = tokens[unitEnd + 1];
          if (power?.type === 'num') unitEnd += 2;
          else if (power?.type === 'lparen' && tokens[unitEnd + 2]?.type === 'num' && tokens[unitEnd + 3]?.type === 'rparen') unitEnd += 4;
        }
        const afterUnit = tokens[unitEnd];
        if (afterUnit?.type === 'op' && isOperandStart(tokens[unitEnd + 1]) && !(afterUnit.value === '/' && tokens[unitEnd + 1]?.type === 'word')) {
          pos = unitEnd;
          continue;
        }
        if (unitEnd !== unit.end) {
          // the unit's power ends the side (`4.5 \pi cm^3 = …` / `… = 4.5\pi cm^3`)
          if (afterUnit?.type === 'eq' && depth === 0) {
            unitBefore = unit.words;
            stopNext = unitEnd;
          }
          break;
        }
        if (following?.type === 'word' && this.operatorWord(unit.end)) {
          pos = unit.end;
          continue;
        }
        if (following?.type === 'rparen' && depth > 0) {
          pos = unit.end;
          continue;
        }
        if (following?.type === 'eq' && depth === 0) {
          unitBefore = unit.words;
          stopNext = unit.end;
        }
        break;
      } else if (t.type === 'lparen' && pos > 0 && tokens[pos - 1]!.end === t.start && t.value === '(') {
        // implicit multiplication: 3(4), (2)(3) — written as a space, so that mathjs gives juxtaposition
        // its usual precedence (4√3 / 6√3 is (4√3)/(6√3))
        expr.push(' ');
        alt.push(' ');
        operations++;
        expectOperand = true;
        previousOperator = '*';
        continue;
      } else if (t.type === 'const' || t.type === 'sqrt' || t.type === 'frac' || t.type === 'binom') {
        // 2\pi, 27 \sqrt{3}, 4√3: juxtaposition multiplies
        expr.push(' ');
        alt.push(' ');
        operations++;
        expectOperand = true;
        previousOperator = '*';
        continue;
      } else break;

      if (!operator) break;
      if (!isOperandStart(tokens[pos + advance]) && !(tokens[pos + advance]?.type === 'op' && ['-', '+'].includes(tokens[pos + advance]!.value))) break;
      expr.push(operator);
      alt.push(operator);
      operations++;
      previousOperator = operator;
      pos += advance;
      expectOperand = true;
    }

    if (!good) return undefined;
    const consumedTo = good.pos;
    // A unit word between the expression and an `=` is stepped over (`2 hours = …`).
    const next = stopNext !== undefined && good.pos === pos ? stopNext : consumedTo;
    const first = tokens[start]!;
    const last = tokens[consumedTo - 1]!;
    const exprText = expr.slice(0, good.expr).join('');
    const altText = alt.slice(0, good.expr).join('');
    const side: Side = {
      start: first.start,
      end: last.end,
      expr: exprText,
      operations: good.operations,
    };
    if (percent && altText !== exprText) side.altExpr = altText;
    if (good.operands === 1 && good.operations === 0 && firstLiteral && tokens[start]!.type !== 'lparen') side.literal = firstLiteral;
    else if (firstOperandIsLiteral && firstLiteral && good.operations > 0 && tokens[start]!.type !== 'lparen') side.lead = firstLiteral;
    if (next !== consumedTo && unitBefore) side.unitBefore = unitBefore;
    if (next === consumedTo) {
      const trailing = this.unitPhrase(next);
      if (trailing) side.trailingWords = trailing.words;
    }
    if (ambiguity) side.ambiguity = ambiguity;
    if (approximate) side.approximate = true;
    if (tooLarge) side.tooLarge = true;
    return { side, next, consumedTo };
  }
}

/** Multipliers that make `of` part of the computation: "half of 48 + 2", "20% of 30 + 5". */
const MULTIPLIER_WORDS = new Set([
  'half',
  'halves',
  'third',
  'thirds',
  'quarter',
  'quarters',
  'fourth',
  'fourths',
  'fifth',
  'fifths',
  'sixth',
  'sixths',
  'eighth',
  'eighths',
  'tenth',
  'tenths',
  'twice',
  'double',
  'triple',
  'percent',
  'fraction',
  'part',
  'parts',
  'portion',
]);
/** Words that, standing just before a computation, always make it part of a larger phrase. */
const LEFT_CONNECTORS = new Set([
  'times',
  'than',
  'plus',
  'minus',
  'over',
  'half',
  'twice',
  'double',
  'triple',
  'thrice',
  'sqrt',
  'root',
  'log',
  'ln',
  'sin',
  'cos',
  'tan',
  'exp',
  'mod',
  'modulo',
  'factorial',
]);

function isVariable(t: Token): boolean {
  return t.type === 'word' && t.value.length === 1 && t.value !== 'a' && t.value !== 'i';
}

/** Units people write tight after a number (`10ml`, `5kg`, `3pm`); any other letters there are a variable (`3ab`). */
const TIGHT_UNITS = new Set([
  'mm',
  'cm',
  'dm',
  'km',
  'mg',
  'kg',
  'ml',
  'cl',
  'dl',
  'lb',
  'lbs',
  'oz',
  'ft',
  'yd',
  'yds',
  'mi',
  'hr',
  'hrs',
  'min',
  'mins',
  'sec',
  'secs',
  'am',
  'pm',
  'mph',
  'kph',
  'kmh',
  'gb',
  'mb',
  'kb',
  'tb',
  'ghz',
  'mhz',
  'hz',
  'kw',
  'kwh',
  'cents',
  'usd',
  'px',
  'pt',
  'pts',
  'deg',
  'in',
  'gal',
  'qt',
  'pcs',
  'yrs',
  'yr',
  'days',
  'mo',
]);

/** Letters written tight after a number that make it algebra (`2x`, `3ab`, `1776a_4`), not a quantity. */
function isTightVariable(t: Token, previous: Token | undefined): boolean {
  return (
    t.type === 'word' &&
    previous !== undefined &&
    previous.end === t.start &&
    (previous.type === 'num' || previous.type === 'rparen') &&
    !TIGHT_UNITS.has(t.value)
  );
}

/** The token before `index`, skipping math delimiters (`\)` `$`), which are only markup. */
function previousToken(tokens: readonly Token[], index: number): { token: Token | undefined; index: number } {
  let k = index - 1;
  while (k >= 0 && tokens[k]!.type === 'delim') k--;
  return { token: tokens[k], index: k };
}

/** Why a claim starting at token `index` might be part of a larger phrase, or undefined when it starts cleanly. */
function leftBoundary(tokens: readonly Token[], index: number): string | undefined {
  const first = tokens[index]!;
  const { token: before, index: beforeIndex } = previousToken(tokens, index);
  if (!before) return undefined;
  if (isComparison(before)) return 'an inequality';
  const tight = before.end === first.start;
  const previous = previousToken(tokens, beforeIndex).token;
  switch (before.type) {
    case 'op':
    case 'num':
    case 'rparen':
    case 'pct':
    case 'fact':
    case 'sup':
    case 'deg':
    case 'ellipsis':
    case 'const':
      return 'the expression goes on to the left';
    case 'word': {
      // that's, it's: the "s" of a contraction is no variable
      const contraction = before.value.length === 1 && previous?.type === 'punct' && ["'", '\u2019'].includes(previous.value) && previous.end === before.start;
      if (tight || (isVariable(before) && !contraction)) return 'a variable stands next to it';
      if (LEFT_CONNECTORS.has(before.value)) return `"${before.value}" before it`;
      if (before.value === 'of' && previous && (MULTIPLIER_WORDS.has(previous.value) || ['num', 'pct', 'rparen'].includes(previous.type))) {
        return `"${previous.value} of" before it`;
      }
      if (before.value === 'per') return '"per" before it';
      // "25 classmates + his 1 teacher + 1 himself": a few words back, the computation goes on
      for (let k = beforeIndex, words = 0; k >= 0 && words < 3; k--) {
        const t = tokens[k]!;
        if (t.type === 'word') words++;
        else if (t.type === 'op' && t.value === '-' && tokens[k - 1]?.type === 'word' && tokens[k - 1]!.end === t.start && tokens[k + 1]!.start === t.end)
          continue; // T-shirts, go-karts
        else if (t.type === 'op' && t.value !== '/') return 'the computation goes on to the left';
        else break;
      }
      return undefined;
    }
    case 'cmd':
      return `\\${before.value} before it`;
    case 'punct':
      if (tight && before.value === ':') return previous?.type === 'num' && previous.end === before.start ? 'a time or a ratio' : undefined;
      // quotes may stand tight before a number; any other sign there (!5, #3, √, ±) is notation
      if (tight && !['"', '\u201c', '\u2018', '\u00ab', '\u00bf', '\u00a1'].includes(before.value)) return `"${before.value}" next to the number`;
      if (['_', '^', '\u2014', '\u00b1'].includes(before.value)) return `"${before.value}" before it`;
      return undefined;
    default:
      return undefined;
  }
}

const ORDINAL_SUFFIXES = new Set(['st', 'nd', 'rd', 'th']);
/** Single letters that, after a result and a space, are units (`= 28 m`, `= 25 L`), not variables. */
const UNIT_LETTERS = new Set(['m', 'g', 's', 'h', 'l', 'k', 'c']);
const COMPARISONS = new Set(['<', '>', '\u2264', '\u2265', '\u226a', '\u226b']);
const COMPARISON_COMMANDS = new Set([
  'le',
  'leq',
  'ge',
  'geq',
  'lt',
  'gt',
  'leqslant',
  'geqslant',
  'implies',
  'Rightarrow',
  'Leftrightarrow',
  'iff',
  'to',
  'rightarrow',
  'neq',
  'ne',
  'equiv',
]);

/** `0.732 < k < 1.463`, `x \le 3`: an inequality or an implication chain, not an equation to check. */
function isComparison(t: Token | undefined): boolean {
  return t !== undefined && ((t.type === 'punct' && COMPARISONS.has(t.value)) || (t.type === 'cmd' && COMPARISON_COMMANDS.has(t.value)));
}

/** Why a chain ending before token `index` might go on, or undefined when it ends cleanly. */
function rightBoundary(tokens: readonly Token[], index: number, last: Side): string | undefined {
  const after = tokens[index];
  if (!after) return undefined;
  const tight = after.start === last.end;
  const second = tokens[index + 1];
  if (isComparison(after)) return 'an inequality';
  switch (after.type) {
    case 'op':
      // a rate: = $728/year
      if (after.value === '/' && second?.type === 'word' && !isVariable(second)) return undefined;
      // a compound adjective: = 20-foot sections
      if (after.value === '-' && tight && second?.type === 'word' && second.start === after.end && second.value.length > 1) return undefined;
      return 'the expression goes on to the right';
    case 'num':
    case 'fact':
    case 'sup':
      return 'the expression goes on to the right';
    case 'lparen':
      // `= 24 (the clips)` is a remark; `= \frac{6}{2} [2a + 5d]` and `= 3 (x + 1)` multiply
      if (tight || after.value === '[') return 'the expression goes on to the right';
      return second?.type === 'word' && second.value.length > 1 ? undefined : 'the expression goes on to the right';
    case 'frac':
    case 'sqrt':
    case 'const':
    case 'binom':
      return 'the expression goes on to the right';
    case 'word': {
      // 14th floor, 10ml: fine; 3ab, 5x, \frac{1}{4} d: algebra
      if (tight && !ORDINAL_SUFFIXES.has(after.value) && isTightVariable(after, tokens[index - 1])) return 'a variable is attached to the number';
      // in LaTeX math, letters after a value multiply it (`\frac{\sqrt{3}}{2} s`); units there are set in \text
      if (after.math && (after.value.length === 1 || (after.value.length <= 3 && !TIGHT_UNITS.has(after.value)))) return 'a variable follows it';
      const unitLetter = UNIT_LETTERS.has(after.value) && !(second && (second.type === 'lparen' || second.type === 'op') && second.start === after.end);
      if (!tight && isVariable(after) && !unitLetter && (second === undefined || second.type !== 'word')) return 'a variable follows it';
      if (RIGHT_CONNECTORS.has(after.value)) return `"${after.value}" after it`;
      if (
        after.value === 'with' &&
        second?.type === 'word' &&
        (RIGHT_CONNECTORS.has(second.value) || (second.value === 'a' && tokens[index + 2]?.value === 'remainder'))
      )
        return 'a remainder after it';
      let k = index;
      for (let words = 0; tokens[k]?.type === 'word' && words < 4; words++) {
        k++;
        // four-legged, polka-dot
        if (tokens[k]?.type === 'op' && tokens[k]!.value === '-' && tokens[k]!.start === tokens[k - 1]!.end && tokens[k + 1]?.start === tokens[k]!.end) k++;
      }
      const then = tokens[k];
      if (then?.type === 'op' && then.value !== '/' && then.value !== '^' && (isOperandStart(tokens[k + 1]) || tokens[k + 1]?.type === 'word'))
        return 'the computation goes on to the right';
      return undefined;
    }
    case 'cmd':
      return `\\${after.value} after it`;
    case 'punct': {
      if (tight && after.value === ':' && second?.type === 'num' && second.start === after.end) return 'a time or a ratio';
      if (tight && after.value === ',' && second?.type === 'num' && second.start === after.end) return 'a decimal comma or a list';
      if (tight && after.value === '\u2013') return 'a range';
      if (['_', '^', '\u00b1'].includes(after.value)) return `"${after.value}" after it`;
      if (tight && !['.', ',', ';', ':', '!', '?', '"', "'", '\u2019', '\u201d', '\u00bb', '*', '\u2026', '\u2014', '\u2013'].includes(after.value))
        return `"${after.value}" next to the number`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Every computation claim in `text`, in order of appearance (at most MAX_CLAIMS_PER_STEP). */
export function findClaims(text: string): Claim[] {
  const tokens = tokenize(text);
  const parser = new SideParser(tokens);
  const claims: Claim[] = [];
  let i = 0;
  while (i < tokens.length && claims.length < MAX_CLAIMS_PER_STEP) {
    const t = tokens[i]!;
    const before = tokens[i - 1];
    const unarySign =
      t.type === 'op' &&
      (t.value === '-' || t.value === '+') &&
      isOperandStart(tokens[i + 1]) &&
      tokens[i + 1]!.start === t.end &&
      !['num', 'rparen', 'pct', 'const', 'fact', 'sup'].includes(before?.type ?? '') &&
      !(before && isVariable(before));
    const functionCall = t.type === 'lparen' && before?.type === 'word' && before.end === t.start;
    if ((!isOperandStart(t) && !unarySign) || functionCall) {
      i++;
      continue;
    }
    const first = parser.side(i);
    if (!first) {
      i++;
      continue;
    }
    const sides: Side[] = [first.side];
    const approx: boolean[] = [];
    let next = first.next;
    let lastConsumed = first.consumedTo;
    for (;;) {
      let j = next;
      // `\\ &= …` in an align environment continues the chain on the next line
      if (tokens[j]?.type === 'linebreak' && tokens[j + 1]?.type === 'eq') j++;
      const eq = tokens[j];
      if (!eq || eq.type !== 'eq') break;
      let k = j + 1;
      let approximate = eq.value === 'approx';
      while (tokens[k] && ((tokens[k]!.type === 'word' && APPROX_WORDS.has(tokens[k]!.value)) || (tokens[k]!.type === 'punct' && tokens[k]!.value === '~'))) {
        approximate = true;
        k++;
      }
      if (!isOperandStart(tokens[k]) && !(tokens[k]?.type === 'op' && tokens[k]!.value === '-')) break;
      const s = parser.side(k);
      if (!s) break;
      sides.push(s.side);
      approx.push(approximate);
      next = s.next;
      lastConsumed = s.consumedTo;
    }
    if (sides.length >= 2) {
      const leftWhy = leftBoundary(tokens, i);
      const rightWhy = rightBoundary(tokens, lastConsumed, sides[sides.length - 1]!);
      for (let k = 0; k + 1 < sides.length && claims.length < MAX_CLAIMS_PER_STEP; k++) {
        const left = sides[k]!;
        const right = sides[k + 1]!;
        if (left.operations === 0 && right.operations === 0) continue;
        const claim: Claim = {
          text: text.slice(left.start, right.end),
          start: left.start,
          end: right.end,
          left,
          right,
          approximate: approx[k]! || right.approximate === true,
          chainContinues: k + 2 < sides.length,
        };
        const why = k === 0 && leftWhy ? leftWhy : k + 2 === sides.length && rightWhy ? rightWhy : undefined;
        if (why) {
          claim.uncertainExtent = why;
          if (why.includes('variable')) claim.algebra = true;
        }
        claims.push(claim);
      }
    }
    i = Math.max(i + 1, next);
  }
  return claims;
}

/**
 * `text` read as one arithmetic expression (a final answer: `$1,200`, `\frac{3}{4}`, `25%`, `72 clips`),
 * or undefined when it is not one. Words after the expression (units) and a full stop are allowed.
 */
export function readExpression(text: string): Side | undefined {
  const tokens = tokenize(text).filter((t) => t.type !== 'delim');
  let start = 0;
  if (tokens[0]?.type === 'eq') start = 1;
  if (!isOperandStart(tokens[start]) && !(tokens[start]?.type === 'op' && tokens[start]!.value === '-')) return undefined;
  const parsed = new SideParser(tokens).side(start);
  if (!parsed) return undefined;
  for (let k = parsed.consumedTo; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.type === 'word' || t.type === 'deg' || (t.type === 'punct' && t.value === '.')) continue;
    return undefined;
  }
  return parsed.side;
}
