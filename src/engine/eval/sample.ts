// `eval --sample N --seed S`: a stratified sample, so that a small run still has both labels in every
// split (ProcessBench's gsm8k file is sorted by label: its first 100 records are all erroneous, and
// their F1 is undefined). Strata are (split, erroneous or correct); each gets a share of N in
// proportion to its size (largest remainders), at least one when N allows; within a stratum the
// positions are drawn with a seeded generator, so the same seed gives the same sample.

import { seededRandom } from '../seeded-random';

export type Stratum = string;

export function stratumOf(split: string, firstErrorStep: number): Stratum {
  return `${split}\u0000${firstErrorStep >= 0 ? 'erroneous' : 'correct'}`;
}

/** How many of each stratum to take. */
export function allocate(sizes: ReadonlyMap<Stratum, number>, n: number): Map<Stratum, number> {
  const strata = [...sizes.entries()].filter(([, size]) => size > 0);
  const total = strata.reduce((sum, [, size]) => sum + size, 0);
  const take = new Map<Stratum, number>();
  if (n >= total) {
    for (const [stratum, size] of strata) take.set(stratum, size);
    return take;
  }
  // One each first (when N allows), then the rest in proportion, by largest remainder.
  const floor = n >= strata.length ? 1 : 0;
  let left = n - floor * strata.length;
  const spare = total - floor * strata.length;
  const shares = strata.map(([stratum, size]) => {
    const exact = spare > 0 ? ((size - floor) * left) / spare : 0;
    return { stratum, size, whole: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  for (const share of shares) left -= share.whole;
  shares.sort((a, b) => b.remainder - a.remainder || (a.stratum < b.stratum ? -1 : 1));
  for (const share of shares) {
    const extra = left > 0 && floor + share.whole < share.size ? 1 : 0;
    left -= extra;
    take.set(share.stratum, Math.min(share.size, floor + share.whole + extra));
  }
  return take;
}

/** `k` distinct positions of `0..size-1`, drawn with Floyd's algorithm from a seeded generator. */
export function choosePositions(size: number, k: number, random: () => number): Set<number> {
  const chosen = new Set<number>();
  for (let j = size - k; j < size; j++) {
    const t = Math.floor(random() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return chosen;
}

/** The positions to take in each stratum: a plan `eval` applies as it reads the records again. */
export function planSample(sizes: ReadonlyMap<Stratum, number>, n: number, seed: number): Map<Stratum, Set<number>> {
  const random = seededRandom(seed);
  const plan = new Map<Stratum, Set<number>>();
  for (const [stratum, k] of [...allocate(sizes, n).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    plan.set(stratum, choosePositions(sizes.get(stratum)!, k, random));
  }
  return plan;
}
