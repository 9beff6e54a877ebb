// The language server's own latency and memory, measured over a real LSP connection to the built
// server process (`node dist/server/main.js --stdio`) with the scripted critic on 127.0.0.1.
//
// 1. Change → published diagnostics when every step is cached: a 100-step solution is judged in two
//    variants (step 50 differs), so both are in the critic's cache; then the text alternates between
//    them. Each change re-parses, re-runs the verifiers, asks the critic (all cache hits, no request)
//    and publishes diagnostics and step states. Timed from sending didChange to receiving the final
//    diagnostics (and the final step states) of that version. Goal: p95 < 20 ms.
// 2. Memory with 50 open documents: 50 ProcessBench solutions (real texts, ../shared/data) opened and
//    critiqued, then the server's RSS and heap (its own process.memoryUsage()); then 50 synthetic
//    100-step solutions.
//
// Run: npm run build && node --import tsx bench/server-latency.ts [--changes 100] [--documents 50]
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { z } from 'zod';
import type { ServerStats } from '../src/protocol/messages';
import { ruleBasedCriticHandler, startScriptedLlmServer } from '../test/support/scripted-llm-server';
import { LspSession } from '../test/server/support/lsp-session';
import { sharedData } from './shared-data';
import { numberFlag } from './flags';

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${percentile(sorted, 50).toFixed(1)} ms · p95 ${percentile(sorted, 95).toFixed(1)} ms · max ${sorted[sorted.length - 1]!.toFixed(1)} ms (n=${sorted.length})`;
}

function solution(steps: number, variant: string): string {
  const lines = ['# Problem', '', 'A counter starts at 0 and goes up by 3 at every step. What is its value after the last step?', '', '# Solution', ''];
  for (let i = 1; i <= steps; i++) {
    const before = 3 * (i - 1);
    const note = i === Math.ceil(steps / 2) ? ` (${variant})` : '';
    lines.push(`Step ${i}: The counter goes from ${before} to ${before} + 3 = ${before + 3}${note}.`, '');
  }
  lines.push(`Answer: ${3 * steps}`, '');
  return lines.join('\n');
}

const ProcessBenchSchema = z.array(z.object({ id: z.string(), problem: z.string(), steps: z.array(z.string()) }));

function processBenchDocuments(count: number): { name: string; text: string }[] {
  const path = sharedData('processbench', 'gsm8k.json');
  const records = ProcessBenchSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  return records.slice(0, count).map((r) => ({
    name: `${r.id}.solution.md`,
    text: ['# Problem', '', r.problem, '', '# Solution', '', ...r.steps.flatMap((s, i) => [`Step ${i + 1}: ${s.replace(/\n\s*\n/g, '\n')}`, ''])].join('\n'),
  }));
}

async function main(): Promise<void> {
  const changes = numberFlag('--changes', 100);
  // The figures are wall-clock times: on a shared machine they move with its load; say what it was.
  console.log(
    `Machine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} (1/5/15 min) at the start`,
  );
  const documentCount = numberFlag('--documents', 50);
  const llm = await startScriptedLlmServer({ handler: ruleBasedCriticHandler({ incorrectPatterns: [] }) });
  const session = await LspSession.start({
    workspaceFolder: '/tmp',
    initializationOptions: {
      trusted: true,
      settings: { provider: 'custom', baseUrl: llm.baseUrl, model: 'scripted-critic', trigger: 'onIdle', debounceMs: 0, maxSteps: 200 },
    },
  });
  try {
    // ---- 1. latency with every step cached ----------------------------------------------------
    const uri = 'file:///tmp/bench-100.solution.md';
    const a = solution(100, 'a');
    const b = solution(100, 'b');
    await session.open(uri, a);
    await session.finalStates(uri, 1, 60_000);
    await session.replace(uri, b);
    await session.finalStates(uri, 2, 60_000);
    const requestsBefore = llm.chatRequests().length;

    const started = await session.request<ServerStats>('stepcritic/serverStats', {});
    const toDiagnostics: number[] = [];
    const toStates: number[] = [];
    for (let i = 0; i < changes + 5; i++) {
      const sentAt = performance.now();
      const version = await session.replace(uri, i % 2 === 0 ? a : b);
      const states = await session.finalStates(uri, version, 30_000);
      const stateEvent = [...session.timeline].reverse().find((e) => e.method === 'stepStates' && e.uri === uri && e.version === version && e.done);
      const diagnosticEvent = [...session.timeline].reverse().find((e) => e.method === 'diagnostics' && e.uri === uri && e.version === version);
      if (states.steps.length !== 100) throw new Error(`expected 100 steps, got ${states.steps.length}`);
      if (i >= 5) {
        // The first few warm the JIT; they are not counted.
        toDiagnostics.push(diagnosticEvent!.at - sentAt);
        toStates.push(stateEvent!.at - sentAt);
      }
    }
    const extraRequests = llm.chatRequests().length - requestsBefore;
    const own = (await session.request<ServerStats>('stepcritic/serverStats', {})).changeToPublishedMs.slice(-changes);
    console.log(`Change → published diagnostics, 100-step document, every step cached (${changes} changes):`);
    console.log(`  server's own time (didChange received → final diagnostics sent): ${summary(own)}`);
    console.log(`  to final diagnostics: ${summary(toDiagnostics)}`);
    console.log(`  to final step states: ${summary(toStates)}`);
    console.log(`  LLM requests during the timed changes: ${extraRequests} (all verdicts from the cache)`);
    console.log(`  load average after the timed changes: ${loadavg()[0]!.toFixed(1)}`);
    const p95 = percentile(
      [...own].sort((x, y) => x - y),
      95,
    );
    console.log(`  goal (server's own time) p95 < 20 ms: ${p95 < 20 ? 'met' : 'NOT met'} (${p95.toFixed(1)} ms)`);

    // ---- 2. memory with many open documents ---------------------------------------------------
    await session.close(uri);
    const idle = await session.request<ServerStats>('stepcritic/serverStats', {});
    const documents = processBenchDocuments(documentCount);
    let steps = 0;
    for (const doc of documents) {
      const docUri = `file:///tmp/bench-open/${doc.name}`;
      await session.open(docUri, doc.text);
    }
    for (const doc of documents) {
      const final = await session.finalStates(`file:///tmp/bench-open/${doc.name}`, 1, 120_000);
      steps += final.steps.length;
    }
    await new Promise((r) => setTimeout(r, 500));
    const loaded = await session.request<ServerStats>('stepcritic/serverStats', {});
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    console.log(`Memory with ${loaded.openDocuments} open documents (${loaded.critiquedDocuments} critiqued, ${steps} steps, ProcessBench gsm8k texts):`);
    console.log(`  RSS ${mb(loaded.rssBytes)} · heap used ${mb(loaded.heapUsedBytes)} / ${mb(loaded.heapTotalBytes)}`);
    console.log(`  idle (no documents, after the latency run): RSS ${mb(idle.rssBytes)} · heap used ${mb(idle.heapUsedBytes)}`);
    console.log(`  with the one 100-step document, before the timed changes: RSS ${mb(started.rssBytes)} · heap used ${mb(started.heapUsedBytes)}`);
    console.log(`  per open document: ~${((loaded.heapUsedBytes - idle.heapUsedBytes) / Math.max(1, loaded.openDocuments) / 1024).toFixed(0)} KB heap`);

    // The same with 50 long solutions (100 steps each, 5000 steps in all).
    for (const doc of documents) await session.close(`file:///tmp/bench-open/${doc.name}`);
    for (let i = 0; i < documentCount; i++) await session.open(`file:///tmp/bench-long/${i}.solution.md`, solution(100, `doc ${i}`));
    let longSteps = 0;
    for (let i = 0; i < documentCount; i++) longSteps += (await session.finalStates(`file:///tmp/bench-long/${i}.solution.md`, 1, 300_000)).steps.length;
    await new Promise((r) => setTimeout(r, 500));
    const long = await session.request<ServerStats>('stepcritic/serverStats', {});
    console.log(`Memory with ${long.openDocuments} open 100-step documents (${longSteps} steps critiqued):`);
    console.log(`  RSS ${mb(long.rssBytes)} · heap used ${mb(long.heapUsedBytes)} / ${mb(long.heapTotalBytes)}`);
  } finally {
    await session.stop();
    await llm.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
