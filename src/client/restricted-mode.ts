// Restricted Mode, said once: when a workspace that is not trusted sets its own endpoint, model,
// provider or code running, those settings are ignored (the critic uses the person's user settings
// and no code runs). A tooltip alone is easy to miss, so the first time a notification says so, with
// the way to trust the folder. Shown again only when the set of ignored settings changes.
import * as vscode from 'vscode';
import { RESTRICTED_KEYS, SECTION } from './configuration';

const SHOWN_KEY = 'stepcritic.restrictedSettingsNoticeShown';

/** The restricted settings this workspace (or one of its folders) sets itself, as `stepcritic.key`. */
export function workspaceRestrictedSettings(): string[] {
  const scopes: (vscode.Uri | undefined)[] = [undefined, ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri)];
  return RESTRICTED_KEYS.filter((key) =>
    scopes.some((scope) => {
      const inspected = vscode.workspace.getConfiguration(SECTION, scope).inspect(key);
      return inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined;
    }),
  ).map((key) => `${SECTION}.${key}`);
}

export function announceRestrictedSettings(state: vscode.Memento, output: vscode.LogOutputChannel): vscode.Disposable {
  const check = (): void => {
    if (vscode.workspace.isTrusted) return;
    const keys = workspaceRestrictedSettings();
    const seen = keys.join(',');
    if (keys.length === 0 || state.get<string>(SHOWN_KEY) === seen) return;
    void state.update(SHOWN_KEY, seen);
    const message = `Restricted Mode: this folder sets ${keys.join(', ')}, which Step Critic ignores until you trust it. The critic uses your user settings, and no code runs.`;
    output.info(message);
    void vscode.window.showInformationMessage(`Step Critic: ${message}`, 'Manage Workspace Trust').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  };
  check();
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) check();
  });
}
