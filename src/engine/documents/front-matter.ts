// Optional YAML front matter at the top of a Markdown solution (`---` … `---`). Broken front matter
// never stops the parse: the document gets a warning and the rest of the file is read as usual.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Line } from './lines';

export interface FrontMatter {
  /** Index of the first line after the front matter block (0 when there is none). */
  bodyLine: number;
  data?: Record<string, unknown>;
  warnings: string[];
}

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v).trim());

/** The keys Step Critic itself reads; anything else is kept in `frontMatter` untouched. */
const KnownKeysSchema = z.object({
  id: scalar.optional(),
  problem: z.string().optional(),
  answer: scalar.optional(),
  expected: scalar.optional(),
  /** A reference solution, attached by parseSolution (documents/reference.ts). */
  reference: z.string().optional(),
});
export type KnownFrontMatter = z.infer<typeof KnownKeysSchema>;

function lineText(text: string, line: Line): string {
  return text.slice(line.start, line.end);
}

export function readFrontMatter(text: string, lines: Line[], firstLine: number, firstOffset: number): FrontMatter {
  const first = lines[firstLine];
  if (!first || text.slice(firstOffset, first.end).trimEnd() !== '---') return { bodyLine: firstLine, warnings: [] };
  let close = -1;
  for (let i = firstLine + 1; i < lines.length; i++) {
    const t = lineText(text, lines[i]!).trimEnd();
    if (t === '---' || t === '...') {
      close = i;
      break;
    }
  }
  if (close < 0) {
    return {
      bodyLine: firstLine + 1,
      warnings: ['Front matter: the opening "---" on line 1 is never closed; the file is read without front matter.'],
    };
  }
  const source = text.slice(lines[firstLine + 1]?.start ?? first.end, lines[close]!.start);
  const warnings: string[] = [];
  let data: unknown;
  try {
    data = parseYaml(source, { maxAliasCount: 50, prettyErrors: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    warnings.push(`Front matter is not valid YAML and was ignored: ${message}`);
    return { bodyLine: close + 1, warnings };
  }
  if (data === null || data === undefined) return { bodyLine: close + 1, warnings };
  if (typeof data !== 'object' || Array.isArray(data)) {
    warnings.push('Front matter was ignored: it must be a mapping of keys to values (e.g. "answer: 72").');
    return { bodyLine: close + 1, warnings };
  }
  return { bodyLine: close + 1, data: data as Record<string, unknown>, warnings };
}

/** The keys we use, validated; a key of the wrong type is reported and skipped, the others still count. */
export function knownFrontMatter(data: Record<string, unknown> | undefined, warnings: string[]): KnownFrontMatter {
  if (!data) return {};
  const result: KnownFrontMatter = {};
  const shape = KnownKeysSchema.shape;
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) {
    if (!(key in data) || data[key] === null || data[key] === undefined) continue;
    const parsed = shape[key].safeParse(data[key]);
    if (parsed.success) (result as Record<string, unknown>)[key] = parsed.data;
    else if (key === 'reference')
      warnings.push('Front matter: "reference" should be a text block ("reference: |" and the reference solution indented below it); it was ignored.');
    else warnings.push(`Front matter: "${key}" should be a single value; it was ignored.`);
  }
  return result;
}
