// What the extension-host tests share: the extension's API, waiting for a condition (never a
// fixed sleep), opening fixture files, and reading the files the e2e run prepared.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { StepCriticApi } from '../../../src/client/test-api';

export const EXTENSION_ID = 'stepcritic.stepcritic';

export async function extensionApi(): Promise<StepCriticApi> {
  const extension = vscode.extensions.getExtension<StepCriticApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed`);
  const api = extension.isActive ? extension.exports : await extension.activate();
  await api.ready();
  return api;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the e2e run opens a workspace folder');
  return folder.uri;
}

export function fixture(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...relative.split('/'));
}

export async function open(relative: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(fixture(relative));
  return vscode.window.showTextDocument(document, { preview: false });
}

export function stepcriticDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'stepcritic');
}

export function codeOf(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

/** The line (0-based) of the first line of `document` that contains `text`. */
export function lineOf(document: vscode.TextDocument, text: string): number {
  for (let line = 0; line < document.lineCount; line++) if (document.lineAt(line).text.includes(text)) return line;
  throw new Error(`no line contains ${JSON.stringify(text)}`);
}

export function env(name: string): string {
  const value = process.env[name];
  assert.ok(value, `the e2e run sets ${name}`);
  return value;
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Restores a file the test changed (tests run in a throwaway copy, but later tests read the same files). */
export async function revert(document: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), text);
  await vscode.workspace.applyEdit(edit);
  await document.save();
}
