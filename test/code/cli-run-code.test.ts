// `stepcritic check` on code files, as a user runs it: without --run-code the file is segmented and
// syntax-checked and nothing runs; with --run-code the tests (in-file and the sibling test file) run
// and the wrong step is reported with its line.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeTree, runCli } from '../cli/run-cli';

const tree = makeTree({
  'discount.py': [
    '"""Apply a percentage discount to a price."""',
    '',
    '',
    'def discounted(price, percent):',
    '    """',
    '    >>> discounted(200, 10)',
    '    180.0',
    '    """',
    '    cut = price * percent / 100',
    '    open("ran.txt", "w").write("the solution ran")',
    '    return price + cut',
    '',
  ].join('\n'),
  'test_discount.py':
    'from discount import discounted\n\n\ndef test_nothing_off():\n    assert discounted(50, 0) == 50\n\n\ndef test_half():\n    assert discounted(80, 50) == 40\n',
  'broken.py': 'def f(x):\n    return (x +\n',
});
after(() => tree.remove());

describe('stepcritic check on code files', () => {
  it('without --run-code: runs nothing, says so, exits 0', async () => {
    const result = await runCli(['check', 'discount.py', '--no-llm'], { cwd: tree.dir });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Tests not run \(2 tests found\): running code is off/);
    assert.equal(existsSync(join(tree.dir, 'ran.txt')), false);
  });

  it('with --run-code: the doctest and the sibling tests run, the wrong step is reported, exit 1', async () => {
    const result = await runCli(['check', 'discount.py', '--no-llm', '--run-code', '--format', 'json'], { cwd: tree.dir });
    assert.equal(result.status, 1, result.stderr);
    const text = result.stdout;
    assert.match(text, /3 tests ran: 1 passed, 2 failed/);
    assert.match(text, /price \+ cut -> price - cut/);
  });

  it('a syntax error is a finding on its line even without --run-code', async () => {
    const result = await runCli(['check', 'broken.py', '--no-llm'], { cwd: tree.dir });
    assert.equal(result.status, 1);
    assert.match(result.stdout, /broken\.py:2:\d+ .*incorrect .*SyntaxError: '\(' was never closed/);
  });
});
