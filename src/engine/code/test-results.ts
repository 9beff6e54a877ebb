// What a harness reports, validated: one JSON line per event on fd 3.
import { z } from 'zod';

export const HarnessTestResultSchema = z.object({
  event: z.literal('test'),
  id: z.string(),
  /** Index of the CodeTest it came from (a test may expand into several). */
  index: z.number().int().nonnegative(),
  name: z.string(),
  /** `timeout`: timed out, and again with twice the limit; `unjudged`: timed out, no time left to retry. */
  status: z.enum(['passed', 'failed', 'timeout', 'error', 'skipped', 'unjudged']),
  output: z.string(),
  /** 1-based solution lines the test executed. */
  lines: z.array(z.number().int().positive()),
  ms: z.number().nonnegative(),
});
export type HarnessTestResult = z.infer<typeof HarnessTestResultSchema>;

export const HarnessLoadSchema = z.object({
  event: z.literal('load'),
  ok: z.boolean(),
  error: z.string().nullable(),
  output: z.string().default(''),
  /**
   * Statements that compute nothing a test could find wrong (imports, docstrings, pass, plain def/class
   * and try headers) as [first line, column, last line, column]: 1-based lines, UTF-16 columns.
   */
  inert: z
    .array(z.tuple([z.number().int().positive(), z.number().int().nonnegative(), z.number().int().positive(), z.number().int().nonnegative()]))
    .default([]),
});

export const MutationStatementSchema = z.object({
  /** 1-based first and last line of the mutated statement. */
  line: z.number().int().positive(),
  /** UTF-16 column where the statement starts: two statements on one line are two steps. */
  col: z.number().int().nonnegative().optional(),
  endLine: z.number().int().positive(),
  /** (fixed / failing) · (1 − broke / passing) of the best mutant of this statement. */
  score: z.number().min(0).max(1),
  fixed: z.number().int().nonnegative(),
  broke: z.number().int().nonnegative(),
  change: z.string(),
  /**
   * The kind of change: 0 an operator or a constant (one token, the commonest slip), 1 deleting code or
   * a less likely operator of the same family, 2 one variable for another (many tries per site, so one that fixes by chance is likelier).
   */
  tier: z.number().int().min(0).max(2).optional(),
  /** How many mutants of the statement, its best one included, reach its best score (variable substitutions only when the best is one). */
  alike: z.number().int().positive().optional(),
});
export type MutationStatement = z.infer<typeof MutationStatementSchema>;

export const HarnessMutationSchema = z.object({
  event: z.literal('mutation'),
  tried: z.number().int().nonnegative(),
  sites: z.number().int().nonnegative().optional(),
  statements: z.array(MutationStatementSchema),
  error: z.string().optional(),
});

/** The lines a test executed, from its second, traced run (sent only when some test failed). */
export const HarnessCoverageSchema = z.object({
  event: z.literal('coverage'),
  id: z.string(),
  lines: z.array(z.number().int().positive()),
});

const HarnessEventSchema = z.discriminatedUnion('event', [
  HarnessTestResultSchema,
  HarnessCoverageSchema,
  HarnessLoadSchema,
  HarnessMutationSchema,
  z.object({ event: z.literal('done') }),
]);

export interface HarnessReport {
  load?: z.infer<typeof HarnessLoadSchema>;
  tests: HarnessTestResult[];
  mutation?: z.infer<typeof HarnessMutationSchema>;
  done: boolean;
  /** Lines that were not valid events (a solution writing to fd 3, a truncated last line). */
  garbage: number;
}

export function parseHarnessOutput(text: string): HarnessReport {
  const report: HarnessReport = { tests: [], done: false, garbage: 0 };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      report.garbage++;
      continue;
    }
    const parsed = HarnessEventSchema.safeParse(json);
    if (!parsed.success) {
      report.garbage++;
      continue;
    }
    const event = parsed.data;
    if (event.event === 'load') report.load = event;
    else if (event.event === 'test') report.tests.push(event);
    else if (event.event === 'mutation') report.mutation = event;
    else if (event.event === 'coverage') {
      const test = report.tests.find((t) => t.id === event.id);
      if (test) test.lines = event.lines;
    } else report.done = true;
  }
  return report;
}
