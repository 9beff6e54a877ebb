// `stepcritic eval --critic prm` on ProcessBench gsm8k (400 solutions), the road a user takes: the built
// CLI as a process against a scripted vLLM PRM (127.0.0.1) that knows the labels. Prints, per run: F1,
// requests, tokens and wall time (median of --runs), the same for the verifiers alone and the LLM critic on the same data
// against the scripted chat server (for the ratio), the older pooling API (one extra request, once),
// and the exact request body a real vLLM receives for the first solution. The F1 is that of a scripted
// PRM that knows the answers: it shows the client reads every score right, not how good a PRM is.
//
//   npm run build && node --import tsx bench/prm-eval.ts [--runs 3] [--latency-ms 0] [--concurrency 4]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { EvalReport } from '../src/engine/eval/run';
import { ruleBasedCriticHandler, startScriptedLlmServer } from '../test/support/scripted-llm-server';
import { PRM_MODEL, labelledScorer, startScriptedPrmServer, type ScriptedPrmServer } from '../test/support/scripted-prm-server';
import { CLI, REPO_ROOT, build, runBench } from './batch-support';
import { sharedData } from './shared-data';
import { numberFlag } from './flags';

interface Timed {
  report: EvalReport;
  wallMs: number;
}

function evalRun(dataset: string, args: string[], env: Record<string, string>): Promise<Timed> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'eval', dataset, '--format', 'json', '--no-cache', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`eval exited ${code}: ${stderr}`));
      resolve({ report: JSON.parse(stdout) as EvalReport, wallMs: Date.now() - started });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(runs: number, run: () => Promise<Timed>): Promise<Timed & { medianMs: number }> {
  const results: Timed[] = [];
  for (let i = 0; i < runs; i++) results.push(await run());
  return { ...results[results.length - 1]!, medianMs: median(results.map((r) => r.wallMs)) };
}

function line(name: string, t: Timed & { medianMs: number }, requestsSeen: number): string {
  const o = t.report.overall;
  const pct = (x: number | null) => (x === null ? '–' : (100 * x).toFixed(1));
  return `| ${name} | ${o.solutions} | ${pct(o.f1)} | ${requestsSeen} | ${t.report.usage.promptTokens} | ${t.report.usage.completionTokens} | ${(t.medianMs / 1000).toFixed(2)} |`;
}

runBench(async () => {
  const DATASET = sharedData('processbench', 'gsm8k.json');
  build();
  const runs = numberFlag('--runs', 3);
  const latencyMs = numberFlag('--latency-ms', 0);
  const concurrency = String(numberFlag('--concurrency', 4));
  const records = JSON.parse(readFileSync(DATASET, 'utf8')) as { problem: string; steps: string[]; label: number }[];
  const prmFlags = (server: ScriptedPrmServer) => ['--critic', 'prm', '--prm-base-url', server.baseUrl, '--prm-model', PRM_MODEL, '--concurrency', concurrency];

  console.log(
    `ProcessBench gsm8k, ${records.length} solutions; scripted servers with ${latencyMs} ms latency per request; --concurrency ${concurrency}; median of ${runs} runs (shared machine: compare ratios).`,
  );
  console.log('');
  console.log('| critic | solutions | F1 (%) | requests | prompt tok. | completion tok. | wall s |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');

  console.log(line('verifiers only (--no-llm)', await timed(runs, () => evalRun(DATASET, ['--no-llm'], {})), 0));

  const prm = await startScriptedPrmServer({ scorer: labelledScorer(records), latencyMs });
  let firstBody: unknown;
  try {
    const before = prm.poolingRequests().length;
    const t = await timed(runs, () => evalRun(DATASET, prmFlags(prm), {}));
    console.log(line('PRM (token_classify)', t, (prm.poolingRequests().length - before) / runs));
    firstBody = prm.poolingRequests()[before]!.body;
  } finally {
    await prm.close();
  }

  const legacy = await startScriptedPrmServer({ scorer: labelledScorer(records), latencyMs, api: 'legacy' });
  try {
    const t = await timed(1, () => evalRun(DATASET, prmFlags(legacy), {}));
    console.log(line('PRM (older API, learned)', t, legacy.poolingRequests().length));
  } finally {
    await legacy.close();
  }

  const llm = await startScriptedLlmServer({ handler: ruleBasedCriticHandler({ incorrectPatterns: ['\\d+ - \\d+ = \\d+'] }), latencyMs });
  try {
    const before = llm.chatRequests().length;
    const t = await timed(runs, () =>
      evalRun(DATASET, ['--concurrency', concurrency], { STEPCRITIC_BASE_URL: llm.baseUrl, STEPCRITIC_MODEL: 'scripted-critic' }),
    );
    console.log(line('LLM critic (scripted, logprobs)', t, (llm.chatRequests().length - before) / runs));
  } finally {
    await llm.close();
  }

  console.log('');
  console.log('The request a real vLLM receives for the first solution (POST <server root>/pooling):');
  console.log(JSON.stringify(firstBody, null, 2));
});
