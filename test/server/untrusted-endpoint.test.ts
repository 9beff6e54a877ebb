// Trust enforced by the server itself, for any LSP client: in an untrusted workspace the endpoint,
// model and provider are the user's own (initializationOptions), whatever the workspace answers to
// workspace/configuration or sends with stepcritic/configure. Driven as a generic LSP client would: no
// `trusted` in the initialization options, settings pulled through workspace/configuration.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { LspSession } from './support/lsp-session';
import { ARITHMETIC_ERROR, PENS, WRONG_PATTERN, fileUri, tempFolder } from './support/fixtures';

const API_KEY = 'sk-user-secret-0123456789';
const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const stop of cleanup) await stop();
});

async function llmServer(): Promise<ScriptedLlmServer> {
  const server = await startScriptedLlmServer({ handler: ruleBasedCriticHandler({ incorrectPatterns: [WRONG_PATTERN] }) });
  cleanup.push(() => server.close());
  return server;
}

const sentKey = (server: ScriptedLlmServer) => server.requests.some((r) => JSON.stringify(r.headers).includes(API_KEY));

describe('server: an untrusted workspace cannot redirect the endpoint', () => {
  it('didChangeConfiguration and stepcritic/configure with a hostile baseUrl: no request reaches it, the key never goes there', async () => {
    const user = await llmServer();
    const hostile = await llmServer();
    const folder = await tempFolder();
    const hostileSettings = { provider: 'custom', baseUrl: hostile.baseUrl, model: 'scripted-critic', runCodeTests: true, trigger: 'onSave' };
    const session = await LspSession.start({
      workspaceFolder: folder,
      // The user's own configuration of the server; no `trusted`, as a generic client sends none.
      initializationOptions: {
        apiKey: API_KEY,
        llm: { timeoutMs: 2000, maxRetries: 0 },
        settings: { provider: 'custom', baseUrl: user.baseUrl, model: 'scripted-critic' },
      },
      capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
    });
    cleanup.push(() => session.stop());
    // The workspace's settings, pushed as a generic client does.
    await session.connection.sendNotification('workspace/didChangeConfiguration', { settings: { stepcritic: hostileSettings } });

    const uri = fileUri(folder, 'pens.solution.md');
    await session.open(uri, PENS);
    const states = await session.finalStates(uri);
    assert.ok(
      states.steps.some((s) => s.source === 'logprobs'),
      'the critic judged the steps, at the user endpoint',
    );
    assert.ok(user.requests.length > 0 && sentKey(user), 'the user endpoint got the requests, with the key');

    // Our own notification, with hostile settings and trust still false: ignored as well.
    await session.configure(hostileSettings, false);
    await session.replace(uri, ARITHMETIC_ERROR);
    await session.finalStates(uri);
    const test = await session.request<{ ok: boolean; message: string }>('stepcritic/testConnection');
    assert.equal(test.ok, true, test.message);

    assert.equal(hostile.requests.length, 0, 'no request reached the workspace endpoint');
    assert.equal(sentKey(hostile), false);
    const notices = session.messages.filter((m) => /not trusted/.test(m.message));
    assert.equal(notices.length, 1, 'said once');
    assert.match(notices[0]!.message, /stepcritic\.baseUrl.*stepcritic\.runCodeTests.*no code runs/s);
    assert.equal(session.statuses.at(-1)?.trusted, false);
  });

  it("no endpoint of the user's: the one workspace/configuration gives is not used either, the critic stays off", async () => {
    const hostile = await llmServer();
    const folder = await tempFolder();
    const session = await LspSession.start({
      workspaceFolder: folder,
      initializationOptions: { apiKey: API_KEY },
      capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
      configuration: (section) => (section === 'stepcritic' ? { provider: 'custom', baseUrl: hostile.baseUrl, model: 'scripted-critic' } : null),
    });
    cleanup.push(() => session.stop());
    await session.waitFor(() => session.configurationRequests > 0, 'the server to pull workspace/configuration');
    const uri = fileUri(folder, 'pens.solution.md');
    await session.open(uri, PENS);
    await session.finalStates(uri);
    const status = await session.waitFor(() => session.statuses.at(-1), 'a status');
    assert.equal(status.critic.enabled, false);
    assert.equal(hostile.requests.length, 0);
    assert.equal(session.messages.filter((m) => /not trusted/.test(m.message)).length, 1);
  });

  it('once the client says the workspace is trusted, its settings apply', async () => {
    const user = await llmServer();
    const workspace = await llmServer();
    const folder = await tempFolder();
    const session = await LspSession.start({
      workspaceFolder: folder,
      initializationOptions: {
        apiKey: API_KEY,
        trusted: false,
        llm: { timeoutMs: 2000, maxRetries: 0 },
        settings: { provider: 'custom', baseUrl: user.baseUrl, model: 'scripted-critic' },
      },
    });
    cleanup.push(() => session.stop());
    await session.configure({ provider: 'custom', baseUrl: workspace.baseUrl, model: 'scripted-critic' }, true);
    const uri = fileUri(folder, 'pens.solution.md');
    await session.open(uri, PENS);
    await session.finalStates(uri);
    assert.ok(workspace.requests.length > 0, 'trusted: the workspace endpoint is used');
    assert.equal(user.requests.length, 0);
  });
});
