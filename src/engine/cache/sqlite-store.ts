// The cache store of the CLI: one SQLite file, <dir>/cache.sqlite, through better-sqlite3. One file
// instead of one per entry is what makes a 100,000-record run cost (almost) no more with the cache on
// than off. Several processes share it safely (shards of one run on one machine): WAL lets readers go
// on while one writes, writers wait for each other (busy timeout), and every write is a transaction.
// Writes are gathered for a moment and committed together: one transaction per burst of verdicts, not
// one per verdict; what is still pending is written on close and when the process exits.
//
// The cache never stops a run: a damaged file is moved aside and a new one started (said once); any
// other failure (disk full, a lock held too long) turns the cache off for the rest of the process.
import type BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../error-message';
import { TABLE_FOLDERS, listEntryFiles } from './file-store';
import type { CacheStore, CacheTable, CacheTableName, TableStats } from './store';

type SqliteConstructor = typeof BetterSqlite3;
type Database = BetterSqlite3.Database;

export const SQLITE_FILE = 'cache.sqlite';
/** How long a writer waits for another process's write to finish. */
const BUSY_TIMEOUT_MS = 15_000;
const FLUSH_DELAY_MS = 50;
const FLUSH_AT_ENTRIES = 500;

const SCHEMA = `CREATE TABLE IF NOT EXISTS entries (
  tbl TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tbl, key)
)`;

/** better-sqlite3, or why it cannot be used here (not installed, built for another Node). */
export function loadSqlite(): SqliteConstructor | string {
  try {
    // Loaded on first use, never bundled: the module is native, and a process without a cache
    // (or the language server) must not need it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Sqlite = require('better-sqlite3') as SqliteConstructor;
    new Sqlite(':memory:').close();
    return Sqlite;
  } catch (error) {
    return errorMessage(error).split('\n')[0]!;
  }
}

interface PendingRow {
  tbl: CacheTableName;
  key: string;
  value: string;
  createdAt: number;
}

interface Statements {
  get: BetterSqlite3.Statement<[string, string], { value: string }>;
  insertAll: BetterSqlite3.Transaction<(rows: PendingRow[]) => void>;
  stats: BetterSqlite3.Statement<[string], { entries: number; bytes: number | null; oldest: number | null; newest: number | null }>;
  clearTable: BetterSqlite3.Statement<[string]>;
}

