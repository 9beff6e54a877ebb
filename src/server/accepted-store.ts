// The accepted steps of every workspace folder, as the server sees them: loaded lazily, reloaded when
// the file changes on disk (a git pull, a hand edit), written through the engine's atomic update.
import { stat } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AcceptedSteps, acceptedFilePath, loadAcceptedSteps, updateAcceptedSteps, type AcceptedFileChange } from '../engine/accepted';

/** The file is looked at (a stat) at most this often per folder; edits through the server apply at once. */
const RECHECK_MS = 1000;

interface FolderEntry {
  accepted: AcceptedSteps;
  mtimeMs: number;
  checkedAt?: number;
  /** Why the file could not be read (it is then treated as empty and never written). */
  error?: string;
}

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export class AcceptedStore {
  private readonly folders = new Map<string, FolderEntry>();
  private workspaceFolders: string[] = [];
  private readonly folderByUri = new Map<string, string | undefined>();

  setWorkspaceFolders(uris: readonly string[]): void {
    this.workspaceFolders = uris
      .map(uriToPath)
      .filter((p): p is string => p !== undefined)
      .sort((a, b) => b.length - a.length);
    this.folderByUri.clear();
  }

  /** The folder whose `.stepcritic/accepted.json` holds this document's marks. */
  folderOf(uri: string): string | undefined {
    if (this.folderByUri.has(uri)) return this.folderByUri.get(uri);
    const path = uriToPath(uri);
    const folder = path ? (this.workspaceFolders.find((f) => path === f || path.startsWith(f.endsWith(sep) ? f : f + sep)) ?? dirname(path)) : undefined;
    if (this.folderByUri.size > 10_000) this.folderByUri.clear();
    this.folderByUri.set(uri, folder);
    return folder;
  }

  /** Synchronous lookup for the judge. */
  has(uri: string, problemHash: string, stepHash: string): boolean {
    const folder = this.folderOf(uri);
    if (!folder) return false;
    return this.entryFor(folder).accepted.has(problemHash, stepHash);
  }

  /** Problems reading a folder's file, for the user (once per change). */
  problemFor(uri: string): string | undefined {
    const folder = this.folderOf(uri);
    return folder ? this.entryFor(folder).error : undefined;
  }

  /** The marks as last loaded; `refresh` (awaited before every critique) keeps them current. */
  private entryFor(folder: string): FolderEntry {
    let entry = this.folders.get(folder);
    if (!entry) {
      entry = { accepted: new AcceptedSteps(), mtimeMs: -2 };
      this.folders.set(folder, entry);
    }
    return entry;
  }

  /** Makes sure the folder's marks are loaded and current (call before judging). */
  async refresh(uri: string): Promise<void> {
    const folder = this.folderOf(uri);
    if (!folder) return;
    const now = Date.now();
    const cached = this.folders.get(folder);
    if (cached?.checkedAt !== undefined && now - cached.checkedAt < RECHECK_MS) return;
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(acceptedFilePath(folder))).mtimeMs;
    } catch {
      mtimeMs = -1;
    }
    if (cached && cached.mtimeMs === mtimeMs) {
      cached.checkedAt = now;
      return;
    }
    const loaded = await loadAcceptedSteps(folder);
    this.folders.set(
      folder,
      loaded.ok ? { accepted: loaded.accepted, mtimeMs, checkedAt: now } : { accepted: new AcceptedSteps(), mtimeMs, checkedAt: now, error: loaded.error },
    );
  }

  async change(
    uri: string,
    change: (accepted: AcceptedSteps) => boolean,
  ): Promise<{ ok: true; changed: boolean; file: AcceptedFileChange; path: string } | { ok: false; error: string }> {
    const folder = this.folderOf(uri);
    if (!folder) return { ok: false, error: 'Only files on disk can have accepted steps (this document has no folder).' };
    const result = await updateAcceptedSteps(folder, change);
    if (!result.ok) return result;
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(acceptedFilePath(folder))).mtimeMs;
    } catch {
      mtimeMs = -1;
    }
    this.folders.set(folder, { accepted: result.accepted, mtimeMs, checkedAt: Date.now() });
    return { ok: true, changed: result.changed, file: result.file, path: acceptedFilePath(folder) };
  }
}
