// Set API Key / Forget API Key: the key goes to SecretStorage and to the running server, never
// into a setting or the log.
import * as vscode from 'vscode';
import { maskKey } from '../api-key-store';
import type { Services } from '../services';

export async function setApiKey(services: Services, given?: unknown): Promise<boolean> {
  const key =
    typeof given === 'string'
      ? given
      : await vscode.window.showInputBox({
          title: 'Step Critic: API key',
          prompt: "The key for your endpoint. It is kept in VS Code's secret storage, never in a settings file.",
          password: true,
          ignoreFocusOut: true,
          validateInput: (value) => (value.trim() ? undefined : 'Enter a key, or press Escape to cancel.'),
        });
  const trimmed = key?.trim();
  if (!trimmed) return false;
  await services.apiKeys.store(trimmed);
  const critic = await services.connection.setApiKey(trimmed);
  const state = critic ? (critic.enabled ? ` Critic: ${critic.model ?? 'on'}.` : critic.note ? ` ${critic.note}` : '') : '';
  void vscode.window.showInformationMessage(`Step Critic: API key ${maskKey(trimmed)} saved in secret storage.${state}`, 'Test Connection').then((pick) => {
    if (pick) void vscode.commands.executeCommand('stepcritic.testConnection');
  });
  return true;
}

export async function forgetApiKey(services: Services): Promise<void> {
  await services.apiKeys.forget();
  await services.connection.setApiKey(null);
  void vscode.window.showInformationMessage('Step Critic: API key removed from secret storage.');
}
