// Reading files as text and applying .gitignore, below the CLI (src/engine/files).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitignoreRules } from '../../src/engine/files/gitignore';
import { classifyPath } from '../../src/engine/files/kinds';
import { decodeText } from '../../src/engine/files/read';
import { makeTree } from './run-cli';

describe('decodeText', () => {
  it('takes UTF-8 text and drops a byte-order mark', () => {
    assert.deepEqual(decodeText(Buffer.from('\ufeffStep 1: 2 × 3 = 6\n', 'utf8')), { ok: true, text: 'Step 1: 2 × 3 = 6\n' });
  });
  it('names the line of the first byte that is not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from('line one\nline two\nbad '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    assert.deepEqual(decodeText(bytes), { ok: false, status: 'failed', reason: 'not valid UTF-8 (first bad byte on line 3)' });
  });
  it('reads UTF-16 with its byte-order mark (Windows Notepad\'s "Unicode"), and tells it from binary', () => {
    assert.deepEqual(decodeText(Buffer.from('\ufeffStep 1: 2 × 3 = 7\r\n', 'utf16le')), { ok: true, text: 'Step 1: 2 × 3 = 7\r\n' });
    const bigEndian = Buffer.from('\ufeffhi', 'utf16le').swap16();
    assert.deepEqual(decodeText(bigEndian), { ok: true, text: 'hi' });
    assert.deepEqual(decodeText(Buffer.from([0xff, 0xfe, 0x41])), {
      ok: false,
      status: 'failed',
      reason: 'not valid UTF-16 (it starts with a UTF-16 byte-order mark)',
    });
    assert.deepEqual(decodeText(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00])), { ok: false, status: 'skipped', reason: 'binary file' });
  });
});

describe('classifyPath', () => {
  it('reads solutions, code and datasets by extension, case-insensitively', () => {
    assert.deepEqual(classifyPath('a/B.Solution.MD'), { kind: 'solution', language: 'markdown' });
    assert.deepEqual(classifyPath('x.py'), { kind: 'solution', language: 'code' });
    assert.deepEqual(classifyPath('d.jsonl'), { kind: 'dataset', container: 'jsonl' });
    assert.deepEqual(classifyPath('photo.png'), { kind: 'unsupported', extension: '.png' });
    assert.deepEqual(classifyPath('.md'), { kind: 'unsupported', extension: '' });
  });
});

describe('GitignoreRules', () => {
  let tree: ReturnType<typeof makeTree>;
  let rules: GitignoreRules;
  before(() => {
    tree = makeTree({
      '.gitignore': 'out/\n*.log.md\n!keep.log.md\n/rooted.md\n',
      'sub/.gitignore': '!again.log.md\nlocal/\n',
    });
    rules = new GitignoreRules(tree.dir);
  });
  after(() => tree.remove());
  const ignored = (path: string, isDirectory = false) => rules.isIgnored(join(tree.dir, path), isDirectory);

  it('applies patterns relative to their own file, with re-includes', async () => {
    assert.equal(await ignored('a.log.md'), true);
    assert.equal(await ignored('keep.log.md'), false);
    assert.equal(await ignored('sub/again.log.md'), false, 'a deeper file re-includes');
    assert.equal(await ignored('sub/other.log.md'), true);
    assert.equal(await ignored('rooted.md'), true);
    assert.equal(await ignored('sub/rooted.md'), false, '/rooted.md only matches at its own folder');
    assert.equal(await ignored('sub/local/x.md'), true);
  });

  it('never re-includes inside an ignored folder', async () => {
    assert.equal(await ignored('out', true), true);
    assert.equal(await ignored('out/keep.log.md'), true);
  });

  it('says nothing about paths outside its root', async () => {
    assert.equal(await rules.isIgnored(join(tree.dir, '..', 'elsewhere.log.md'), false), false);
  });
});
