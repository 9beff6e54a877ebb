// Reads the `stepcritic.*` settings for the server. In an untrusted workspace the restricted keys
// (endpoint, model, provider, the PRM's server and model, running code, the calibration file) take only the user's own value: a
// cloned repository must not be able to send your text to its endpoint, run its code, or turn every P(True) up with a calibration.
import * as vscode from 'vscode';
import { parseSettings, type StepCriticSettings } from '../protocol';

export const SECTION = 'stepcritic';

/** Settings whose workspace value is ignored in an untrusted workspace (as in package.json). */
export const RESTRICTED_KEYS = ['baseUrl', 'model', 'provider', 'runCodeTests', 'prm.baseUrl', 'prm.model', 'calibration'] as const;

const KEYS = [
  'enable',
  'provider',
  'baseUrl',
  'model',
  'trigger',
  'debounceMs',
  'concurrency',
  'tokenBudget',
  'thresholds.correct',
  'thresholds.incorrect',
  'display.gutterIcons',
  'display.inlineText',
  'files',
  'runCodeTests',
  'samples',
  'maxSteps',
  'finalAnswerCheck',
  'jsonSchema',
  'topLogprobs',
  'maxTokensPerStep',
  'critic',
  'prm.baseUrl',
  'prm.model',
  'prm.format',
  'prm.separator',
  'prm.template',
  'prm.system',
  'prm.positiveClass',
  'prm.output',
  'prm.api',
  'calibration',
  'rubric',
  'runLogLocation',
] as const;

function userOrDefault<T>(config: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const inspected = config.inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue;
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    node = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : (node[part] = {});
  }
  node[parts[parts.length - 1]!] = value;
}

/** The raw settings object sent to the server (it validates them and reports problems back). */
export function rawSettings(trusted: boolean, scope?: vscode.Uri): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const raw: Record<string, unknown> = {};
  for (const key of KEYS) {
    const restricted = (RESTRICTED_KEYS as readonly string[]).includes(key);
    const value = !trusted && restricted ? userOrDefault(config, key) : config.get(key);
    if (value !== undefined) setPath(raw, key, value);
  }
  if (!trusted) raw.runCodeTests = false;
  return raw;
}

/** The settings the client itself uses (thresholds, display), validated like the server does. */
export function clientSettings(scope?: vscode.Uri): StepCriticSettings {
  return parseSettings(rawSettings(vscode.workspace.isTrusted, scope)).settings;
}
