// Fitting a calibration map to labelled (P(True), outcome) pairs.
//
// Temperature scaling with a bias: (slope, bias) minimise the log-loss of σ(slope · logit p + bias)
// by Newton's method. The log-loss is convex in the two parameters (logistic regression on one
// feature), so Newton with step halving reaches the one minimum in a handful of iterations. A faint
// pull towards the identity map (slope 1, bias 0; weight PRIOR_WEIGHT against thousands of steps)
// keeps the fit finite when the data are separable (every wrong step below every right one), which
// small cross-validation folds can be.
//
// Isotonic: pool-adjacent-violators. Steps sorted by P(True) (equal values pooled first); adjacent
// blocks whose share of correct steps falls are merged until the shares rise; each block becomes the
// points (its lowest P, its share) and (its highest P, its share).
import type { ProbabilityOutcome } from '../eval/metrics';
import type { CalibrationMap, CalibrationMethod, IsotonicMap, TemperatureMap } from './map';
import { logit, sigmoid } from './map';

const PRIOR_WEIGHT = 1e-3;
const MAX_ITERATIONS = 100;

export function fitMap(method: CalibrationMethod, pairs: readonly ProbabilityOutcome[]): CalibrationMap {
  return method === 'temperature' ? fitTemperature(pairs) : fitIsotonic(pairs);
}

interface Loss {
  value: number;
  /** Gradient over (slope, bias). */
  g: [number, number];
  /** Hessian: [[h11, h12], [h12, h22]]. */
  h: [number, number, number];
}

function loss(xs: readonly number[], ys: readonly (0 | 1)[], slope: number, bias: number): Loss {
  let value = (PRIOR_WEIGHT / 2) * ((slope - 1) ** 2 + bias ** 2);
  const g: [number, number] = [PRIOR_WEIGHT * (slope - 1), PRIOR_WEIGHT * bias];
  const h: [number, number, number] = [PRIOR_WEIGHT, 0, PRIOR_WEIGHT];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const z = slope * x + bias;
    const q = sigmoid(z);
    // -log σ(z) = softplus(-z); -log(1 - σ(z)) = softplus(z), computed without overflow.
    value += ys[i] === 1 ? softplus(-z) : softplus(z);
    const r = q - ys[i]!;
    g[0] += r * x;
    g[1] += r;
    const w = q * (1 - q);
    h[0] += w * x * x;
    h[1] += w * x;
    h[2] += w;
  }
  return { value, g, h };
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

export function fitTemperature(pairs: readonly ProbabilityOutcome[]): TemperatureMap {
  const xs = pairs.map((pair) => logit(pair.p));
  const ys = pairs.map((pair) => pair.y);
  let slope = 1;
  let bias = 0;
  let current = loss(xs, ys, slope, bias);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const [h11, h12, h22] = current.h;
    const det = h11 * h22 - h12 * h12;
    if (!(det > 0)) break;
    // Newton step: H⁻¹ g.
    const dSlope = (h22 * current.g[0] - h12 * current.g[1]) / det;
    const dBias = (h11 * current.g[1] - h12 * current.g[0]) / det;
    let step = 1;
    let next = loss(xs, ys, slope - dSlope, bias - dBias);
    while (next.value > current.value && step > 1e-8) {
      step /= 2;
      next = loss(xs, ys, slope - step * dSlope, bias - step * dBias);
    }
    if (next.value > current.value) break;
    slope -= step * dSlope;
    bias -= step * dBias;
    const moved = Math.abs(step * dSlope) + Math.abs(step * dBias);
    current = next;
    if (moved < 1e-10) break;
  }
  return { method: 'temperature', slope, bias };
}

export function fitIsotonic(pairs: readonly ProbabilityOutcome[]): IsotonicMap {
  const sorted = [...pairs].sort((a, b) => a.p - b.p);
  const blocks: { lo: number; hi: number; n: number; correct: number }[] = [];
  for (const { p, y } of sorted) {
    const top = blocks[blocks.length - 1];
    if (top && top.hi === p) {
      top.n += 1;
      top.correct += y;
    } else {
      blocks.push({ lo: p, hi: p, n: 1, correct: y });
    }
    // Merge while the last block's share is not above the one before it: a violator is pooled, and so
    // is a block of equal share (the same map with two points fewer: separable data is two blocks, not one per step).
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1]!;
      const before = blocks[blocks.length - 2]!;
      if (before.correct / before.n < last.correct / last.n) break;
      blocks.pop();
      before.hi = last.hi;
      before.n += last.n;
      before.correct += last.correct;
    }
  }
  const points: [number, number][] = [];
  for (const block of blocks) {
    const share = block.correct / block.n;
    points.push([block.lo, share]);
    if (block.hi > block.lo) points.push([block.hi, share]);
  }
  if (points.length === 0) points.push([0.5, 0.5]);
  return { method: 'isotonic', points };
}
