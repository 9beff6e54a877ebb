// `stepcritic check --run-log/--resume` and `stepcritic report` as a user runs them: the CLI is a child
// process, the LLM is the scripted server on 127.0.0.1. A run killed mid-way (SIGKILL: no chance to
// clean up) and resumed judges every record exactly once in the log; Ctrl-C stops in order; every
// report format renders from the log without a single request.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseReport } from '../../src/engine/report/schema';
import { sarifErrors } from '../cli/sarif-validator';
import { CLI, makeTree, runCli } from '../cli/run-cli';
import { ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';

function record(i: number) {
  const wrong = i % 6 === 0;
  return {
    id: `r${i}`,
    problem: `A shop sells ${i + 2} boxes with ${i + 3} pens each. How many pens does it sell?`,
    steps: [
      `Each box holds ${i + 3} pens.`,
      `So ${i + 2} * ${i + 3} = ${(i + 2) * (i + 3)} pens in all.${wrong ? ' WRONG' : ''}`,
      `The answer is \\boxed{${(i + 2) * (i + 3)}}.`,
    ],
    label: wrong ? 1 : -1,
  };
}

const RECORDS = 60;

interface LogLine {
  type: string;
  id?: string;
  interrupted?: boolean;
  entry?: { verdict: string | null };
}

function readLog(path: string): LogLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });
}

