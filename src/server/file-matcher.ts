// Whether a file is matched by the `stepcritic.files` glob, relative to its workspace folder.
// Matching uses `ignore` (gitignore pattern rules, a dependency the project already has); `{a,b}`
// alternatives, which gitignore lacks and VS Code globs allow, are expanded first.
import ignore from 'ignore';

/** `solutions/**\/*.{md,py}` → [`solutions/**\/*.md`, `solutions/**\/*.py`]. Nested braces work; at most 64 results. */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = [open, ...commas, close];
  const results: string[] = [];
  for (let i = 0; i < bounds.length - 1 && results.length < 64; i++) {
    const middle = pattern.slice(bounds[i]! + 1, bounds[i + 1]);
    for (const expanded of expandBraces(head + middle + tail)) {
      if (results.length < 64) results.push(expanded);
    }
  }
  return results;
}

export interface FileMatcher {
  matches(relativePath: string): boolean;
}

export function createFileMatcher(glob: string): FileMatcher {
  const patterns = glob
    .split(/\s*;\s*/)
    .flatMap((p) => expandBraces(p.trim()))
    .filter((p) => p !== '')
    .map((p) => p.replace(/^\.\//, ''));
  const matcher = ignore({ allowRelativePaths: true }).add(patterns);
  return {
    matches(relativePath: string): boolean {
      const path = relativePath.replace(/\\/g, '/').replace(/^\.\//, '');
      if (path === '' || path.startsWith('../')) return false;
      try {
        return matcher.ignores(path);
      } catch {
        return false;
      }
    },
  };
}
