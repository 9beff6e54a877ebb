// A quantity named, computed, then stated: `Total earnings = $3.00 + $3.00 + $1.50 + $1.50. Total
// earnings = $8.00.` or `\[ \text{Total fruits} = 52 + 24 + 44 + 48 \] \[ \text{Total fruits} = 178 \]`.
// The two equations say together that the computation equals the value: judged as that one arithmetic
// claim. Only the next equation of the same name counts, only when it states a plain number, and only
// when the computation is not followed by a value of its own (the arithmetic verifier judges that).
import type { Claim, Side } from './claims';
import { readExpression } from './claims';
import { judgeClaim } from './arithmetic';
import type { Finding } from './finding';

/**
 * `\text{Total fruits} = …` or a prose name of one to five words (`Total earnings = …`); a LaTeX
 * command (`\theta = …`) is a symbol, not a name.
 */
const NAMED = /(\\text\{[^{}]{2,60}\}|(?<!\\)\b[A-Za-z][A-Za-z']*(?: [A-Za-z][A-Za-z']*){0,4})\s*=\s*([^=\n]*?)(?=\s*(?:\.(?:\s|$)|\\\]|\\\)|\$(?!\d)|\n|$))/g;
/** The value must follow the computation closely: a name used again much later may be another quantity. */
const MAX_GAP = 160;
const MAX_PAIRS = 50;

interface Named {
  name: string;
  start: number;
  end: number;
  valueStart: number;
  valueEnd: number;
}

function namedEquations(text: string): Named[] {
  const found: Named[] = [];
  for (const m of text.matchAll(NAMED)) {
    if (found.length >= MAX_PAIRS * 2) break;
    // `so the total cost = …` and `Total cost = …`: the same name, by its last two words
    const name = m[1]!
      .replace(/^\\text\{|\}$/g, '')
      .toLowerCase()
      .split(/\s+/)
      .slice(-2)
      .join(' ');
    const valueStart = m.index + m[0].length - m[2]!.length;
    found.push({ name, start: m.index, end: m.index + m[0].length, valueStart, valueEnd: m.index + m[0].length });
  }
  return found;
}

function sideAt(text: string, start: number, end: number): Side | undefined {
  const side = readExpression(text.slice(start, end));
  if (!side || side.tooLarge) return undefined;
  const shift = <T extends { start: number; end: number }>(x: T): T => ({ ...x, start: x.start + start, end: x.end + start });
  const moved: Side = { ...shift(side) };
  if (side.literal) moved.literal = shift(side.literal);
  if (side.lead) moved.lead = shift(side.lead);
  return moved;
}

/** `judged(start, end)`: whether the arithmetic verifier judged a claim within that span already. */
export function checkNamedValues(text: string, judged: (start: number, end: number) => boolean): Finding[] {
  const findings: Finding[] = [];
  const named = namedEquations(text);
  for (let k = 0; k + 1 < named.length; k++) {
    const computed = named[k]!;
    const stated = named[k + 1]!;
    if (stated.name !== computed.name || stated.start - computed.end > MAX_GAP) continue;
    // a quantity has a name of words (`Total cost`); a letter with two values (`x = 4 + \sqrt{3}` or
    // `x = 7`) is a variable's alternatives
    if (!/[a-z]{3}/.test(computed.name.replace(/\\[a-z]+/g, '')) || /\bor\b/i.test(text.slice(computed.end, stated.start))) continue;
    if (judged(computed.valueStart, computed.valueEnd) || judged(stated.valueStart, stated.valueEnd)) continue;
    const left = sideAt(text, computed.valueStart, computed.valueEnd);
    const right = sideAt(text, stated.valueStart, stated.valueEnd);
    if (!left || !right || left.operations === 0 || !right.literal || right.operations > 0) continue;
    const claim: Claim = {
      text: text.slice(computed.valueStart, stated.valueEnd),
      start: computed.valueStart,
      end: stated.valueEnd,
      left,
      right,
      approximate: false,
      chainContinues: false,
    };
    const judgement = judgeClaim(claim);
    if (judgement.status === 'uncheckable') continue;
    findings.push({ ...judgement, kind: 'arithmetic', start: computed.start, end: right.end });
  }
  return findings;
}
