// The status bar item (shown while a critiqued document is active) and the language status item
// (in the `{}` area of the status bar for solution files). Both open the actions quick pick.
import * as vscode from 'vscode';
import type { ServerStatusParams } from '../../protocol';
import { SECTION } from '../configuration';
import type { StepStateStore } from '../step-state-store';
import { statusText, tokensOf, type ServerState } from './status-text';

export const SHOW_ACTIONS_COMMAND = 'stepcritic.showActions';

export class StatusItems implements vscode.Disposable {
  private readonly bar: vscode.StatusBarItem;
  private readonly language: vscode.LanguageStatusItem;
  private server: ServerState = 'starting';
  private status: ServerStatusParams | undefined;
  private earlierTokens = 0;
  private lastError: string | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly store: StepStateStore) {
    this.bar = vscode.window.createStatusBarItem('stepcritic.status', vscode.StatusBarAlignment.Right, 100);
    this.bar.name = 'Step Critic';
    this.bar.command = SHOW_ACTIONS_COMMAND;
    this.language = vscode.languages.createLanguageStatusItem('stepcritic.language', { language: 'stepcritic-solution' });
    this.language.name = 'Step Critic';
    this.language.command = { command: SHOW_ACTIONS_COMMAND, title: 'Actions' };
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      store.onDidChange((uri) => uri === vscode.window.activeTextEditor?.document.uri.toString() && this.render()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(`${SECTION}.provider`) && this.render()),
    ];
    this.render();
  }

  setServerState(state: ServerState, error?: string): void {
    if (state === 'starting' && this.status) {
      // A restarted server counts its tokens from zero: keep what the old one spent.
      this.earlierTokens += tokensOf(this.status);
      this.status = undefined;
    }
    this.server = state;
    if (error) this.lastError = error;
    this.render();
  }

  setStatus(status: ServerStatusParams): void {
    this.status = status;
    this.server = 'running';
    this.render();
  }

  setLastError(message: string | undefined): void {
    this.lastError = message;
    this.render();
  }

  /** What the status bar shows now (for the tests and the actions quick pick). */
  current(): { text: string; tooltip: string; lastError: string | undefined } {
    const t = this.compute();
    return { text: t.text, tooltip: t.tooltip, lastError: this.lastError };
  }

  private compute() {
    const provider = vscode.workspace.getConfiguration(SECTION).get<string>('provider', 'openai');
    const file = this.activeStates()?.summary;
    return statusText({
      server: this.server,
      status: this.status,
      provider,
      earlierTokens: this.earlierTokens,
      lastError: this.lastError,
      ...(file ? { file } : {}),
    });
  }

  private activeStates() {
    const editor = vscode.window.activeTextEditor;
    return editor ? this.store.get(editor.document.uri.toString()) : undefined;
  }

  render(): void {
    const t = this.compute();
    this.bar.text = t.text;
    this.bar.tooltip = t.tooltip;
    this.bar.backgroundColor =
      t.severity === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : t.severity === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.language.text = t.label;
    this.language.detail = t.detail;
    this.language.busy = t.busy;
    this.language.severity =
      t.severity === 'error'
        ? vscode.LanguageStatusSeverity.Error
        : t.severity === 'warning'
          ? vscode.LanguageStatusSeverity.Warning
          : vscode.LanguageStatusSeverity.Information;
    const editor = vscode.window.activeTextEditor;
    if (editor && (editor.document.languageId === 'stepcritic-solution' || this.activeStates())) this.bar.show();
    else this.bar.hide();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.bar.dispose();
    this.language.dispose();
  }
}
