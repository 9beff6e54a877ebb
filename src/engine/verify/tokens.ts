// The tokenizer of the arithmetic verifier: reads a step's text (prose, inline or display LaTeX, or
// both mixed) into tokens that keep their source offsets. It only recognises what matters for finding
// computation claims; everything else becomes a word or a punctuation token that ends a claim.
// One pass, sticky regexes anchored at the current offset: time is linear in the length of the text.

export type TokenType =
  | 'num' // 1,200.50  .5  48
  | 'op' // + - * / ^  (value is the mathjs operator)
  | 'lparen'
  | 'rparen'
  | 'eq' // = (value 'eq') or ≈ \approx ~= (value 'approx')
  | 'word' // letters, or the content of \text{…} (value lower-cased)
  | 'pct' // % or \%
  | 'cur' // $ € £ ¥ or \$ directly before a number
  | 'frac' // \frac \dfrac \tfrac \cfrac
  | 'sqrt'
  | 'binom'
  | 'const' // \pi, π
  | 'fact' // ! right after a number or a closing bracket
  | 'sup' // ² ³ ¹ (value is the digit)
  | 'deg' // ° ^\circ
  | 'ellipsis' // … ... \dots
  | 'linebreak' // \\ in display math (the next line may continue an `align` chain with `&=`)
  | 'delim' // $ $$ \( \) \[ \] : math delimiters, read as a boundary like a space
  | 'cmd' // any other LaTeX command (\neq, \pmod, \overline, …): ends a claim
  | 'punct';

/** Read-only: tokenize() hands the same tokens to every reader of a text. */
export interface Token {
  readonly type: TokenType;
  readonly start: number;
  readonly end: number;
  readonly value: string;
  /** For numbers: digits after the decimal point as written. */
  readonly decimals?: number;
  /** For numbers: written with thousands separators. */
  readonly thousands?: boolean;
  /** For words: written with a capital first letter (a new sentence may start there). */
  readonly capital?: boolean;
  /** For words: letters inside LaTeX math (`$…$`, `\[…\]`, an environment), not in `\text{…}` — symbols, never units of prose. */
  readonly math?: boolean;
}

