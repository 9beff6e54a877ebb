// Open Example (the walkthrough): a new unsaved solution with a slip in step 3, so nothing in the
// person's workspace is touched.
import * as vscode from 'vscode';
import type { Services } from '../services';

export async function openExample(services: Services): Promise<vscode.TextDocument> {
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(services.extensionUri, 'walkthrough', 'example.solution.md'));
  const document = await vscode.workspace.openTextDocument({ language: 'stepcritic-solution', content: new TextDecoder().decode(bytes) });
  await vscode.window.showTextDocument(document);
  return document;
}
