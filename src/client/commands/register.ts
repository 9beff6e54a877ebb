// Registers every contributed command. A failure becomes one clear message (and the status bar's
// "last error"), never an unhandled rejection; a cancellation by the person is not a failure.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { forgetApiKey, setApiKey } from './api-key';
import { chooseProvider } from './choose-provider';
import { clearCache } from './clear-cache';
import { critiqueFile } from './critique-file';
import { critiqueWorkspace } from './critique-workspace';
import { Commands } from './ids';
import { openExample } from './open-example';
import { refine } from './refine';
import { showActions } from './show-actions';
import { showReport } from './show-report';
import { testConnection } from './test-connection';
import { toggleCritique } from './toggle';
import { errorMessage } from '../../protocol';

function isCancellation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return code === -32800 || error.name === 'Canceled' || error.message === 'Canceled';
}

export function registerCommands(services: Services): vscode.Disposable[] {
  const handlers: Record<string, (...args: unknown[]) => unknown> = {
    [Commands.critiqueFile]: (arg) => critiqueFile(services, arg),
    [Commands.critiqueWorkspace]: (arg) => critiqueWorkspace(services, arg),
    [Commands.refineStep]: (arg) => refine(services, 'step', arg),
    [Commands.refineSolution]: (arg) => refine(services, 'solution', arg),
    [Commands.regenerateFromFirstError]: (arg) => refine(services, 'regenerate', arg),
    [Commands.chooseProvider]: () => chooseProvider(),
    [Commands.setApiKey]: (arg) => setApiKey(services, arg),
    [Commands.forgetApiKey]: () => forgetApiKey(services),
    [Commands.testConnection]: () => testConnection(services),
    [Commands.clearCache]: () => clearCache(services),
    [Commands.toggle]: (arg) => toggleCritique(services, arg),
    [Commands.showReport]: (arg) => showReport(services, arg),
    [Commands.showActions]: () => showActions(services),
    [Commands.openExample]: () => openExample(services),
    [Commands.restartServer]: async () => {
      services.status.setLastError(undefined);
      await services.connection.restart();
    },
    [Commands.showOutput]: () => services.output.show(),
    [Commands.decorationState]: (uri) => (typeof uri === 'string' ? services.decorator.snapshot(uri) : undefined),
  };
  return Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        if (isCancellation(error)) return undefined;
        const message = errorMessage(error);
        services.output.error(`${id}: ${message}`);
        services.status.setLastError(message);
        void vscode.window.showErrorMessage(`Step Critic: ${message}`, 'Show Log').then((pick) => pick && services.output.show());
        return undefined;
      }
    }),
  );
}
