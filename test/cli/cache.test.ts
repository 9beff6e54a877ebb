// `stepcritic cache stats|clear` and the cache folder as a user meets it: shards of one run writing it
// at once, what the counts say, a per-file cache of an older version ignored and then removed, and a
// damaged cache file that is said and replaced instead of stopping the run.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { makeTree, runCli } from './run-cli';

const RECORDS = 24;

function record(i: number) {
  return {
    id: `r${i}`,
    problem: `A crate holds ${i + 2} rows of ${i + 5} apples. How many apples are in it?`,
    steps: [`Each row has ${i + 5} apples.`, `So ${i + 2} * ${i + 5} = ${(i + 2) * (i + 5)} apples.`, `The answer is \\boxed{${(i + 2) * (i + 5)}}.`],
    label: -1,
  };
}

describe('stepcritic cache stats|clear', () => {
  let server: ScriptedLlmServer;
  const oldEntry = `${'ab'.repeat(32)}`;
  const tree = makeTree({
    'data.jsonl': `${Array.from({ length: RECORDS }, (_, i) => JSON.stringify(record(i))).join('\n')}\n`,
    // What an older version left: one file per verdict.
    [`cache/v1/ab/${oldEntry}.json`]: '{"kind":"step","value":{}}',
  });
  before(async () => {
    server = await startScriptedLlmServer({ latencyMs: 5, handler: ruleBasedCriticHandler() });
  });
  after(async () => {
    await server.close();
    tree.remove();
  });
  const check = (extra: string[]) =>
    runCli(['check', 'data.jsonl', '--base-url', server.baseUrl, '--model', 'scripted-critic', '--cache-dir', 'cache', '--fail-on', 'never', ...extra], {
      cwd: tree.dir,
    });
  const cache = (action: string) => runCli(['cache', action, '--cache-dir', 'cache'], { cwd: tree.dir });

  it('three shards run at once into one cache folder; stats counts what they stored, clear removes it and the old layout', async () => {
    const shards = await Promise.all([1, 2, 3].map((i) => check(['--shard', `${i}/3`])));
    for (const shard of shards) {
      assert.equal(shard.status, 0, shard.stderr);
      // Not quiet: a shard that had to go on without the cache says so, and why.
      assert.doesNotMatch(shard.stderr, /cache: .*(cannot be used|damaged)/);
    }
    assert.equal(server.chatRequests().length, RECORDS);
    assert.ok(!existsSync(join(tree.dir, 'cache', 'batch-results')), 'no file per result');

    const stats = await cache('stats');
    assert.equal(stats.status, 0, stats.stderr);
    // Three step verdicts and one whole result per record.
    assert.match(stats.stdout, new RegExp(`Entries:\\s+${RECORDS * 4} \\(${RECORDS * 3} critic verdicts, ${RECORDS} whole results\\)`));
    assert.match(stats.stdout, /\(SQLite\)/);
    assert.match(stats.stdout, /Left by an older version \(ignored; `stepcritic cache clear` removes it\): .*v1/);

    // A rerun over the whole set is answered from what the shards stored.
    const rerun = await check(['--quiet']);
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.equal(server.chatRequests().length, RECORDS, 'no request for what the shards judged');

    const cleared = await cache('clear');
    assert.equal(cleared.status, 0, cleared.stderr);
    assert.match(cleared.stdout, new RegExp(`Removed ${RECORDS * 4 + 1} cached entries`));
    assert.ok(!existsSync(join(tree.dir, 'cache', 'v1')));
    const after = await cache('stats');
    assert.match(after.stdout, /Entries:\s+0 /);
    assert.doesNotMatch(after.stdout, /older version/);
    assert.equal((await cache('purge')).status, 2);
  });

  it('a damaged cache file is said once, moved aside and replaced; the run goes on and fills the new one', async () => {
    writeFileSync(join(tree.dir, 'cache', 'cache.sqlite'), 'not a database '.repeat(400));
    const run = await check([]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr.match(/was damaged/g)?.length, 1, run.stderr);
    assert.match(run.stderr, /cache\.sqlite was damaged \(file is not a database\); it was moved to cache\.sqlite\.corrupt and a new cache started/);
    assert.ok(readdirSync(join(tree.dir, 'cache')).includes('cache.sqlite.corrupt'));
    assert.match((await cache('stats')).stdout, new RegExp(`${RECORDS} whole results`));
  });
});
