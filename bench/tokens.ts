// Tokens and requests per solution: the one-call critic protocol (all steps in one request) against
// one call per step (each call resends the problem and every earlier step), on 10-step solutions.
// Goal: the one-call protocol uses at most a third of the tokens.
//
// Both are measured against the scripted OpenAI-compatible server on 127.0.0.1, which reports usage
// from the prompt and reply lengths with the same estimator for both, so the comparison is fair. The
// solutions are real: ProcessBench (math, olympiadbench, omnimath) records with at least 10 steps,
// cut to their first 10.
//
//   node --import tsx bench/tokens.ts [--solutions 30]
import { readFileSync } from 'node:fs';
import { recordToDocument } from '../src/engine/datasets/records';
import { TokenBudget } from '../src/engine/llm/budget';
import { LlmClient } from '../src/engine/llm/client';
import { Semaphore } from '../src/engine/llm/concurrency';
import { CriticConfigSchema } from '../src/engine/llm/config';
import { createLlmCritic } from '../src/engine/llm/critic';
import { buildStepCritiqueMessages } from '../src/engine/llm/protocol';
import type { Evidence, SolutionDocument } from '../src/engine/types';
import { ruleBasedCriticHandler, startScriptedLlmServer } from '../test/support/scripted-llm-server';
import { sharedData } from './shared-data';
import { numberFlag } from './flags';

const STEPS = 10;

function tenStepSolutions(limit: number): SolutionDocument[] {
  const found: SolutionDocument[] = [];
  for (const split of ['math', 'olympiadbench', 'omnimath']) {
    const records = JSON.parse(readFileSync(sharedData('processbench', `${split}.json`), 'utf8')) as unknown[];
    for (const [i, record] of records.entries()) {
      if (found.length >= limit) return found;
      const document = recordToDocument(record, { uri: `processbench/${split}.json#${i}` });
      if (document.steps.length < STEPS) continue;
      found.push({ ...document, steps: document.steps.slice(0, STEPS) });
    }
  }
  return found;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Cost {
  requests: number;
  prompt: number;
  completion: number;
}

async function main(): Promise<void> {
  const solutions = tenStepSolutions(numberFlag('--solutions', 30));
  const server = await startScriptedLlmServer({ handler: ruleBasedCriticHandler({ incorrectPatterns: ['\\\\frac'] }) });
  const config = CriticConfigSchema.parse({ baseUrl: server.baseUrl, model: 'scripted-critic' });
  const semaphore = new Semaphore(4);
  const noEvidence = new Map<number, Evidence[]>();

  const oneCall: Cost[] = [];
  const perStep: Cost[] = [];
  try {
    for (const document of solutions) {
      // One call per solution: the critic as the product runs it (no cache, so it really asks).
      const client = new LlmClient({ baseUrl: server.baseUrl, semaphore, budget: new TokenBudget(0) });
      const critic = createLlmCritic(config, { client });
      const before = server.chatRequests().length;
      const result = await critic.judge({ document, evidence: noEvidence, fromStep: 0 });
      if (result.steps.length !== STEPS || result.steps.some((s) => s.verdict === 'error'))
        throw new Error(`${document.uri}: the critic did not judge all steps`);
      oneCall.push({ requests: server.chatRequests().length - before, prompt: result.usage.promptTokens, completion: result.usage.completionTokens });

      // One call per step: step k is judged with steps 1..k-1 as context, the problem resent each time.
      const baseline = new LlmClient({ baseUrl: server.baseUrl, semaphore });
      for (const step of document.steps) {
        const messages = buildStepCritiqueMessages({
          kind: document.kind,
          problem: document.problem,
          context: document.steps.slice(0, step.index),
          judged: [step],
        });
        await baseline.chat({
          model: config.model,
          messages,
          maxTokens: config.maxTokensPerStep + 200,
          logprobs: true,
          topLogprobs: config.topLogprobs,
          temperature: 0,
        });
      }
      perStep.push({ requests: baseline.usage.requests, prompt: baseline.usage.promptTokens, completion: baseline.usage.completionTokens });
    }
  } finally {
    await server.close();
  }

  const total = (c: Cost) => c.prompt + c.completion;
  const row = (name: string, costs: Cost[]) =>
    `| ${name} | ${median(costs.map((c) => c.requests))} | ${median(costs.map((c) => c.prompt))} | ${median(costs.map((c) => c.completion))} | ${median(costs.map(total))} |`;
  const sum = (costs: Cost[]) => costs.reduce((s, c) => s + total(c), 0);
  const ratios = solutions.map((_, i) => total(oneCall[i]!) / total(perStep[i]!));
  console.log(`Critic tokens per solution, ${solutions.length} real 10-step solutions (ProcessBench math/olympiad, first 10 steps); medians per solution:`);
  console.log('');
  console.log('| protocol | requests | prompt tokens | completion tokens | total tokens |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(row('one call per solution', oneCall));
  console.log(row('one call per step', perStep));
  console.log('');
  console.log(`Total tokens: one call ${sum(oneCall)}, per step ${sum(perStep)}; ratio ${(sum(oneCall) / sum(perStep)).toFixed(3)} (goal ≤ 0.333).`);
  console.log(`Per-solution ratio: median ${median(ratios).toFixed(3)}, worst ${Math.max(...ratios).toFixed(3)}.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