const NUMBER = /(?:\d{1,3}(?:(?:,|\{,\}|\\,)\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+/y;
// Letters, Latin-1 and Latin Extended included, but not × (U+00D7) and ÷ (U+00F7).
const WORD = /[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F]+/y;
const COMMAND = /\\([A-Za-z]+|.)/y;
const TEXT_GROUP = /\{([^{}\\]{0,200})\}/y;

const VULGAR_FRACTIONS: Record<string, string> = {
  '\u00bc': '1/4',
  '\u00bd': '1/2',
  '\u00be': '3/4',
  '\u2153': '1/3',
  '\u2154': '2/3',
  '\u2155': '1/5',
  '\u2156': '2/5',
  '\u2157': '3/5',
  '\u2158': '4/5',
  '\u2159': '1/6',
  '\u215a': '5/6',
  '\u215b': '1/8',
  '\u215c': '3/8',
  '\u215d': '5/8',
  '\u215e': '7/8',
};

const MULTIPLY = new Set(['times', 'cdot', 'ast', 'cross']);
const FRACTIONS = new Set(['frac', 'dfrac', 'tfrac', 'cfrac']);
const BINOMIALS = new Set(['binom', 'dbinom', 'tbinom']);
const APPROX = new Set(['approx', 'simeq', 'thickapprox', 'approxeq', 'doteq', 'fallingdotseq']);
const SIZING = new Set(['left', 'right', 'bigl', 'bigr', 'Bigl', 'Bigr', 'biggl', 'biggr', 'Biggl', 'Biggr', 'big', 'Big', 'bigg', 'Bigg', 'middle']);
const SPACING = new Set([
  ',',
  ';',
  ':',
  '!',
  ' ',
  'quad',
  'qquad',
  'enspace',
  'thinspace',
  'medspace',
  'thickspace',
  'displaystyle',
  'textstyle',
  'limits',
  'nolimits',
]);
const TEXT = new Set([
  'text',
  'textrm',
  'mathrm',
  'textbf',
  'textit',
  'mathit',
  'mbox',
  'hbox',
  'operatorname',
  'emph',
  'textsf',
  'mathsf',
  'textnormal',
  'unit',
]);
const TRANSPARENT_WRAPPERS = new Set(['boxed', 'fbox', 'underline', 'mathbf', 'bm', 'boldsymbol', 'color']);
const BOLD = new Set(['mathbf', 'bm', 'boldsymbol']);
const ELLIPSES = new Set(['dots', 'ldots', 'cdots', 'dotsc', 'dotsb', 'dotso']);
const DEGREES = new Set(['circ', 'degree']);

/**
 * Every token has the same fields in the same order (absent ones undefined): one object shape, so the
 * readers' property accesses stay monomorphic. Tokens of a few shapes (a number's `decimals`, a word's
 * `capital`) made V8 re-optimize the hot readers (isMathToken, readTokens, findClaims) again and again.
 */
function token(type: TokenType, start: number, end: number, value: string, decimals?: number, thousands?: boolean, capital?: boolean, math?: boolean): Token {
  return { type, start, end, value, decimals, thousands, capital, math };
}

function push(tokens: Token[], type: TokenType, start: number, end: number, value: string): void {
  tokens.push(token(type, start, end, value));
}

/**
 * A step's text is read by several verifiers in turn (equations, computation claims, units), each
 * tokenizing it: the last few texts' tokens are kept and handed out again, read-only.
 */
const recent = new Map<string, readonly Token[]>();
const RECENT_TEXTS = 8;

export function tokenize(text: string): readonly Token[] {
  const known = recent.get(text);
  if (known) return known;
  const tokens = readTokens(text);
  if (recent.size >= RECENT_TEXTS) recent.delete(recent.keys().next().value!);
  recent.set(text, tokens);
  return tokens;
}

function readTokens(text: string): readonly Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    // whitespace (incl. no-break and thin spaces)
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0x2009 || c === 0x202f || c === 0x200b || c === 0xfeff) {
      i++;
      continue;
    }
    if ((c >= 48 && c <= 57) || (c === 46 && i + 1 < n && isDigit(text.charCodeAt(i + 1)))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text)!;
      const raw = m[0];
      const thousands = raw.includes(',');
      const digits = raw.replace(/\{,\}|\\,|,/g, '');
      const dot = digits.indexOf('.');
      tokens.push(token('num', i, i + raw.length, digits, dot < 0 ? 0 : digits.length - dot - 1, thousands));
      i += raw.length;
      continue;
    }
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7)) {
      WORD.lastIndex = i;
      const m = WORD.exec(text)!;
      const value = m[0].toLowerCase();
      tokens.push(token('word', i, i + m[0].length, value, undefined, undefined, m[0][0] !== value[0] ? true : undefined));
      i += m[0].length;
      continue;
    }
    if (c === 92 /* \ */) {
      i = command(text, i, tokens);
      continue;
    }
    const ch = text[i]!;
    switch (ch) {
      case '+':
      case '-':
      case '\u2212': // minus sign
        // `- 12 = …` at the start of a line is a list item's marker, not a minus
        push(tokens, atLineStart(text, i) && /[ \t]/.test(text[i + 1] ?? '') ? 'punct' : 'op', i, i + 1, ch === '+' ? '+' : '-');
        break;
      case '\u2013': {
        // An en dash with space around it is a minus (`97 – 12`); written tight it is a range (`3–5`).
        const spaced = /\s/.test(text[i - 1] ?? ' ') || /\s/.test(text[i + 1] ?? ' ');
        push(tokens, spaced ? 'op' : 'punct', i, i + 1, spaced ? '-' : '\u2013');
        break;
      }
      case '*':
        if (atLineStart(text, i) && /[ \t]/.test(text[i + 1] ?? '')) {
          push(tokens, 'punct', i, i + 1, '*');
          break;
        }
        if (text[i + 1] === '*') {
          push(tokens, 'op', i, i + 2, '^');
          i += 2;
          continue;
        }
        push(tokens, 'op', i, i + 1, '*');
        break;
      case '\u00d7': // ×
      case '\u00b7': // ·
      case '\u22c5': // ⋅
      case '\u2219': // ∙
      case '\u2217': // ∗
        push(tokens, 'op', i, i + 1, '*');
        break;
      case '/':
      case '\u00f7': // ÷
      case '\u2215': // ∕
        push(tokens, 'op', i, i + 1, '/');
        break;
      case '^':
        if (text.startsWith('^\\circ', i) || text.startsWith('^{\\circ}', i)) {
          const len = text.startsWith('^\\circ', i) ? 6 : 8;
          push(tokens, 'deg', i, i + len, '°');
          i += len;
          continue;
        }
        push(tokens, 'op', i, i + 1, '^');
        break;
      case '=': {
        const prev = text[i - 1];
        const next = text[i + 1];
        if (next === '=' || next === '>' || (prev !== undefined && '<>!=:+-*/^|'.includes(prev))) {
          // ==, =>, <=, !=, +=, := … are not equalities between two computations.
          let j = i + 1;
          while (j < n && text[j] === '=') j++;
          push(tokens, 'punct', i, j, '==');
          i = j;
          continue;
        }
        if (prev === '~' && tokens.length > 0 && tokens[tokens.length - 1]!.end === i) {
          tokens[tokens.length - 1] = token('eq', i - 1, i + 1, 'approx');
          break;
        }
        push(tokens, 'eq', i, i + 1, 'eq');
        break;
      }
      case '\u2248': // ≈
      case '\u2243': // ≃
      case '\u2245': // ≅
        push(tokens, 'eq', i, i + 1, 'approx');
        break;
      case '(':
      case '[':
      case '{':
        push(tokens, 'lparen', i, i + 1, ch);
        break;
      case ')':
      case ']':
      case '}':
        push(tokens, 'rparen', i, i + 1, ch);
        break;
      case '%':
        push(tokens, 'pct', i, i + 1, '%');
        break;
      case '$':
        if (text[i + 1] === '$') {
          push(tokens, 'delim', i, i + 2, '$$');
          i += 2;
          continue;
        }
        if (i + 1 < n && (isDigit(text.charCodeAt(i + 1)) || (text[i + 1] === '.' && isDigit(text.charCodeAt(i + 2)))) && !opensMath(text, i)) {
          push(tokens, 'cur', i, i + 1, '$');
        } else push(tokens, 'delim', i, i + 1, '$');
        break;
      case '\u20ac': // €
      case '\u00a3': // £
      case '\u00a5': // ¥
        push(tokens, 'cur', i, i + 1, ch);
        break;
      case '\u00bc':
      case '\u00bd':
      case '\u00be':
      case '\u2153':
      case '\u2154':
      case '\u2155':
      case '\u2156':
      case '\u2157':
      case '\u2158':
      case '\u2159':
      case '\u215a':
      case '\u215b':
      case '\u215c':
      case '\u215d':
      case '\u215e': {
        // ½ ¾ ⅓ …, also as the fraction part of a mixed number written tight (1½)
        const value = VULGAR_FRACTIONS[ch]!;
        const last = tokens[tokens.length - 1];
        if (last && last.type === 'num' && last.end === i && /^\d+$/.test(last.value)) {
          const [n, d] = value.split('/').map(Number) as [number, number];
          tokens[tokens.length - 1] = token('num', last.start, i + 1, `${Number(last.value) * d + n}/${d}`, 0);
        } else tokens.push(token('num', i, i + 1, value, 0));
        break;
      }
      case '\u00b2':
        push(tokens, 'sup', i, i + 1, '2');
        break;
      case '\u00b3':
        push(tokens, 'sup', i, i + 1, '3');
        break;
      case '\u00b9':
        push(tokens, 'sup', i, i + 1, '1');
        break;
      case '\u00b0':
        push(tokens, 'deg', i, i + 1, '°');
        break;
      case '\u221a': // √
        push(tokens, 'sqrt', i, i + 1, 'sqrt');
        break;
      case '\u03c0': // π
        push(tokens, 'const', i, i + 1, 'pi');
        break;
      case '\u2026': // …
        push(tokens, 'ellipsis', i, i + 1, '…');
        break;
      case '.':
        if (text[i + 1] === '.' && text[i + 2] === '.') {
          push(tokens, 'ellipsis', i, i + 3, '…');
          i += 3;
          continue;
        }
        push(tokens, 'punct', i, i + 1, '.');
        break;
      case '!': {
        const last = tokens[tokens.length - 1];
        if (last && last.end === i && (last.type === 'num' || last.type === 'rparen') && text[i + 1] !== '=') {
          push(tokens, 'fact', i, i + 1, '!');
        } else push(tokens, 'punct', i, i + 1, '!');
        break;
      }
      case '&':
        // alignment marks in `align`: transparent
        break;
      default: {
        // Keep surrogate pairs (emoji, astral symbols) in one token.
        const len = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : 1;
        push(tokens, 'punct', i, i + len, text.slice(i, i + len));
        i += len;
        continue;
      }
    }
    i++;
  }
  markMath(tokens, text);
  return tokens;
}

