// Quantities with units: `2.5 km = 2,500 m` (verified), `2.5 km = 250 m` (refuted: 2,500 m),
// `3 h 20 min = 200 min`, `3 × 2,500 m = 7,500 m`, `$2.50 = 250 cents`, `90 km/h = 25 m/s`, in prose
// and in `\text{…}`. Both sides are evaluated as mathjs units and compared in the right side's unit, at
// the precision its number is written in (rounding.ts). Sides of different dimensions (`2 h = 120 km`)
// are not checkable, and a bare quantity set equal to one a thousand times off is a scale (`1 cm =
// 5 km` on a map), not a conversion. Claims with one unit throughout are the arithmetic verifier's.
import { all, create } from 'mathjs';
import type { Unit } from 'mathjs';
import type { Literal } from './claims';
import { formatLike, literalAgreement } from './compare';
import { fraction } from './evaluate';
import type { Finding } from './finding';
import type { Token } from './tokens';
import { tokenize } from './tokens';

const unitMath = create(all);
unitMath.createUnit('USD', { aliases: ['usd'] });
unitMath.createUnit('cent', { definition: '0.01 USD', aliases: ['cents'] });

/** Unit words as written (lower case) → mathjs unit. Ambiguous words (in, pound) are left out. */
const UNITS: Record<string, string> = {
  km: 'km',
  kilometer: 'km',
  kilometers: 'km',
  kilometre: 'km',
  kilometres: 'km',
  m: 'm',
  meter: 'm',
  meters: 'm',
  metre: 'm',
  metres: 'm',
  cm: 'cm',
  centimeter: 'cm',
  centimeters: 'cm',
  centimetre: 'cm',
  centimetres: 'cm',
  mm: 'mm',
  millimeter: 'mm',
  millimeters: 'mm',
  millimetre: 'mm',
  millimetres: 'mm',
  kg: 'kg',
  kilogram: 'kg',
  kilograms: 'kg',
  g: 'g',
  gram: 'g',
  grams: 'g',
  mg: 'mg',
  milligram: 'mg',
  milligrams: 'mg',
  l: 'L',
  liter: 'L',
  liters: 'L',
  litre: 'L',
  litres: 'L',
  ml: 'mL',
  milliliter: 'mL',
  milliliters: 'mL',
  millilitre: 'mL',
  millilitres: 'mL',
  h: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  min: 'minute',
  minute: 'minute',
  minutes: 'minute',
  mins: 'minute',
  s: 's',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  day: 'day',
  days: 'day',
  week: 'week',
  weeks: 'week',
  mi: 'mile',
  mile: 'mile',
  miles: 'mile',
  ft: 'ft',
  foot: 'ft',
  feet: 'ft',
  inch: 'inch',
  inches: 'inch',
  yd: 'yd',
  yard: 'yd',
  yards: 'yd',
  lb: 'lb',
  lbs: 'lb',
  oz: 'oz',
  ounce: 'oz',
  ounces: 'oz',
  kph: 'km/h',
  kmh: 'km/h',
  mph: 'mile/h',
  dollar: 'USD',
  dollars: 'USD',
  cent: 'cent',
  cents: 'cent',
};
const RATE_WORDS: Record<string, string> = { 'km/h': 'km/h', 'm/s': 'm/s', 'km/s': 'km/s', 'mi/h': 'mile/h', 'ft/s': 'ft/s' };
const SCALE_WORDS = /\b(?:map|scale|represents?|drawing|model|blueprint|plan)\b/i;
const MAX_SCALE_ERROR = 1000;
const OPERATOR_WORDS = new Set(['x', 'times', 'by', 'of', 'per', 'plus', 'minus', 'and', 'over']);

interface Term {
  value: string;
  decimals: number;
  unit?: string;
  start: number;
  end: number;
  numberStart: number;
  numberEnd: number;
  thousands: boolean;
}

interface Quantity {
  start: number;
  end: number;
  /** mathjs expression with units. */
  expr: string;
  units: Set<string>;
  terms: Term[];
  operations: number;
}

/** A unit after token k: `km`, `km/h`, `\text{ km}`, or undefined. Returns [unit, next token]. */
function unitAt(tokens: readonly Token[], k: number): [string, number] | undefined {
  const t = tokens[k];
  if (!t || t.type !== 'word') return undefined;
  const slash = tokens[k + 1];
  const second = tokens[k + 2];
  if (slash?.type === 'op' && slash.value === '/' && second?.type === 'word') {
    const rate = RATE_WORDS[`${t.value}/${second.value}`];
    if (rate) return [rate, k + 3];
  }
  const unit = UNITS[t.value];
  if (!unit) return undefined;
  // a word after a single-letter unit makes it a variable or an article (`5 m apart` is fine, `2 h each` too)
  return [unit, k + 1];
}

