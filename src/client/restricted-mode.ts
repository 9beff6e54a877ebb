// Restricted Mode, said once: when a workspace that is not trusted sets its own endpoint, model,
// provider or code running, those settings are ignored (the critic uses the person's user settings
// and no code runs). A tooltip alone is easy to miss, so the first time a notification says so, with
// the way to trust the folder. Shown again only when the set of ignored settings changes.
// VS Code hides a restricted setting's workspace value from the API in Restricted Mode, so the
// workspace's own settings files are read (JSON with comments, as VS Code writes them).
// The ES module build: the package's UMD entry loads its parts with a require() a bundle cannot follow.
import { parse } from 'jsonc-parser/lib/esm/main.js';
import * as vscode from 'vscode';
import { RESTRICTED_KEYS, SECTION } from './configuration';

const SHOWN_KEY = 'stepcritic.restrictedSettingsNoticeShown';

async function readSettings(uri: vscode.Uri, inside?: string): Promise<Record<string, unknown>> {
  try {
    const parsed: unknown = parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    const settings = inside && typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[inside] : parsed;
    return typeof settings === 'object' && settings !== null ? (settings as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The restricted settings the workspace (its folders' `.vscode/settings.json`, its workspace file) sets, as `stepcritic.key`. */
export async function workspaceRestrictedSettings(): Promise<string[]> {
  const files = [
    ...(vscode.workspace.workspaceFolders ?? []).map((f) => readSettings(vscode.Uri.joinPath(f.uri, '.vscode', 'settings.json'))),
    ...(vscode.workspace.workspaceFile?.scheme === 'file' ? [readSettings(vscode.workspace.workspaceFile, 'settings')] : []),
  ];
  const all = await Promise.all(files);
  return RESTRICTED_KEYS.filter((key) =>
    all.some((settings) => {
      const nested = settings[SECTION];
      return settings[`${SECTION}.${key}`] !== undefined || (typeof nested === 'object' && nested !== null && key in nested);
    }),
  ).map((key) => `${SECTION}.${key}`);
}

export function announceRestrictedSettings(state: vscode.Memento, output: vscode.LogOutputChannel): vscode.Disposable {
  const check = async (): Promise<void> => {
    if (vscode.workspace.isTrusted) return;
    const keys = await workspaceRestrictedSettings();
    const seen = keys.join(',');
    if (keys.length === 0) return;
    if (state.get<string>(SHOWN_KEY) === seen) {
      output.info(`Restricted Mode: ${keys.join(', ')} ignored until the folder is trusted (said before).`);
      return;
    }
    await state.update(SHOWN_KEY, seen);
    const message = `Restricted Mode: this folder sets ${keys.join(', ')}, which Step Critic ignores until you trust it. The critic uses your user settings, and no code runs.`;
    output.info(message);
    const pick = await vscode.window.showInformationMessage(`Step Critic: ${message}`, 'Manage Workspace Trust');
    if (pick) await vscode.commands.executeCommand('workbench.trust.manage');
  };
  const run = () => void check().catch((e: unknown) => output.warn(`Restricted Mode notice: ${String(e)}`));
  run();
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) run();
  });
}
