// Sibling test files: `test_<name>.py` / `<name>_test.py` beside a Python solution, `<name>.test.ts`
// / `<name>.spec.js` … beside a JavaScript/TypeScript one. Needs the file system, so it is a separate
// function that the CLI and the server call before judging; the checker itself only sees documents.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CodeTest } from '../types';
import { codeLanguageOf } from './parse';

export function siblingTestPaths(path: string): string[] {
  const dir = dirname(path);
  const file = basename(path);
  const language = codeLanguageOf(file);
  if (language === 'python') {
    const name = file.replace(/\.py$/i, '');
    if (/^test_|_test$/.test(name)) return [];
    return [join(dir, `test_${name}.py`), join(dir, `${name}_test.py`), join(dir, 'tests', `test_${name}.py`)];
  }
  if (language) {
    const match = /^(.*?)\.([cm]?[jt]sx?)$/i.exec(file);
    if (!match || /\.(test|spec)$/.test(match[1]!)) return [];
    const name = match[1]!;
    const extensions = ['ts', 'js', 'mts', 'mjs', 'cts', 'cjs', 'tsx', 'jsx'];
    return ['test', 'spec'].flatMap((kind) => extensions.map((ext) => join(dir, `${name}.${kind}.${ext}`)));
  }
  return [];
}

/** The sibling test files of a solution, as tests (the harness runs each test function separately). */
export async function findSiblingTests(path: string): Promise<CodeTest[]> {
  const tests: CodeTest[] = [];
  for (const candidate of siblingTestPaths(path)) {
    try {
      const code = await readFile(candidate, 'utf8');
      tests.push({ name: basename(candidate), origin: 'sibling', code });
    } catch {
      // No such file: the usual case.
    }
  }
  return tests;
}
