// The Step Critic extension: starts the language server, draws step confidence in the gutter,
// shows status, and contributes the commands. The server does the judging; this only presents it.
import * as vscode from 'vscode';
import { ApiKeyStore } from './api-key-store';
import { registerCommands } from './commands/register';
import { rawSettings, SECTION } from './configuration';
import { StepDecorator } from './gutter/step-decorator';
import { askInNotification, offerProposal } from './proposal-review';
import { announceRestrictedSettings } from './restricted-mode';
import { ServerConnection } from './server-connection';
import type { Services } from './services';
import { StatusItems } from './status/status-items';
import { StepStateStore } from './step-state-store';
import type { StepCriticApi } from './test-api';
import { TextViews } from './text-views';
import { errorMessage } from '../protocol';

let connection: ServerConnection | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<StepCriticApi> {
  const output = vscode.window.createOutputChannel('Step Critic', { log: true });
  const apiKeys = new ApiKeyStore(context.secrets);
  await apiKeys.load();
  const store = new StepStateStore();
  const decorator = new StepDecorator(context.extensionUri, store);
  const views = new TextViews();
  const status = new StatusItems(store);

  connection = new ServerConnection(
    context.asAbsolutePath('dist/server/main.js'),
    output,
    {
      settings: () => rawSettings(vscode.workspace.isTrusted),
      trusted: () => vscode.workspace.isTrusted,
      apiKey: () => apiKeys.current,
      cacheDir: vscode.Uri.joinPath(context.globalStorageUri, 'cache').fsPath,
      runLogDir: vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'runs').fsPath,
    },
    {
      stepStates: (params) => store.update(params),
      clearStepStates: (uri) => store.clear(uri),
      status: (params) => status.setStatus(params),
      explanation: (params) => void views.showMarkdown(params.stepIndex === undefined ? 'Critique' : `Step ${params.stepIndex + 1}`, params.markdown),
      proposal: (proposal) => void offerProposal(services, proposal).catch((e: unknown) => output.warn(`offering ${proposal.title}: ${errorMessage(e)}`)),
      state: (state, error) => status.setServerState(state, error),
    },
  );
  const services: Services = {
    extensionUri: context.extensionUri,

    connection,
    store,
    decorator,
    status,
    apiKeys,
    output,
    views,
    reviewer: askInNotification,
  };

  context.subscriptions.push(
    output,
    apiKeys,
    store,
    decorator,
    views,
    status,
    { dispose: () => void connection?.dispose() },
    ...registerCommands(services),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SECTION) && connection?.configure()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => connection?.configure()),
    announceRestrictedSettings(context.workspaceState, output),
    apiKeys.onDidChange((key) => void connection?.setApiKey(key ?? null).catch((e: unknown) => output.warn(`setSecrets: ${String(e)}`))),
  );

  // Activation must not wait for the server: the commands are there at once and wait themselves.
  const ready = connection.start().catch((error: unknown) => {
    const message = errorMessage(error);
    void vscode.window.showErrorMessage(message, 'Show Log').then((pick) => pick && output.show());
    throw error;
  });
  ready.catch(() => undefined);

  return {
    ready: () => connection?.start() ?? ready,
    decorationState: (uri) => decorator.snapshot(uri),
    onDidDraw: decorator.onDidDraw,
    stepStates: (uri) => store.get(uri),
    status: () => status.current(),
    hasApiKey: async () => (await context.secrets.get('stepcritic.apiKey')) !== undefined,
    setProposalReviewer: (reviewer) => {
      services.reviewer = reviewer ?? askInNotification;
    },
  };
}

export async function deactivate(): Promise<void> {
  await connection?.dispose();
  connection = undefined;
}
