// `stepcritic eval` end to end on ProcessBench gsm8k (400 solutions) against the scripted critic:
// run the built CLI as a process, interrupt it with SIGINT part-way, run the same command again, and
// print what each run judged and spent. The second run must resume from the cache: it pays only for the
// solutions the first did not finish. The scores are those of a scripted critic, not accuracy claims.
//
//   npm run build && node --import tsx bench/eval-processbench.ts [--interrupt-after 150] [--latency-ms 20]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvalReport } from '../src/engine/eval/run';
import { ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../test/support/scripted-llm-server';
import { sharedData } from './shared-data';
import { numberFlag } from './flags';

const DATASET = sharedData('processbench', 'gsm8k.json');

interface Run {
  code: number | null;
  report: EvalReport;
  wallMs: number;
  requestsSeen: number;
  stderr: string;
}

function runEval(server: ScriptedLlmServer, cacheDir: string, interruptAfter?: number): Promise<Run> {
  const started = Date.now();
  const before = server.chatRequests().length;
  const child = spawn(process.execPath, ['bin/stepcritic.js', 'eval', DATASET, '--format', 'json', '--concurrency', '4'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      STEPCRITIC_BASE_URL: server.baseUrl,
      STEPCRITIC_MODEL: 'scripted-critic',
      STEPCRITIC_CACHE_DIR: cacheDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let watcher: NodeJS.Timeout | undefined;
  if (interruptAfter !== undefined) {
    watcher = setInterval(() => {
      if (server.chatRequests().length - before >= interruptAfter) {
        clearInterval(watcher);
        child.kill('SIGINT');
      }
    }, 5);
  }
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (watcher) clearInterval(watcher);
      try {
        resolve({ code, report: JSON.parse(stdout) as EvalReport, wallMs: Date.now() - started, requestsSeen: server.chatRequests().length - before, stderr });
      } catch {
        reject(new Error(`eval printed no JSON (exit ${code}):\n${stderr}`));
      }
    });
  });
}

function describe(name: string, run: Run): string[] {
  const r = run.report;
  const o = r.overall;
  const pct = (x: number | null) => (x === null ? '–' : (100 * x).toFixed(1));
  return [
    `${name}: exit ${run.code}, ${o.solutions} solutions judged${r.stopped ? ` (stopped: ${r.stopped})` : ''}, wall ${(run.wallMs / 1000).toFixed(1)} s`,
    `  requests ${r.usage.requests} (server saw ${run.requestsSeen}), tokens ${r.usage.promptTokens} prompt + ${r.usage.completionTokens} completion, ${r.usage.cachedSteps} step verdicts from the cache`,
    `  acc. erroneous ${pct(o.erroneous.accuracy)}% (${o.erroneous.right}/${o.erroneous.total}), acc. correct ${pct(o.correct.accuracy)}% (${o.correct.right}/${o.correct.total}), F1 ${pct(o.f1)}%`,
    `  step P(True): ${o.calibration.steps} labelled steps, ECE ${o.calibration.ece?.toFixed(3) ?? '–'}, Brier ${o.calibration.brier?.toFixed(3) ?? '–'}, AUROC ${o.calibration.auroc?.toFixed(3) ?? '–'}; judge errors ${o.judgeErrors}`,
  ];
}

async function main(): Promise<void> {
  const interruptAfter = numberFlag('--interrupt-after', 150);
  // A scripted critic with a crude rule: a step that states a subtraction or division result is doubted.
  const server = await startScriptedLlmServer({
    handler: ruleBasedCriticHandler({
      incorrectPatterns: ['\\d+\\s*-\\s*\\d+\\s*=\\s*\\d+', '\\d+\\s*/\\s*\\d+\\s*=\\s*\\d+'],
      pCorrect: 0.9,
      pIncorrect: 0.2,
    }),
    latencyMs: numberFlag('--latency-ms', 20),
  });
  const cacheDir = await mkdtemp(join(tmpdir(), 'stepcritic-bench-eval-'));
  try {
    const first = await runEval(server, cacheDir, interruptAfter);
    const second = await runEval(server, cacheDir);
    const third = await runEval(server, cacheDir);
    console.log(`stepcritic eval ${DATASET} against the scripted critic (127.0.0.1), concurrency 4, interrupted with SIGINT after ${interruptAfter} requests:`);
    for (const line of [...describe('run 1 (interrupted)', first), ...describe('run 2 (same command)', second), ...describe('run 3 (all cached)', third)])
      console.log(line);
    const fresh = 400 - first.report.overall.solutions;
    console.log(
      `Resume: run 2 sent ${second.requestsSeen} requests for the ${fresh} solutions run 1 had not finished (${second.report.overall.solutions} judged in all); run 3 sent ${third.requestsSeen}.`,
    );
    console.log('');
    console.log('Markdown table of run 2:');
    const { renderEvalMarkdown } = await import('../src/engine/eval/run');
    console.log(renderEvalMarkdown(second.report));
  } finally {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
