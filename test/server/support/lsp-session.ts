// Starts the built language server as a process (`node dist/server/main.js --stdio`) and talks LSP to
// it with vscode-languageserver-protocol's client-side connection, the way an editor would. It records
// everything the server sends (diagnostics, step states, messages, edits it asks for), answers the
// server's requests (applyEdit, workDoneProgress/create, configuration, showMessageRequest) and keeps
// its own copy of each open document so that applied edits change the text as in an editor.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ApplyWorkspaceEditParams,
  type ClientCapabilities,
  type CodeAction,
  type CodeLens,
  type Diagnostic,
  type Hover,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { RefineProposal, ServerStats, ServerStatusParams, StepStatesParams } from '../../../src/protocol/messages';

export const SERVER_MAIN = resolve(import.meta.dirname, '../../../dist/server/main.js');

export interface SessionOptions {
  initializationOptions?: Record<string, unknown>;
  workspaceFolder?: string;
  /** What `window/showMessageRequest` answers (the title of an action), default the first one. */
  messageRequestAnswer?: (message: string, actions: string[]) => string | null;
  /** Whether `workspace/applyEdit` is accepted; by default the edit is applied to the local copy. */
  applyEdits?: boolean;
  capabilities?: ClientCapabilities;
  env?: Record<string, string>;
  /** The server bundle to start (default: dist/server/main.js). */
  serverMain?: string;
  /** Extra node flags for the server process (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Called as each diagnostics notification arrives (before it is recorded). */
  onDiagnostics?: (params: PublishDiagnosticsParams) => void;
  /** How `workspace/configuration` is answered (one value per item), as a workspace's settings would. */
  configuration?: (section: string | undefined) => unknown;
  /** Let the server register file watchers (`workspace/didChangeWatchedFiles`, relative patterns), as VS Code does. */
  watchFiles?: boolean;
}

export interface ProgressEvent {
  token: string | number;
  value: { kind: 'begin' | 'report' | 'end'; title?: string; message?: string; percentage?: number; cancellable?: boolean };
}

export class LspSession {
  readonly diagnostics: PublishDiagnosticsParams[] = [];
  readonly stepStates: StepStatesParams[] = [];
  readonly cleared: string[] = [];
  readonly statuses: ServerStatusParams[] = [];
  readonly messages: { type: number; message: string }[] = [];
  readonly logs: string[] = [];
  readonly appliedEdits: ApplyWorkspaceEditParams[] = [];
  readonly progress: ProgressEvent[] = [];
  readonly explanations: { uri: string; markdown: string }[] = [];
  /** Proposals the server offered for the client to review (`stepcritic/offerProposal`). */
  readonly offers: RefineProposal[] = [];
  readonly createdProgressTokens: (string | number)[] = [];
  readonly documents = new Map<string, TextDocument>();
  /** When each diagnostics / step-states notification arrived (performance.now()), for benches. */
  readonly timeline: { method: string; at: number; uri: string; version: number | undefined; done?: boolean }[] = [];
  /** What the server registered (`client/registerCapability`) and has not unregistered, by id. */
  readonly registrations = new Map<string, { method: string; registerOptions?: unknown }>();
  configurationRequests = 0;
  /** What the server said of itself in its initialize result. */
  serverInfo: { name: string; version?: string } | undefined;
  stderr = '';
  exited: number | null | undefined = undefined;

  private constructor(
    readonly process: ChildProcessWithoutNullStreams,
    readonly connection: ProtocolConnection,
    private readonly options: SessionOptions,
  ) {}