/** Marks the words set in LaTeX math: between `$`, `$$`, `\(…\)`, `\[…\]`, or in an environment. */
function markMath(tokens: Token[], text: string): void {
  let dollars = false;
  let brackets = false;
  let environments = 0;
  for (const [k, t] of tokens.entries()) {
    if (t.type === 'delim') {
      if (t.value === '$' || t.value === '$$') dollars = !dollars;
      else if (t.value === '(' || t.value === '[') brackets = true;
      else if (t.value === ')' || t.value === ']') brackets = false;
      else if (t.value === 'begin') environments++;
      else if (t.value === 'end') environments = Math.max(0, environments - 1);
    } else if (t.type === 'word' && (dollars || brackets || environments > 0) && text[t.start] !== '\\')
      tokens[k] = token(t.type, t.start, t.end, t.value, t.decimals, t.thousands, t.capital, true);
  }
}

/**
 * Whether a `$` before a digit opens inline math (`$75\% \times 200 = 150$`) rather than being a
 * currency sign (`$5 and $6`): it does when a closing `$` follows on the same line — one that comes
 * after a non-space and is not itself followed by a digit (Pandoc's rule). Looks 300 characters ahead.
 */
function opensMath(text: string, i: number): boolean {
  const limit = Math.min(text.length, i + 300);
  for (let j = i + 2; j < limit; j++) {
    const c = text[j];
    if (c === '\n' || c === '\r') return false;
    if (c === '$' && text[j - 1] !== '\\') {
      return !/\s/.test(text[j - 1]!) && !isDigit(text.charCodeAt(j + 1)) && text[j + 1] !== '.';
    }
  }
  return false;
}

