import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AcceptedSteps, loadAcceptedSteps, parseAcceptedFile, updateAcceptedSteps } from '../../src/engine/accepted';

describe('accepted steps', () => {
  it('serialises the same marks to the same bytes whatever the order they were added in', () => {
    const a = new AcceptedSteps();
    a.add('p2', 's9', { problem: 'Second problem', step: 'Step 9' });
    a.add('p1', 's2', { problem: 'First problem', step: 'Step 2' });
    a.add('p1', 's1', { problem: 'First problem', step: 'Step 1' });
    const b = new AcceptedSteps();
    b.add('p1', 's1', { problem: 'First problem', step: 'Step 1' });
    b.add('p1', 's2', { problem: 'First problem', step: 'Step 2' });
    b.add('p2', 's9', { problem: 'Second problem', step: 'Step 9' });
    assert.equal(a.serialize(), b.serialize());
    assert.equal(
      a.serialize(),
      `{
  "version": 1,
  "problems": {
    "p1": {
      "problem": "First problem",
      "steps": {
        "s1": "Step 1",
        "s2": "Step 2"
      }
    },
    "p2": {
      "problem": "Second problem",
      "steps": {
        "s9": "Step 9"
      }
    }
  }
}
`,
    );
  });

  it('keys marks by problem and step: the same step text under another problem is not accepted', () => {
    const accepted = new AcceptedSteps();
    assert.equal(accepted.add('p1', 's1', { problem: 'P', step: 'x' }), true);
    assert.equal(accepted.add('p1', 's1', { problem: 'P', step: 'x' }), false, 'already there');
    assert.equal(accepted.has('p1', 's1'), true);
    assert.equal(accepted.has('p2', 's1'), false);
    assert.equal(accepted.remove('p1', 's1'), true);
    assert.equal(accepted.remove('p1', 's1'), false);
    assert.equal(accepted.size, 0);
    assert.equal(accepted.serialize(), '{\n  "version": 1,\n  "problems": {}\n}\n', 'an emptied problem disappears');
  });

  it('keeps excerpts short and on one line', () => {
    const accepted = new AcceptedSteps();
    accepted.add('p', 's', { problem: 'A\nlong   problem', step: `${'word '.repeat(40)}end` });
    const file = accepted.toFile();
    assert.equal(file.problems.p!.problem, 'A long problem');
    assert.equal(file.problems.p!.steps.s!.length, 80);
    assert.ok(file.problems.p!.steps.s!.endsWith('…'));
  });

  it('round-trips through the file; rejects what it does not understand with the place', () => {
    const accepted = new AcceptedSteps();
    accepted.add('p', 's', { problem: 'P', step: 'S' });
    const parsed = parseAcceptedFile(accepted.serialize());
    assert.ok(parsed.ok);
    assert.equal(parsed.accepted.has('p', 's'), true);
    const wrong = parseAcceptedFile('{"version": 1, "problems": {"p": {"steps": {"s": 3}}}}');
    assert.ok(!wrong.ok);
    assert.match(wrong.error, /problems\.p\.steps\.s/);
    const future = parseAcceptedFile('{"version": 2, "problems": {}}');
    assert.ok(!future.ok);
  });

  it('updates the file on disk, re-reading it first; never overwrites a file it cannot read', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'stepcritic-accepted-'));
    const empty = await loadAcceptedSteps(folder);
    assert.ok(empty.ok && empty.accepted.size === 0, 'no file: nothing accepted');
    const first = await updateAcceptedSteps(folder, (a) => a.add('p', 's1', { problem: 'P', step: 'one' }));
    assert.ok(first.ok && first.changed);
    // Someone else adds a mark meanwhile (a git pull): the next update keeps it.
    const path = join(folder, '.stepcritic', 'accepted.json');
    const theirs = parseAcceptedFile(await readFile(path, 'utf8'));
    assert.ok(theirs.ok);
    theirs.accepted.add('q', 's7', { problem: 'Q', step: 'seven' });
    await writeFile(path, theirs.accepted.serialize());
    const second = await updateAcceptedSteps(folder, (a) => a.add('p', 's2', { problem: 'P', step: 'two' }));
    assert.ok(second.ok);
    assert.deepEqual([second.accepted.has('q', 's7'), second.accepted.has('p', 's1'), second.accepted.has('p', 's2')], [true, true, true]);

    const broken = await mkdtemp(join(tmpdir(), 'stepcritic-accepted-'));
    await mkdir(join(broken, '.stepcritic'));
    await writeFile(join(broken, '.stepcritic', 'accepted.json'), '{ "version": 1, "problems": ');
    const refused = await updateAcceptedSteps(broken, (a) => a.add('p', 's', { problem: 'P', step: 'S' }));
    assert.ok(!refused.ok);
    assert.match(refused.error, /was left as it is/);
    assert.equal(await readFile(join(broken, '.stepcritic', 'accepted.json'), 'utf8'), '{ "version": 1, "problems": ');
  });

  it('says when the first mark creates the file; the last unmark removes it, and .stepcritic/ only when empty', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'stepcritic-accepted-'));
    const mark = (step: string) => updateAcceptedSteps(folder, (a) => a.add('p', step, { problem: 'P', step }));
    const unmark = (step: string) => updateAcceptedSteps(folder, (a) => a.remove('p', step));
    const files = async () => readdir(folder, { recursive: true });
    assert.equal(((await mark('s1')) as { file: string }).file, 'created');
    assert.equal(((await mark('s2')) as { file: string }).file, 'updated');
    assert.equal(((await unmark('s1')) as { file: string }).file, 'updated');
    assert.equal(((await unmark('s2')) as { file: string }).file, 'removed');
    assert.deepEqual(await files(), [], 'no empty accepted.json and no empty .stepcritic/ left behind');
    assert.equal(((await unmark('s2')) as { file: string }).file, 'unchanged');

    await mark('s1');
    await writeFile(join(folder, '.stepcritic', 'notes.txt'), 'mine');
    await unmark('s1');
    assert.deepEqual(await files(), ['.stepcritic', join('.stepcritic', 'notes.txt')], 'a file someone else put there stays');
  });
});
