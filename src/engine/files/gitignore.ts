// .gitignore rules as git applies them: every .gitignore from the repository root down to a path's
// folder, patterns relative to the folder of their file, a deeper file able to re-include (`!x`)
// what a shallower one ignored, and nothing inside an ignored folder can be re-included.
// (.git/info/exclude and the global excludes file are not read.)
import ignore, { type Ignore } from 'ignore';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

export class GitignoreRules {
  private readonly rules = new Map<string, Promise<Ignore | null>>();
  private readonly ignoredDirs = new Map<string, Promise<boolean>>();

  /** `root`: the repository root (or the top folder when not in a repository); nothing above it applies. */
  constructor(readonly root: string) {}

  /** Whether an absolute path under the root is ignored, its ancestors' rules included. */
  async isIgnored(absolutePath: string, isDirectory: boolean): Promise<boolean> {
    const rel = relative(this.root, absolutePath);
    if (rel === '' || rel.startsWith('..')) return false;
    const parent = dirname(absolutePath);
    if (parent !== this.root && (await this.isDirectoryIgnored(parent))) return true;
    return this.ignoredByOwnRules(absolutePath, isDirectory);
  }

  /** For a walk that never enters ignored folders: only the rules of the path's own ancestors' files. */
  async ignoredByOwnRules(absolutePath: string, isDirectory: boolean): Promise<boolean> {
    let ignored = false;
    for (const folder of this.foldersDownTo(dirname(absolutePath))) {
      const rules = await this.rulesOf(folder);
      if (!rules) continue;
      const rel = relative(folder, absolutePath).split(sep).join('/') + (isDirectory ? '/' : '');
      const verdict = rules.test(rel);
      if (verdict.ignored) ignored = true;
      else if (verdict.unignored) ignored = false;
    }
    return ignored;
  }

  private isDirectoryIgnored(dir: string): Promise<boolean> {
    let known = this.ignoredDirs.get(dir);
    if (!known) {
      known = this.isIgnored(dir, true);
      this.ignoredDirs.set(dir, known);
    }
    return known;
  }

  private foldersDownTo(folder: string): string[] {
    const rel = relative(this.root, folder);
    if (rel.startsWith('..')) return [];
    const parts = rel === '' ? [] : rel.split(sep);
    const folders = [this.root];
    for (let i = 0; i < parts.length; i++) folders.push(join(this.root, ...parts.slice(0, i + 1)));
    return folders;
  }

  private rulesOf(folder: string): Promise<Ignore | null> {
    let found = this.rules.get(folder);
    if (!found) {
      found = readFile(join(folder, '.gitignore'), 'utf8').then(
        (text) => ignore().add(text),
        () => null,
      );
      this.rules.set(folder, found);
    }
    return found;
  }
}

/** The closest folder at or above `start` that holds `.git` (a folder or, in a worktree, a file). */
export async function findRepositoryRoot(start: string): Promise<string | undefined> {
  let folder = start;
  for (;;) {
    if (await exists(join(folder, '.git'))) return folder;
    const up = dirname(folder);
    if (up === folder) return undefined;
    folder = up;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
