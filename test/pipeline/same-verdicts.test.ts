// One pipeline, the same verdicts on every road a user takes: `stepcritic check`, `stepcritic check
// --run-log` (the report rendered from the log), and the language server (the editor's critique of
// the open documents, and the run log and report of "Critique Workspace"), for a code solution with
// its sibling test file (examples/gcd.py), a ProcessBench record, and a Markdown file with an
// arithmetic slip. The LLM critic (the scripted server) judges on every road, so its verdicts count too.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileReport, Report } from '../../src/engine/report/schema';
import type { WorkspaceCritique } from '../../src/protocol/messages';
import { makeTree, REPO_ROOT, runCli } from '../cli/run-cli';
import { fileUri, startRig, type Rig } from '../server/support/fixtures';
import { DATASETS } from '../support/fixtures';
import { loadRunLog } from '../support/run-log';
import { ruleBasedCriticHandler } from '../support/scripted-llm-server';

const SLIP = `# Problem

Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did she sell in all?

# Solution

Step 1: In April she sold 48 clips.

Step 2: In May she sold 48 / 2 = 25 clips.

Step 3: Altogether she sold 48 + 25 = 73 clips.

Answer: 73
`;

/** The first ProcessBench gsm8k record (labelled: the first error is step 2); the critic doubts that step. */
const RECORD = (JSON.parse(readFileSync(join(DATASETS, 'processbench', 'gsm8k.json'), 'utf8')) as unknown[])[0];
const CRITIC = () => ruleBasedCriticHandler({ incorrectPatterns: ['take back one third'] });

type Verdicts = Record<string, { verdict: string | null; steps: string[]; pTrue: (number | null)[]; tests: number }>;

function verdictsOf(files: readonly FileReport[]): Verdicts {
  return Object.fromEntries(
    files.map((f) => [
      f.uri,
      {
        verdict: f.verdict,
        steps: f.steps.map((s) => `${s.verdict}/${s.source}`),
        pTrue: f.steps.map((s) => s.pTrue),
        tests: f.steps.flatMap((s) => s.evidence).filter((e) => e.kind === 'test').length + (f.tests?.length ?? 0),
      },
    ]),
  );
}

describe('the same verdicts on every road', () => {
  const tree = makeTree({ 'slip.solution.md': SLIP, 'data.jsonl': `${JSON.stringify(RECORD)}\n` });
  copyFileSync(join(REPO_ROOT, 'examples', 'gcd.py'), join(tree.dir, 'gcd.py'));
  copyFileSync(join(REPO_ROOT, 'examples', 'test_gcd.py'), join(tree.dir, 'test_gcd.py'));
  let rig: Rig;
  before(async () => {
    // A generous request timeout: this test is about agreement, and a loaded machine must not turn a verdict into "could not judge".
    rig = await startRig({ folder: tree.dir, handler: CRITIC(), settings: { runCodeTests: true }, trusted: true, llmTuning: { timeoutMs: 30_000 } });
  });
  after(async () => {
    await rig.stop();
    tree.remove();
  });

  const inputs = ['gcd.py', 'data.jsonl', 'slip.solution.md'];
  const cli = async (...extra: string[]) => {
    const args = [
      'check',
      ...inputs,
      '--run-code',
      '--base-url',
      rig.llm.baseUrl,
      '--model',
      'scripted-critic',
      '--no-cache',
      '--fail-on',
      'never',
      '--format',
      'json',
    ];
    const run = await runCli([...args, ...extra], { cwd: tree.dir });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout) as Report;
  };

  it('check, check --run-log and the language server agree, step by step', async () => {
    const plain = verdictsOf((await cli()).files);
    assert.deepEqual(Object.keys(plain), ['data.jsonl#0', 'gcd.py', 'slip.solution.md'], 'input order');
    // What each input must show: the sibling test ran (3 tests, the solution correct), the critic's
    // verdict on the record, the slip refuted by the verifier and the steps after it downstream.
    assert.equal(plain['gcd.py']!.verdict, 'correct');
    assert.ok(plain['gcd.py']!.tests >= 3, `the sibling test file was found and run (${plain['gcd.py']!.tests})`);
    assert.deepEqual(plain['data.jsonl#0']!.steps.slice(0, 2), ['correct/logprobs', 'incorrect/logprobs']);
    assert.deepEqual(plain['slip.solution.md']!.steps, ['correct/logprobs', 'incorrect/verifier', 'downstream/verifier']);

    assert.deepEqual(verdictsOf((await cli('--run-log', 'run.jsonl')).files), plain, 'check --run-log');

    // The editor: the two files opened (gcd.py critiqued on request), then "Critique Workspace".
    const { session } = rig;
    const gcd = fileUri(tree.dir, 'gcd.py');
    const slip = fileUri(tree.dir, 'slip.solution.md');
    await session.open(gcd, readFileSync(join(tree.dir, 'gcd.py'), 'utf8'), 'python');
    await session.open(slip, SLIP);
    await session.request('stepcritic/critiqueFile', { uri: gcd, force: true });
    const shown = {
      'gcd.py': await session.finalStates(gcd, 1),
      'slip.solution.md': await session.finalStates(slip, 1),
    };
    for (const [name, states] of Object.entries(shown)) {
      assert.deepEqual(
        states.steps.map((s) => `${s.state}/${s.source}`),
        plain[name]!.steps,
        `${name}: the editor's step states`,
      );
      assert.deepEqual(
        states.steps.map((s) => s.pTrue),
        plain[name]!.pTrue,
        `${name}: P(True)`,
      );
      assert.equal(states.summary.verdict, plain[name]!.verdict);
    }

    const workspace = await session.request<WorkspaceCritique>('stepcritic/critiqueWorkspace', { include: inputs.join(';') });
    assert.equal(workspace.total, 3);
    const logged = await loadRunLog(workspace.runLog!);
    assert.deepEqual(verdictsOf(logged.items.map((i) => i.entry)), plain, 'the language server: the run log of Critique Workspace');
    const html = readFileSync(workspace.report!, 'utf8');
    const htmlSteps = [...html.matchAll(/<li class="step v-(\w+)"/g)].map((m) => m[1]);
    assert.deepEqual(
      htmlSteps,
      Object.values(plain).flatMap((v) => v.steps.map((s) => s.split('/')[0])),
      'and its HTML report',
    );
  });
});
