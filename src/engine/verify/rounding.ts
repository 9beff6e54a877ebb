// Honest rounding: a number is judged at the precision it is written in, and `=` is not `≈`.
//
// The rule, for a computed value v and a number w written with d decimals (a percentage counts two more):
//   - w is v exactly                                                   → exact     (verified)
//   - with `=`: w is v rounded to d decimals (half away from zero), d > 0  → rounded   (verified: `1/3 = 0.33`)
//   - with `=`: w is a whole number that v is not (v rounded, cut off or rounded up: `25 / 4 = 6`, `= 7`)
//                                                                      → whole-units (uncertain: right only if whole
//                                                                        units are meant, "full boxes"; the exact value is shown)
//   - with `=`: w is v cut off at d > 0 decimals (`2/3 = 0.6`)         → cut-off   (uncertain, the exact value shown)
//   - with `≈` ("about", a trailing `...`): w lies between v's neighbours at the precision w is written in
//     (`1000/3 ≈ 330`), or within 1% of v (rounded values carried through a computation) → rounded (verified)
//   - anything else                                                    → differs   (refuted, when nothing else is in doubt)
// Two computations set equal (`3.34 + 1600 / 60 = 3.34 + 26.67`) agree when they differ by no more than
// the decimals written in them can move them (each by half its last digit): a value rounded as written,
// carried on (arithmetic.ts, roundedRewrite).
// No other tolerance exists: `9 × 0.5 = 4`, `7 / 2 = 3` and `2/3 = 0.6` are not verified, `25 / 7 = 3.50` is refuted.
import type { Fraction } from 'mathjs';
import type { Value } from './evaluate';
import { fraction } from './evaluate';

export type Agreement = 'exact' | 'rounded' | 'whole-units' | 'cut-off' | 'differs';

/** From best to worst: several readings of a claim keep the best. */
export const AGREEMENT_ORDER: readonly Agreement[] = ['exact', 'rounded', 'whole-units', 'cut-off', 'differs'];

export function better(a: Agreement, b: Agreement): Agreement {
  return AGREEMENT_ORDER.indexOf(a) <= AGREEMENT_ORDER.indexOf(b) ? a : b;
}

/**
 * `≈` is a promise of closeness, not of every digit: people carry rounded values through a computation
 * (`360 * 0.2969 ≈ 106.85`), so an approximate claim within 1% of the value is accepted.
 */
export const APPROXIMATE_TOLERANCE = 0.01;

const HALF = fraction('1/2');

export function roundHalfUp(x: Fraction): Fraction {
  const magnitude = x.abs().add(HALF).floor();
  return x.s < 0n ? magnitude.neg() : magnitude;
}

function truncate(x: Fraction): Fraction {
  return x.s < 0n ? x.abs().floor().neg() : x.floor();
}

function awayFromZero(x: Fraction): Fraction {
  return x.s < 0n ? x.abs().ceil().neg() : x.ceil();
}

export function asNumber(v: Value): number {
  return v.exact ? Number(v.exact.valueOf()) : v.approx!;
}

/**
 * How `computed` agrees with `written` (w as a fraction) written with `decimals` decimals (the power of ten
 * of its last digit, negative for the tens, hundreds of an `≈ 330`). `scale` is 10^decimals.
 */
export function agreement(computed: Value, written: Fraction, decimals: number, scale: Fraction, approximate: boolean): Agreement {
  const w = written.mul(scale);
  if (approximate) {
    const x = asNumber(computed);
    const y = Number(written.valueOf());
    if (Math.abs(x - y) <= APPROXIMATE_TOLERANCE * Math.max(Math.abs(x), Math.abs(y))) return x === y ? 'exact' : 'rounded';
  }
  if (computed.exact) {
    const scaled = computed.exact.mul(scale);
    if (computed.exact.equals(written)) return 'exact';
    if (approximate) return scaled.floor().compare(w) <= 0 && scaled.ceil().compare(w) >= 0 ? 'rounded' : 'differs';
    const wholeNumber = decimals <= 0;
    if (roundHalfUp(scaled).equals(w)) return wholeNumber ? 'whole-units' : 'rounded';
    if (truncate(scaled).equals(w)) return wholeNumber ? 'whole-units' : 'cut-off';
    // rounded up to a whole number: "7 boxes are needed"; a decimal rounded up is just wrong
    if (wholeNumber && awayFromZero(scaled).equals(w)) return 'whole-units';
    return 'differs';
  }
  const s = computed.approx * Number(scale.valueOf());
  const wn = Number(w.valueOf());
  if (Math.abs(s - wn) <= 1e-9 * Math.max(1, Math.abs(wn))) return 'exact';
  if (approximate) return Math.floor(s + 1e-9) <= wn && Math.ceil(s - 1e-9) >= wn ? 'rounded' : 'differs';
  // an irrational value written with decimals is always rounded (`√2 = 1.41`)
  const sign = s < 0 ? -1 : 1;
  const round = sign * Math.floor(Math.abs(s) + 0.5 + 1e-9);
  if (wn === round) return decimals <= 0 ? 'whole-units' : 'rounded';
  const cut = sign * Math.floor(Math.abs(s) + 1e-9);
  const up = sign * Math.ceil(Math.abs(s) - 1e-9);
  if (wn === cut) return decimals <= 0 ? 'whole-units' : 'cut-off';
  if (wn === up && decimals <= 0) return 'whole-units';
  return 'differs';
}