/** Only spaces between the start of the line and offset `i`. */
function atLineStart(text: string, i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const c = text[j];
    if (c === '\n' || c === '\r') return true;
    if (c !== ' ' && c !== '\t') return false;
  }
  return true;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Reads one LaTeX command at `i` (a backslash) and returns the offset after it. */
function command(text: string, i: number, tokens: Token[]): number {
  COMMAND.lastIndex = i;
  const m = COMMAND.exec(text);
  if (!m) {
    push(tokens, 'punct', i, i + 1, '\\');
    return i + 1;
  }
  const name = m[1]!;
  let end = i + m[0].length;
  if (name === '\\') {
    push(tokens, 'linebreak', i, end, '\\\\');
    return end;
  }
  if (name === '(' || name === ')' || name === '[' || name === ']') {
    push(tokens, 'delim', i, end, name);
    return end;
  }
  if (name === '$') {
    push(tokens, 'cur', i, end, '$');
    return end;
  }
  if (name === '%') {
    push(tokens, 'pct', i, end, '%');
    return end;
  }
  if (name === '{' || name === '}') {
    push(tokens, 'punct', i, end, name);
    return end;
  }
  if (name === 'begin' || name === 'end' || name === 'label' || name === 'tag') {
    // environment and label markup: a boundary like a math delimiter
    TEXT_GROUP.lastIndex = end;
    const g = TEXT_GROUP.exec(text);
    if (g) end += g[0].length;
    push(tokens, 'delim', i, end, name);
    return end;
  }
  if (name === 'nonumber' || name === 'notag') return end;
  if (MULTIPLY.has(name)) push(tokens, 'op', i, end, '*');
  else if (name === 'div') push(tokens, 'op', i, end, '/');
  else if (FRACTIONS.has(name)) {
    push(tokens, 'frac', i, end, 'frac');
    // \frac12 means \frac{1}{2}: two single-digit arguments without braces.
    const a = text.charCodeAt(end);
    const b = text.charCodeAt(end + 1);
    if (isDigit(a) && isDigit(b)) {
      tokens.push(token('num', end, end + 1, text[end]!, 0));
      tokens.push(token('num', end + 1, end + 2, text[end + 1]!, 0));
      end += 2;
    }
  } else if (name === 'sqrt') push(tokens, 'sqrt', i, end, 'sqrt');
  else if (BINOMIALS.has(name)) push(tokens, 'binom', i, end, 'binom');
  else if (APPROX.has(name)) push(tokens, 'eq', i, end, 'approx');
  else if (name === 'pi') push(tokens, 'const', i, end, 'pi');
  else if (ELLIPSES.has(name)) push(tokens, 'ellipsis', i, end, '…');
  else if (DEGREES.has(name)) push(tokens, 'deg', i, end, '°');
  else if (SIZING.has(name)) {
    // \left. and \right. are invisible delimiters; \left( is a bracket that starts at the \left, so
    // that `5\left(…\right)` reads as tight as `5(…)`
    if (text[end] === '.') end++;
    else {
      const bracket = text[end];
      if (bracket === '(' || bracket === '[') {
        push(tokens, 'lparen', i, end + 1, bracket);
        end++;
      } else if (bracket === ')' || bracket === ']') {
        push(tokens, 'rparen', i, end + 1, bracket);
        end++;
      }
    }
  } else if (SPACING.has(name)) {
    // thin spaces and friends read as space
  } else if (TEXT.has(name)) {
    TEXT_GROUP.lastIndex = end;
    const g = TEXT_GROUP.exec(text);
    if (g) {
      const inner = g[1]!.trim();
      const word = /^[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F]+/.exec(inner);
      if (word) push(tokens, 'word', i, end + g[0].length, word[0].toLowerCase());
      else if (inner === '') {
        // \text{ } is a space
      } else push(tokens, 'punct', i, end + g[0].length, inner);
      end += g[0].length;
    } else push(tokens, 'word', i, end, name);
  } else if (TRANSPARENT_WRAPPERS.has(name) && !(BOLD.has(name) && /^\s*\{\s*[A-Za-z\\]/.test(text.slice(end, end + 8)))) {
    // \boxed{24} reads as (24); a bold letter (\mathbf{u}) is a vector or a matrix, no number
  } else push(tokens, 'cmd', i, end, name);
  return end;
}