  static async start(options: SessionOptions = {}): Promise<LspSession> {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.serverMain ?? SERVER_MAIN, '--stdio'], {
      stdio: 'pipe',
      env: { ...process.env, ...options.env },
    });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const session = new LspSession(child, connection, options);
    child.stderr.on('data', (chunk: Buffer) => (session.stderr += chunk.toString('utf8')));
    child.on('exit', (code) => (session.exited = code));
    session.wire();
    connection.listen();
    const folder = options.workspaceFolder;
    const initialized = await connection.sendRequest<{ serverInfo?: { name: string; version?: string } }>('initialize', {
      processId: process.pid,
      rootUri: folder ? `file://${folder}` : null,
      workspaceFolders: folder ? [{ uri: `file://${folder}`, name: 'workspace' }] : null,
      capabilities: options.capabilities ?? {
        window: { workDoneProgress: true },
        workspace: {
          applyEdit: true,
          workspaceEdit: { documentChanges: true },
          codeLens: { refreshSupport: true },
          configuration: false,
          ...(options.watchFiles ? { didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true } } : {}),
        },
        textDocument: {
          codeAction: {
            dataSupport: true,
            resolveSupport: { properties: ['edit', 'command', 'title'] },
            codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } },
          },
          publishDiagnostics: { versionSupport: true, relatedInformation: true },
        },
      },
      initializationOptions: options.initializationOptions ?? {},
    });
    session.serverInfo = initialized.serverInfo;
    await connection.sendNotification('initialized', {});
    return session;
  }

  private wire(): void {
    const c = this.connection;
    c.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.options.onDiagnostics?.(p);
      this.timeline.push({ method: 'diagnostics', at: performance.now(), uri: p.uri, version: p.version });
      this.diagnostics.push(p);
    });
    c.onNotification('stepcritic/stepStates', (p: StepStatesParams) => {
      this.timeline.push({ method: 'stepStates', at: performance.now(), uri: p.uri, version: p.version, done: p.done });
      this.stepStates.push(p);
    });
    c.onNotification('stepcritic/clearStepStates', (p: { uri: string }) => void this.cleared.push(p.uri));
    c.onNotification('stepcritic/status', (p: ServerStatusParams) => void this.statuses.push(p));
    c.onNotification('stepcritic/showExplanation', (p: { uri: string; markdown: string }) => void this.explanations.push(p));
    c.onNotification('stepcritic/offerProposal', (p: RefineProposal) => void this.offers.push(p));
    c.onNotification('window/showMessage', (p: { type: number; message: string }) => void this.messages.push(p));
    c.onNotification('window/logMessage', (p: { message: string }) => void this.logs.push(p.message));
    c.onNotification('$/progress', (p: ProgressEvent) => void this.progress.push(p));
    c.onRequest('window/workDoneProgress/create', (p: { token: string | number }) => {
      this.createdProgressTokens.push(p.token);
      return null;
    });
    c.onRequest('workspace/codeLens/refresh', () => null);
    c.onRequest('client/registerCapability', (p: { registrations: { id: string; method: string; registerOptions?: unknown }[] }) => {
      for (const r of p.registrations) this.registrations.set(r.id, { method: r.method, registerOptions: r.registerOptions });
      return null;
    });
    c.onRequest('client/unregisterCapability', (p: { unregisterations: { id: string }[] }) => {
      for (const r of p.unregisterations) this.registrations.delete(r.id);
      return null;
    });
    c.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => {
      this.configurationRequests++;
      return p.items.map((item) => this.options.configuration?.(item.section) ?? null);
    });
    c.onRequest('window/showMessageRequest', (p: { type: number; message: string; actions?: { title: string }[] }) => {
      this.messages.push({ type: p.type, message: p.message });
      const titles = (p.actions ?? []).map((a) => a.title);
      const answer = this.options.messageRequestAnswer ? this.options.messageRequestAnswer(p.message, titles) : (titles[0] ?? null);
      return answer === null ? null : { title: answer };
    });
    c.onRequest('workspace/applyEdit', (p: ApplyWorkspaceEditParams): { applied: boolean; failureReason?: string } => {
      this.appliedEdits.push(p);
      if (this.options.applyEdits === false) return { applied: false, failureReason: 'refused by the test client' };
      for (const change of p.edit.documentChanges ?? []) {
        if (!('edits' in change)) continue;
        const doc = this.documents.get(change.textDocument.uri);
        if (!doc) return { applied: false, failureReason: 'not open' };
        if (change.textDocument.version !== null && change.textDocument.version !== doc.version) {
          return { applied: false, failureReason: 'version mismatch' };
        }
        void this.edit(change.textDocument.uri, change.edits as TextEdit[]);
      }
      return { applied: true };
    });
  }

  // ---- documents --------------------------------------------------------------------------------

  async open(uri: string, text: string, languageId = 'stepcritic-solution'): Promise<TextDocument> {
    const doc = TextDocument.create(uri, languageId, 1, text);
    this.documents.set(uri, doc);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return doc;
  }

  /** Replaces the whole text (a full-content change event), as a new version. */
  async replace(uri: string, text: string): Promise<number> {
    const doc = this.documents.get(uri)!;
    const version = doc.version + 1;
    TextDocument.update(doc, [{ text }], version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  /** Applies edits incrementally (range changes), as an editor does. */
  async edit(uri: string, edits: readonly TextEdit[]): Promise<number> {
    const doc = this.documents.get(uri)!;
    const version = doc.version + 1;
    const ordered = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
    const changes = ordered.map((e) => ({ range: e.range, text: e.newText }));
    TextDocument.update(doc, changes, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  async save(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
  }

  async close(uri: string): Promise<void> {
    this.documents.delete(uri);
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  text(uri: string): string {
    return this.documents.get(uri)!.getText();
  }

  version(uri: string): number {
    return this.documents.get(uri)!.version;
  }

  // ---- waiting for what the server publishes ----------------------------------------------------

  async waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const start = Date.now();
    for (;;) {
      const value = probe();
      if (value !== undefined && value !== false) return value;
      if (this.exited !== undefined) throw new Error(`server exited (${this.exited}) while waiting for ${what}\n${this.stderr}`);
      if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await delay(5);
    }
  }

  /** The final step states (done) for this version of the document. */
  finalStates(uri: string, version = this.version(uri), timeoutMs?: number): Promise<StepStatesParams> {
    return this.waitFor(
      () => [...this.stepStates].reverse().find((s) => s.uri === uri && s.version === version && s.done),
      `final step states of ${uri}@${version}`,
      timeoutMs,
    );
  }

  lastDiagnostics(uri: string, version?: number): Diagnostic[] | undefined {
    const found = [...this.diagnostics].reverse().find((d) => d.uri === uri && (version === undefined || d.version === version));
    return found?.diagnostics;
  }

  /** Diagnostics published after the final step states of `version`. */
  async diagnosticsFor(uri: string, version = this.version(uri)): Promise<Diagnostic[]> {
    await this.finalStates(uri, version);
    return this.waitFor(() => this.lastDiagnostics(uri, version), `diagnostics of ${uri}@${version}`);
  }

  /** Waits until the server has `count` idle, warmed-up check workers (serverStats). */
  async checkWorkersReady(count = 1, timeoutMs = 30_000): Promise<void> {
    const start = Date.now();
    while ((await this.request<ServerStats>('stepcritic/serverStats', {})).checkWorkers.ready < count) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${count} ready check workers`);
      await delay(50);
    }
  }

  // ---- requests ---------------------------------------------------------------------------------

  request<R>(method: string, params?: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  codeActions(uri: string, range: Diagnostic['range'], diagnostics: Diagnostic[] = [], only?: string[]): Promise<CodeAction[]> {
    return this.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, only } });
  }

  execute<R>(command: { command: string; arguments?: unknown[] }): Promise<R> {
    return this.request<R>('workspace/executeCommand', { command: command.command, arguments: command.arguments ?? [] });
  }

  hover(uri: string, line: number, character: number): Promise<Hover | null> {
    return this.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  }

  codeLenses(uri: string): Promise<CodeLens[]> {
    return this.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  }

  configure(settings: Record<string, unknown>, trusted = true): Promise<void> {
    return this.connection.sendNotification('stepcritic/configure', { settings, trusted });
  }

  async stop(): Promise<void> {
    if (this.exited === undefined) {
      try {
        await Promise.race([this.connection.sendRequest('shutdown'), delay(2000)]);
        await this.connection.sendNotification('exit');
      } catch {
        // the process may be gone already
      }
      const exited = new Promise<void>((r) => (this.exited !== undefined ? r() : this.process.once('exit', () => r())));
      await Promise.race([exited, delay(3000)]);
      if (this.exited === undefined) this.process.kill('SIGKILL');
    }
    this.connection.dispose();
  }
}
