// The quick pick behind the status bar item: the useful commands, with what the status says.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { Commands } from './ids';

interface ActionPick extends vscode.QuickPickItem {
  command?: string;
  args?: unknown[];
}

export async function showActions(services: Services): Promise<void> {
  const status = services.status.current();
  const hasFile = vscode.window.activeTextEditor !== undefined;
  const items: ActionPick[] = [
    ...(status.lastError ? [{ label: '$(warning) Last error', detail: status.lastError, command: Commands.showOutput }] : []),
    { label: 'Critique', kind: vscode.QuickPickItemKind.Separator },
    ...(hasFile ? [{ label: '$(checklist) Critique Current File', command: Commands.critiqueFile }] : []),
    { label: '$(files) Critique Workspace', description: 'files matching stepcritic.files', command: Commands.critiqueWorkspace },
    { label: '$(debug-pause) Toggle Inline Critique', description: 'pause or resume critique while editing', command: Commands.toggle },
    ...(hasFile
      ? [
          { label: 'Refine', kind: vscode.QuickPickItemKind.Separator },
          { label: '$(sparkle) Refine Step at Cursor', command: Commands.refineStep },
          { label: '$(redo) Regenerate From First Error', command: Commands.regenerateFromFirstError },
          { label: '$(wand) Refine Whole Solution', description: 'shown as a diff first', command: Commands.refineSolution },
        ]
      : []),
    { label: 'Critic', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(settings-gear) Choose Provider and Model', command: Commands.chooseProvider },
    { label: '$(key) Set API Key', description: 'kept in secret storage', command: Commands.setApiKey },
    { label: '$(plug) Test Connection', command: Commands.testConnection },
    { label: '$(trash) Clear Cache', command: Commands.clearCache },
    { label: 'More', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(preview) Show Report', command: Commands.showReport },
    { label: '$(output) Show Log', command: Commands.showOutput },
    { label: '$(debug-restart) Restart Language Server', command: Commands.restartServer },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: status.tooltip.split('\n')[1] ?? 'Step Critic', placeHolder: 'Step Critic actions' });
  if (pick?.command) await vscode.commands.executeCommand(pick.command, ...(pick.args ?? []));
}
