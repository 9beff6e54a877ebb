// `--shard I/N` and `stepcritic report` over several run logs, as a user runs them: four shards of a
// committed ProcessBench fixture judged by the scripted critic, merged, give the report of one
// unsharded run (same entries, same summary); the shards are disjoint and cover every record; a run
// log of another configuration is refused, naming both files; a log copied and resumed elsewhere
// (an overlapping resume) counts each solution once.
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { contentHash } from '../../src/engine/pipeline/items';
import { parseShard, shardOf } from '../../src/engine/pipeline/shard';
import { parseReport } from '../../src/engine/report/schema';
import { makeTree, REPO_ROOT, runCli } from '../cli/run-cli';
import { ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'datasets', 'processbench', 'gsm8k.json');
const RECORDS = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown[]).length;

interface LogLine {
  type: string;
  id?: string;
  contentHash?: string;
}

function logLines(path: string): LogLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LogLine);
}

const itemIds = (path: string) => logLines(path).flatMap((l) => (l.type === 'item' ? [l.id!] : []));

/** A report without what differs between two runs of the same judgements: wall times and the date. */
function comparable(json: string): unknown {
  return JSON.parse(JSON.stringify(parseReport(JSON.parse(json))), (key, value: unknown) => (key === 'durationMs' || key === 'createdAt' ? undefined : value));
}

/** What `sh` passes for `run-*.jsonl`: the matching names, sorted. */
function glob(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir)
    .filter((n) => pattern.test(n))
    .sort();
}

