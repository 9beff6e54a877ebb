// The manifest agrees with the code: every setting of the protocol's schema is contributed with its
// default and a description, the restricted settings are the ones the client guards, every command
// the client registers is contributed under the Step Critic category, no default fails its own
// validation, and the README (the extension's details page) links only to files the .vsix holds.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Commands } from '../../src/client/commands/ids';
import { defaultSettings } from '../../src/protocol/settings';

interface Manifest {
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: {
    configuration: {
      properties: Record<string, { default: unknown; description?: string; markdownDescription?: string; format?: string; pattern?: string }>;
    };
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

  it('the client sends the server every setting of the protocol', () => {
    const source = readFileSync('src/client/configuration.ts', 'utf8');
    const sent = [
      ...source
        .slice(source.indexOf('const KEYS = ['))
        .split('] as const')[0]!
        .matchAll(/'([\w.]+)'/g),
    ].map((m) => `stepcritic.${m[1]}`);
    assert.deepEqual(sent.sort(), Object.keys(flatten(defaultSettings)).sort());
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

  it('has no setting whose default its own validation refuses (an empty base URL is not "URI expected")', () => {
    for (const [key, property] of Object.entries(manifest.contributes.configuration.properties)) {
      assert.notEqual(property.format, 'uri', `${key}: format uri refuses the empty default`);
      if (property.pattern && typeof property.default === 'string') assert.match(property.default, new RegExp(property.pattern), key);
    }
    const baseUrl = new RegExp(manifest.contributes.configuration.properties['stepcritic.baseUrl']!.pattern!);
    assert.ok(baseUrl.test('http://127.0.0.1:11434/v1') && !baseUrl.test('127.0.0.1:11434'), 'a URL passes, a bare host:port does not');
  });

  it('the README links only to files the packaged .vsix holds', () => {
    const packaged = new Set(
      execFileSync(process.execPath, ['node_modules/@vscode/vsce/vsce', 'ls', '--no-dependencies'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
    const links = [...readFileSync('README.md', 'utf8').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:|^#/.test(l));
    assert.ok(links.includes('docs/screenshot.png'), 'the screenshot is linked');
    assert.deepEqual(
      links.filter((l) => !packaged.has(l.replace(/#.*$/, ''))),
      [],
      'links to files the .vsix leaves out (.vscodeignore)',
    );
  });

  it('activates on the solution language and starts from the client bundle', () => {
    assert.equal(manifest.main, './dist/client/extension.js');
    assert.ok(manifest.activationEvents.includes('onLanguage:stepcritic-solution'));
    const language = manifest.contributes.languages.find((l) => l.id === 'stepcritic-solution');
    assert.deepEqual(language?.extensions, ['.solution.md']);
    assert.equal(manifest.contributes.grammars[0]?.language, 'stepcritic-solution');
  });
});
