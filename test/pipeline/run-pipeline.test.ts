// The judging pipeline against the real LLM critic and the scripted OpenAI-compatible server: every
// item judged once, bad records and failed calls isolated, bounded concurrency, entries in input order
// whatever order they finish in, a run log that a resumed run continues (no item twice, none lost),
// the token budget as a typed stop, triage, the result cache, and progress.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createAnswerScreen } from '../../src/engine/batch/answer-screen';
import { createMemoryResultCache, resultCacheKey } from '../../src/engine/batch/result-cache';
import type { BatchProgress } from '../../src/engine/batch/progress';
import { openRunLog, RunLogError } from '../../src/engine/batch/run-log';
import type { FinishedEntry } from '../../src/engine/pipeline/judge-item';
import type { PipelineItem } from '../../src/engine/pipeline/items';
import { readItems } from '../../src/engine/pipeline/items';
import type { PipelineOptions } from '../../src/engine/pipeline/run';
import { describeStop, runPipeline } from '../../src/engine/pipeline/run';
import type { StepCritic } from '../../src/engine/checks';
import { createMemoryCache } from '../../src/engine/cache/memory';
import { TokenBudget } from '../../src/engine/llm/budget';
import { createLlmClient } from '../../src/engine/llm/client';
import { Semaphore } from '../../src/engine/llm/concurrency';
import { CriticConfigSchema, type CriticConfigInput } from '../../src/engine/llm/config';
import { createLlmCritic } from '../../src/engine/llm/critic';
import { loadRunLog } from '../support/run-log';
import { ruleBasedCriticHandler, serverError, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';

const dir = mkdtempSync(join(tmpdir(), 'stepcritic-batch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A ProcessBench-style record; `wrongAt` puts a logically wrong step (the scripted critic flags WRONG). */
function record(i: number, options: { wrongAt?: number; refuted?: boolean; answer?: number } = {}) {
  const steps = [
    `We add ${i} apples to ${i} apples.`,
    `That gives ${i} + ${i} = ${options.refuted ? 2 * i + 1 : 2 * i} apples.`,
    `The answer is \\boxed{${options.answer ?? 2 * i}}.`,
  ];
  if (options.wrongAt !== undefined) steps[options.wrongAt] = `${steps[options.wrongAt]} WRONG reasoning here.`;
  return {
    id: `r${i}`,
    problem: `Sam has ${i} apples and gets ${i} more. How many apples does Sam have?`,
    steps,
    label: options.wrongAt ?? (options.refuted ? 1 : -1),
  };
}

function writeJsonl(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The pipeline with a callback per finished entry (entries arrive in input order). */
function judgeAll(items: AsyncIterable<PipelineItem>, options: Omit<PipelineOptions, 'onEntry'> & { onItem?: (finished: FinishedEntry) => void }) {
  const { onItem, ...rest } = options;
  return runPipeline(items, { ...rest, onEntry: (entry) => (entry.kind === 'finished' ? onItem?.(entry) : undefined) });
}

const CONFIG = { model: 'scripted-critic', retryBaseMs: 5, maxRetries: 0, timeoutMs: 5000, concurrency: 8 } satisfies Partial<CriticConfigInput>;

describe('runPipeline', () => {
  let server: ScriptedLlmServer;
  before(async () => {
    server = await startScriptedLlmServer();
  });
  after(() => server.close());
  beforeEach(() => server.setHandler(ruleBasedCriticHandler({ incorrectPatterns: ['WRONG', 'answer is \\\\boxed\\{999\\}', '^999$'] })));

  const critic = (extra: Partial<CriticConfigInput> = {}) => {
    const config = CriticConfigSchema.parse({ baseUrl: server.baseUrl, ...CONFIG, ...extra });
    const budget = new TokenBudget(config.tokenBudget);
    return createLlmCritic(config, { budget, client: createLlmClient(config, { budget, semaphore: new Semaphore(config.concurrency) }) });
  };
  const requestsSince = (start: number) => server.chatRequests().slice(start);
  const logHeader = {
    configHash: 'cfg-1',
    config: { model: 'scripted-critic' },
    tool: { version: 'test', protocolVersion: 'p' },
    critic: { enabled: true, model: 'scripted-critic' },
    inputs: ['x'],
  };

  it('judges every record once; a malformed line and a record of no known format become failed entries and the batch goes on', async () => {
    const path = writeJsonl('mixed.jsonl', [
      ...Array.from({ length: 12 }, (_, i) => JSON.stringify(record(i, i % 4 === 1 ? { wrongAt: 1 } : {}))),
      '{"problem": "cut off',
      JSON.stringify({ foo: 1 }),
    ]);
    const logPath = join(dir, 'mixed.run.jsonl');
    const log = await openRunLog({ path: logPath, resume: false, ...logHeader });
    const start = server.chatRequests().length;
    const result = await judgeAll(readItems([path], { cwd: dir }), { deps: { critic: critic() }, concurrency: 4, runLog: log });
    log.close({ interrupted: result.stopped !== undefined, durationMs: 1, judgedThisRun: result.progress.finishedThisRun, usage: result.progress.usage });

    assert.equal(result.stopped, undefined);
    assert.equal(result.progress.finishedThisRun, 14);
    assert.equal(result.progress.failed, 2);
    assert.deepEqual(result.progress.verdicts, { correct: 9, incorrect: 3, uncertain: 0, unchecked: 0, error: 0 });
    assert.equal(requestsSince(start).length, 12, 'one request per solution');

    const loaded = await loadRunLog(logPath);
    assert.equal(loaded.items.length, 14);
    assert.deepEqual(
      loaded.items.map((i) => i.id),
      Array.from({ length: 14 }, (_, i) => `mixed.jsonl#${i}`),
      'the report reads the log in input order, whatever order the items finished in',
    );
    assert.equal(new Set(loaded.items.map((i) => i.id)).size, 14);
    const failed = loaded.items.filter((i) => i.entry.status === 'failed');
    assert.deepEqual(failed.map((i) => i.id).sort(), ['mixed.jsonl#12', 'mixed.jsonl#13']);
    assert.match(failed.find((i) => i.id === 'mixed.jsonl#12')!.entry.reason!, /line 13 is not valid JSON/);
    assert.match(failed.find((i) => i.id === 'mixed.jsonl#13')!.entry.reason!, /unknown record format/);
    const wrong = loaded.items.find((i) => i.id === 'mixed.jsonl#1')!.entry;
    assert.equal(wrong.firstErrorIndex, 1);
    assert.equal(wrong.labels?.firstErrorStep, 1);
    assert.ok(loaded.log.finished && !loaded.log.interrupted);
  });

  it('a call that fails for one item leaves that item "could not judge" and the others judged', async () => {
    const rules = ruleBasedCriticHandler();
    server.setHandler((request, index) => (request.userText.includes('Sam has 7 apples') ? serverError(500) : rules(request, index)));
    const path = writeJsonl(
      'failing-call.jsonl',
      Array.from({ length: 10 }, (_, i) => JSON.stringify(record(i))),
    );
    const seen: string[] = [];
    const result = await judgeAll(readItems([path], { cwd: dir }), {
      deps: { critic: critic() },
      concurrency: 3,
      onItem: (f) => seen.push(`${f.item.id}:${f.entry.verdict}`),
    });
    assert.equal(result.progress.finishedThisRun, 10);
    assert.deepEqual(
      seen.filter((s) => !s.endsWith(':correct')),
      ['failing-call.jsonl#7:error'],
    );
  });

  it('keeps at most `concurrency` solutions in flight', async () => {
    server.setHandler(async (request, index) => {
      await new Promise((r) => setTimeout(r, 15));
      return ruleBasedCriticHandler()(request, index);
    });
    const inner = critic({ concurrency: 16 });
    let active = 0;
    let peak = 0;
    const counting: StepCritic = {
      description: inner.description,
      async judge(request) {
        active += 1;
        peak = Math.max(peak, active);
        try {
          return await inner.judge(request);
        } finally {
          active -= 1;
        }
      },
    };
    const path = writeJsonl(
      'concurrency.jsonl',
      Array.from({ length: 24 }, (_, i) => JSON.stringify(record(100 + i))),
    );
    const result = await judgeAll(readItems([path], { cwd: dir }), { deps: { critic: counting }, concurrency: 3 });
    assert.equal(result.progress.finishedThisRun, 24);
    assert.equal(peak, 3);
  });

  it('resumes an interrupted run from its log: every item exactly once, nothing lost, done items not judged again', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => i);
    const path = writeJsonl(
      'resume.jsonl',
      ids.map((i) => JSON.stringify(record(200 + i, i % 5 === 0 ? { wrongAt: 0 } : {}))),
    );
    const logPath = join(dir, 'resume.run.jsonl');
    // Items from the 16th on wait until the run is interrupted: however fast or slow the machine, the
    // interruption comes mid-run (at the 11th delivery, with at most 15 items finished).
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    server.setHandler(async (request, index) => {
      if (Number(/Sam has (\d+) apples/.exec(request.userText)?.[1]) >= 215) await gate;
      await new Promise((r) => setTimeout(r, 5));
      return ruleBasedCriticHandler({ incorrectPatterns: ['WRONG'] })(request, index);
    });

    const first = await openRunLog({ path: logPath, resume: false, ...logHeader });
    const stop = new AbortController();
    stop.signal.addEventListener('abort', () => release(), { once: true });
    let finished = 0;
    const interrupted = await judgeAll(readItems([path], { cwd: dir }), {
      deps: { critic: critic() },
      concurrency: 4,
      runLog: first,
      signal: stop.signal,
      onItem: () => {
        finished += 1;
        if (finished === 11) stop.abort();
      },
    });
    first.close({
      interrupted: true,
      reason: 'cancelled',
      durationMs: 1,
      judgedThisRun: interrupted.progress.finishedThisRun,
      usage: interrupted.progress.usage,
    });
    assert.deepEqual(interrupted.stopped, { kind: 'cancelled' });
    const afterFirst = await loadRunLog(logPath);
    // Entries are delivered in input order, items logged as they finish: by the 11th delivery a few
    // later ones may have finished too (and are logged); those in flight at the abort are not.
    const logged = afterFirst.items.length;
    assert.equal(logged, interrupted.progress.finishedThisRun, 'what finished is logged; the items in flight at the abort are not');
    assert.ok(logged >= 11 && logged <= 15, `${logged} logged`);

    const startRequests = server.chatRequests().length;
    const second = await openRunLog({ path: logPath, resume: true, ...logHeader });
    assert.equal(second.done.size, logged);
    const resumed = await judgeAll(readItems([path], { cwd: dir }), { deps: { critic: critic() }, concurrency: 4, runLog: second });
    second.close({ interrupted: false, durationMs: 1, judgedThisRun: resumed.progress.finishedThisRun, usage: resumed.progress.usage });

    assert.equal(resumed.progress.resumed, logged);
    assert.equal(resumed.progress.finishedThisRun, 30 - logged);
    assert.equal(resumed.progress.done, 30);
    assert.equal(requestsSince(startRequests).length, 30 - logged, 'only the items not in the log are judged');
    const judgedProblems = requestsSince(startRequests).map((r) => /Sam has (\d+) apples/.exec(r.userText)![1]);
    const alreadyLogged = afterFirst.items.map((item) => String(200 + Number(item.id.split('#')[1])));
    assert.deepEqual(
      judgedProblems.filter((n) => alreadyLogged.includes(n!)),
      [],
      'no logged item is sent again',
    );

    const lines = readFileSync(logPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; id?: string });
    const itemIds = lines.filter((l) => l.type === 'item').map((l) => l.id);
    assert.equal(itemIds.length, 30, 'no item twice');
    assert.deepEqual([...new Set(itemIds)].sort(), ids.map((i) => `resume.jsonl#${i}`).sort(), 'none lost');
    assert.deepEqual(
      lines.map((l) => l.type).filter((t) => t !== 'item'),
      ['header', 'end', 'resume', 'end'],
    );
  });

  it('re-judges an item whose content changed since it was logged', async () => {
    const path = writeJsonl('changed.jsonl', [JSON.stringify(record(300)), JSON.stringify(record(301))]);
    const logPath = join(dir, 'changed.run.jsonl');
    const log = await openRunLog({ path: logPath, resume: false, ...logHeader });
    await judgeAll(readItems([path], { cwd: dir }), { deps: { critic: critic() }, runLog: log });
    log.close({ interrupted: false, durationMs: 1, judgedThisRun: 2, usage: { requests: 2, promptTokens: 0, completionTokens: 0, cachedSteps: 0 } });
    writeJsonl('changed.jsonl', [JSON.stringify(record(300)), JSON.stringify(record(301, { wrongAt: 2 }))]);
    const again = await openRunLog({ path: logPath, resume: true, ...logHeader });
    const result = await judgeAll(readItems([path], { cwd: dir }), { deps: { critic: critic() }, runLog: again });
    again.close({ interrupted: false, durationMs: 1, judgedThisRun: 1, usage: result.progress.usage });
    assert.equal(result.progress.resumed, 1);
    assert.equal(result.progress.finishedThisRun, 1);
    const loaded = await loadRunLog(logPath);
    assert.equal(loaded.items.length, 2, 'the report keeps the latest line per item');
    assert.equal(loaded.items.find((i) => i.id === 'changed.jsonl#1')!.entry.firstErrorIndex, 2);
  });

  it('never overwrites a log, refuses to resume with another configuration, and survives a line torn by a kill', async () => {
    const logPath = join(dir, 'guard.run.jsonl');
    const log = await openRunLog({ path: logPath, resume: false, ...logHeader });
    log.close({ interrupted: false, durationMs: 1, judgedThisRun: 0, usage: { requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: 0 } });
    await assert.rejects(
      openRunLog({ path: logPath, resume: false, ...logHeader }),
      (e: unknown) => e instanceof RunLogError && /already exists; pass --resume/.test(e.message),
    );
    await assert.rejects(
      openRunLog({ path: logPath, resume: true, ...logHeader, configHash: 'cfg-2', config: { model: 'other-model' } }),
      (e: unknown) => e instanceof RunLogError && /another configuration \(model: "scripted-critic" → "other-model"\)/.test(e.message),
    );
    appendFileSync(logPath, '{"type":"item","id":"torn');
    const resumed = await openRunLog({ path: logPath, resume: true, ...logHeader });
    resumed.close({ interrupted: false, durationMs: 1, judgedThisRun: 0, usage: { requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: 0 } });
    const loaded = await loadRunLog(logPath);
    assert.equal(loaded.log.logs[0]!.problems.length, 1);
    assert.match(loaded.log.logs[0]!.problems[0]!, /not JSON/);
    assert.ok(loaded.log.finished, 'the line after the torn one starts clean');
    await assert.rejects(loadRunLog(join(dir, 'mixed.jsonl')), (e: unknown) => e instanceof RunLogError && /not a Step Critic run log/.test(e.message));
  });

  it('stops at the token budget without logging the item it cut short, and a resumed run with more budget finishes', async () => {
    const path = writeJsonl(
      'budget.jsonl',
      Array.from({ length: 20 }, (_, i) => JSON.stringify(record(400 + i))),
    );
    const logPath = join(dir, 'budget.run.jsonl');
    const log = await openRunLog({ path: logPath, resume: false, ...logHeader });
    const result = await judgeAll(readItems([path], { cwd: dir }), { deps: { critic: critic({ tokenBudget: 6000 }) }, concurrency: 2, runLog: log });
    log.close({
      interrupted: result.stopped !== undefined,
      ...(result.stopped ? { reason: describeStop(result.stopped) } : {}),
      durationMs: 1,
      judgedThisRun: result.progress.finishedThisRun,
      usage: result.progress.usage,
    });
    assert.equal(result.stopped?.kind, 'budget', 'a typed stop, not a note to match');
    assert.ok(result.stopped?.kind === 'budget' && result.stopped.limit === 6000 && result.stopped.used <= 6000);
    assert.match(describeStop(result.stopped), /^token budget reached/);
    const partial = await loadRunLog(logPath);
    assert.ok(partial.items.length > 0 && partial.items.length < 20, `${partial.items.length} logged`);
    for (const item of partial.items) assert.equal(item.entry.verdict, 'correct', 'no half-judged item is logged as done');

    const more = await openRunLog({ path: logPath, resume: true, ...logHeader });
    const rest = await judgeAll(readItems([path], { cwd: dir }), { deps: { critic: critic() }, concurrency: 2, runLog: more });
    more.close({ interrupted: false, durationMs: 1, judgedThisRun: rest.progress.finishedThisRun, usage: rest.progress.usage });
    const full = await loadRunLog(logPath);
    assert.equal(full.items.length, 20);
    assert.equal(rest.progress.finishedThisRun, 20 - partial.items.length);
  });

  it('triage "verifiers": a solution with a refuted computation is settled with no request; the others get the full critique', async () => {
    const path = writeJsonl(
      'triage-v.jsonl',
      Array.from({ length: 8 }, (_, i) => JSON.stringify(record(500 + i, i < 3 ? { refuted: true } : {}))),
    );
    const start = server.chatRequests().length;
    const finished: { id: string; settled?: boolean; verdict: string | null }[] = [];
    await judgeAll(readItems([path], { cwd: dir }), {
      deps: { critic: critic() },
      triage: { mode: 'verifiers' },
      onItem: (f) => finished.push({ id: f.item.id, settled: f.triage?.settled, verdict: f.entry.verdict }),
    });
    assert.equal(requestsSince(start).length, 5);
    const settled = finished.filter((f) => f.settled);
    assert.deepEqual(settled.map((f) => f.id).sort(), ['triage-v.jsonl#0', 'triage-v.jsonl#1', 'triage-v.jsonl#2']);
    assert.ok(settled.every((f) => f.verdict === 'incorrect'));
  });

  it('triage "answer": one short P(True) call settles confident solutions; the rest get the step critique', async () => {
    const path = writeJsonl(
      'triage-a.jsonl',
      Array.from({ length: 6 }, (_, i) => JSON.stringify(record(600 + i, i >= 4 ? { answer: 999 } : {}))),
    );
    const llm = critic();
    const start = server.chatRequests().length;
    const finished: { settled?: boolean; p?: number | null; verdict: string | null; steps: string[] }[] = [];
    await judgeAll(readItems([path], { cwd: dir }), {
      deps: { critic: llm },
      triage: { mode: 'answer', threshold: 0.9, screen: createAnswerScreen(llm, createMemoryCache()) },
      onItem: (f) =>
        finished.push({ settled: f.triage?.settled, p: f.triage?.answerPTrue, verdict: f.entry.verdict, steps: f.entry.steps.map((s) => s.verdict) }),
    });
    const requests = requestsSince(start);
    assert.equal(requests.filter((r) => r.userText.includes('Is the proposed answer True or False?')).length, 6);
    assert.equal(requests.length, 6 + 2, 'step critique only for the two answers the screen doubted');
    const settled = finished.filter((f) => f.settled);
    assert.equal(settled.length, 4);
    for (const f of settled) {
      assert.equal(f.verdict, 'correct');
      assert.ok(Math.abs(f.p! - 0.95) < 1e-6);
      assert.deepEqual(f.steps, ['unchecked', 'unchecked', 'unchecked'], 'settled steps are honestly not critiqued');
    }
    const doubted = finished.filter((f) => !f.settled);
    assert.ok(doubted.every((f) => Math.abs(f.p! - 0.05) < 1e-6 && f.verdict === 'incorrect'));
  });

  it('reuses whole results of an unchanged item (result cache) and judges a changed one again', async () => {
    const path = writeJsonl(
      'cached.jsonl',
      Array.from({ length: 8 }, (_, i) => JSON.stringify(record(800 + i, i === 2 ? { wrongAt: 1 } : {}))),
    );
    const cache = createMemoryResultCache();
    const keyOf = (item: PipelineItem) => resultCacheKey({ toolVersion: 't', configHash: 'c', id: item.id, contentHash: item.contentHash });
    const run = async () => {
      const out: { id: string; verdict: string | null; cached?: boolean; requests?: number }[] = [];
      await judgeAll(readItems([path], { cwd: dir }), {
        deps: { critic: critic() },
        resultCache: { cache, keyOf },
        onItem: (f) => out.push({ id: f.item.id, verdict: f.entry.verdict, cached: f.cached, requests: f.entry.usage?.requests }),
      });
      return out.sort((a, b) => a.id.localeCompare(b.id));
    };
    const start = server.chatRequests().length;
    const first = await run();
    assert.equal(server.chatRequests().length - start, 8);
    assert.equal(cache.size, 8);
    const second = await run();
    assert.equal(server.chatRequests().length - start, 8, 'no request for unchanged items');
    assert.deepEqual(
      second.map((x) => x.verdict),
      first.map((x) => x.verdict),
    );
    assert.ok(second.every((x) => x.cached === true && x.requests === 0));
    writeJsonl(
      'cached.jsonl',
      Array.from({ length: 8 }, (_, i) => JSON.stringify(record(800 + i, i === 5 ? { wrongAt: 0 } : i === 2 ? { wrongAt: 1 } : {}))),
    );
    const third = await run();
    assert.equal(server.chatRequests().length - start, 9, 'only the changed item is judged');
    assert.equal(third.find((x) => x.id === 'cached.jsonl#5')!.verdict, 'incorrect');
  });

  it('does not keep a result with a step that could not be judged', async () => {
    server.setHandler(() => serverError(500));
    const path = writeJsonl('uncached.jsonl', [JSON.stringify(record(900))]);
    const cache = createMemoryResultCache();
    await judgeAll(readItems([path], { cwd: dir }), { deps: { critic: critic() }, resultCache: { cache, keyOf: (item) => item.id } });
    assert.equal(cache.size, 0);
  });

  it('reports progress: done of total, verdict counts, tokens and an estimate of the time left', async () => {
    const path = writeJsonl(
      'progress.jsonl',
      Array.from({ length: 6 }, (_, i) => JSON.stringify(record(700 + i, i === 0 ? { wrongAt: 1 } : {}))),
    );
    const seen: BatchProgress[] = [];
    await judgeAll(readItems([path], { cwd: dir }), { deps: { critic: critic() }, concurrency: 2, total: 6, onProgress: (p) => seen.push(p) });
    const last = seen[seen.length - 1]!;
    assert.equal(seen[0]!.done, 0);
    assert.equal(last.done, 6);
    assert.equal(last.total, 6);
    assert.deepEqual(last.verdicts, { correct: 5, incorrect: 1, uncertain: 0, unchecked: 0, error: 0 });
    assert.equal(last.usage.requests, 6);
    assert.ok(last.usage.promptTokens > 0 && last.usage.completionTokens > 0);
    const middle = seen.find((p) => p.done === 3)!;
    assert.ok(middle.etaMs !== null && middle.etaMs > 0);
    assert.equal(last.etaMs, 0);
  });
});
