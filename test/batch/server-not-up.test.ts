// A run started before its server accepts connections (`vllm serve` loading its weights listens only
// when ready), or against a server that never comes (a wrong port): the CLI is a child process, the
// LLM is the scripted server on 127.0.0.1, started late or never.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from '../support/free-port';
import { ruleBasedCriticHandler, startScriptedLlmServer } from '../support/scripted-llm-server';
import { makeTree, runCli, startCli } from '../cli/run-cli';

const RECORDS = 12;

function record(i: number) {
  return {
    id: `r${i}`,
    problem: `A shop sells ${i + 2} boxes with ${i + 3} pens each. How many pens does it sell?`,
    steps: [`Each box holds ${i + 3} pens.`, `So ${i + 2} * ${i + 3} = ${(i + 2) * (i + 3)} pens in all.`],
  };
}

interface LogLine {
  type: string;
  interrupted?: boolean;
  reason?: string;
  entry?: { steps: { verdict: string; message?: string }[] };
}

const readLog = (path: string): LogLine[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LogLine);

const couldNotJudge = (lines: LogLine[]) =>
  lines.filter((l) => l.type === 'item' && l.entry?.steps.some((s) => /could not judge/i.test(s.message ?? ''))).length;

describe('a run whose LLM server is not up', () => {
  const tree = makeTree({ 'data.jsonl': `${Array.from({ length: RECORDS }, (_, i) => JSON.stringify(record(i))).join('\n')}\n` });
  after(() => tree.remove());
  const args = (port: number, log: string, timeoutMs: number) => [
    'check',
    'data.jsonl',
    '--base-url',
    `http://127.0.0.1:${port}/v1`,
    '--model',
    'scripted-critic',
    '--no-cache',
    '--concurrency',
    '4',
    '--fail-on',
    'never',
    '--timeout',
    String(timeoutMs),
    '--run-log',
    log,
  ];

  it('waits for a server that starts after the run, says so once, and judges every record', async () => {
    const port = await freePort();
    const running = startCli(args(port, 'late.run.jsonl', 30_000), { cwd: tree.dir });
    const waitingLine = /nothing accepts connections at http:\/\/127\.0\.0\.1:\d+\/v1 \(connection refused\): waiting up to 30\.0 s/g;
    const deadline = Date.now() + 20_000;
    while (!running.stderrSoFar().match(waitingLine) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Started only once the run has met the closed port, as `vllm serve` opens its port when the model is loaded.
    const server = await startScriptedLlmServer({ port, handler: ruleBasedCriticHandler({}) });
    try {
      const r = await running.done;
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr.match(waitingLine)?.length, 1, r.stderr);
      const lines = readLog(join(tree.dir, 'late.run.jsonl'));
      assert.equal(lines.filter((l) => l.type === 'item').length, RECORDS);
      assert.equal(couldNotJudge(lines), 0, 'no record lost to the server starting late');
      assert.ok(server.chatRequests().length >= RECORDS);
    } finally {
      await server.close();
    }
  });

  it('stops the run with status 2 when nothing comes within --timeout, and --resume finishes it once the server is up', async () => {
    const port = await freePort();
    const log = join(tree.dir, 'never.run.jsonl');
    const started = Date.now();
    const stopped = await runCli(args(port, 'never.run.jsonl', 1500), { cwd: tree.dir });
    assert.equal(stopped.status, 2, stopped.stderr);
    assert.ok(Date.now() - started < 20_000, 'one wait for the run, not one per record');
    assert.match(
      stopped.stderr,
      /stopped early: nothing accepted a connection at http:\/\/127\.0\.0\.1:\d+\/v1 for [\d.]+ s \(connection refused; --timeout\): start the server or fix the base URL; the run log never\.run\.jsonl has every finished solution, and --resume continues it/,
    );
    const atStop = readLog(log);
    assert.equal(atStop.filter((l) => l.type === 'item').length, 0, 'no record is logged as judged');
    const end = atStop.find((l) => l.type === 'end');
    assert.equal(end?.interrupted, true);
    assert.match(end?.reason ?? '', /nothing accepted a connection/);

    const server = await startScriptedLlmServer({ port, handler: ruleBasedCriticHandler({}) });
    try {
      const resumed = await runCli([...args(port, 'never.run.jsonl', 1500), '--resume'], { cwd: tree.dir });
      assert.equal(resumed.status, 0, resumed.stderr);
      const lines = readLog(log);
      assert.equal(lines.filter((l) => l.type === 'item').length, RECORDS);
      assert.equal(couldNotJudge(lines), 0);
    } finally {
      await server.close();
    }
  });
});
