// A rubric turned into a score: Σ points over the items judged met, and its expected value under
// P(True) (Σ points × P(met)), with every item's evidence. Deterministic evidence is authoritative here
// as it is for steps: an item that rests on a step whose computation a verifier refuted is not met
// (P(True) 0) whatever the critic said. With no critic verdict for an item there is no score at all,
// never a made-up one.
import type { CriticRubricResult } from '../checks';
import type { RubricItemResult, RubricResult } from '../types';
import type { RubricItem } from './rubric';

export interface RubricScoreInput {
  items: readonly RubricItem[];
  /** The critic's verdicts per item (absent when no critic judged the rubric). */
  critic: readonly CriticRubricResult[] | undefined;
  /** Why no critic judged the rubric, when none did. */
  offReason?: string;
  /** 0-based indices of the steps whose computations the verifiers refuted. */
  refutedSteps: ReadonlySet<number>;
}

/** Scores are shown to three decimals: more is noise from the sum of products. */
const round = (value: number) => Math.round(value * 1000) / 1000;

function judgeItem(item: RubricItem, number: number, input: RubricScoreInput): RubricItemResult {
  const base = { number, title: item.title, points: item.points, ...(item.description ? { description: item.description } : {}) };
  const said = input.critic?.find((r) => r.number === number);
  if (!said || said.verdict === 'error') {
    const note = said?.error ?? input.offReason ?? 'the critic gave no verdict for this item';
    return { ...base, status: 'unjudged', pTrue: null, source: 'none', steps: said?.steps ?? [], explanation: '', note };
  }
  const refuted = said.steps.filter((s) => input.refutedSteps.has(s));
  if (refuted.length > 0) {
    const which = refuted.map((s) => s + 1).join(', ');
    const note = `rests on step${refuted.length === 1 ? '' : 's'} ${which}, whose computation the verifiers refuted${said.verdict === 'met' ? ' (the critic said met)' : ''}`;
    return { ...base, status: 'unmet', pTrue: 0, source: 'verifier', steps: said.steps, explanation: said.explanation, note };
  }
  return { ...base, status: said.verdict, pTrue: said.pTrue, source: said.source, steps: said.steps, explanation: said.explanation };
}

export function scoreRubric(input: RubricScoreInput): RubricResult {
  const items = input.items.map((item, i) => judgeItem(item, i + 1, input));
  const maxPoints = round(items.reduce((sum, i) => sum + i.points, 0));
  const unjudged = items.filter((i) => i.status === 'unjudged');
  if (unjudged.length > 0) {
    const note =
      unjudged.length === items.length && input.offReason
        ? `the rubric could not be judged: ${input.offReason}`
        : `no score: ${unjudged.length} of ${items.length} rubric item${items.length === 1 ? '' : 's'} could not be judged (${unjudged[0]!.note})`;
    return { items, maxPoints, score: null, expectedScore: null, note };
  }
  const score = round(items.reduce((sum, i) => sum + (i.status === 'met' ? i.points : 0), 0));
  const probabilities = items.every((i) => i.pTrue !== null);
  const expectedScore = probabilities ? round(items.reduce((sum, i) => sum + i.points * i.pTrue!, 0)) : null;
  return {
    items,
    maxPoints,
    score,
    expectedScore,
    ...(probabilities ? {} : { note: 'no expected score: the critic gave no probability for some items (verbal verdicts)' }),
  };
}

/** The rubric result for a rubric that could not be read: no items, no score, the reason. */
export function unreadableRubric(error: string): RubricResult {
  return { items: [], maxPoints: 0, score: null, expectedScore: null, note: error };
}
