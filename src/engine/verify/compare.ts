// Whether a computed value agrees with a number as the author wrote it, at the precision it is written
// in (the rule is written down in rounding.ts), and how the right value is written back.
import type { Fraction } from 'mathjs';
import type { Literal } from './claims';
import type { Value } from './evaluate';
import { fraction } from './evaluate';
import type { Agreement } from './rounding';
import { APPROXIMATE_TOLERANCE, agreement, roundHalfUp } from './rounding';

export interface Reading {
  /** Read `40%` as 40 rather than 0.4 (`0.4 * 100 = 40%`). */
  percentAsNumber?: boolean;
  approximate?: boolean;
}

function pow10(d: number): Fraction {
  return d >= 0 ? fraction(`1${'0'.repeat(d)}`) : fraction(`1/1${'0'.repeat(-d)}`);
}

function trailingZeros(value: string): number {
  const m = /^-?\d*?[1-9](0+)$/.exec(value);
  return m ? m[1]!.length : 0;
}

/** The literal's value and the power of ten its last written digit stands for. */
export function literalValue(literal: Literal, reading: Reading = {}): { value: Fraction; decimals: number } {
  let value = fraction(literal.value);
  let decimals = literal.decimals;
  if (literal.percent && !reading.percentAsNumber) {
    value = value.div(100);
    decimals += 2;
  }
  if (reading.approximate && literal.decimals === 0) decimals -= trailingZeros(literal.value);
  return { value, decimals };
}

/** How a computed value agrees with a number as written (the rule is in rounding.ts). */
export function literalAgreement(computed: Value, literal: Literal, reading: Reading = {}): Agreement {
  const { value: written, decimals } = literalValue(literal, reading);
  return agreement(computed, written, decimals, pow10(decimals), reading.approximate === true);
}

/** Exactly, or rounded the way the rule in rounding.ts allows. */
export function agreesWithLiteral(computed: Value, literal: Literal, reading: Reading = {}): boolean {
  const found = literalAgreement(computed, literal, reading);
  return found === 'exact' || found === 'rounded';
}

/** Two computed values: equal (exactly when both are rational), or close when either is not. */
export function agreesWithValue(a: Value, b: Value, approximate: boolean): boolean {
  if (a.exact && b.exact && a.exact.equals(b.exact)) return true;
  const x = a.exact ? Number(a.exact.valueOf()) : a.approx!;
  const y = b.exact ? Number(b.exact.valueOf()) : b.approx!;
  const tolerance = approximate ? APPROXIMATE_TOLERANCE : a.exact && b.exact ? 0 : 1e-9;
  return Math.abs(x - y) <= tolerance * Math.max(1, Math.abs(x), Math.abs(y));
}

/** A value with no number to imitate: an integer, a short fraction (`45/4`), or 6 significant digits. */
function formatPlain(computed: Value): string {
  if (computed.exact) {
    const v = computed.exact;
    if (v.d === 1n) return (v.s * v.n).toString();
    if (v.d <= 1000n && v.n < 1_000_000n) return v.toFraction();
  }
  const x = computed.exact ? Number(computed.exact.valueOf()) : computed.approx!;
  return Number(x.toPrecision(6)).toString();
}

/** A value as it is, not as anyone wrote it: `6.25`, `0.6666…` (a repeating decimal cut after six digits), `1.41421…`. */
export function formatExact(computed: Value): string {
  if (computed.exact) {
    const v = computed.exact;
    if (v.d === 1n) return (v.s * v.n).toString();
    for (let decimals = 1; decimals <= 6; decimals++) {
      const scaled = v.mul(pow10(decimals));
      if (scaled.floor().equals(scaled)) return formatScaled(scaled.s * scaled.n, decimals, false);
    }
    const scaled = v.mul(pow10(6));
    const cut = scaled.s < 0n ? scaled.abs().floor().neg() : scaled.floor();
    return `${formatScaled(cut.s * cut.n, 6, false)}…`;
  }
  return `${Number(computed.approx.toPrecision(7))}…`;
}

function groupThousands(integer: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function formatScaled(scaled: bigint, decimals: number, thousands: boolean): string {
  const negative = scaled < 0n;
  let digits = (negative ? -scaled : scaled).toString();
  if (decimals > 0) digits = digits.padStart(decimals + 1, '0');
  const integer = decimals > 0 ? digits.slice(0, -decimals) : digits;
  const fractionPart = decimals > 0 ? `.${digits.slice(-decimals)}` : '';
  return `${negative ? '-' : ''}${thousands ? groupThousands(integer) : integer}${fractionPart}`;
}

/**
 * The computed value written the way the author wrote `like`: as many decimals (more, up to two or
 * four, when that is not exact), thousands separators if they used them, in percent if they did.
 */
export function formatLike(computed: Value, like: Literal | undefined): string {
  if (!like) return formatPlain(computed);
  const percent = like?.percent === true;
  const baseDecimals = like ? like.decimals : 0;
  const thousands = like?.thousands === true;
  if (computed.exact) {
    const v = percent ? computed.exact.mul(100) : computed.exact;
    let decimals = baseDecimals;
    while (
      decimals < Math.max(baseDecimals, 4) &&
      !v
        .mul(pow10(decimals))
        .floor()
        .equals(v.mul(pow10(decimals)))
    )
      decimals++;
    if (
      !v
        .mul(pow10(decimals))
        .floor()
        .equals(v.mul(pow10(decimals)))
    )
      decimals = Math.max(baseDecimals, 2);
    const scaled = roundHalfUp(v.mul(pow10(decimals)));
    return formatScaled(scaled.s * scaled.n, decimals, thousands);
  }
  const v = percent ? computed.approx * 100 : computed.approx;
  const decimals = Math.max(baseDecimals, Number.isInteger(v) ? 0 : 2);
  const text = v.toFixed(Math.min(decimals, 20));
  if (!thousands) return text;
  const [integer, rest] = text.split('.');
  const sign = integer!.startsWith('-') ? '-' : '';
  return `${sign}${groupThousands(integer!.replace('-', ''))}${rest !== undefined ? `.${rest}` : ''}`;
}
