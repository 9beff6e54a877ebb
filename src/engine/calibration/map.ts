// A calibration map: the critic's P(True) in, a calibrated P(True) out. Two kinds:
//   temperature  P' = σ(slope · logit(P) + bias): temperature scaling on the log-odds (temperature =
//                1/slope) with a bias term, i.e. Platt scaling with the log-odds as the one feature.
//                Two parameters: it sharpens or softens the critic and shifts it, and cannot overfit.
//   isotonic     a non-decreasing function through the points pool-adjacent-violators found,
//                linear between them and flat beyond the ends: any monotone distortion, more data needed.
// Both keep the order of P(True) (a better-ranked step stays better ranked), and neither ever says 0
// or 1: certainty is what a deterministic check gives, never a fitted critic.
import { z } from 'zod';

/** The smallest and largest calibrated P(True). */
export const CALIBRATED_MIN = 0.001;
export const CALIBRATED_MAX = 0.999;

/** P(True) of exactly 0 or 1 (a unanimous vote) is read as this close to it, so its log-odds are finite. */
const LOGIT_EPSILON = 1e-9;

const probability = z.number().min(0).max(1);

export const TemperatureMapSchema = z.object({
  method: z.literal('temperature'),
  /** 1 / temperature: below 1 the critic was over-confident, above 1 under-confident. */
  slope: z.number().positive(),
  /** Added to the scaled log-odds: negative when the critic was too optimistic overall. */
  bias: z.number(),
});
export type TemperatureMap = z.infer<typeof TemperatureMapSchema>;

export const IsotonicMapSchema = z.object({
  method: z.literal('isotonic'),
  /** [raw P(True), calibrated P(True)] in increasing order of both. */
  points: z
    .array(z.tuple([probability, probability]))
    .min(1)
    .refine((points) => points.every((p, i) => i === 0 || (p[0] > points[i - 1]![0] && p[1] >= points[i - 1]![1])), {
      message: 'the points must rise: raw P(True) strictly, calibrated P(True) never falling',
    }),
});
export type IsotonicMap = z.infer<typeof IsotonicMapSchema>;

export const CalibrationMapSchema = z.discriminatedUnion('method', [TemperatureMapSchema, IsotonicMapSchema]);
export type CalibrationMap = z.infer<typeof CalibrationMapSchema>;
export type CalibrationMethod = CalibrationMap['method'];

export function logit(p: number): number {
  const q = Math.min(1 - LOGIT_EPSILON, Math.max(LOGIT_EPSILON, p));
  return Math.log(q / (1 - q));
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** The calibrated P(True) of a raw one. */
export function applyMap(map: CalibrationMap, p: number): number {
  const calibrated = map.method === 'temperature' ? sigmoid(map.slope * logit(p) + map.bias) : interpolate(map.points, p);
  return Math.min(CALIBRATED_MAX, Math.max(CALIBRATED_MIN, calibrated));
}

function interpolate(points: readonly (readonly [number, number])[], p: number): number {
  const first = points[0]!;
  const last = points[points.length - 1]!;
  if (p <= first[0]) return first[1];
  if (p >= last[0]) return last[1];
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid]![0] <= p) lo = mid;
    else hi = mid;
  }
  const [x0, y0] = points[lo]!;
  const [x1, y1] = points[hi]!;
  return y0 + ((p - x0) / (x1 - x0)) * (y1 - y0);
}

/** One line for people: what the map does. */
export function describeMap(map: CalibrationMap): string {
  if (map.method === 'isotonic') return `isotonic regression (${map.points.length} points)`;
  const bias = map.bias >= 0 ? `+ ${map.bias.toFixed(3)}` : `− ${(-map.bias).toFixed(3)}`;
  return `temperature scaling with a bias: P' = σ(${map.slope.toFixed(3)} · logit P ${bias}) (temperature ${(1 / map.slope).toFixed(2)})`;
}
