// Watches the calibration file (`stepcritic.calibration`) through the client, so that fitting it again
// (`stepcritic calibrate … --out` over the same file, or making it after the setting named it) reaches
// the open documents without touching the setting. A client that cannot register file watchers gets
// none: the file is then read again only when the settings change.
import { basename, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidChangeWatchedFilesNotification, type ClientCapabilities, type Connection, type Disposable } from 'vscode-languageserver/node';
import { errorMessage } from '../engine/error-message';
import { uriToPath } from './accepted-store';

/** A file name as a glob that matches only itself. */
function literalGlob(name: string): string {
  return name.replace(/[*?[\]{}!\\]/g, (c) => `[${c}]`);
}

export class CalibrationWatch {
  private path: string | undefined;
  private registration: Promise<Disposable> | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly capabilities: ClientCapabilities['workspace'],
  ) {}

  /** Watches `path` (absolute) instead of the file watched before; undefined: none. */
  watch(path: string | undefined): void {
    const watching = this.capabilities?.didChangeWatchedFiles;
    if (path === this.path || watching?.dynamicRegistration !== true) return;
    this.path = path;
    const previous = this.registration;
    this.registration = undefined;
    if (previous) void previous.then((d) => d.dispose()).catch(() => undefined);
    if (path === undefined) return;
    // A relative pattern reaches a file outside the workspace folders too (LSP 3.17).
    const globPattern =
      watching.relativePatternSupport === true ? { baseUri: pathToFileURL(dirname(path)).href, pattern: literalGlob(basename(path)) } : literalGlob(path);
    const registration = this.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern }] });
    registration.catch((error: unknown) => this.connection.console.warn(`stepcritic.calibration: the file is not watched (${errorMessage(error)})`));
    this.registration = registration;
  }

  /** Whether a change the client reports is to the watched file. */
  concerns(uris: readonly string[]): boolean {
    return this.path !== undefined && uris.some((uri) => uriToPath(uri) === this.path);
  }
}
