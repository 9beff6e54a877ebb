// How a deterministic finding reads, the same in the hover, the diagnostics, the reports and the critic's
// prompt: what was checked (a noun per kind) and what holds instead.
import type { ClaimEvidence, ClaimKind } from '../types';

const NOUN: Record<ClaimKind, string> = {
  arithmetic: 'computation',
  identity: 'identity',
  equation: 'equation step',
  function: 'function value',
  units: 'unit conversion',
  percent: 'percentage',
  rounding: 'rounded value',
  reference: 'result',
};

export function claimNoun(kind: ClaimKind): string {
  return NOUN[kind];
}

/** What holds instead of a refuted (or uncertain) claim, e.g. "the right value is 24", or undefined when unknown; `show` dresses the value (Markdown code). */
export function claimCorrection(e: Pick<ClaimEvidence, 'kind' | 'expected'>, show: (value: string) => string = (v) => v): string | undefined {
  if (e.expected === undefined) return undefined;
  const value = show(e.expected);
  switch (e.kind) {
    case 'equation':
      return `the previous equation's solution is ${value}`;
    case 'identity':
      return `it should be ${value}`;
    case 'rounding':
      return `the exact value is ${value}`;
    case 'reference':
      return `the reference solution has ${value}`;
    default:
      return `the right value is ${value}`;
  }
}

/** The correction in a few words, after the claim: `48 / 2 = 25 (should be 24)`. */
export function claimShortCorrection(e: Pick<ClaimEvidence, 'kind' | 'expected'>): string | undefined {
  if (e.expected === undefined) return undefined;
  switch (e.kind) {
    case 'equation':
      return `the equation before it is solved by ${e.expected}`;
    case 'rounding':
      return `exactly ${e.expected}`;
    case 'reference':
      return `the reference has ${e.expected}`;
    default:
      return `should be ${e.expected}`;
  }
}
