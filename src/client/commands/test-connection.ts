// Test Connection: asks the server to probe the endpoint (a real two-step critique) and shows what it
// found: where P(True) comes from and why, structured output, speed, concurrency.
import * as vscode from 'vscode';
import { TestConnectionRequest, TestConnectionResultSchema, type TestConnectionResult } from '../../protocol';
import type { Services } from '../services';

export async function testConnection(services: Services): Promise<TestConnectionResult> {
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Step Critic: testing the connection…', cancellable: true },
    (_p, cancel) => services.connection.request(TestConnectionRequest, {}, TestConnectionResultSchema, cancel),
  );
  const where = [result.model, result.baseUrl].filter(Boolean).join(' at ');
  if (result.ok) {
    services.status.setLastError(undefined);
    // The server's message says what the probe found (P(True) source and why, speed, concurrency; for a PRM its format).
    void vscode.window.showInformationMessage(`Step Critic: ${result.message}`);
  } else {
    services.status.setLastError(result.message);
    void vscode.window.showErrorMessage(`Step Critic: ${where ? `${where}: ` : ''}${result.message}`, 'Choose Provider', 'Set API Key').then((pick) => {
      if (pick === 'Choose Provider') void vscode.commands.executeCommand('stepcritic.chooseProvider');
      if (pick === 'Set API Key') void vscode.commands.executeCommand('stepcritic.setApiKey');
    });
  }
  return result;
}
