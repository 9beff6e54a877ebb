// Tokens per solution with and without a five-item rubric: the rubric rides in the one request per
// solution, so it should cost its prompt text and one short reply entry per item, not another request.
//
// Measured through judgeSolution (what `stepcritic check` runs per solution) with the LLM critic, no
// cache, against the scripted OpenAI-compatible server on 127.0.0.1, which reports usage from the
// prompt and reply lengths (4 characters a token) the same way for both runs. Analyses are 40 words
// for steps and items alike. Solutions: the first N ProcessBench gsm8k records.
//
//   node --import tsx bench/rubric-tokens.ts [--solutions 50]
import { readFileSync } from 'node:fs';
import { recordToDocument } from '../src/engine/datasets/records';
import { TokenBudget } from '../src/engine/llm/budget';
import { createLlmClient } from '../src/engine/llm/client';
import { Semaphore } from '../src/engine/llm/concurrency';
import { CriticConfigSchema } from '../src/engine/llm/config';
import { createLlmCritic } from '../src/engine/llm/critic';
import { judgeSolution } from '../src/engine/judge';
import type { RubricItem } from '../src/engine/rubric/rubric';
import { ruleBasedCriticHandler, startScriptedLlmServer } from '../test/support/scripted-llm-server';
import { numberFlag } from './flags';
import { sharedData } from './shared-data';

const RUBRIC: RubricItem[] = [
  { title: 'Identifies the quantities given', points: 1, description: 'Reads every number the problem gives, with what it counts.' },
  { title: 'Chooses the right operations', points: 2, description: 'Each step combines the quantities as the problem describes.' },
  { title: 'Computes correctly', points: 2 },
  { title: 'Reaches the final answer', points: 2, description: 'The last step answers the question asked.' },
  { title: 'States the answer with its unit', points: 1 },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const limit = numberFlag('--solutions', 50);
  const records = JSON.parse(readFileSync(sharedData('processbench', 'gsm8k.json'), 'utf8')) as unknown[];
  const documents = records.slice(0, limit).map((r, i) => recordToDocument(r, { uri: `processbench/gsm8k.json#${i}` }));
  const server = await startScriptedLlmServer({ handler: ruleBasedCriticHandler({ analysisWords: 40 }) });
  const config = CriticConfigSchema.parse({ baseUrl: server.baseUrl, model: 'scripted-critic' });
  const semaphore = new Semaphore(4);
  const runs: Record<'without' | 'with', { requests: number; prompt: number; completion: number }[]> = { without: [], with: [] };
  try {
    for (const document of documents) {
      for (const mode of ['without', 'with'] as const) {
        const budget = new TokenBudget(0);
        const critic = createLlmCritic(config, { budget, client: createLlmClient(config, { budget, semaphore }) });
        const judgement = await judgeSolution(document, { critic, ...(mode === 'with' ? { rubric: RUBRIC } : {}) });
        if (mode === 'with' && judgement.rubric?.score === null) throw new Error(`${document.uri}: the rubric was not scored: ${judgement.rubric.note}`);
        runs[mode].push({ requests: judgement.usage.requests, prompt: judgement.usage.promptTokens, completion: judgement.usage.completionTokens });
      }
    }
  } finally {
    await server.close();
  }
  const row = (name: string, costs: (typeof runs)['with']) =>
    `| ${name} | ${median(costs.map((c) => c.requests))} | ${median(costs.map((c) => c.prompt))} | ${median(costs.map((c) => c.completion))} | ${median(costs.map((c) => c.prompt + c.completion))} |`;
  const total = (costs: (typeof runs)['with']) => costs.reduce((s, c) => s + c.prompt + c.completion, 0);
  const steps = median(documents.map((d) => d.steps.length));
  console.log(`Critic tokens per solution, ${documents.length} ProcessBench gsm8k solutions (median ${steps} steps), medians per solution:`);
  console.log('');
  console.log('| run | requests | prompt tokens | completion tokens | total tokens |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(row('steps only', runs.without));
  console.log(row('steps + 5-item rubric', runs.with));
  console.log('');
  console.log(
    `Total tokens: ${total(runs.without)} without, ${total(runs.with)} with the rubric; ratio ${(total(runs.with) / total(runs.without)).toFixed(3)}.`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
