// Extension-host tests in an untrusted workspace (Restricted Mode). The workspace's own settings
// ask for code to run and point the critic at another endpoint ("the workspace's endpoint");
// neither may happen: no code runs, and text goes only to the endpoint in the user's settings.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { runAll, test } from './harness';
import { codeOf, env, extensionApi, open, stepcriticDiagnostics, waitFor } from './helpers';

function posts(logFile: string): number {
  return existsSync(logFile)
    ? readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('POST')).length
    : 0;
}

test('the workspace is untrusted and the extension still activates (limited support)', async () => {
  assert.equal(vscode.workspace.isTrusted, false);
  await open('arithmetic.solution.md');
  const api = await extensionApi();
  assert.ok(api);
});

test('the verifiers still run: the arithmetic slip is found', async () => {
  const editor = await open('arithmetic.solution.md');
  await waitFor('the arithmetic diagnostic', () => stepcriticDiagnostics(editor.document.uri).find((d) => codeOf(d) === 'arithmetic'));
});

test('no code runs, although the workspace settings ask for it', async () => {
  const workspaceSettings = readFileSync(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, '.vscode', 'settings.json').fsPath, 'utf8');
  assert.match(workspaceSettings, /"stepcritic.runCodeTests": true/, 'the fixture asks for it');
  const marker = env('STEPCRITIC_E2E_RAN_MARKER');
  const api = await extensionApi();
  const editor = await open('code/total.py');
  await vscode.commands.executeCommand('stepcritic.critiqueFile');
  await waitFor('the critique of total.py to finish', () => api.stepStates(editor.document.uri.toString())?.done);
  assert.equal(existsSync(marker), false, 'the solution was not run');
  assert.deepEqual(
    stepcriticDiagnostics(editor.document.uri).filter((d) => codeOf(d) === 'test-failure'),
    [],
  );
});

test("the workspace's endpoint gets nothing; the user's endpoint is used", async () => {
  const workspaceLog = env('STEPCRITIC_E2E_WORKSPACE_LLM_LOG');
  const userLog = env('STEPCRITIC_E2E_LLM_LOG');
  const userBefore = posts(userLog);
  const editor = await open('logic.solution.md');
  await vscode.commands.executeCommand('stepcritic.critiqueFile');
  const api = await extensionApi();
  await waitFor('the LLM verdict on step 2', () => api.decorationState(editor.document.uri.toString())?.steps[1]?.band === 'low');
  assert.equal(posts(workspaceLog), 0, "the workspace's endpoint received a request");
  assert.ok(posts(userLog) > userBefore, "the user's endpoint was asked");
  assert.doesNotMatch(api.status().text, /evil/);
});

export function run(): Promise<void> {
  return runAll('extension host (untrusted)');
}