describe('--shard I/N', () => {
  it('reads I/N with I from 1 to N, and says what is wrong otherwise', () => {
    assert.deepEqual(parseShard('2/4'), { ok: true, shard: { index: 2, count: 4 } });
    assert.deepEqual(parseShard('1/1'), { ok: true, shard: { index: 1, count: 1 } });
    for (const [text, message] of [
      ['0/4', /I must be between 1 and 4 \(shards count from 1/],
      ['5/4', /I must be between 1 and 4/],
      ['1/0', /N must be between 1 and/],
      ['2', /--shard must be I\/N/],
      ['a/b', /--shard must be I\/N/],
      ['-1/4', /--shard must be I\/N/],
    ] as const) {
      const parsed = parseShard(text);
      assert.ok(!parsed.ok, text);
      assert.match(parsed.message, message, text);
    }
  });

  it('puts an item in the shard of its content, wherever it stands and whatever folder it is read from', () => {
    const hash = contentHash('{"problem":"2+2","steps":["4"]}');
    const here = shardOf({ id: 'data.jsonl#3', contentHash: hash }, 4);
    assert.equal(shardOf({ id: '../other/data.jsonl#917', contentHash: hash }, 4), here);
    // Inputs that could not be read have no content: their names spread them.
    const unread = new Set(Array.from({ length: 40 }, (_, i) => shardOf({ id: `missing-${i}.md`, contentHash: 'unread' }, 4)));
    assert.equal(unread.size, 4);
  });
});

describe('stepcritic check --shard and stepcritic report over several run logs', () => {
  let server: ScriptedLlmServer;
  const tree = makeTree({});
  before(async () => {
    copyFileSync(FIXTURE, join(tree.dir, 'gsm8k.json'));
    server = await startScriptedLlmServer({ handler: ruleBasedCriticHandler({ incorrectPatterns: ['total'] }) });
  });
  after(async () => {
    await server.close();
    tree.remove();
  });
  const check = (...args: string[]) =>
    runCli(['check', 'gsm8k.json', '--base-url', server.baseUrl, '--model', 'scripted-critic', '--no-cache', '--fail-on', 'never', ...args], {
      cwd: tree.dir,
    });

  it('four shards, merged, give the report of one unsharded run; they are disjoint and cover every record', async () => {
    const whole = await check('--format', 'json');
    assert.equal(whole.status, 0, whole.stderr);
    for (let i = 1; i <= 4; i++) {
      const shard = await check('--shard', `${i}/4`, '--run-log', `run-${i}.jsonl`);
      assert.equal(shard.status, 0, shard.stderr);
    }
    const logs = glob(tree.dir, /^run-\d\.jsonl$/);
    assert.deepEqual(logs, ['run-1.jsonl', 'run-2.jsonl', 'run-3.jsonl', 'run-4.jsonl']);

    const shards = logs.map((log) => itemIds(join(tree.dir, log)));
    for (const ids of shards) assert.ok(ids.length > 0 && ids.length < RECORDS, `a shard of ${RECORDS} holds ${ids.length}`);
    const all = shards.flat();
    assert.equal(new Set(all).size, all.length, 'no record is in two shards');
    assert.equal(all.length, RECORDS, 'every record is in a shard');

    const merged = await runCli(['report', ...logs, '--format', 'json'], { cwd: tree.dir });
    assert.equal(merged.status, 0, merged.stderr);
    assert.deepEqual(comparable(merged.stdout), comparable(whole.stdout));
    const report = parseReport(JSON.parse(merged.stdout));
    assert.equal(report.shards, undefined, 'all four shards: the whole run');
    assert.ok(report.summary.usage.requests > 0 && report.summary.solutions.incorrect > 0, 'the critic judged, and found wrong steps');

    // Every format renders the merge; a text summary of the same run, whatever the shards.
    const time = / · [\d.]+ m?s$/m;
    const wholeText = await check('--format', 'text');
    const mergedText = await runCli(['report', ...logs], { cwd: tree.dir });
    assert.equal(mergedText.stdout.replace(time, ''), wholeText.stdout.replace(time, ''));
    for (const format of ['markdown', 'junit', 'sarif', 'html']) {
      const rendered = await runCli(['report', ...logs, '--format', format], { cwd: tree.dir });
      assert.equal(rendered.status, 0, `${format}: ${rendered.stderr}`);
      if (format === 'markdown') assert.match(rendered.stdout, new RegExp(`${RECORDS} solutions checked`));
    }
  });

  it('a report of one shard, or of some shards, says which', async () => {
    const one = await runCli(['report', 'run-2.jsonl', '--format', 'json'], { cwd: tree.dir });
    assert.deepEqual(parseReport(JSON.parse(one.stdout)).shards, { count: 4, included: [2] });
    const text = await runCli(['report', 'run-2.jsonl'], { cwd: tree.dir });
    assert.match(text.stdout, / · shard 2\/4\n/);
    // Code scanning keeps one SARIF upload per category: each shard's is its own.
    const sarif = JSON.parse((await runCli(['report', 'run-2.jsonl', '--format', 'sarif'], { cwd: tree.dir })).stdout) as {
      runs: { automationDetails?: { id: string }; properties: { shards?: unknown } }[];
    };
    assert.equal(sarif.runs[0]!.automationDetails?.id, 'stepcritic/shard-2-of-4/');
    assert.deepEqual(sarif.runs[0]!.properties.shards, { count: 4, included: [2] });
    const junit = await runCli(['report', 'run-2.jsonl', '--format', 'junit'], { cwd: tree.dir });
    assert.match(junit.stdout, /<testsuites name="stepcritic \(shard 2\/4\)"/);
    const some = await runCli(['report', 'run-1.jsonl', 'run-4.jsonl', '--format', 'markdown'], { cwd: tree.dir });
    assert.match(some.stdout, /shards 1 and 4 of 4 of the run/);
    assert.match(some.stderr, /the report covers shards 1 and 4 of 4: shards 2, 3 of 4 not given/);
  });

  it('refuses run logs made with another configuration, naming both files and what differs', async () => {
    const other = await check('--shard', '3/4', '--run-log', 'other-3.jsonl', '--max-steps', '3');
    assert.equal(other.status, 0, other.stderr);
    const refused = await runCli(['report', 'run-1.jsonl', 'run-2.jsonl', 'other-3.jsonl', 'run-4.jsonl', '--out', 'merged.html'], { cwd: tree.dir });
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /run-1\.jsonl and other-3\.jsonl were made with different configurations \(maxSteps: 200 → 3\)/);
    assert.equal(readdirSync(tree.dir).includes('merged.html'), false, 'nothing written');

    const split = await check('--shard', '1/3', '--run-log', 'thirds-1.jsonl');
    assert.equal(split.status, 0, split.stderr);
    const mixed = await runCli(['report', 'run-1.jsonl', 'thirds-1.jsonl'], { cwd: tree.dir });
    assert.equal(mixed.status, 2);
    assert.match(mixed.stderr, /shards of different splits \(--shard 1\/4 and --shard 1\/3\)/);
  });

  it('refuses to resume a run log with another shard', async () => {
    const wrong = await check('--shard', '1/4', '--run-log', 'run-2.jsonl', '--resume');
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /run-2\.jsonl holds shard 2\/4 of its inputs, not shard 1\/4; resume it with --shard 2\/4/);
  });

  it('counts a solution once when a run log was copied and resumed elsewhere (an overlapping resume)', async () => {
    // Machine A ran shard 2 and was stopped after three solutions; its log was copied to machine B,
    // which resumed it to the end. Both logs are handed to the report.
    const lines = readFileSync(join(tree.dir, 'run-2.jsonl'), 'utf8').split('\n');
    const partial = [
      lines[0]!,
      ...lines
        .slice(1)
        .filter((l) => l.includes('"type":"item"'))
        .slice(0, 3),
    ].join('\n');
    writeFileSync(join(tree.dir, 'a-2.jsonl'), `${partial}\n`);
    writeFileSync(join(tree.dir, 'b-2.jsonl'), `${partial}\n`);
    const resumed = await check('--shard', '2/4', '--run-log', 'b-2.jsonl', '--resume');
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal(itemIds(join(tree.dir, 'b-2.jsonl')).length, itemIds(join(tree.dir, 'run-2.jsonl')).length, 'B judged only the rest');

    const logs = ['run-1.jsonl', 'a-2.jsonl', 'b-2.jsonl', 'run-3.jsonl', 'run-4.jsonl'];
    const merged = await runCli(['report', ...logs, '--format', 'json'], { cwd: tree.dir });
    assert.equal(merged.status, 0, merged.stderr);
    assert.match(merged.stderr, /3 solutions are in more than one run log: each counted once/);
    const whole = await runCli(['report', ...glob(tree.dir, /^run-\d\.jsonl$/), '--format', 'json'], { cwd: tree.dir });
    assert.deepEqual(comparable(merged.stdout), comparable(whole.stdout));
  });

  it('eval --shard scores one shard, and the shards of a sample split the sample', async () => {
    const solutions = async (...args: string[]) => {
      const result = await runCli(['eval', 'gsm8k.json', '--no-llm', '--format', 'json', '--sample', '10', ...args], { cwd: tree.dir });
      assert.equal(result.status, 0, result.stderr);
      const report = JSON.parse(result.stdout) as { overall: { solutions: number }; shard?: unknown };
      assert.deepEqual(report.shard, args.length > 0 ? { index: Number(args[1]![0]), count: 2 } : undefined);
      return report.overall.solutions;
    };
    const parts = [await solutions('--shard', '1/2'), await solutions('--shard', '2/2')];
    assert.ok(parts.every((n) => n > 0));
    assert.equal(parts[0]! + parts[1]!, await solutions(), 'the sample is drawn over every shard, then split');
    const markdown = await runCli(['eval', 'gsm8k.json', '--no-llm', '--limit', '1', '--shard', '2/2'], { cwd: tree.dir });
    assert.match(markdown.stdout, /^## stepcritic eval: gsm8k\.json \(shard 2\/2\)/);
    const bad = await runCli(['eval', 'gsm8k.json', '--no-llm', '--shard', '3/2'], { cwd: tree.dir });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--shard 3\/2: I must be between 1 and 2/);
  });
  it('eval --shard --run-log on each shard, then eval --merge: the figures of one unsharded eval, skipped records too', async () => {
    // Records that are not scored, each for its own reason: counted by the shard that reads them.
    const unscorable = ['not JSON', '{"problem": null}', '{"problem": "What is 1 + 1?", "steps": ["1 + 1 = 2."]}', '{"problem": null}'];
    writeFileSync(join(tree.dir, 'gsm8k-extra.jsonl'), `${unscorable.join('\n')}\n`);
    const evalArgs = ['eval', 'gsm8k.json', 'gsm8k-extra.jsonl', '--base-url', server.baseUrl, '--model', 'scripted-critic', '--no-cache', '--format', 'json'];
    /** An eval report without what differs between runs (wall time) and the run's own notes (shard, merge). */
    const figures = (json: string) => {
      const { timeMs: _t, shard: _s, merged: _m, ...rest } = JSON.parse(json) as Record<string, unknown>;
      return rest;
    };
    const whole = await runCli(evalArgs, { cwd: tree.dir });
    assert.equal(whole.status, 0, whole.stderr);
    const shardReports: { overall: { solutions: number }; skipped: { reasons: Record<string, number> } }[] = [];
    for (let i = 1; i <= 3; i++) {
      const shard = await runCli([...evalArgs, '--shard', `${i}/3`, '--run-log', `eval-${i}.jsonl`], { cwd: tree.dir });
      assert.equal(shard.status, 0, shard.stderr);
      shardReports.push(JSON.parse(shard.stdout) as (typeof shardReports)[number]);
    }
    const shardReport = (i: number) => shardReports[i - 1]!;
    const logs = glob(tree.dir, /^eval-\d\.jsonl$/);
    const merged = await runCli(['eval', '--merge', ...logs, '--format', 'json'], { cwd: tree.dir });
    assert.equal(merged.status, 0, merged.stderr);
    const report = JSON.parse(merged.stdout) as { overall: { solutions: number; calibration: { steps: number; auroc: number | null } }; merged: unknown };
    assert.equal(report.overall.solutions, RECORDS);
    assert.ok(report.overall.calibration.steps > 0 && report.overall.calibration.auroc !== null, 'the critic P(True) of every shard is scored together');
    assert.deepEqual(report.merged, { logs: 3, duplicates: 0 });
    assert.deepEqual(figures(merged.stdout), figures(whole.stdout));
    assert.equal((JSON.parse(whole.stdout) as { skipped: { count: number } }).skipped.count, unscorable.length);

    // Some shards only: said, in the report and on stderr.
    const some = await runCli(['eval', '--merge', 'eval-1.jsonl', 'eval-3.jsonl'], { cwd: tree.dir });
    assert.equal(some.status, 0, some.stderr);
    assert.match(some.stderr, /the report covers shards 1 and 3 of 3: shard 2 of 3 not given/);
    assert.match(some.stdout, /Scored together from 2 run logs \(shards 1 and 3 of 3 only\)/);

    // An item without a label (a log edited by hand) is counted as skipped, not a crash.
    const lines = readFileSync(join(tree.dir, 'eval-1.jsonl'), 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"type":"item"'));
    const item = JSON.parse(lines[at]!) as { entry: Record<string, unknown> };
    delete item.entry.labels;
    lines[at] = JSON.stringify(item);
    writeFileSync(join(tree.dir, 'edited.jsonl'), lines.join('\n'));
    const edited = await runCli(['eval', '--merge', 'edited.jsonl', '--format', 'json'], { cwd: tree.dir });
    assert.equal(edited.status, 0, edited.stderr);
    const editedReport = JSON.parse(edited.stdout) as { overall: { solutions: number }; skipped: { reasons: Record<string, number> } };
    assert.equal(editedReport.skipped.reasons['no first-error label'], 1 + (shardReport(1).skipped.reasons['no first-error label'] ?? 0));
    assert.equal(editedReport.overall.solutions, shardReport(1).overall.solutions - 1);

    // Another threshold is another eval; a check's log is no eval's.
    const other = await runCli([...evalArgs, '--threshold', '0.3', '--shard', '2/3', '--run-log', 'other.jsonl'], { cwd: tree.dir });
    assert.equal(other.status, 0, other.stderr);
    const mixed = await runCli(['eval', '--merge', 'eval-1.jsonl', 'other.jsonl'], { cwd: tree.dir });
    assert.equal(mixed.status, 2);
    assert.match(mixed.stderr, /eval-1\.jsonl and .*other\.jsonl were made with different configurations .*threshold/);
    const checkLog = await runCli(['eval', '--merge', 'run-1.jsonl'], { cwd: tree.dir });
    assert.equal(checkLog.status, 2);
    assert.match(checkLog.stderr, /run-1\.jsonl is the run log of a check, not of an eval: 'stepcritic report' renders it/);
  });
});
