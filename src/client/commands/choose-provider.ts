// Choose Provider and Model: the settings page filtered to exactly the settings that pick the critic
// (provider, base URL, model), as the walkthrough promises — not to `provider` alone.
import * as vscode from 'vscode';

const CRITIC_SETTINGS = ['provider', 'baseUrl', 'model'].map((key) => `stepcritic.${key}`);

export async function chooseProvider(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openSettings', `@id:${CRITIC_SETTINGS.join(',')}`);
}
