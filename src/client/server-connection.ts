// Starts the Step Critic language server (dist/server/main.js, over IPC) and keeps it running:
// a server that dies is restarted with a notice, at most a few times in a row, then left stopped
// with a way to start it again. Everything the server sends is parsed with the protocol's schemas.
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type CancellationToken,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { z } from 'zod';
import {
  ClearStepStatesNotification,
  ConfigureNotification,
  CriticStatusSchema,
  OfferProposalNotification,
  ServerStatusNotification,
  SetSecretsRequest,
  ShowExplanationNotification,
  StepStatesNotification,
  type CriticStatus,
  type InitializationOptions,
  type NotificationDescriptor,
  type RequestDescriptor,
  type RefineProposal,
  type ServerStatusParams,
  type ShowExplanationParams,
  type StepStatesParams,
} from '../protocol';
import { createRestartPolicy } from './restart-policy';
import type { ServerState } from './status/status-text';
import { errorMessage } from '../protocol';

/** Documents the server is told about; it decides which of them to critique (`stepcritic.files`). */
export const DOCUMENT_SELECTOR = [
  // Files and unsaved documents, not the read-only views the extension shows (a proposal's side of a diff).
  { scheme: 'file', language: 'stepcritic-solution' },
  { scheme: 'untitled', language: 'stepcritic-solution' },
  { scheme: 'file', language: 'markdown' },
  { scheme: 'file', language: 'plaintext' },
  { scheme: 'file', language: 'python' },
  { scheme: 'file', language: 'javascript' },
  { scheme: 'file', language: 'typescript' },
];

export interface ServerHandlers {
  stepStates(params: StepStatesParams): void;
  clearStepStates(uri: string): void;
  status(params: ServerStatusParams): void;
  explanation(params: ShowExplanationParams): void;
  /** A proposal the server offers unasked (carry a fixed value on), to be reviewed like any other. */
  proposal(proposal: RefineProposal): void;
  state(state: ServerState, error?: string): void;
}

export interface ServerInputs {
  settings(): unknown;
  trusted(): boolean;
  apiKey(): string | undefined;
  cacheDir: string;
  /** Where "Critique Workspace" keeps its run logs (the extension's storage for this workspace). */
  runLogDir: string;
}

const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60_000;

export class ServerConnection implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly policy = createRestartPolicy({ maxRestarts: MAX_RESTARTS, windowMs: RESTART_WINDOW_MS });
  private ready: Promise<void> | undefined;

  constructor(
    private readonly serverModule: string,
    private readonly output: vscode.LogOutputChannel,
    private readonly inputs: ServerInputs,
    private readonly handlers: ServerHandlers,
  ) {}

  get isRunning(): boolean {
    return this.client?.state === State.Running;
  }

  /** Resolves when the server answered `initialize`; rejects when it could not start. */
  start(): Promise<void> {
    this.ready ??= this.startClient();
    return this.ready;
  }

  async restart(): Promise<void> {
    this.policy.reset();
    const old = this.client;
    this.client = undefined;
    this.ready = undefined;
    if (old) await old.dispose().catch((e: unknown) => this.output.warn(`stopping the server: ${String(e)}`));
    await this.start();
  }

  private async startClient(): Promise<void> {
    const serverOptions: ServerOptions = {
      run: { module: this.serverModule, transport: TransportKind.ipc },
      debug: { module: this.serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      initializationOptions: (): InitializationOptions => ({
        settings: this.inputs.settings(),
        trusted: this.inputs.trusted(),
        apiKey: this.inputs.apiKey(),
        cacheDir: this.inputs.cacheDir,
        reviewsProposals: true,
        runLogDir: this.inputs.runLogDir,
      }),
      errorHandler: {
        error: (_error, _message, count) => ({ action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
        closed: () => {
          const decision = this.policy.onCrash();
          if (decision.restart) {
            const message = `Step Critic's language server stopped unexpectedly; restarting it (${decision.crashes} of ${decision.maxRestarts}).`;
            this.output.warn(message);
            this.handlers.state('starting', message);
            void vscode.window.showWarningMessage(message, 'Show Log').then((pick) => pick && this.output.show());
            return { action: CloseAction.Restart, handled: true };
          }
          const message = `Step Critic's language server stopped ${decision.crashes} times in ${RESTART_WINDOW_MS / 60_000} minutes and was not restarted again.`;
          this.output.error(message);
          this.handlers.state('failed', message);
          void vscode.window.showErrorMessage(message, 'Restart Server', 'Show Log').then((pick) => {
            if (pick === 'Restart Server') void vscode.commands.executeCommand('stepcritic.restartServer');
            if (pick === 'Show Log') this.output.show();
          });
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const client = new LanguageClient('stepcritic', 'Step Critic', serverOptions, clientOptions);
    this.client = client;
    this.listen(client, StepStatesNotification, (p) => this.handlers.stepStates(p));
    this.listen(client, ClearStepStatesNotification, (p) => this.handlers.clearStepStates(p.uri));
    this.listen(client, ServerStatusNotification, (p) => this.handlers.status(p));
    this.listen(client, ShowExplanationNotification, (p) => this.handlers.explanation(p));
    this.listen(client, OfferProposalNotification, (p) => this.handlers.proposal(p));
    client.onDidChangeState((e) => {
      if (e.newState === State.Starting) this.handlers.state('starting');
      // A restart after a crash re-sends initializationOptions (settings, trust, key) by itself.
    });
    this.handlers.state('starting');
    try {
      await client.start();
    } catch (error) {
      const message = `Step Critic's language server could not start: ${errorMessage(error)}`;
      this.output.error(message);
      this.handlers.state('failed', message);
      this.ready = undefined;
      throw new Error(message, { cause: error });
    }
  }

  private listen<S extends z.ZodType>(client: LanguageClient, descriptor: NotificationDescriptor<S>, handle: (params: z.output<S>) => void): void {
    client.onNotification(descriptor.method, (raw: unknown) => {
      const parsed = descriptor.params.safeParse(raw);
      if (parsed.success) handle(parsed.data);
      else this.output.warn(`ignored a malformed ${descriptor.method} from the server: ${parsed.error.message}`);
    });
  }

  /** Sends a request once the server is running and checks the reply against `result`. */
  async request<S extends z.ZodType, R>(descriptor: RequestDescriptor<S, R>, params: z.input<S>, result: z.ZodType<R>, token?: CancellationToken): Promise<R> {
    await this.start();
    const client = this.client;
    if (!client) throw new Error('the language server is not running');
    const reply: unknown = await client.sendRequest(descriptor.method, params, token);
    const parsed = result.safeParse(reply);
    if (!parsed.success) throw new Error(`the server's reply to ${descriptor.method} was malformed: ${parsed.error.message}`);
    return parsed.data;
  }

  /** Tells the server the current settings and trust. Quietly skipped while it is not running. */
  configure(): void {
    if (!this.isRunning) return;
    void this.client!.sendNotification(ConfigureNotification.method, { settings: this.inputs.settings(), trusted: this.inputs.trusted() }).catch((e: unknown) =>
      this.output.warn(`configure: ${String(e)}`),
    );
  }

  /** Hands the server the API key (or null to forget it); returns what the critic says now. */
  async setApiKey(apiKey: string | null): Promise<CriticStatus | undefined> {
    if (!this.isRunning) return undefined;
    return this.request(SetSecretsRequest, { apiKey }, CriticStatusSchema);
  }

  /** The client itself, for work-done progress. */
  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.dispose().catch(() => undefined);
  }
}
