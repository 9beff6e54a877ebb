// The API key goes to the endpoint as the Authorization header and nowhere else: not in the request
// body, not in another header, not in an error, a note, a log line or the CLI's output — even when
// the endpoint echoes it back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { evalCommand } from '../../src/cli/commands/eval';
import { probeCommand } from '../../src/cli/commands/probe';
import { CriticConfigSchema } from '../../src/engine/llm/config';
import { createLlmCritic } from '../../src/engine/llm/critic';
import { redactSecret } from '../../src/engine/llm/errors';
import type { Evidence } from '../../src/engine/types';
import { ruleBasedCriticHandler, startScriptedLlmServer, statusReply, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { DATASETS } from '../support/fixtures';
import { mathDocument } from './helpers';
import { runCommand } from './run-command';

const KEY = 'sk-proj-Zq8Wm2Lr5Tx9Vb3Nc7Hd1Kf4';

/** Captures everything written through console.* while `fn` runs (the SDK's logger writes there). */
async function capturingConsole<T>(fn: () => Promise<T>): Promise<{ value: T; logged: string }> {
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const saved = methods.map((m) => console[m]);
  let logged = '';
  for (const m of methods) console[m] = (...args: unknown[]) => void (logged += `${args.map(String).join(' ')}\n`);
  const savedLog = process.env.OPENAI_LOG;
  process.env.OPENAI_LOG = 'debug';
  try {
    return { value: await fn(), logged };
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i]!));
    if (savedLog === undefined) delete process.env.OPENAI_LOG;
    else process.env.OPENAI_LOG = savedLog;
  }
}

describe('the API key', () => {
  let server: ScriptedLlmServer;
  before(async () => {
    server = await startScriptedLlmServer({ apiKey: KEY });
  });
  after(() => server.close());

  it('is sent only as the Authorization header', async () => {
    const base = server.requests.length;
    const config = CriticConfigSchema.parse({ baseUrl: server.baseUrl, model: 'scripted-critic', apiKey: KEY });
    const { value: result, logged } = await capturingConsole(() =>
      createLlmCritic(config).judge({ document: mathDocument('What is 1 + 1?', ['1 + 1 = 2.']), evidence: new Map<number, Evidence[]>(), fromStep: 0 }),
    );
    assert.equal(result.steps[0]!.verdict, 'correct');
    const sent = server.requests.slice(base);
    assert.ok(sent.length >= 1);
    for (const request of sent) {
      assert.equal(request.headers.authorization, `Bearer ${KEY}`);
      for (const [name, value] of Object.entries(request.headers)) {
        if (name !== 'authorization') assert.ok(!String(value).includes(KEY.slice(8)), `header ${name}`);
      }
      assert.ok(!request.rawBody.includes(KEY.slice(8)), 'not in the body');
    }
    assert.ok(!logged.includes(KEY.slice(8)), 'not logged');
    assert.ok(!JSON.stringify(result).includes(KEY.slice(8)));
  });

  it('is redacted from errors even when the endpoint echoes it back', async () => {
    server.setHandler((request) =>
      statusReply(400, `Bad request from key ${String(request.headers.authorization).slice(7)} (also seen: ****${KEY.slice(-12)})`),
    );
    try {
      const config = CriticConfigSchema.parse({ baseUrl: server.baseUrl, model: 'scripted-critic', apiKey: KEY, maxRetries: 0 });
      const { value: result, logged } = await capturingConsole(() =>
        createLlmCritic(config).judge({ document: mathDocument('What is 1 + 1?', ['1 + 1 = 2.']), evidence: new Map<number, Evidence[]>(), fromStep: 0 }),
      );
      assert.equal(result.steps[0]!.verdict, 'error');
      const everything = JSON.stringify(result) + logged;
      assert.match(everything, /\[redacted\]/);
      for (let i = 0; i + 8 <= KEY.length; i++) assert.ok(!everything.includes(KEY.slice(i, i + 8)), `a piece of the key leaked: ${KEY.slice(i, i + 8)}`);
    } finally {
      server.setHandler(ruleBasedCriticHandler());
    }
  });

  it('never appears in the output of probe or eval', async () => {
    const env = { STEPCRITIC_API_KEY: KEY, STEPCRITIC_BASE_URL: server.baseUrl, STEPCRITIC_MODEL: 'scripted-critic' };
    const probe = await runCommand(probeCommand, ['--json'], env);
    assert.equal(probe.code, 0, probe.stdout + probe.stderr);
    const evalRun = await runCommand(evalCommand, [join(DATASETS, 'processbench', 'gsm8k.json'), '--limit', '2', '--no-cache', '--format', 'json'], env);
    assert.equal(evalRun.code, 0, evalRun.stderr);
    const wrongKey = await runCommand(probeCommand, [], { ...env, STEPCRITIC_API_KEY: `${KEY}-wrong` });
    assert.equal(wrongKey.code, 1);
    for (const run of [probe, evalRun, wrongKey]) {
      assert.ok(!(run.stdout + run.stderr).includes(KEY.slice(8)), 'key in CLI output');
    }
  });

  it('redactSecret removes the whole key and any 8-character run of it', () => {
    assert.equal(redactSecret(`key=${KEY}!`, KEY), 'key=[redacted]!');
    assert.ok(!redactSecret(`masked ****${KEY.slice(-10)}`, KEY).includes(KEY.slice(-8)));
    assert.equal(redactSecret('nothing here', KEY), 'nothing here');
  });
});
