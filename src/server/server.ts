// The Step Critic language server: wires LSP to the critique service. Thin on purpose — what a
// verdict is, how a proposal is judged and what is shown come from the engine and from the small
// modules beside this one.
import { basename, dirname, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type WorkDoneProgressReporter,
  type WorkDoneProgressServerReporter,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { isCarriable } from '../engine/refine/carry';
import { applyEdits, offsetAt } from '../engine/refine/text';
import { createMemoryCache } from '../engine/cache/memory';
import { missingCheckWorker } from '../engine/deadline/check-pool';
import { openCacheStore } from '../engine/cache/store';
import { createStoredCriticCache } from '../engine/cache/stored-cache';
import type { CriticCache } from '../engine/cache/types';
import {
  ClearCacheRequest,
  CodeActionKinds,
  ConfigureNotification,
  CritiqueFileRequest,
  CritiqueWorkspaceRequest,
  ExplainRequest,
  InitializationOptionsSchema,
  LastReportRequest,
  RefineSolutionRequest,
  RefineStepRequest,
  RefineParamsSchema,
  RefinementArgsSchema,
  RegenerateFromFirstErrorRequest,
  ServerCommands,
  ServerStatsRequest,
  ServerStatusNotification,
  SetSecretsRequest,
  ShowExplanationNotification,
  StepCommandArgsSchema,
  TestConnectionRequest,
  ToggleRequest,
  UriArgsSchema,
  VersionedEditSchema,
  OfferProposalNotification,
  type ApplyEditResult,
  type FileCritique,
  type LastReport,
  type RefineProposal,
  type StepCommandArgs,
  type VersionedEdit,
  type WorkspaceCritique,
} from '../protocol/messages';
import { AcceptedStore, uriToPath } from './accepted-store';
import { buildCodeActions } from './code-actions';
import { CritiqueService, type DocumentSource } from './critique-service';
import { errorMessage } from '../engine/error-message';
import { CalibrationWatch } from './calibration-watch';
import { solutionsReading, watchCompanionFiles } from './companion-watch';
import { CritiqueSetup } from './critique-setup';
import type { DocumentView } from './document-view';
import { fileMarkdown, stepMarkdown, summaryLine, usageLine } from './explain';
import { createFileMatcher, type FileMatcher } from './file-matcher';
import { buildCodeLenses, buildHover } from './lens-and-hover';
import { RefinementService, type ProposalKind } from './refinement-service';
import { emptyStepCounts } from './step-states';
import { applyVersionedEdit } from './versioned-edit';
import { critiqueWorkspace, type WorkspaceProgress } from './workspace-critique';
import { TOOL_VERSION } from '../engine/version';
import { latestRunReport, runLogFolder } from './run-reports';
import { emptyUsage, type Usage } from '../engine/types';
import { z } from 'zod';

const SOLUTION_LANGUAGE = 'stepcritic-solution';
const FILE_LANGUAGES = new Set(['markdown', 'plaintext', 'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', SOLUTION_LANGUAGE]);

interface Services {
  setup: CritiqueSetup;
  cache: CriticCache;
  critique: CritiqueService;
  refinement: RefinementService;
}

export class StepCriticServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly accepted = new AcceptedStore();
  /** Files critiqued on request although `stepcritic.files` does not match them. */
  private readonly forced = new Set<string>();
  private services: Services | undefined;
  private workspaceFolders: string[] = [];
  private matcher: FileMatcher = createFileMatcher('**/*.solution.md');
  private sessionEnabled = true;
  private justOpened = new Set<string>();
  private settingsReceived = false;
  private untrustedNoticeShown = false;
  private readonly usage: Usage = emptyUsage();
  private readonly countedUsage = new WeakSet<Usage>();
  /** Watches the calibration file through the client, from initialization on. */
  private calibrationWatch: CalibrationWatch | undefined;
  private client = {
    codeLensRefresh: false,
    configurationPull: false,
    workDoneProgress: false,
    workspaceFolders: false,
    watchesFiles: false,
    reviewsProposals: false,
  };
  private lensTimer: NodeJS.Timeout | undefined;
  /** The extension's storage for run logs, when the client gave one. */
  private runLogDir: string | undefined;
  private statusTimer: NodeJS.Timeout | undefined;

  constructor(private readonly connection: Connection) {}

  private get s(): Services {
    if (!this.services) throw new Error('the server is not initialized yet');
    return this.services;
  }

  private get enabled(): boolean {
    return this.sessionEnabled && (this.services?.setup.settings.enable ?? true);
  }

  readonly source: DocumentSource = {
    get: (uri) => this.documents.get(uri),
    isCritiqued: (document) => this.isCritiqued(document),
  };

  private isCritiqued(document: TextDocument): boolean {
    if (!this.enabled) return false;
    if (document.languageId === SOLUTION_LANGUAGE || this.forced.has(document.uri)) return true;
    if (!FILE_LANGUAGES.has(document.languageId)) return false;
    const path = uriToPath(document.uri);
    if (!path) return false;
    const folder = this.workspaceFolders.find((f) => path.startsWith(f.endsWith(sep) ? f : f + sep));
    const rel = folder ? relative(folder, path) : (path.split(sep).pop() ?? path);
    return this.matcher.matches(rel.split(sep).join('/'));
  }

  listen(): void {
    const { connection, documents } = this;
    connection.onInitialize((params) => this.initialize(params));
    connection.onInitialized(() => void this.initialized());
    connection.onDidChangeConfiguration((params) => void this.configurationChanged(params.settings));
    connection.onNotification(ConfigureNotification.method, (raw: unknown) => {
      const params = ConfigureNotification.params.safeParse(raw);
      if (!params.success) return connection.console.error(`stepcritic/configure: ${params.error.message}`);
      this.settingsReceived = true;
      this.applyConfiguration({ settings: params.data.settings, trusted: params.data.trusted });
    });
    connection.onDidChangeWatchedFiles((params) => {
      if (!this.services) return;
      const uris = params.changes.map((c) => c.uri);
      if (this.calibrationWatch?.concerns(uris)) this.calibrationChanged();
      for (const uri of solutionsReading(uris, this.s.critique.openUris())) this.s.critique.companionChanged(uri);
    });
    connection.onShutdown(async () => {
      this.services?.critique.scheduler.cancelAll();
      await this.services?.critique.checks.close();
    });

    documents.onDidOpen((e) => {
      this.justOpened.add(`${e.document.uri}@${e.document.version}`);
      if (this.services && this.isCritiqued(e.document)) this.s.critique.changed(e.document, 'open');
    });
    documents.onDidChangeContent((e) => {
      const key = `${e.document.uri}@${e.document.version}`;
      if (this.justOpened.delete(key)) return;
      if (!this.services) return;
      this.s.refinement.forget(e.document.uri);
      if (this.isCritiqued(e.document)) this.s.critique.changed(e.document, 'change');
    });
    documents.onDidSave((e) => {
      if (this.services && this.isCritiqued(e.document)) this.s.critique.saved(e.document);
    });
    documents.onDidClose((e) => {
      this.forced.delete(e.document.uri);
      this.justOpened.delete(`${e.document.uri}@${e.document.version}`);
      if (!this.services) return;
      this.s.refinement.forget(e.document.uri);
      this.s.critique.closed(e.document.uri);
    });

    connection.onHover((params) => {
      const view = this.services?.critique.view(params.textDocument.uri);
      return view ? buildHover(view, params.position.line, params.position.character) : null;
    });
    connection.onCodeLens((params) => {
      const view = this.services?.critique.view(params.textDocument.uri);
      return view ? buildCodeLenses(view, { criticEnabled: this.s.setup.criticEnabled, reviewsProposals: this.client.reviewsProposals }) : [];
    });
    connection.onCodeAction((params) => {
      const view = this.services?.critique.view(params.textDocument.uri);
      return view ? buildCodeActions(view, params, { criticEnabled: this.s.setup.criticEnabled, reviewsProposals: this.client.reviewsProposals }) : [];
    });
    connection.onExecuteCommand((params) => this.executeCommand(params.command, params.arguments ?? []));

    connection.onRequest(SetSecretsRequest.method, (raw: unknown) => {
      const params = SetSecretsRequest.params.parse(raw);
      this.applyConfiguration({ apiKey: params.apiKey });
      return this.s.setup.criticStatus();
    });
    connection.onRequest(ToggleRequest.method, (raw: unknown) => {
      const params = ToggleRequest.params.parse(raw ?? {});
      this.sessionEnabled = params.enabled ?? !this.sessionEnabled;
      this.applyConfiguration({});
      return { enabled: this.enabled };
    });
    connection.onRequest(CritiqueFileRequest.method, (raw: unknown) => this.critiqueFile(CritiqueFileRequest.params.parse(raw)));
    connection.onRequest(CritiqueWorkspaceRequest.method, (raw: unknown, token: CancellationToken) =>
      this.critiqueWorkspace(CritiqueWorkspaceRequest.params.parse(raw ?? {}), token),
    );
    const refine = (kind: ProposalKind) => async (raw: unknown, token: CancellationToken) => {
      const params = RefineParamsSchema.parse(raw);
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      const proposal = await this.s.refinement.propose(params.uri, kind, { version: params.version, stepIndex: params.stepIndex, signal: controller.signal });
      this.logProposal(proposal);
      return proposal;
    };
    connection.onRequest(RefineStepRequest.method, refine('refine-step'));
    connection.onRequest(RegenerateFromFirstErrorRequest.method, refine('regenerate'));
    connection.onRequest(RefineSolutionRequest.method, refine('refine-solution'));
    connection.onRequest(TestConnectionRequest.method, async (_raw: unknown, token: CancellationToken) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      const result = await this.s.setup.testConnection(controller.signal);
      if (result.ok) this.connection.console.info(`test connection: ${result.message}`);
      else this.connection.console.warn(`test connection: ${result.message}`);
      return result;
    });
    connection.onRequest(ClearCacheRequest.method, async () => {
      const cleared = await this.s.cache.clear();
      this.s.critique.forgetVerdicts();
      return { cleared, message: `Cleared ${cleared} cached verdict${cleared === 1 ? '' : 's'}.` };
    });
    connection.onRequest(ServerStatsRequest.method, () => {
      const memory = process.memoryUsage();
      return {
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        heapTotalBytes: memory.heapTotal,
        openDocuments: this.documents.all().length,
        critiquedDocuments: this.services?.critique.openUris().length ?? 0,
        changeToPublishedMs: [...(this.services?.critique.timings ?? [])],
        checkWorkers: this.services?.critique.checks.stats() ?? { idle: 0, ready: 0, busy: 0 },
      };
    });
    connection.onRequest(LastReportRequest.method, () => this.lastReport());
    connection.onRequest(ExplainRequest.method, (raw: unknown) => {
      const params = ExplainRequest.params.parse(raw);
      return { markdown: this.explain(params.uri, params.stepIndex) };
    });

    documents.listen(connection);
    connection.listen();
  }

  // ---- lifecycle and configuration ----------------------------------------------------------

  private initialize(params: InitializeParams): InitializeResult {
    const options = InitializationOptionsSchema.safeParse(params.initializationOptions ?? {});
    const init: z.infer<typeof InitializationOptionsSchema> = options.success ? options.data : { trusted: false, reviewsProposals: false };
    // The portable store (one file per entry), never SQLite: the .vsix carries no native module, since
    // one built for Node does not load in VS Code's Electron nor on another platform (store.ts).
    const cache = init.cacheDir
      ? createStoredCriticCache(openCacheStore(init.cacheDir, { portable: true }).table('critic'))
      : createMemoryCache({ maxEntries: 20_000 });
    const setup = new CritiqueSetup(
      cache,
      init.llm ?? {},
      () => this.workspaceFolders,
      (line) => this.connection.console.info(`stepcritic: ${line}`),
    );
    this.runLogDir = init.runLogDir;
    const critique = new CritiqueService(this.connection, this.source, setup, this.accepted, init.checkDeadlineMs);
    critique.onPublished = (uri) => this.published(uri);
    this.services = { setup, cache, critique, refinement: new RefinementService(this.source, critique, setup, this.accepted) };

    const caps = params.capabilities;
    this.client = {
      codeLensRefresh: caps.workspace?.codeLens?.refreshSupport === true,
      configurationPull: caps.workspace?.configuration === true,
      workDoneProgress: caps.window?.workDoneProgress === true,
      workspaceFolders: caps.workspace?.workspaceFolders === true,
      watchesFiles: caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      reviewsProposals: init.reviewsProposals,
    };
    this.workspaceFolders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
    if (this.workspaceFolders.length === 0 && params.rootUri) {
      const root = uriToPath(params.rootUri);
      if (root) this.workspaceFolders = [root];
    }
    this.accepted.setWorkspaceFolders((params.workspaceFolders ?? []).map((f) => f.uri).concat(params.rootUri ? [params.rootUri] : []));
    this.calibrationWatch = new CalibrationWatch(this.connection, caps.workspace);
    this.settingsReceived = init.settings !== undefined;
    this.noticeUntrusted(setup.configure({ settings: init.settings, trusted: init.trusted, apiKey: init.apiKey, fromUser: true }).ignored);
    this.matcher = createFileMatcher(setup.settings.files);
    if (!options.success) this.connection.console.warn(`initializationOptions ignored: ${options.error.message}`);

    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: {
          codeActionKinds: [CodeActionKind.QuickFix, CodeActionKinds.fixAll, ...Object.values(CodeActionKinds).filter((k) => k.startsWith('quickfix.'))],
        },
        executeCommandProvider: { commands: Object.values(ServerCommands) },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'stepcritic', version: TOOL_VERSION },
    };
  }

  private async initialized(): Promise<void> {
    if (this.client.workspaceFolders)
      this.connection.workspace.onDidChangeWorkspaceFolders((e) => {
        const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
        const added = e.added.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
        this.workspaceFolders = [...this.workspaceFolders.filter((f) => !removed.has(f)), ...added];
        this.accepted.setWorkspaceFolders(this.workspaceFolders.map((f) => `file://${f}`));
      });
    if (!this.settingsReceived && this.client.configurationPull) await this.pullConfiguration();
    this.calibrationWatch?.watch(this.s.setup.calibrationPath);
    if (this.client.watchesFiles) watchCompanionFiles(this.connection);
    this.logCritic();
    this.sendStatus();
    const noWorker = missingCheckWorker();
    if (noWorker) void this.connection.window.showWarningMessage(`Step Critic: ${noWorker}`);
  }

  private async pullConfiguration(): Promise<void> {
    try {
      const settings: unknown = await this.connection.workspace.getConfiguration('stepcritic');
      this.applyConfiguration({ settings: settings ?? {} });
    } catch (error) {
      this.connection.console.warn(`could not read the stepcritic settings: ${errorMessage(error)}`);
    }
  }

  private async configurationChanged(settings: unknown): Promise<void> {
    const section = z.object({ stepcritic: z.unknown() }).safeParse(settings);
    if (section.success && section.data.stepcritic !== undefined) {
      this.applyConfiguration({ settings: section.data.stepcritic });
    } else if (this.client.configurationPull && !this.settingsReceived) {
      await this.pullConfiguration();
    }
  }

  private applyConfiguration(input: { settings?: unknown; trusted?: boolean; apiKey?: string | null }): void {
    if (!this.services) return;
    const { setup, critique, refinement } = this.s;
    const change = setup.configure(input);
    this.noticeUntrusted(change.ignored);
    this.matcher = createFileMatcher(setup.settings.files);
    for (const problem of setup.settingsProblems) this.connection.console.warn(`setting ignored: ${problem}`);
    if (change.criticChanged) {
      critique.forgetVerdicts();
      this.logCritic();
    }
    for (const uri of critique.openUris()) refinement.forget(uri);
    for (const document of this.documents.all()) {
      const tracked = critique.openUris().includes(document.uri);
      const wanted = this.isCritiqued(document);
      if (tracked && !wanted) critique.stop(document.uri);
      else if (wanted && (!tracked || (change.criticChanged && setup.settings.trigger !== 'manual'))) critique.changed(document, 'open');
      else if (wanted && change.thresholdsChanged) critique.represent(document.uri);
    }
    this.calibrationWatch?.watch(setup.calibrationPath);
    this.sendStatus();
  }

  /** The calibration file changed on disk: verdicts shown through it are redone, no request made. */
  private calibrationChanged(): void {
    const { setup, critique } = this.s;
    if (setup.reloadCalibration()) critique.represent();
    for (const problem of setup.settingsProblems) this.connection.console.warn(`setting ignored: ${problem}`);
    this.sendStatus();
  }

  /** Says once per session that an untrusted workspace's endpoint settings and code are not used. */
  private noticeUntrusted(ignored: readonly string[]): void {
    if (ignored.length === 0 || this.untrustedNoticeShown) return;
    this.untrustedNoticeShown = true;
    void this.connection.window.showWarningMessage(
      `Step Critic: this workspace is not trusted, so its ${ignored.join(', ')} setting${ignored.length === 1 ? ' is' : 's are'} ignored: the endpoint, model, provider and calibration file are those of your own settings, and no code runs.`,
    );
  }

  // ---- publication side effects -------------------------------------------------------------

  private published(uri: string): void {
    const view = this.services?.critique.view(uri);
    // Every finished run counts toward the status bar's tokens, not only the ones a command asked for.
    if (view?.done) this.countUsage(uri);
    if (this.client.codeLensRefresh && !this.lensTimer) {
      this.lensTimer = setTimeout(() => {
        this.lensTimer = undefined;
        void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
      }, 300);
    }
    if (!this.statusTimer) {
      this.statusTimer = setTimeout(() => {
        this.statusTimer = undefined;
        this.sendStatus();
      }, 200);
    }
  }

  private sendStatus(): void {
    if (!this.services) return;
    const { setup, critique } = this.s;
    void this.connection.sendNotification(ServerStatusNotification.method, {
      enabled: this.enabled,
      critic: setup.criticStatus(),
      busy: critique.scheduler.busy,
      usage: this.usage,
      trusted: setup.trusted,
      settingsProblems: setup.settingsProblems,
    });
  }

  // ---- requests -----------------------------------------------------------------------------

  private async critiqueFile(params: { uri: string; force: boolean }): Promise<FileCritique> {
    const { critique } = this.s;
    if (params.force) this.forced.add(params.uri);
    const document = this.documents.get(params.uri);
    const notCritiqued = (error: string): FileCritique => ({
      uri: params.uri,
      version: document?.version ?? null,
      summary: {
        counts: emptyStepCounts(),
        firstErrorIndex: -1,
        verdict: null,
        pTrue: null,
        finalAnswerPTrue: null,
        truncated: false,
        totalSteps: 0,
      },
      critic: this.s.setup.criticStatus(),
      usage: emptyUsage(),
      warnings: [],
      error,
    });
    if (!this.enabled) return notCritiqued('Step Critic is turned off (stepcritic.enable or the toggle).');
    if (document) {
      if (!this.isCritiqued(document)) return notCritiqued(`Step Critic does not read ${document.languageId} documents.`);
      const outcome = await critique.critiqueNow(params.uri);
      this.countUsage(params.uri);
      return critique.fileCritique(params.uri) ?? notCritiqued(`The critique did not finish (${outcome}).`);
    }
    const path = uriToPath(params.uri);
    if (!path) return notCritiqued('Only open documents and files on disk can be critiqued.');
    const result = await critiqueWorkspace(
      {
        folders: [path.slice(0, path.lastIndexOf(sep))],
        pattern: path.slice(path.lastIndexOf(sep) + 1).replace(/[[\]{}()*?!]/g, '\\$&'),
        signal: new AbortController().signal,
        progress: { begin() {}, report() {}, done() {} },
      },
      { connection: this.connection, documents: this.source, critique, setup: this.s.setup, accepted: this.accepted },
    );
    return result.files[0] ?? notCritiqued('The file could not be read.');
  }

  private countUsage(uri: string): void {
    const view = this.services?.critique.view(uri);
    // A re-presented view keeps its run's usage object: count each run once.
    if (!view?.done || this.countedUsage.has(view.judgement.usage)) return;
    this.countedUsage.add(view.judgement.usage);
    const u = view.judgement.usage;
    this.usage.requests += u.requests;
    this.usage.promptTokens += u.promptTokens;
    this.usage.completionTokens += u.completionTokens;
    this.usage.cachedSteps += u.cachedSteps;
    this.logRun(view);
  }

  /**
   * One line per finished run that asked the critic or failed, for "Show Log": what was asked, what it
   * cost, what went wrong or was adapted. Never the key, never the document's text.
   */
  private logRun(view: DocumentView): void {
    const j = view.judgement;
    const failed = j.steps.filter((s) => s.verdict === 'error').length;
    const note = j.critic.enabled ? j.critic.note : undefined;
    if (j.usage.requests === 0 && failed === 0 && !note) return;
    const usage = usageLine(j.usage);
    const line = `critiqued ${basename(view.uri)} (version ${view.version}): ${summaryLine(view)}${usage ? `. ${usage}` : ''}${note ? ` Critic: ${note}` : ''}`;
    if (failed > 0 || note) this.connection.console.warn(line);
    else this.connection.console.info(line);
  }

  private logProposal(proposal: RefineProposal): void {
    const cost = usageLine(proposal.usage);
    this.connection.console.info(
      `${basename(proposal.uri)}: ${proposal.title} — ${proposal.status}${proposal.status === 'proposed' ? '' : `: ${proposal.message}`}${cost ? `. ${cost}` : ''}`,
    );
  }

  private logCritic(): void {
    const { setup } = this.s;
    const critic = setup.criticStatus();
    this.connection.console.info(
      critic.enabled
        ? `critic: ${critic.model ?? 'on'} (provider ${setup.settings.provider}; API key ${setup.hasApiKey ? 'set' : 'not set'}${setup.trusted ? '' : '; restricted mode: user settings only'})`
        : (critic.note ?? 'LLM critic off.'),
    );
  }

  private async critiqueWorkspace(
    params: { include?: string; folders?: string[]; workDoneToken?: string | number },
    token: CancellationToken,
  ): Promise<WorkspaceCritique> {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    let reporter: WorkDoneProgressReporter;
    let serverReporter: WorkDoneProgressServerReporter | undefined;
    if (params.workDoneToken !== undefined) {
      reporter = this.connection.window.attachWorkDoneProgress(params.workDoneToken);
    } else {
      serverReporter = await this.connection.window.createWorkDoneProgress();
      serverReporter.token.onCancellationRequested(() => controller.abort());
      reporter = serverReporter;
    }
    const progress: WorkspaceProgress = {
      begin: (total) => reporter.begin('Step Critic: critiquing the workspace', 0, `0/${total} files`, true),
      report: (done, total, current) => reporter.report(total === 0 ? 100 : Math.round((done / total) * 100), `${done}/${total} files · ${current}`),
      done: (message) => {
        reporter.report(100, message);
        reporter.done();
      },
    };
    const folders = params.folders?.map(uriToPath).filter((p): p is string => p !== undefined) ?? this.workspaceFolders;
    return critiqueWorkspace(
      { folders, pattern: params.include ?? this.s.setup.settings.files, signal: controller.signal, progress, runLogFolder: this.runLogFolder() },
      { connection: this.connection, documents: this.source, critique: this.s.critique, setup: this.s.setup, accepted: this.accepted },
    );
  }

  /** Where "Critique Workspace" keeps its run logs and reports (stepcritic.runLogLocation). */
  private runLogFolder(): string {
    return runLogFolder(this.s.setup.settings.runLogLocation, this.runLogDir, this.workspaceFolders[0]);
  }

  private async lastReport(): Promise<LastReport> {
    const latest = await latestRunReport(this.runLogFolder());
    if (latest) return { ...latest, message: `The report of the latest workspace critique: ${latest.report}` };
    return { report: null, runLog: null, message: 'No workspace critique has run yet: "Critique Workspace" writes a report of its run.' };
  }

  private explain(uri: string, stepIndex?: number): string {
    const view = this.services?.critique.view(uri);
    if (!view) return 'Step Critic has no critique of this document (it is not a solution it reads, or it changed since).';
    if (stepIndex === undefined) return fileMarkdown(view);
    const verdict = view.judgement.steps[stepIndex];
    return verdict ? stepMarkdown(view, verdict, true) : `There is no step ${stepIndex + 1}.`;
  }

  private async executeCommand(command: string, args: unknown[]): Promise<unknown> {
    const arg = args[0];
    try {
      switch (command) {
        case ServerCommands.applyEdit: {
          const edit = VersionedEditSchema.parse(arg);
          const before = this.documents.get(edit.uri)?.getText();
          const result = await applyVersionedEdit(this.connection, this.documents.get(edit.uri), edit);
          // A fixed value (Fix arithmetic) is still used by later steps: offer to carry it on.
          if (result.applied && before !== undefined) {
            this.offerCarry(edit, before).catch((error: unknown) => this.connection.console.warn(`carrying ${edit.label} on: ${errorMessage(error)}`));
          }
          return result;
        }
        case ServerCommands.acceptStep:
        case ServerCommands.unacceptStep:
          return await this.markStep(StepCommandArgsSchema.parse(arg), command === ServerCommands.acceptStep);
        case ServerCommands.explain: {
          const params = UriArgsSchema.parse(arg);
          const markdown = this.explain(params.uri, params.stepIndex);
          void this.connection.sendNotification(ShowExplanationNotification.method, { uri: params.uri, stepIndex: params.stepIndex, markdown });
          return { markdown };
        }
        case ServerCommands.critique:
          return await this.critiqueFile({ uri: UriArgsSchema.parse(arg).uri, force: true });
        case ServerCommands.refineSolution: {
          const params = UriArgsSchema.parse(arg);
          return await this.offer(await this.s.refinement.propose(params.uri, 'refine-solution', { version: params.version }));
        }
        case ServerCommands.applyRefinement: {
          const data = RefinementArgsSchema.parse(arg);
          const proposal = await this.s.refinement.propose(data.uri, data.kind === 'refine' ? 'refine-step' : 'regenerate', {
            version: data.version,
            stepIndex: data.stepIndex,
          });
          this.logProposal(proposal);
          return await this.offer(proposal);
        }
        case ServerCommands.showMessage: {
          const message = z.object({ message: z.string() }).parse(arg).message;
          void this.connection.window.showInformationMessage(message);
          return { shown: true };
        }
        default:
          throw new Error(`unknown command ${command}`);
      }
    } catch (error) {
      const message = `Step Critic: ${command} failed: ${errorMessage(error)}`;
      this.connection.console.error(message);
      void this.connection.window.showErrorMessage(message);
      return { applied: false, message };
    }
  }

  /**
   * After a fix was applied: when later steps (or the final answer) still use the value it replaced,
   * proposes carrying the new value on, re-checked by the verifiers, for the user to review.
   */
  private async offerCarry(edit: VersionedEdit, before: string): Promise<void> {
    const corrections = edit.edits
      .map((e) => ({ from: before.slice(offsetAt(before, e.range.start), offsetAt(before, e.range.end)), to: e.newText, position: e.range.start }))
      .filter(isCarriable);
    if (corrections.length === 0) return;
    const document = await this.whenText(edit.uri, applyEdits(before, edit.edits));
    if (!document) return;
    const proposal = await this.s.refinement.proposeCarry(document, corrections);
    if (!proposal) return;
    this.connection.console.info(`${basename(edit.uri)}: offering "${proposal.title}"`);
    if (this.client.reviewsProposals) void this.connection.sendNotification(OfferProposalNotification.method, proposal);
    else await this.offer(proposal);
  }

  /** The open document once its text is `text` (an edit the client applied arrives as a change shortly after). */
  private whenText(uri: string, text: string, timeoutMs = 3000): Promise<TextDocument | undefined> {
    const current = this.documents.get(uri);
    if (current?.getText() === text) return Promise.resolve(current);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        listener.dispose();
        resolve(undefined);
      }, timeoutMs);
      const listener = this.documents.onDidChangeContent((e) => {
        if (e.document.uri !== uri) return;
        clearTimeout(timer);
        listener.dispose();
        resolve(e.document.getText() === text ? e.document : undefined);
      });
    });
  }

  /**
   * For clients that do not review proposals themselves: asks (naming what changes and P(True) before
   * → after) and applies only on Apply; otherwise says why there is nothing to apply.
   */
  private async offer(proposal: RefineProposal): Promise<ApplyEditResult> {
    if (proposal.status !== 'proposed' || !proposal.apply) {
      const tried = proposal.attempts.length > 0 ? ` Tried: ${proposal.attempts.map((a, i) => `(${i + 1}) ${a.reason}`).join(' ')}` : '';
      void this.connection.window.showWarningMessage(`Step Critic: ${proposal.message}${tried}`);
      return { applied: false, message: proposal.message };
    }
    // A model's proposal is summed up by its title (P(True) before → after); a carried value by what it changes.
    const question = proposal.kind === 'carry-value' ? proposal.message : `${proposal.title}.`;
    const choice = await this.connection.window.showInformationMessage(`Step Critic: ${question} Apply it?`, { title: 'Apply' }, { title: 'Cancel' });
    if (choice?.title !== 'Apply') return { applied: false, message: 'Cancelled.' };
    const after = this.s.refinement.judgementAfter(proposal);
    if (after) this.s.critique.expect(proposal.uri, after.document.text, after);
    const result = await applyVersionedEdit(this.connection, this.documents.get(proposal.uri), proposal.apply);
    return result;
  }

  private async markStep(args: StepCommandArgs, accept: boolean, offerUndo = true): Promise<ApplyEditResult> {
    const { critique } = this.s;
    const view = critique.view(args.uri);
    const step = view?.document.steps[args.stepIndex];
    if (!view || !step || step.hash !== args.stepHash) {
      const message = `Step Critic: step ${args.stepIndex + 1} changed since; nothing was ${accept ? 'marked' : 'unmarked'}.`;
      void this.connection.window.showWarningMessage(message);
      return { applied: false, message };
    }
    const problemHash = view.document.problemHash;
    const result = await this.accepted.change(args.uri, (accepted) =>
      accept ? accepted.add(problemHash, step.hash, { problem: view.document.problem, step: step.text }) : accepted.remove(problemHash, step.hash),
    );
    if (!result.ok) {
      void this.connection.window.showErrorMessage(`Step Critic: ${result.error}`);
      return { applied: false, message: result.error };
    }
    critique.represent(args.uri);
    const n = args.stepIndex + 1;
    const where = `.stepcritic/accepted.json in ${basename(dirname(dirname(result.path)))}`;
    const message = accept
      ? `Step ${n} is marked as correct.${result.file === 'created' ? ` Marks are kept in ${where} (commit it to share them).` : ''}`
      : `Step ${n} is no longer marked as correct.${result.file === 'removed' ? ` No marks are left, so ${where} was removed.` : ''}`;
    this.connection.console.info(`${accept ? 'marked' : 'unmarked'} step ${n} of ${basename(args.uri)} (${result.path}: ${result.file})`);
    if (result.changed) void this.announceMark(args, accept, message, { offerUndo, createdFile: result.file === 'created' ? result.path : undefined });
    return { applied: result.changed, message };
  }

  /** Says what a mark did, where marks are kept the first time, and offers its undo (Ctrl+Z cannot: it is not a text edit). */
  private async announceMark(args: StepCommandArgs, accepted: boolean, message: string, options: { offerUndo: boolean; createdFile?: string }): Promise<void> {
    const { createdFile } = options;
    const actions = [...(options.offerUndo ? [{ title: 'Undo' }] : []), ...(createdFile ? [{ title: 'Open File' }] : [])];
    const choice = await this.connection.window.showInformationMessage(`Step Critic: ${message}`, ...actions).catch(() => undefined);
    if (choice?.title === 'Undo') await this.markStep(args, !accepted, false);
    if (choice?.title === 'Open File' && createdFile)
      await this.connection.window.showDocument({ uri: pathToFileURL(createdFile).toString() }).catch(() => undefined);
  }
}

export function startServer(connection: Connection): StepCriticServer {
  const server = new StepCriticServer(connection);
  server.listen();
  return server;
}
