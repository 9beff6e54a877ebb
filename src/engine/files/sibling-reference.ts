// `name.reference.md` beside `name.solution.md` (or beside `name.md`, `name.txt`, `name.py`, …): the
// reference solution the CLI, the workspace critique and the editor judge a solution against. Read as
// every solution file is (readTextFile: size limit, UTF-8, not binary); a file that is there but cannot
// be read is said so, never silently dropped.
import { access } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ReferenceFile } from '../documents/reference';
import { readTextFile } from './read';

export const REFERENCE_SUFFIX = '.reference.md';

/** Where a solution's reference file would be; undefined for a reference file itself or no path. */
export function siblingReferencePath(path: string): string | undefined {
  const name = basename(path);
  if (path === '' || name.toLowerCase().endsWith(REFERENCE_SUFFIX)) return undefined;
  const stem = name.replace(/\.solution\.md$/i, '').replace(/\.[^.]+$/, '');
  return stem === '' ? undefined : join(dirname(path), `${stem}${REFERENCE_SUFFIX}`);
}

/** The solution's reference file, read; undefined when there is none. */
export async function findSiblingReference(path: string): Promise<ReferenceFile | undefined> {
  const candidate = siblingReferencePath(path);
  if (candidate === undefined) return undefined;
  try {
    await access(candidate);
  } catch {
    return undefined;
  }
  const read = await readTextFile(candidate);
  const name = basename(candidate);
  return read.ok ? { name, text: read.text } : { name, unreadable: read.reason };
}
