// Turns the paths a user typed (files, folders, globs) into the files to check.
// - a file is taken as named, whatever .gitignore says (the user asked for it);
// - a folder is walked for `*.solution.md`, honouring .gitignore files (nested ones too) and never
//   entering node_modules or .git;
// - a glob (`'**/*.md'`) takes every supported file it matches, minus what .gitignore excludes and
//   minus reference solutions (`name.reference.md`: read with the solution beside it, never judged).
// A path that does not exist or a glob that matches nothing is a usage error: nothing is checked.
import type * as Tinyglobby from 'tinyglobby';
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { GitignoreRules, findRepositoryRoot } from './gitignore';
import type { InputKind } from './kinds';
import { classifyPath, datasetKindOf, isFolderWalkSolution } from './kinds';
import { REFERENCE_SUFFIX } from './sibling-reference';

// Loaded through require() on purpose: an `import` makes esbuild bundle tinyglobby's ESM build, whose
// dependency fdir calls createRequire(import.meta.url), and import.meta is empty in our CommonJS bundle.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { glob, isDynamicPattern } = require('tinyglobby') as typeof Tinyglobby;

/** Folders no walk or glob enters. */
export const ALWAYS_SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['node_modules', '.git']);

export interface DiscoveredFile {
  /** Absolute path. */
  path: string;
  /** As shown to the user: relative to the working directory when inside it, with `/`. */
  display: string;
  kind: InputKind;
  /** Named directly (not found by a walk or a glob). */
  explicit: boolean;
}

/** A path or glob the user gave that found nothing: reported as a failed entry among the others. */
export interface MissingInput {
  /** Absolute path the input names (for a glob: where it was resolved). */
  path: string;
  /** The input as the user typed it. */
  display: string;
  /** Why nothing was found, e.g. `no such file or folder`. */
  missing: string;
}

export interface Discovery {
  files: DiscoveredFile[];
  /** Paths that do not exist, globs that match nothing, paths that are neither file nor folder. */
  problems: MissingInput[];
}

/** A problem as one line: `missing.md: no such file or folder`. */
export function describeMissing(problem: MissingInput): string {
  return `${problem.display}: ${problem.missing}`;
}

export async function discoverFiles(patterns: readonly string[], cwd: string): Promise<Discovery> {
  const found = new Map<string, DiscoveredFile>();
  const problems: MissingInput[] = [];
  const problem = (pattern: string, missing: string) => problems.push({ path: resolve(cwd, pattern), display: pattern, missing });
  const rulesByRoot = new Map<string, GitignoreRules>();
  const rulesFor = async (start: string): Promise<GitignoreRules> => {
    const root = (await findRepositoryRoot(start)) ?? start;
    let rules = rulesByRoot.get(root);
    if (!rules) {
      rules = new GitignoreRules(root);
      rulesByRoot.set(root, rules);
    }
    return rules;
  };
  const add = (path: string, explicit: boolean) => {
    if (found.has(path)) return;
    found.set(path, { path, display: displayPath(path, cwd), kind: classifyPath(path), explicit });
  };

  for (const pattern of patterns.length > 0 ? patterns : ['.']) {
    const absolute = resolve(cwd, pattern);
    const info = await stat(absolute).catch(() => undefined);
    if (info?.isFile()) {
      add(absolute, true);
      continue;
    }
    if (info?.isDirectory()) {
      const rules = await rulesFor(absolute);
      // A folder the user names is walked even if it is ignored itself; its contents follow the rules.
      for (const file of await walkFolder(absolute, rules, isFolderWalkSolution)) add(file, false);
      continue;
    }
    if (info) {
      problem(pattern, 'not a file or folder');
      continue;
    }
    if (isDynamicPattern(pattern)) {
      const matches = await expandGlob(pattern, cwd, rulesFor);
      if (matches.length === 0) problem(pattern, 'no files match this pattern');
      for (const file of matches) add(file, false);
      continue;
    }
    problem(pattern, 'no such file or folder');
  }

  const files = [...found.values()].sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
  return { files, problems };
}

/**
 * The dataset files in a folder and its subfolders, sorted (`eval DIR`: Hugging Face keeps a dataset's
 * files under `data/` or one folder per configuration), honouring .gitignore as a folder walk does.
 */
export async function walkForDatasets(folder: string): Promise<string[]> {
  const rules = new GitignoreRules((await findRepositoryRoot(folder)) ?? folder);
  return (await walkFolder(folder, rules, (name) => datasetKindOf(name) !== undefined)).sort();
}

async function walkFolder(top: string, rules: GitignoreRules, wanted: (name: string) => boolean): Promise<string[]> {
  const files: string[] = [];
  const pending = [top];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(folder, entry.name);
      // Symbolic links are not followed: a link to a parent folder would never end.
      if (entry.isDirectory()) {
        if (ALWAYS_SKIPPED_FOLDERS.has(entry.name)) continue;
        if (await rules.ignoredByOwnRules(path, true)) continue;
        pending.push(path);
      } else if (entry.isFile() && wanted(entry.name)) {
        if (await rules.ignoredByOwnRules(path, false)) continue;
        files.push(path);
      }
    }
  }
  return files;
}

async function expandGlob(pattern: string, cwd: string, rulesFor: (start: string) => Promise<GitignoreRules>): Promise<string[]> {
  const matches = await glob(pattern.replace(/\\/g, '/'), {
    cwd,
    absolute: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    ignore: [...ALWAYS_SKIPPED_FOLDERS].map((name) => `**/${name}/**`),
    expandDirectories: false,
  });
  const kept: string[] = [];
  const rules = await rulesFor(cwd);
  for (const match of matches.map((m) => resolve(m))) {
    if (classifyPath(match).kind === 'unsupported' || match.toLowerCase().endsWith(REFERENCE_SUFFIX)) continue;
    if (await rules.isIgnored(match, false)) continue;
    kept.push(match);
  }
  return kept;
}

export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return path.split(sep).join('/');
  return rel.split(sep).join('/');
}
