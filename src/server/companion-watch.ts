// The editor reads a solution with its companion files (`name.reference.md`, the sibling test files of a
// code file), but they are not open documents: without a watcher, fixing the reference or a test would
// leave the open solution judged against the old one until its own text changed.
import { DidChangeWatchedFilesNotification, type Connection } from 'vscode-languageserver/node';
import { errorMessage } from '../engine/error-message';
import { COMPANION_GLOBS, companionPaths } from '../engine/pipeline/items';
import { uriToPath } from './accepted-store';

/** Asks the client (one that registers watchers) to report changes to companion files. */
export function watchCompanionFiles(connection: Connection): void {
  connection.client
    .register(DidChangeWatchedFilesNotification.type, { watchers: COMPANION_GLOBS.map((globPattern) => ({ globPattern })) })
    .catch((error: unknown) => connection.console.warn(`reference and test files are not watched (${errorMessage(error)})`));
}

/** The open solutions that read one of the changed files. */
export function solutionsReading(changedUris: readonly string[], openUris: readonly string[]): string[] {
  const changed = new Set(changedUris.map(uriToPath));
  return openUris.filter((uri) => {
    const path = uriToPath(uri);
    return path !== undefined && companionPaths(path).some((companion) => changed.has(companion));
  });
}
