// The language server with `stepcritic.critic: "prm"`: a process reward model judges the steps (the
// gutter's P(True) and source come from it), refine actions say what to configure without a chat model,
// and with one, every proposal is re-scored by the PRM before it is offered.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { PRM_MODEL, startScriptedPrmServer, type ScriptedPrmServer } from '../support/scripted-prm-server';
import { refineAwareHandler, stepReplacementReply } from '../support/scripted-refine';
import { LspSession } from '../server/support/lsp-session';
import { PENS, fileUri, tempFolder } from '../server/support/fixtures';

const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const stop of cleanup.reverse()) await stop();
});

/** The scripted PRM: a step that brings in a discount is wrong (0.04), any other right (0.96). */
async function prmServer(): Promise<ScriptedPrmServer> {
  const prm = await startScriptedPrmServer({ scorer: ({ steps }) => steps.map((s) => (/discount/.test(s) ? 0.04 : 0.96)) });
  cleanup.push(() => prm.close());
  return prm;
}

async function session(settings: Record<string, unknown>): Promise<{ session: LspSession; folder: string }> {
  const folder = await tempFolder();
  const started = await LspSession.start({
    workspaceFolder: folder,
    initializationOptions: { settings, trusted: true, llm: { timeoutMs: 2000, maxRetries: 0, retryBaseMs: 10 } },
  });
  cleanup.push(() => started.stop());
  return { session: started, folder };
}

function refineAction(actions: CodeAction[]): CodeAction {
  const found = actions.find((a) => a.kind === 'quickfix.stepcritic.refine');
  assert.ok(found, `Refine among ${actions.map((a) => a.kind).join(', ')}`);
  return found;
}

function onStep(diagnostics: Diagnostic[], stepIndex: number): Diagnostic {
  const found = diagnostics.find((d) => (d.data as { stepIndex: number }).stepIndex === stepIndex);
  assert.ok(found, `a diagnostic on step ${stepIndex + 1}`);
  return found;
}

describe('server: a PRM as the critic', () => {
  it('scores the steps in one request, names the PRM in the message; Test Connection probes it; the refine action says what to configure', async () => {
    const prm = await prmServer();
    const { session: s, folder } = await session({ critic: 'prm', prm: { baseUrl: prm.baseUrl, model: PRM_MODEL } });
    const uri = fileUri(folder, 'pens.solution.md');
    await s.open(uri, PENS);
    const states = await s.finalStates(uri, 1);
    assert.deepEqual(
      states.steps.map((step) => [step.state, step.pTrue, step.source]),
      [
        ['correct', 0.96, 'prm'],
        ['correct', 0.96, 'prm'],
        ['incorrect', 0.04, 'prm'],
      ],
    );
    assert.match(states.steps[2]!.message ?? '', /Incorrect, P\(True\) 0\.04 \(prm\)\. Scored by the process reward model Qwen\/Qwen2\.5-Math-PRM-7B/);
    assert.equal(states.critic.model, PRM_MODEL);
    assert.equal(prm.poolingRequests().length, 1);

    const d = onStep(await s.diagnosticsFor(uri, 1), 2);
    const resolved = await s.resolve(refineAction(await s.codeActions(uri, d.range, [d])));
    assert.match(
      resolved.disabled?.reason ?? '',
      /^Refinement needs a chat model to write the rewrite: the PRM critic only scores steps\. Set stepcritic\.model/,
    );
  });

  it('with a chat model for refinement, a proposal is re-scored by the PRM before it is offered', async () => {
    const prm = await prmServer();
    const handler = refineAwareHandler({
      critic: () => {
        throw new Error('the chat model must not judge: the PRM does');
      },
      refine: () => stepReplacementReply('Step 3: So Mia gets 8 dollars back.'),
    });
    const llm: ScriptedLlmServer = await startScriptedLlmServer({ handler });
    cleanup.push(() => llm.close());
    const { session: s, folder } = await session({
      provider: 'custom',
      baseUrl: llm.baseUrl,
      model: 'scripted-critic',
      critic: 'prm',
      prm: { baseUrl: prm.baseUrl, model: PRM_MODEL },
    });
    const uri = fileUri(folder, 'refine.solution.md');
    await s.open(uri, PENS);
    const d = onStep(await s.diagnosticsFor(uri, 1), 2);
    const resolved = await s.resolve(refineAction(await s.codeActions(uri, d.range, [d])));
    assert.equal(resolved.title, 'Refine step 3 (P(True) 0.04 → 0.96)');
    assert.equal(handler.refinePrompts.length, 1);
    assert.equal(handler.criticRequests, 0, 'the chat model wrote the rewrite and judged nothing');
    const rescored = prm.poolingRequests().at(-1)!.body as { messages: { role: string; content: string }[] };
    assert.match(rescored.messages.find((m) => m.role === 'assistant')!.content, /<extra_0>Step 3: So Mia gets 8 dollars back\.<extra_0>$/);

    await s.execute(resolved.command!);
    const after = await s.finalStates(uri, 2);
    assert.deepEqual(
      after.steps.map((step) => step.state),
      ['correct', 'correct', 'correct'],
    );
  });
});