/** A quantity expression from token k: terms `[$]number [unit]` joined by operators or written side by side (3 h 20 min). */
function quantityAt(tokens: readonly Token[], k: number): { quantity: Quantity; next: number } | undefined {
  const parts: string[] = [];
  const units = new Set<string>();
  const terms: Term[] = [];
  let operations = 0;
  let p = k;
  for (;;) {
    let currency = false;
    const first = tokens[p];
    if (first?.type === 'cur' && first.value === '$') {
      currency = true;
      p++;
    }
    const n = tokens[p];
    if (!n || n.type !== 'num' || n.value.includes('/')) break;
    p++;
    let unit: string | undefined = currency ? 'USD' : undefined;
    const found = currency ? undefined : unitAt(tokens, p);
    if (found) {
      unit = found[0];
      p = found[1];
    }
    if (unit) units.add(unit);
    terms.push({
      value: n.value,
      decimals: n.decimals ?? 0,
      unit,
      start: currency ? first!.start : n.start,
      end: tokens[p - 1]!.end,
      numberStart: n.start,
      numberEnd: n.end,
      thousands: n.thousands === true,
    });
    parts.push(unit ? `(${n.value} ${unit})` : n.value);
    const after = tokens[p];
    // 3 h 20 min: a compound quantity
    if (unit && after?.type === 'num' && unitAt(tokens, p + 1)) {
      parts.push('+');
      continue;
    }
    if (after?.type === 'op' && ['+', '-', '*', '/'].includes(after.value) && (tokens[p + 1]?.type === 'num' || tokens[p + 1]?.type === 'cur')) {
      parts.push(after.value);
      operations++;
      p++;
      continue;
    }
    break;
  }
  if (terms.length === 0 || units.size === 0) return undefined;
  return { quantity: { start: terms[0]!.start, end: terms[terms.length - 1]!.end, expr: parts.join(' '), units, terms, operations }, next: p };
}

function evaluateQuantity(q: Quantity): Unit | undefined {
  try {
    const value: unknown = unitMath.evaluate(q.expr);
    return unitMath.typeOf(value) === 'Unit' ? (value as Unit) : undefined;
  } catch {
    return undefined;
  }
}

function judgeLink(left: Quantity, right: Quantity, text: string): Finding | undefined {
  const base = { kind: 'units' as const, start: left.start, end: right.end };
  const a = evaluateQuantity(left);
  const b = evaluateQuantity(right);
  if (!a || !b) return { ...base, status: 'uncheckable', note: 'the units do not go together' };
  if (!a.equalBase(b)) return { ...base, status: 'uncheckable', note: 'the two sides are in units of different kinds' };
  const target = right.terms.length === 1 ? right.terms[0]!.unit : undefined;
  if (!target) {
    const same = Math.abs(a.value - b.value) <= 1e-9 * Math.max(Math.abs(a.value), Math.abs(b.value), 1e-12);
    return same ? { ...base, status: 'verified' } : undefined;
  }
  const term = right.terms[0]!;
  const converted = a.toNumber(target);
  const literal: Literal = {
    start: term.numberStart,
    end: term.numberEnd,
    value: term.value,
    decimals: term.decimals,
    percent: false,
    thousands: term.thousands,
  };
  const value = { exact: fraction(String(Number(converted.toPrecision(15)))) };
  const found = literalAgreement(value, literal, {});
  if (found === 'exact' || found === 'rounded') return { ...base, status: 'verified' };
  if (found !== 'differs') return undefined;
  const claimed = Number(term.value);
  const ratio = Math.max(Math.abs(converted), Math.abs(claimed)) / Math.max(Math.min(Math.abs(converted), Math.abs(claimed)), 1e-12);
  const bare = left.operations === 0 && right.operations === 0 && left.terms.length === 1;
  if (bare && (ratio > MAX_SCALE_ERROR || SCALE_WORDS.test(text))) {
    return { ...base, status: 'uncheckable', note: 'a quantity set equal to one of another size: a scale, not a conversion?' };
  }
  const digits = formatLike(value, literal);
  return {
    ...base,
    status: 'refuted',
    expected: `${digits} ${text.slice(term.numberEnd, term.end).trim()}`.trim(),
    fix: { start: term.numberStart, end: term.numberEnd, newText: digits },
  };
}

/** Unit claims in `text`; `judged` tells which spans the arithmetic verifier has judged already. */
export function checkUnits(text: string, judged: (start: number, end: number) => boolean): Finding[] {
  const tokens = tokenize(text);
  const findings: Finding[] = [];
  for (let k = 0; k < tokens.length && findings.length < 50; k++) {
    const previous = tokens[k - 1];
    if (previous && ['num', 'op', 'rparen', 'cur'].includes(previous.type)) continue;
    // `45 hours/week x 4 weeks = 180 hours`: the quantity is an operand of something to its left
    if (previous?.type === 'word' && OPERATOR_WORDS.has(previous.value)) continue;
    const first = quantityAt(tokens, k);
    if (!first) continue;
    const sides = [first.quantity];
    let next = first.next;
    while (tokens[next]?.type === 'eq') {
      const following = quantityAt(tokens, next + 1);
      if (!following) break;
      sides.push(following.quantity);
      next = following.next;
    }
    // the expression must end where the sides end
    const after = tokens[next];
    if (sides.length < 2 || (after && ['num', 'op', 'lparen', 'frac', 'sqrt', 'sup', 'fact'].includes(after.type))) {
      k = Math.max(k, next - 1);
      continue;
    }
    for (let s = 0; s + 1 < sides.length; s++) {
      const left = sides[s]!;
      const right = sides[s + 1]!;
      const oneUnit = left.units.size === 1 && right.units.size === 1 && [...left.units][0] === [...right.units][0];
      const unitless = left.terms.some((t) => !t.unit) && left.operations === 0;
      if ((oneUnit && judged(left.start, right.end)) || unitless || right.units.size === 0) continue;
      if (oneUnit && left.operations === 0 && right.operations === 0) continue; // 5 m = 5 m: nothing to convert
      // `1 hour × 60 = 60 minutes`: a bare number next to a change of units is a conversion factor
      if (!oneUnit && [...left.terms, ...right.terms].some((t) => !t.unit)) continue;
      const found = judgeLink(left, right, text);
      if (found) findings.push(found);
    }
    k = Math.max(k, next - 1);
  }
  return findings;
}
