// Read-only documents the extension shows: explanations (rendered as Markdown) and proposed
// rewrites (the right side of a diff). Served from memory under our own URI schemes, so nothing
// is written to disk and closing them never asks to save.
import * as vscode from 'vscode';

export const VIEW_SCHEME = 'stepcritic-view';

export class TextViews implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly registration: vscode.Disposable;
  private counter = 0;
  readonly onDidChange = this.changed.event;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(VIEW_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** A new read-only document; `name` ends up as the tab title (keep its extension for the language). */
  create(name: string, content: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: VIEW_SCHEME, path: `/${++this.counter}/${name.replace(/[\\/]/g, '-')}` });
    this.contents.set(uri.toString(), content);
    this.changed.fire(uri);
    return uri;
  }

  forget(uri: vscode.Uri): void {
    this.contents.delete(uri.toString());
  }

  /** Shows Markdown rendered to the side (the plain text when the preview is not available). */
  async showMarkdown(name: string, markdown: string): Promise<void> {
    const uri = this.create(`${name}.md`, markdown);
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
    } catch {
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
    this.contents.clear();
  }
}
