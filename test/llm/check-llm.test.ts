// `stepcritic check` with the LLM critic, run as a process against the scripted server: on when an
// endpoint is configured (with a line saying which), off with --no-llm, --llm without an endpoint is a
// usage error, the cache makes the second run free, and the key never reaches the output.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeTree, runCli } from '../cli/run-cli';
import { ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';

const SOLUTION = `# Problem

Tom has 3 bags with 4 apples each. He gives away 5 apples. How many apples does he have left?

# Solution

Step 1: Tom has 3 bags of 4 apples, so he has 12 apples.

Step 2: He gives away 5 apples, which leaves him with 12 minus 5, that is 8 apples.

Step 3: So Tom has 8 apples left.

Answer: 8
`;

const KEY = 'sk-test-Hq3Rv8Nz2Lm6Wc1Xp9';

describe('stepcritic check --llm', () => {
  let server: ScriptedLlmServer;
  let tree: ReturnType<typeof makeTree>;
  before(async () => {
    server = await startScriptedLlmServer({ handler: ruleBasedCriticHandler({ incorrectPatterns: ['that is 8 apples'] }), apiKey: KEY });
    tree = makeTree({ 'apples.solution.md': SOLUTION, 'cache/.keep': '' });
  });
  after(async () => {
    await server.close();
    tree.remove();
  });

  const env = () => ({
    STEPCRITIC_BASE_URL: server.baseUrl,
    STEPCRITIC_MODEL: 'scripted-critic',
    STEPCRITIC_API_KEY: KEY,
    STEPCRITIC_CACHE_DIR: `${tree.dir}/cache`,
  });

  it('judges with the critic when an endpoint is configured, says which, and caches', async () => {
    const first = await runCli(['check', 'apples.solution.md', '--format', 'json'], { cwd: tree.dir, env: env() });
    assert.equal(first.status, 1, first.stderr);
    assert.match(first.stderr, /LLM critic: scripted-critic @ http:\/\/127\.0\.0\.1:\d+\/v1/);
    const report = JSON.parse(first.stdout) as {
      files: { steps: { verdict: string; source: string; pTrue: number | null }[] }[];
      critic: { enabled: boolean; model?: string };
    };
    const steps = report.files[0]!.steps;
    assert.deepEqual(
      steps.map((s) => s.verdict),
      ['correct', 'incorrect', 'downstream'],
    );
    assert.equal(steps[1]!.source, 'logprobs');
    assert.ok(Math.abs(steps[1]!.pTrue! - 0.05) < 1e-9);
    assert.deepEqual(report.critic, { enabled: true, model: 'scripted-critic' });

    const before = server.chatRequests().length;
    const second = await runCli(['check', 'apples.solution.md', '--format', 'json'], { cwd: tree.dir, env: env() });
    assert.equal(second.status, 1);
    assert.equal(server.chatRequests().length, before, 'second run served from the cache');
    for (const run of [first, second]) assert.ok(!(run.stdout + run.stderr).includes(KEY.slice(8)));
  });

  it('--no-llm: the verifiers still run, and it says the critic is off', async () => {
    const before = server.requests.length;
    const run = await runCli(['check', 'apples.solution.md', '--no-llm'], { cwd: tree.dir, env: env() });
    assert.match(run.stderr, /LLM critic off \(--no-llm\); only the deterministic verifiers run\./);
    assert.equal(server.requests.length, before);
  });

  it('no endpoint: off, with the reason; --llm without an endpoint is a usage error', async () => {
    const off = await runCli(['check', 'apples.solution.md'], { cwd: tree.dir });
    assert.match(off.stderr, /LLM critic off: no endpoint configured/);
    const forced = await runCli(['check', 'apples.solution.md', '--llm'], { cwd: tree.dir });
    assert.equal(forced.status, 2);
    assert.match(forced.stderr, /--llm: no endpoint configured \(set --base-url or STEPCRITIC_BASE_URL/);
  });

  it('--budget 0 tokens left: steps unchecked, the note says the budget stopped it', async () => {
    const run = await runCli(['check', 'apples.solution.md', '--format', 'json', '--budget', '10', '--no-cache'], { cwd: tree.dir, env: env() });
    const report = JSON.parse(run.stdout) as { files: { steps: { verdict: string }[]; critic?: { note?: string } }[] };
    assert.deepEqual(
      report.files[0]!.steps.map((s) => s.verdict),
      ['unchecked', 'unchecked', 'unchecked'],
    );
    assert.match(JSON.stringify(report), /token budget reached: 0 of 10 tokens used/);
  });
});
