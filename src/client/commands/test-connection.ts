// Test Connection: asks the server to probe the endpoint (a tiny request) and says whether it
// answered and whether it returns log-probabilities.
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
    const logprobs = result.logprobs === null ? 'unknown' : result.logprobs ? 'yes (P(True) from logprobs)' : 'no (P(True) from sampled votes)';
    const latency = result.latencyMs === null ? '' : ` in ${Math.round(result.latencyMs)} ms`;
    services.status.setLastError(undefined);
    // A PRM has no log-probabilities to speak of: the server's message says what it found instead.
    const found = result.logprobs === null ? result.message : `Log-probabilities: ${logprobs}.`;
    void vscode.window.showInformationMessage(`Step Critic: ${where || 'endpoint'} answered${latency}. ${found}`);
  } else {
    services.status.setLastError(result.message);
    void vscode.window.showErrorMessage(`Step Critic: ${where ? `${where}: ` : ''}${result.message}`, 'Open Settings', 'Set API Key').then((pick) => {
      if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', '@ext:stepcritic.stepcritic');
      if (pick === 'Set API Key') void vscode.commands.executeCommand('stepcritic.setApiKey');
    });
  }
  return result;
}
