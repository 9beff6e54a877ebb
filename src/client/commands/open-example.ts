// Open an Example Solution: a real file in a scratch folder (the machine's temporary folder), not an
// untitled document that asks to be saved on close, and not in the person's workspace. It is saved
// as it is; quick fixes and marks work on it like on any solution. A copy the person has changed is
// kept, and a fresh one opened beside it.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Services } from '../services';

const EXAMPLE = 'bakery.solution.md';

async function readIfExists(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

export async function openExample(services: Services): Promise<vscode.TextDocument> {
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(services.extensionUri, 'walkthrough', 'example.solution.md'));
  const content = new TextDecoder().decode(bytes);
  // Not under the extension's global storage: code-server would not save a file there (it offered Save As).
  const folder = vscode.Uri.file(join(tmpdir(), 'stepcritic-examples'));
  await vscode.workspace.fs.createDirectory(folder);
  let target = vscode.Uri.joinPath(folder, EXAMPLE);
  for (let n = 2; ; n++) {
    const existing = await readIfExists(target);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
    if (existing === undefined || (existing === content && !open?.isDirty)) break;
    target = vscode.Uri.joinPath(folder, EXAMPLE.replace('.solution.md', `-${n}.solution.md`));
  }
  await vscode.workspace.fs.writeFile(target, bytes);
  const document = await vscode.workspace.openTextDocument(target);
  await vscode.window.showTextDocument(document);
  services.output.info(`opened the example ${target.fsPath}`);
  return document;
}
