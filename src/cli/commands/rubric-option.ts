// `--rubric FILE` for `check`: a rubric shared by every solution of the run (it wins over a solution's
// own front-matter rubric). A file that cannot be read or is malformed stops the run before any work,
// with a message that names the file and the item.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { errorMessage } from '../../engine/error-message';
import { parseRubricText, type RubricItem } from '../../engine/rubric/rubric';
import type { OptionSpec, ParsedArgs } from '../args';
import { helpHint, stringValue } from '../args';
import { UsageError } from '../command';

export const RUBRIC_OPTION: OptionSpec = {
  name: 'rubric',
  type: 'string',
  valueName: 'FILE',
  description:
    "Grade every solution by the rubric in FILE (YAML: a list of items with title, points, optional description); it wins over a solution's own `rubric:`",
};

export function readCliRubric(command: string, args: ParsedArgs, cwd: string): RubricItem[] | undefined {
  const path = stringValue(args, 'rubric');
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(`--rubric: cannot read ${path}: ${errorMessage(error)}`, helpHint(command));
  }
  const parsed = parseRubricText(text, path);
  if (!parsed.ok) throw new UsageError(`--rubric: ${parsed.error}`, helpHint(command));
  return parsed.items;
}
