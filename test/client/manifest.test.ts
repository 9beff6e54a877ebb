// The manifest agrees with the code: every setting of the protocol's schema is contributed with its
// default and a description, the restricted settings are the ones the client guards, and every
// command the client registers is contributed under the Step Critic category.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Commands } from '../../src/client/commands/ids';
import { defaultSettings } from '../../src/protocol/settings';

interface Manifest {
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: {
    configuration: { properties: Record<string, { default: unknown; description?: string; markdownDescription?: string }> };
    commands: { command: string; title: string; category: string }[];
    languages: { id: string; extensions: string[] }[];
    grammars: { language: string; path: string }[];
  };
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;

function flatten(value: Record<string, unknown>, prefix = 'stepcritic'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}.${key}`));
    else out[`${prefix}.${key}`] = v;
  }
  return out;
}

describe('package.json', () => {
  it('contributes exactly the settings of the protocol, with the same defaults, each described', () => {
    const properties = manifest.contributes.configuration.properties;
    const expected = flatten(defaultSettings);
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(properties[key]!.default, value, key);
      assert.ok((properties[key]!.description ?? properties[key]!.markdownDescription ?? '').length > 20, `${key} is described`);
    }
    assert.ok(!Object.keys(properties).some((k) => /key|secret|token$/i.test(k) && !/tokenBudget/.test(k)), 'no setting holds a secret');
  });

  it('declares limited support for untrusted workspaces, restricting endpoints, models, provider, the calibration file and running code', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.sort(), [
      'stepcritic.baseUrl',
      'stepcritic.calibration',
      'stepcritic.model',
      'stepcritic.prm.baseUrl',
      'stepcritic.prm.model',
      'stepcritic.provider',
      'stepcritic.runCodeTests',
    ]);
  });

  it('contributes every command the client registers, under the Step Critic category', () => {
    const contributed = manifest.contributes.commands;
    assert.deepEqual(contributed.map((c) => c.command).sort(), Object.values(Commands).sort());
    for (const command of contributed) assert.equal(command.category, 'Step Critic', command.command);
  });

  it('activates on the solution language and starts from the client bundle', () => {
    assert.equal(manifest.main, './dist/client/extension.js');
    assert.ok(manifest.activationEvents.includes('onLanguage:stepcritic-solution'));
    const language = manifest.contributes.languages.find((l) => l.id === 'stepcritic-solution');
    assert.deepEqual(language?.extensions, ['.solution.md']);
    assert.equal(manifest.contributes.grammars[0]?.language, 'stepcritic-solution');
  });
});
