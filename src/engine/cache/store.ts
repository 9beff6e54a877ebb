// The cache folder as a store of JSON entries in named tables: the critic's verdicts (per step, per
// answer, per rubric) and whole results of earlier runs. The CLI keeps them in one SQLite file
// (sqlite-store.ts); the language server keeps one file per entry (file-store.ts), because the .vsix
// must run on every platform and in VS Code's Electron, where a native module built for Node does not
// load. The CLI falls back to the same per-file store when better-sqlite3 is not installed or does not
// load (an install with --ignore-scripts, another Node), and says so once.
import { createFileStore } from './file-store';
import { loadSqlite, openSqliteStore } from './sqlite-store';

export type CacheTableName = 'critic' | 'results';

export interface TableStats {
  entries: number;
  bytes: number;
  /** ms since epoch. */
  oldest?: number;
  newest?: number;
}

/** One table: values are JSON text, read back as written or not at all. */
export interface CacheTable {
  get(key: string): Promise<string | undefined>;
  set(key: string, json: string, createdAt: number): Promise<void>;
  stats(): Promise<TableStats>;
  /** Removes every entry of this table; returns how many. */
  clear(): Promise<number>;
}

export interface CacheStore {
  /** The cache folder. */
  readonly dir: string;
  readonly kind: 'sqlite' | 'files';
  table(name: CacheTableName): CacheTable;
  /** Caches of an older layout found in the folder (ignored; `clear` removes them). */
  leftovers(): Promise<string[]>;
  /** Removes every entry of every table and the leftovers; returns how many entries. */
  clear(): Promise<number>;
  /** Writes what is still pending and lets the file go. */
  close(): void;
}

export interface OpenStoreOptions {
  /** One file per entry, without native code: the language server. */
  portable?: boolean;
  /** A line for the user: the store fell back, started afresh over a damaged file, or cannot write. */
  onNotice?: (line: string) => void;
}

export function openCacheStore(dir: string, options: OpenStoreOptions = {}): CacheStore {
  if (options.portable) return createFileStore(dir);
  const sqlite = loadSqlite();
  if (typeof sqlite === 'string') {
    options.onNotice?.(`cache: SQLite is not available (${sqlite}); using one file per entry in ${dir}`);
    return createFileStore(dir);
  }
  return openSqliteStore(sqlite, dir, options.onNotice ?? (() => undefined));
}
