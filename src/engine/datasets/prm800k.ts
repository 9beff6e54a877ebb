// PRM800K (openai/prm800k, "Let's Verify Step by Step"): one labelled solution per line.
//
//   { question: { problem, ground_truth_answer, pre_generated_steps?, pre_generated_answer? },
//     label: { steps: [{ completions: [{ text, rating: -1 | 0 | 1 | null }], chosen_completion: k | null,
//              human_completion: null | text | { text } }], finish_reason } }
//
// The solution is the phase-2 pre-generated steps when the record has them (labelling stops at the
// first error, but the whole solution is what a critic reads), else the labelled trajectory: at each
// step the chosen completion, the human's own step when none was chosen, and otherwise the first
// completion (the model's own step; phase 2 leaves the step with the error unchosen). The first wrong
// step is the first one whose text was rated -1 (0, "neutral", is not an error, as in the paper);
// none when the labeller reached the answer (`solution`); unknown when they gave up or the problem was
// bad. The final answer follows the `# Answer` line the solutions end with.
import { z } from 'zod';
import type { Span, StepSpan } from '../documents/build';
import { buildDocument } from '../documents/build';
import type { SolutionDocument } from '../types';
import { layoutRecord } from './layout';
import type { RecordLocation } from './records';

const Completion = z.object({ text: z.string(), rating: z.number().int().min(-1).max(1).nullable().optional() });
const HumanCompletion = z
  .union([z.string(), z.object({ text: z.string() }).transform((h) => h.text)])
  .nullable()
  .optional();

const Prm800kStep = z.object({
  completions: z.array(Completion).nullable().optional(),
  chosen_completion: z.number().int().min(0).nullable().optional(),
  human_completion: HumanCompletion,
});

export const Prm800kRecord = z.object({
  question: z.object({
    problem: z.string(),
    ground_truth_answer: z.union([z.string(), z.number()]).nullable().optional(),
    pre_generated_steps: z.array(z.string()).nullable().optional(),
  }),
  label: z.object({
    steps: z.array(Prm800kStep),
    finish_reason: z.string().nullable().optional(),
  }),
});
type Prm800kStep = z.infer<typeof Prm800kStep>;
type Prm800kRecord = z.infer<typeof Prm800kRecord>;

/** The step the trajectory took here, and the rating the labeller gave it (undefined when none). */
function taken(step: Prm800kStep): { text: string; rating?: number } | undefined {
  const completions = step.completions ?? [];
  if (step.chosen_completion !== null && step.chosen_completion !== undefined) {
    const chosen = completions[step.chosen_completion];
    if (chosen) return { text: chosen.text, ...(chosen.rating !== null && chosen.rating !== undefined ? { rating: chosen.rating } : {}) };
  }
  if (step.human_completion) return { text: step.human_completion, rating: 1 };
  const first = completions[0];
  return first ? { text: first.text, ...(first.rating !== null && first.rating !== undefined ? { rating: first.rating } : {}) } : undefined;
}

/** `# Answer` then the answer, at the end of the last step. */
const ANSWER_HEADING = /(?:^|\n)#\s*Answer\s*\n+\s*(\S[^\n]*?)\s*$/;

function answerIn(text: string, last: StepSpan | undefined): { text: string; span: Span } | undefined {
  if (!last) return undefined;
  const step = text.slice(last.start, last.end);
  const answer = ANSWER_HEADING.exec(step)?.[1];
  if (!answer) return undefined;
  const start = last.start + step.lastIndexOf(answer);
  return { text: answer, span: { start, end: start + answer.length } };
}

export function prm800kToDocument(r: Prm800kRecord, where: RecordLocation): SolutionDocument {
  const trajectory = r.label.steps.map(taken).filter((s) => s !== undefined);
  const firstRated = trajectory.findIndex((s) => s.rating === -1);
  const pre = r.question.pre_generated_steps ?? undefined;
  const texts = pre && pre.length > 0 ? pre : trajectory.map((s) => s.text);
  let firstError: number | null = null;
  if (firstRated >= 0) firstError = firstRated;
  else if (r.label.finish_reason === 'solution') firstError = -1;
  const warnings: string[] = [];
  if (firstError !== null && firstError >= texts.length) {
    warnings.push(`The labelled first error (step ${firstError + 1}) is past the solution's last step; it was ignored.`);
    firstError = null;
  }
  const layout = layoutRecord(
    r.question.problem,
    texts.map((text) => ({ text })),
  );
  const expected = r.question.ground_truth_answer;
  return buildDocument({
    uri: where.uri,
    format: 'prm800k',
    text: layout.text,
    problem: layout.problem,
    steps: layout.steps,
    finalAnswer: answerIn(layout.text, layout.steps[layout.steps.length - 1]),
    expectedAnswer: expected === null || expected === undefined ? undefined : String(expected),
    labels: { firstErrorStep: firstError, dataset: 'prm800k' },
    warnings,
    maxSteps: where.maxSteps,
  });
}
