// What the batch tests (batch-vllm, batch-api) share: records with a scripted slip in every fifth, the
// scripted critic's rule for it, and a run log's verdicts in a form to compare two runs by.
import { loadRunLog } from '../../support/run-log';

/** The scripted critic's rule: a step that says SLIP is incorrect. */
export const SLIP_RULES = { incorrectPatterns: ['SLIP'] };

/** Record `i`: three steps, the second a slip in every fifth record. */
export function slipRecord(i: number) {
  const wrong = i % 5 === 0;
  return {
    id: `r${i}`,
    problem: `A shop sells ${i + 2} boxes with ${i + 3} pens each. How many pens does it sell?`,
    steps: [
      `Each box holds ${i + 3} pens.`,
      `So the shop sells ${i + 2} boxes of pens${wrong ? ', a SLIP' : ''}.`,
      `The answer is \\boxed{${(i + 2) * (i + 3)}}.`,
    ],
    label: wrong ? 1 : -1,
  };
}

/** `count` records as JSONL. */
export function slipDataset(count: number): string {
  return Array.from({ length: count }, (_, i) => JSON.stringify(slipRecord(i))).join('\n') + '\n';
}

/** Per solution id: the solution's verdict and its steps' verdict, P(True) and source. */
export async function runLogVerdicts(path: string): Promise<Map<string, string>> {
  const { items } = await loadRunLog(path);
  return new Map(items.map((i) => [i.id, JSON.stringify([i.entry.verdict, i.entry.steps.map((s) => [s.verdict, s.pTrue, s.source])])]));
}
