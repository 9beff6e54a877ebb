/**
 * Clamp a number into the range [low, high].
 * One comparison is the wrong way round: `stepcritic check examples/clamp.ts --run-code` runs
 * clamp.test.ts beside it and the asserts below, and marks the step.
 */
import assert from 'node:assert/strict';

export function clamp(value: number, low: number, high: number): number {
  if (value < low) {
    return low;
  }
  if (value < high) {
    return high;
  }
  return value;
}

assert.equal(clamp(5, 0, 10), 5);
assert.equal(clamp(-3, 0, 10), 0);
