// `stepcritic check` with the LLM critic on, against the scripted OpenAI-compatible server on
// 127.0.0.1: what the critic adds to the reports and the exit status, and Ctrl-C in the middle of a run.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseReport } from '../../src/engine/report/schema';
import { DEFAULT_MODEL, hang, ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { CLEAN_SOLUTION, makeTree, runCli, startCli } from './run-cli';
import { sarifErrors } from './sarif-validator';

// No computation to refute: only the critic can tell that doubling is the wrong step.
const LOGIC_SLIP = [
  '# Problem',
  'Tom has 3 bags with 4 apples each. How many apples does he have?',
  '',
  '# Solution',
  'Step 1: Each bag holds 4 apples and there are 3 bags.',
  '',
  'Step 2: So he has twice as many apples as bags, which is wrong reasoning.',
  '',
  'Answer: 6',
  '',
].join('\n');

describe('stepcritic check with the LLM critic', () => {
  let server: ScriptedLlmServer;
  let tree: ReturnType<typeof makeTree>;
  let env: Record<string, string>;
  before(async () => {
    server = await startScriptedLlmServer({ handler: ruleBasedCriticHandler({ incorrectPatterns: ['wrong reasoning'] }) });
    tree = makeTree({ 'logic.solution.md': LOGIC_SLIP, 'pens.solution.md': CLEAN_SOLUTION });
    env = { STEPCRITIC_BASE_URL: server.baseUrl, STEPCRITIC_MODEL: DEFAULT_MODEL, STEPCRITIC_CACHE_DIR: join(tree.dir, '.cache') };
  });
  after(async () => {
    await server.close();
    tree.remove();
  });

  it('reports the critic verdict with P(True), counts the requests, and exits 1 on the wrong step', async () => {
    server.setHandler(ruleBasedCriticHandler({ incorrectPatterns: ['wrong reasoning'] }));
    const r = await runCli(['check', '--no-cache'], { cwd: tree.dir, env });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^logic\.solution\.md:7:1 {2}step 2 {2}incorrect {2}Incorrect, P\(True\) 0\.05 \(logprobs\)/m);
    assert.match(r.stdout, /^pens\.solution\.md {2}correct {2}1 step: 1 correct$/m);
    assert.match(r.stdout, /^LLM critic: 2 requests, [\d,]+ tokens/m);
    assert.match(r.stderr, /LLM critic: .*scripted-critic/);
    assert.equal(server.chatRequests().length, 2);
  });

  it('--fail-on uncertain fails on an uncertain step that --fail-on incorrect lets pass', async () => {
    server.setHandler(ruleBasedCriticHandler({ pCorrect: 0.5 }));
    const lenient = await runCli(['check', 'pens.solution.md', '--no-cache'], { cwd: tree.dir, env });
    assert.equal(lenient.status, 0, lenient.stdout);
    assert.match(lenient.stdout, /step 1 {2}uncertain {2}Uncertain, P\(True\) 0\.50/);
    const strict = await runCli(['check', 'pens.solution.md', '--no-cache', '--fail-on', 'uncertain'], { cwd: tree.dir, env });
    assert.equal(strict.status, 1);
  });

  it('JSON and SARIF carry P(True), its source and the model; SARIF ranks by 1 − P(True)', async () => {
    server.setHandler(ruleBasedCriticHandler({ incorrectPatterns: ['wrong reasoning'] }));
    const json = parseReport(JSON.parse((await runCli(['check', 'logic.solution.md', '--no-cache', '-f', 'json'], { cwd: tree.dir, env })).stdout));
    assert.equal(json.critic.enabled, true);
    assert.equal(json.critic.model, DEFAULT_MODEL);
    const step = json.files[0]!.steps[1]!;
    assert.deepEqual([step.verdict, step.source, step.code], ['incorrect', 'logprobs', 'logic']);
    assert.ok(Math.abs((step.pTrue ?? -1) - 0.05) < 1e-9, `P(True) ${step.pTrue}`);
    assert.ok(step.evidence.some((e) => e.kind === 'critic' && e.model === DEFAULT_MODEL));
    assert.ok(json.summary.usage.requests >= 1);

    const sarif = JSON.parse((await runCli(['check', 'logic.solution.md', '--no-cache', '-f', 'sarif'], { cwd: tree.dir, env })).stdout) as {
      runs: { results: { ruleId: string; rank?: number; properties: Record<string, unknown> }[]; properties: Record<string, unknown> }[];
    };
    assert.deepEqual(sarifErrors(sarif), []);
    const result = sarif.runs[0]!.results.find((r) => r.ruleId === 'logic')!;
    assert.equal(result.rank, 95);
    assert.ok(Math.abs(Number(result.properties.pTrue) - 0.05) < 1e-9);
    assert.equal(result.properties.model, DEFAULT_MODEL);
    assert.equal(typeof result.properties.promptVersion, 'string');
  });

  it('Ctrl-C stops the run with status 130, aborts the request in flight, and keeps the previous --out report', async () => {
    const previous = '{"tool": {"name": "stepcritic"}, "previous": true}\n';
    writeFileSync(join(tree.dir, 'report.json'), previous);
    server.setHandler(() => hang());
    const before = server.chatRequests().length;
    const running = startCli(['check', '--no-cache', '-f', 'json', '--out', 'report.json'], { cwd: tree.dir, env, timeoutMs: 30_000 });
    await server.waitFor(() => server.chatRequests().length > before, 20_000);
    running.child.kill('SIGINT');
    const r = await running.done;
    assert.equal(r.status, 130, r.stderr);
    assert.match(r.stderr, /interrupted/);
    assert.equal(readFileSync(join(tree.dir, 'report.json'), 'utf8'), previous, 'the earlier report is untouched');
    await server.waitFor(
      () =>
        server
          .chatRequests()
          .slice(before)
          .every((q) => q.aborted),
      5_000,
    );
  });
});
