// Whether a computed value agrees with a number as the author wrote it, at the precision it is written
// in: `1/3 = 0.33` (rounded) and `2/3 = 0.66` (cut off) agree, `1/3 = 0.4` does not; `≈` accepts any
// value between the neighbouring numbers at that precision (`≈ 330` for 333.3 at the tens).
import type { Fraction } from 'mathjs';
import type { Literal } from './claims';
import type { Value } from './evaluate';
import { fraction } from './evaluate';

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

function roundHalfUp(x: Fraction): Fraction {
  const sign = x.s < 0n ? -1 : 1;
  const magnitude = x.abs().add(fraction('1/2')).floor();
  return sign < 0 ? magnitude.neg() : magnitude;
}

function truncate(x: Fraction): Fraction {
  return x.s < 0n ? x.abs().floor().neg() : x.floor();
}

/**
 * `≈` is a promise of closeness, not of every digit: people carry rounded values through a computation
 * (`360 * 0.2969 ≈ 106.85`), so an approximate claim within 1% of the value is accepted.
 */
export const APPROXIMATE_TOLERANCE = 0.01;

function closeEnough(computed: Value, written: Fraction): boolean {
  const x = computed.exact ? Number(computed.exact.valueOf()) : computed.approx!;
  const y = Number(written.valueOf());
  return Math.abs(x - y) <= APPROXIMATE_TOLERANCE * Math.max(Math.abs(x), Math.abs(y));
}

export function agreesWithLiteral(computed: Value, literal: Literal, reading: Reading = {}): boolean {
  const { value: written, decimals } = literalValue(literal, reading);
  const scale = pow10(decimals);
  const w = written.mul(scale);
  if (reading.approximate && closeEnough(computed, written)) return true;
  if (computed.exact) {
    const scaled = computed.exact.mul(scale);
    if (scaled.equals(w)) return true;
    if (reading.approximate) return scaled.floor().compare(w) <= 0 && scaled.ceil().compare(w) >= 0;
    return roundHalfUp(scaled).equals(w) || truncate(scaled).equals(w);
  }
  const s = computed.approx * Number(scale.valueOf());
  const wn = Number(w.valueOf());
  if (Math.abs(s - wn) <= 1e-9 * Math.max(1, Math.abs(wn))) return true;
  if (reading.approximate) return Math.floor(s + 1e-9) <= wn && Math.ceil(s - 1e-9) >= wn;
  const sign = s < 0 ? -1 : 1;
  const round = sign * Math.floor(Math.abs(s) + 0.5 + 1e-9);
  const trunc = sign * Math.floor(Math.abs(s) + 1e-9);
  return wn === round || wn === trunc;
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
