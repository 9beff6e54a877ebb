// Side by side in one run, on the same scripted server (127.0.0.1, 100 ms per request) and the same
// 500 real ProcessBench solutions, each judged by ONE LLM call at concurrency 32:
//   - Step Critic: `stepcritic check data.jsonl --concurrency 32 --run-log …` (one critic request per
//     solution; the deterministic verifiers run too);
//   - promptfoo (from the npm registry, installed by bench/promptfoo/install.ts into a cache folder
//     outside the repo, run under Node 24 as it requires): `promptfoo eval -j 32` with the `echo`
//     provider (no model call for the output)
//     and one `llm-rubric` assertion per test ("Every step of this solution is correct.") graded by
//     the same scripted server.
// Caches are off on both sides. Printed: wall time and peak memory (largest peak RSS of any Node
// process the tool started) per tool, median of --runs runs, and the ratios. Goal: Step Critic at
// least 2× faster and lighter.
//
//   node --import tsx bench/batch-vs-promptfoo.ts [--runs 3] [--items 500]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCriticPrompt } from '../src/engine/llm/protocol';
import { completion, ruleBasedCriticHandler, type ChatRequestView } from '../test/support/scripted-llm-server';
import {
  assertOk,
  build,
  llmFlags,
  median,
  processBenchRecords,
  runNode,
  runStepcritic,
  runBench,
  seconds,
  withScriptedServer,
  writeDataset,
} from './batch-support';
import { ensureNode24, ensurePromptfoo, PROMPTFOO_VERSION } from './promptfoo/install';
import { numberFlag } from './flags';

/** promptfoo's tests: the same records as one text each (problem, then the steps). JSON is YAML. */
function writePromptfooConfig(dir: string, baseUrl: string, items: number): string {
  const tests = processBenchRecords()
    .slice(0, items)
    .map((r) => ({ vars: { solution: `Problem: ${r.problem}\n\n${r.steps.map((s, i) => `Step ${i + 1}: ${s}`).join('\n\n')}` } }));
  writeFileSync(join(dir, 'tests.yaml'), JSON.stringify(tests));
  const config = {
    description: 'stepcritic bench: one llm-rubric call per solution',
    prompts: ['{{solution}}'],
    providers: ['echo'],
    defaultTest: {
      options: { provider: { id: 'openai:chat:scripted-critic', config: { apiBaseUrl: baseUrl, apiKey: 'sk-bench-local' } } },
      assert: [{ type: 'llm-rubric', value: 'Every step of this solution is correct.' }],
    },
    tests: 'file://tests.yaml',
  };
  const path = join(dir, 'promptfooconfig.yaml');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

async function main(): Promise<void> {
  const runs = numberFlag('--runs', 3);
  const items = numberFlag('--items', 500);
  build();
  let promptfoo: string;
  let node24: string;
  try {
    promptfoo = ensurePromptfoo();
    node24 = ensureNode24();
  } catch (error) {
    console.log(`promptfoo could not be installed here: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const rules = ruleBasedCriticHandler();
  // Step Critic's prompts get the critic's reply; anything else is promptfoo's rubric grader.
  const scripted = {
    latencyMs: 100,
    handler: (request: ChatRequestView, index: number) =>
      parseCriticPrompt(request.userText) ? rules(request, index) : completion('{"reason": "Every step holds.", "pass": true, "score": 1}'),
  };
  await withScriptedServer('promptfoo', scripted, async (work, server) => {
    const data = join(work.dir, 'data.jsonl');
    await writeDataset(data, items);
    const config = writePromptfooConfig(work.dir, server.baseUrl, items);
    const env = {
      PROMPTFOO_DISABLE_TELEMETRY: '1',
      PROMPTFOO_DISABLE_UPDATE: '1',
      PROMPTFOO_DISABLE_SHARING: '1',
      PROMPTFOO_CACHE_ENABLED: 'false',
      PROMPTFOO_CONFIG_DIR: join(work.dir, 'promptfoo-home'),
      OPENAI_API_KEY: 'sk-bench-local',
    };
    const results = {
      stepcritic: { wall: [] as number[], rss: [] as number[], requests: 0 },
      promptfoo: { wall: [] as number[], rss: [] as number[], requests: 0 },
    };
    for (let r = 0; r < runs; r++) {
      // Alternate who goes first, so that neither always runs on a warmer machine.
      const order = r % 2 === 0 ? (['stepcritic', 'promptfoo'] as const) : (['promptfoo', 'stepcritic'] as const);
      for (const tool of order) {
        const before = server.chatRequests().length;
        const run =
          tool === 'stepcritic'
            ? await runStepcritic(
                ['check', data, ...llmFlags(server.baseUrl), '--no-cache', '--concurrency', '32', '--run-log', join(work.dir, `run-${r}.jsonl`)],
                { cwd: work.dir },
              )
            : await runNode(
                [promptfoo, 'eval', '-c', config, '--no-cache', '-j', '32', '--no-table', '--no-progress-bar', '-o', join(work.dir, `promptfoo-${r}.json`)],
                { cwd: work.dir, env, node: node24 },
              );
        assertOk(run, tool);
        const requests = server.chatRequests().length - before;
        if (requests !== items) throw new Error(`${tool} made ${requests} requests for ${items} solutions`);
        results[tool].wall.push(run.wallMs);
        results[tool].rss.push(run.peakRssMb);
        results[tool].requests = requests;
      }
    }
    const pf = JSON.parse(readFileSync(join(work.dir, 'promptfoo-0.json'), 'utf8')) as {
      results?: { stats?: { successes?: number; failures?: number; errors?: number } };
    };
    const s = { wall: median(results.stepcritic.wall), rss: median(results.stepcritic.rss) };
    const p = { wall: median(results.promptfoo.wall), rss: median(results.promptfoo.rss) };
    console.log(
      `${items} solutions, one LLM call each at concurrency 32, scripted server 100 ms per request (ideal ${seconds((items * 100) / 32)}); median of ${runs} runs`,
    );
    console.log(
      `  stepcritic ${`(Node ${process.versions.node})`.padEnd(18)} wall ${seconds(s.wall).padEnd(9)} peak RSS ${s.rss.toFixed(0)} MB   runs: ${results.stepcritic.wall.map((w) => seconds(w)).join(', ')}`,
    );
    console.log(
      `  promptfoo ${`${PROMPTFOO_VERSION} (Node 24)`.padEnd(19)} wall ${seconds(p.wall).padEnd(9)} peak RSS ${p.rss.toFixed(0)} MB   runs: ${results.promptfoo.wall.map((w) => seconds(w)).join(', ')}   (llm-rubric: ${pf.results?.stats?.successes ?? '?'} passed, ${pf.results?.stats?.failures ?? '?'} failed, ${pf.results?.stats?.errors ?? '?'} errors)`,
    );
    console.log(`  promptfoo / stepcritic: wall ${(p.wall / s.wall).toFixed(2)}×, peak memory ${(p.rss / s.rss).toFixed(2)}× (goal ≥ 2× for both)`);
  });
}

runBench(main);
