// Critique Current File: judges the file now, whatever the trigger, and says what was found.
import * as vscode from 'vscode';
import { CritiqueFileRequest, FileCritiqueSchema, type FileCritique } from '../../protocol';
import type { Services } from '../services';
import { fileCritiqueLine } from '../summary-text';
import { targetDocument } from './active-document';

export async function critiqueFile(services: Services, arg?: unknown): Promise<FileCritique | undefined> {
  const document = targetDocument(arg);
  if (!document) return undefined;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Step Critic: critiquing…' }, () =>
    services.connection.request(CritiqueFileRequest, { uri: document.uri.toString(), force: true }, FileCritiqueSchema),
  );
  const line = fileCritiqueLine(result);
  if (result.error) void vscode.window.showErrorMessage(`Step Critic: ${line}`);
  else vscode.window.setStatusBarMessage(`Step Critic: ${line}`, 8000);
  for (const warning of result.warnings) services.output.warn(`${document.uri.toString()}: ${warning}`);
  return result;
}
