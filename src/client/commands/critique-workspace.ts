// Critique Workspace: every file matching `stepcritic.files`, with a cancellable progress
// notification fed by the server's work-done progress; the findings land in the Problems panel.
import * as vscode from 'vscode';
import { WorkDoneProgress, type WorkDoneProgressBegin, type WorkDoneProgressEnd, type WorkDoneProgressReport } from 'vscode-languageclient/node';
import { CritiqueWorkspaceRequest, WorkspaceCritiqueSchema, type WorkspaceCritique } from '../../protocol';
import { SECTION } from '../configuration';
import type { Services } from '../services';
import { workspaceCritiqueLine } from '../summary-text';
import { Commands } from './ids';

let tokenCounter = 0;

export async function critiqueWorkspace(services: Services, include?: unknown): Promise<WorkspaceCritique | undefined> {
  if (!vscode.workspace.workspaceFolders?.length) {
    void vscode.window.showWarningMessage('Step Critic: open a folder to critique its solutions.');
    return undefined;
  }
  const glob = typeof include === 'string' && include ? include : vscode.workspace.getConfiguration(SECTION).get<string>('files', '**/*.solution.md');
  await services.connection.start();
  const client = services.connection.languageClient;
  if (!client) throw new Error('the language server is not running');

  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Step Critic: critiquing workspace', cancellable: true },
    async (progress, cancel) => {
      const workDoneToken = `stepcritic-workspace-${process.pid}-${++tokenCounter}`;
      let reported = 0;
      const listener = client.onProgress(
        WorkDoneProgress.type,
        workDoneToken,
        (value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => {
          if (value.kind === 'end') return;
          const percentage = value.percentage ?? reported;
          progress.report({ message: value.message, increment: Math.max(0, percentage - reported) });
          reported = Math.max(reported, percentage);
        },
      );
      try {
        return await services.connection.request(CritiqueWorkspaceRequest, { include: glob, workDoneToken }, WorkspaceCritiqueSchema, cancel);
      } catch (error) {
        if (cancel.isCancellationRequested) return undefined;
        throw error;
      } finally {
        listener.dispose();
      }
    },
  );
  if (!result) {
    void vscode.window.showInformationMessage('Step Critic: workspace critique cancelled.');
    return undefined;
  }
  const message = `Step Critic: ${workspaceCritiqueLine(result)}`;
  const actions = result.report ? ['Open Problems', 'Show Report'] : ['Open Problems'];
  void vscode.window.showInformationMessage(message, ...actions).then((pick) => {
    if (pick === 'Open Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
    if (pick === 'Show Report') void vscode.commands.executeCommand(Commands.showReport, vscode.Uri.file(result.report!));
  });
  return result;
}
