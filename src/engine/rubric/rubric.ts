// A rubric: the items a teacher grades a solution by ("sets up the equation: 2 points"). It comes from
// a solution's front matter (`rubric:`) or from a shared file (`--rubric FILE`, `stepcritic.rubric`),
// which wins: a submission must not bring its own grading. Parsed with zod; a malformed rubric is
// refused with one message that names where it came from and which item is wrong.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { errorMessage } from '../error-message';

export const RubricItemSchema = z.object({
  title: z.string().trim().min(1, 'a title is required'),
  points: z.number().finite().positive('points must be more than 0'),
  description: z.string().trim().min(1).optional(),
});
export type RubricItem = z.infer<typeof RubricItemSchema>;

/** The most items a rubric may have: each costs reply tokens in every request. */
export const MAX_RUBRIC_ITEMS = 50;

export type RubricParse = { ok: true; items: RubricItem[] } | { ok: false; error: string };

function describeItem(value: unknown, index: number): string {
  const title = typeof value === 'object' && value !== null && 'title' in value ? (value as { title: unknown }).title : undefined;
  return `item ${index + 1}${typeof title === 'string' && title.trim() ? ` ("${title.trim().slice(0, 60)}")` : ''}`;
}

/**
 * A rubric from a parsed value: a list of items, or a mapping with a `rubric:` list (a rubric.yaml may
 * be either). `source` names where it came from in the message (a path, "front matter").
 */
export function parseRubric(value: unknown, source: string): RubricParse {
  const list = typeof value === 'object' && value !== null && !Array.isArray(value) && 'rubric' in value ? (value as { rubric: unknown }).rubric : value;
  if (!Array.isArray(list)) return { ok: false, error: `${source}: the rubric must be a list of items (title, points, optional description)` };
  if (list.length === 0) return { ok: false, error: `${source}: the rubric has no items` };
  if (list.length > MAX_RUBRIC_ITEMS) return { ok: false, error: `${source}: the rubric has ${list.length} items; at most ${MAX_RUBRIC_ITEMS} are allowed` };
  const items: RubricItem[] = [];
  for (const [index, raw] of list.entries()) {
    const parsed = RubricItemSchema.strict().safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      return { ok: false, error: `${source}: rubric ${describeItem(raw, index)}: ${where}${issue?.message ?? 'invalid'}` };
    }
    items.push(parsed.data);
  }
  return { ok: true, items };
}

/** A rubric file's text (YAML, JSON being YAML too), read as parseRubric reads a value. */
export function parseRubricText(text: string, source: string): RubricParse {
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 50, prettyErrors: true });
  } catch (error) {
    return { ok: false, error: `${source}: not valid YAML (${errorMessage(error).split('\n')[0]})` };
  }
  return parseRubric(value, source);
}

/** The rubric a solution is graded by: the shared one when given, else its front matter's. */
export function rubricFor(frontMatter: Record<string, unknown> | undefined, shared: readonly RubricItem[] | undefined): RubricParse | undefined {
  if (shared) return { ok: true, items: [...shared] };
  if (!frontMatter || frontMatter.rubric === undefined || frontMatter.rubric === null) return undefined;
  return parseRubric(frontMatter.rubric, 'front matter');
}