function isDamaged(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

export function openSqliteStore(Sqlite: SqliteConstructor, dir: string, notice: (line: string) => void): CacheStore {
  const path = join(dir, SQLITE_FILE);
  let db: Database | undefined;
  let statements: Statements | undefined;
  /** The file this process opened: another process may already have replaced a damaged one. */
  let openedInode: number | undefined;
  let recovered = false;
  let off = false;
  const pending = new Map<string, PendingRow>();
  let timer: NodeJS.Timeout | undefined;

  const open = (): Statements => {
    mkdirSync(dir, { recursive: true });
    const opened = new Sqlite(path, { timeout: BUSY_TIMEOUT_MS });
    try {
      opened.pragma('journal_mode = WAL');
      // In WAL mode a commit is durable against a crash of the process without an fsync each time.
      opened.pragma('synchronous = NORMAL');
      opened.exec(SCHEMA);
      const insert = opened.prepare<[string, string, string, number]>('INSERT OR REPLACE INTO entries (tbl, key, value, created_at) VALUES (?, ?, ?, ?)');
      statements = {
        get: opened.prepare('SELECT value FROM entries WHERE tbl = ? AND key = ?'),
        insertAll: opened.transaction((rows: PendingRow[]) => {
          for (const row of rows) insert.run(row.tbl, row.key, row.value, row.createdAt);
        }),
        stats: opened.prepare(
          'SELECT count(*) AS entries, sum(length(CAST(value AS BLOB))) AS bytes, min(created_at) AS oldest, max(created_at) AS newest FROM entries WHERE tbl = ?',
        ),
        clearTable: opened.prepare('DELETE FROM entries WHERE tbl = ?'),
      };
    } catch (error) {
      opened.close();
      throw error;
    }
    db = opened;
    openedInode = statSync(path).ino;
    return statements;
  };

  const closeDb = () => {
    try {
      db?.close();
    } catch {
      // Closing a damaged database may fail too; the handle is gone either way.
    }
    db = undefined;
    statements = undefined;
  };

  /** Moves a damaged file aside (unless another process did already) and starts a new one. */
  const startAfresh = (reason: string) => {
    closeDb();
    const current = statSync(path, { throwIfNoEntry: false });
    if (current && (openedInode === undefined || current.ino === openedInode)) {
      renameSync(path, `${path}.corrupt`);
      for (const suffix of ['-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    }
    open();
    notice(`cache: ${path} was damaged (${reason}); it was moved to ${SQLITE_FILE}.corrupt and a new cache started`);
  };

  /**
   * Runs one operation on the database; a damaged file is replaced once, any other failure turns the
   * cache off. Only a write creates the file: reading or clearing a cache that is not there leaves none.
   */
  function guarded<T>(operation: (s: Statements) => T, otherwise: T, write = false): T {
    if (off) return otherwise;
    if (!statements && !write && !existsSync(path)) return otherwise;
    try {
      return operation(statements ?? open());
    } catch (error) {
      if (isDamaged(error) && !recovered) {
        recovered = true;
        try {
          startAfresh(errorMessage(error));
          return operation(statements!);
        } catch (again) {
          return turnOff(again, otherwise);
        }
      }
      return turnOff(error, otherwise);
    }
  }

  function turnOff<T>(error: unknown, otherwise: T): T {
    off = true;
    pending.clear();
    closeDb();
    notice(`cache: ${path} cannot be used (${errorMessage(error)}); this run goes on without the cache`);
    return otherwise;
  }

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return;
    const rows = [...pending.values()];
    pending.clear();
    guarded((s) => s.insertAll.immediate(rows), undefined, true);
  };
  process.on('exit', flush);

  const table = (tbl: CacheTableName): CacheTable => ({
    async get(key) {
      const waiting = pending.get(`${tbl}\u0000${key}`);
      if (waiting) return waiting.value;
      return guarded((s) => s.get.get(tbl, key)?.value, undefined);
    },
    async set(key, value, createdAt) {
      if (off) return;
      pending.set(`${tbl}\u0000${key}`, { tbl, key, value, createdAt });
      if (pending.size >= FLUSH_AT_ENTRIES) flush();
      else timer ??= setTimeout(flush, FLUSH_DELAY_MS).unref();
    },
    async stats(): Promise<TableStats> {
      flush();
      const row = guarded((s) => s.stats.get(tbl), undefined);
      return {
        entries: row?.entries ?? 0,
        bytes: row?.bytes ?? 0,
        ...(row?.oldest != null ? { oldest: row.oldest } : {}),
        ...(row?.newest != null ? { newest: row.newest } : {}),
      };
    },
    async clear() {
      flush();
      return guarded((s) => s.clearTable.run(tbl).changes, 0);
    },
  });

  const leftoverFolders = () => Object.values(TABLE_FOLDERS).map((folder) => join(dir, folder));

  return {
    dir,
    kind: 'sqlite',
    table,
    async leftovers() {
      const found = await Promise.all(leftoverFolders().map(async (folder) => ((await listEntryFiles(folder)).length > 0 ? [folder] : [])));
      return found.flat();
    },
    async clear() {
      flush();
      let removed = guarded((s) => (s.clearTable.run('critic').changes as number) + (s.clearTable.run('results').changes as number), 0);
      // Give the space back; another process reading the cache at this moment keeps it for later.
      guarded(() => {
        try {
          db!.exec('VACUUM');
        } catch {
          // busy: the file shrinks on a later clear
        }
      }, undefined);
      for (const folder of leftoverFolders()) {
        removed += (await listEntryFiles(folder)).length;
        await rm(folder, { recursive: true, force: true });
      }
      return removed;
    },
    close() {
      flush();
      process.off('exit', flush);
      closeDb();
    },
  };
}
