// What a harness reports, validated: one JSON line per event on fd 3.
import { z } from 'zod';

export const HarnessTestResultSchema = z.object({
  event: z.literal('test'),
  id: z.string(),
  /** Index of the CodeTest it came from (a test may expand into several). */
  index: z.number().int().nonnegative(),
  name: z.string(),
  status: z.enum(['passed', 'failed', 'timeout', 'error', 'skipped']),
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
});

const HarnessEventSchema = z.discriminatedUnion('event', [
  HarnessTestResultSchema,
  HarnessLoadSchema,
  z.object({ event: z.literal('done') }),
]);

export interface HarnessReport {
  load?: z.infer<typeof HarnessLoadSchema>;
  tests: HarnessTestResult[];
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
    else report.done = true;
  }
  return report;
}
