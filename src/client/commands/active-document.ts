// The document a per-file command works on: the one passed in (a URI from a menu or a test), else
// the active editor's. Says so plainly when there is none.
import * as vscode from 'vscode';

export function targetDocument(arg: unknown): vscode.TextDocument | undefined {
  const wanted = arg instanceof vscode.Uri ? arg.toString() : typeof arg === 'string' ? arg : undefined;
  const document = wanted ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === wanted) : vscode.window.activeTextEditor?.document;
  if (!document) void vscode.window.showWarningMessage('Step Critic: open a solution file first.');
  return document;
}