describe('stepcritic check --run-log / --resume and stepcritic report', () => {
  let server: ScriptedLlmServer;
  const tree = makeTree({ 'data.jsonl': `${Array.from({ length: RECORDS }, (_, i) => JSON.stringify(record(i))).join('\n')}\n` });
  before(async () => {
    server = await startScriptedLlmServer({ latencyMs: 25, handler: ruleBasedCriticHandler({ incorrectPatterns: ['WRONG'] }) });
  });
  after(async () => {
    await server.close();
    tree.remove();
  });
  const llmArgs = () => ['--base-url', server.baseUrl, '--model', 'scripted-critic', '--no-cache', '--concurrency', '4', '--fail-on', 'never'];
  const problemNumber = (text: string) => /A shop sells (\d+) boxes/.exec(text)?.[1];

  it('a run killed mid-way and resumed judges every record exactly once in the log, and none is lost', async () => {
    const log = join(tree.dir, 'killed.run.jsonl');
    const startRequests = server.chatRequests().length;
    const child = spawn(process.execPath, [CLI, 'check', 'data.jsonl', ...llmArgs(), '--run-log', 'killed.run.jsonl', '--quiet'], {
      cwd: tree.dir,
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (existsSync(log) && readLog(log).filter((l) => l.type === 'item').length >= 20) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const atKill = readLog(log).filter((l) => l.type === 'item');
    assert.ok(atKill.length >= 20 && atKill.length < RECORDS, `${atKill.length} items logged at the kill`);
    assert.ok(!readLog(log).some((l) => l.type === 'end'), 'a killed run writes no end line');
    const firstRunRequests = server.chatRequests().length - startRequests;

    const resumeStart = server.chatRequests().length;
    const resumed = await runCli(['check', 'data.jsonl', ...llmArgs(), '--run-log', 'killed.run.jsonl', '--resume', '--quiet'], { cwd: tree.dir });
    assert.equal(resumed.status, 0, resumed.stderr);

    const lines = readLog(log);
    const ids = lines.filter((l) => l.type === 'item').map((l) => l.id!);
    assert.equal(ids.length, RECORDS, 'no item twice');
    assert.equal(new Set(ids).size, RECORDS, 'none lost');
    assert.deepEqual(
      lines.map((l) => l.type).filter((t) => t !== 'item'),
      ['header', 'resume', 'end'],
    );

    // The resumed run asked only about records not in the log; the only records asked about in both
    // runs are the ones in flight at the kill (at most the concurrency).
    const loggedAtKill = new Set(atKill.map((l) => String(Number(l.id!.split('#')[1]) + 2)));
    const resumedAbout = server
      .chatRequests()
      .slice(resumeStart)
      .map((r) => problemNumber(r.userText));
    assert.equal(resumedAbout.filter((n) => loggedAtKill.has(n!)).length, 0);
    assert.equal(resumedAbout.length, RECORDS - atKill.length);
    assert.ok(firstRunRequests - atKill.length <= 4, `${firstRunRequests - atKill.length} requests were in flight at the kill`);
  });

  it('Ctrl-C stops in order: exit 130, an end line that says interrupted, and --resume finishes the run', async () => {
    const log = join(tree.dir, 'sigint.run.jsonl');
    const child = spawn(process.execPath, [CLI, 'check', 'data.jsonl', ...llmArgs(), '--run-log', 'sigint.run.jsonl', '--quiet'], {
      cwd: tree.dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(existsSync(log) && readLog(log).filter((l) => l.type === 'item').length >= 10))
      await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.match(stderr, /interrupted after \d+ solutions; the run log sigint\.run\.jsonl has every finished solution, and --resume continues it/);
    const end = readLog(log).find((l) => l.type === 'end');
    assert.equal(end?.interrupted, true);

    const report = await runCli(['report', 'sigint.run.jsonl', '--format', 'json'], { cwd: tree.dir });
    assert.equal(report.status, 0);
    assert.match(report.stderr, /was interrupted \(cancelled\)/);

    const resumed = await runCli(['check', 'data.jsonl', ...llmArgs(), '--run-log', 'sigint.run.jsonl', '--resume', '--quiet'], { cwd: tree.dir });
    assert.equal(resumed.status, 0, resumed.stderr);
    const ids = readLog(log)
      .filter((l) => l.type === 'item')
      .map((l) => l.id);
    assert.equal(ids.length, RECORDS);
    assert.equal(new Set(ids).size, RECORDS);
  });

  it('renders every report format from the run log without one request', async () => {
    const done = await runCli(['check', 'data.jsonl', ...llmArgs(), '--run-log', 'full.run.jsonl', '--quiet'], { cwd: tree.dir });
    assert.equal(done.status, 0, done.stderr);
    const before = server.requests.length;
    const render = async (...args: string[]) => {
      const result = await runCli(['report', 'full.run.jsonl', ...args], { cwd: tree.dir });
      assert.equal(result.status, 0, result.stderr);
      return result;
    };

    const json = parseReport(JSON.parse((await render('--format', 'json')).stdout));
    assert.equal(json.files.length, RECORDS);
    assert.equal(json.summary.solutions.incorrect, 10);
    assert.equal(json.critic.model, 'scripted-critic');

    const sarif = JSON.parse((await render('--format', 'sarif')).stdout) as unknown;
    assert.deepEqual(sarifErrors(sarif), []);

    const markdown = (await render('--format', 'markdown')).stdout;
    assert.match(markdown, /^# Step Critic report/);
    assert.match(markdown, /60 solutions checked/);

    await render('--out', 'junit.xml');
    const xml = readFileSync(join(tree.dir, 'junit.xml'), 'utf8');
    assert.equal(XMLValidator.validate(xml), true);
    const junit = new XMLParser({ ignoreAttributes: false }).parse(xml) as { testsuites: Record<string, string> };
    assert.equal(junit.testsuites['@_tests'], '60');
    assert.equal(junit.testsuites['@_failures'], '10');

    await render('--out', 'report.html');
    const html = readFileSync(join(tree.dir, 'report.html'), 'utf8');
    assert.match(html, /<table class="f1" id="f1-table">/);
    assert.equal(html.match(/<tr data-index=/g)?.length, 60);
    // Rendering again over our own report is allowed; over someone else's file it is not.
    await render('--out', 'report.html');
    writeFileSync(join(tree.dir, 'notes.html'), '<p>my notes</p>');
    const refused = await runCli(['report', 'full.run.jsonl', '--out', 'notes.html'], { cwd: tree.dir });
    assert.equal(refused.status, 2);
    assert.equal(readFileSync(join(tree.dir, 'notes.html'), 'utf8'), '<p>my notes</p>');

    assert.equal(server.requests.length, before, 'reports never call the endpoint');

    const failing = await runCli(['report', 'full.run.jsonl', '--format', 'junit', '--fail-on', 'incorrect'], { cwd: tree.dir });
    assert.equal(failing.status, 1);
  });

  it('a second run over unchanged input sends no request and gives the same verdicts (result cache)', async () => {
    const cacheArgs = [
      '--base-url',
      server.baseUrl,
      '--model',
      'scripted-critic',
      '--cache-dir',
      'cache',
      '--concurrency',
      '4',
      '--fail-on',
      'never',
      '--quiet',
    ];
    const start = server.chatRequests().length;
    const first = await runCli(['check', 'data.jsonl', ...cacheArgs, '--run-log', 'cached-1.run.jsonl'], { cwd: tree.dir });
    assert.equal(first.status, 0, first.stderr);
    assert.equal(server.chatRequests().length - start, RECORDS);
    const second = await runCli(['check', 'data.jsonl', ...cacheArgs, '--run-log', 'cached-2.run.jsonl'], { cwd: tree.dir });
    assert.equal(second.status, 0, second.stderr);
    assert.equal(server.chatRequests().length - start, RECORDS, 'no request on the second run');
    const verdicts = (name: string) =>
      new Map(
        readLog(join(tree.dir, name))
          .filter((l) => l.type === 'item')
          .map((l) => [l.id, l.entry?.verdict]),
      );
    assert.deepEqual(verdicts('cached-2.run.jsonl'), verdicts('cached-1.run.jsonl'));
    // A changed record is judged again; the others still come from the cache.
    const lines = readFileSync(join(tree.dir, 'data.jsonl'), 'utf8').trim().split('\n');
    const changed = { ...record(1), steps: [...record(1).steps.slice(0, 2), 'The answer is \\boxed{0}. WRONG'] };
    writeFileSync(join(tree.dir, 'data-changed.jsonl'), `${[lines[0], JSON.stringify(changed), ...lines.slice(2)].join('\n')}\n`);
    const third = await runCli(['check', 'data-changed.jsonl', ...cacheArgs, '--run-log', 'cached-3.run.jsonl'], { cwd: tree.dir });
    assert.equal(third.status, 0, third.stderr);
    // Record ids name the file, so the result cache misses; the critic's step cache still answers every
    // unchanged solution: only the changed one is sent.
    assert.equal(server.chatRequests().length - start, RECORDS + 1);
    const fourth = await runCli(['check', 'data-changed.jsonl', ...cacheArgs, '--run-log', 'cached-4.run.jsonl'], { cwd: tree.dir });
    assert.equal(fourth.status, 0, fourth.stderr);
    assert.equal(server.chatRequests().length - start, RECORDS + 1, 'unchanged again: no request');
  });

  it('with a batch flag and no run log, still writes the requested report document', async () => {
    const result = await runCli(['check', 'data.jsonl', ...llmArgs(), '--format', 'json', '--quiet'], { cwd: tree.dir });
    assert.equal(result.status, 0, result.stderr);
    const report = parseReport(JSON.parse(result.stdout));
    assert.deepEqual(
      report.files.map((f) => f.uri),
      Array.from({ length: RECORDS }, (_, i) => `data.jsonl#${i}`),
      'in input order',
    );
    assert.equal(report.summary.solutions.incorrect, 10);
  });

  it('refuses to overwrite a run log, to resume without one, and to read something that is not one', async () => {
    writeFileSync(join(tree.dir, 'existing.run.jsonl'), '{"type":"header"}\n');
    const overwrite = await runCli(['check', 'data.jsonl', '--no-llm', '--run-log', 'existing.run.jsonl'], { cwd: tree.dir });
    assert.equal(overwrite.status, 2);
    assert.match(overwrite.stderr, /already exists; pass --resume to continue it/);
    assert.equal(readFileSync(join(tree.dir, 'existing.run.jsonl'), 'utf8'), '{"type":"header"}\n');

    const noLog = await runCli(['check', 'data.jsonl', '--no-llm', '--resume'], { cwd: tree.dir });
    assert.equal(noLog.status, 2);
    assert.match(noLog.stderr, /--resume needs --run-log FILE/);

    const notALog = await runCli(['report', 'data.jsonl'], { cwd: tree.dir });
    assert.equal(notALog.status, 2);
    assert.match(notALog.stderr, /not a Step Critic run log/);

    const missing = await runCli(['report', 'nope.jsonl'], { cwd: tree.dir });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such run log: nope\.jsonl/);
  });

  it('refuses to resume with a different critic configuration', async () => {
    const first = await runCli(['check', 'data.jsonl', '--no-llm', '--no-cache', '--run-log', 'config.run.jsonl', '--quiet', '--fail-on', 'never'], {
      cwd: tree.dir,
    });
    assert.equal(first.status, 0, first.stderr);
    const other = await runCli(['check', 'data.jsonl', ...llmArgs(), '--run-log', 'config.run.jsonl', '--resume', '--quiet'], { cwd: tree.dir });
    assert.equal(other.status, 2);
    assert.match(other.stderr, /was made with another configuration \(critic: "off" → /);
  });
});
