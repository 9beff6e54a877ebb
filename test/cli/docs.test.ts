// docs/cli.md quotes each command's `--help` verbatim; this keeps the quotes equal to what the built
// CLI prints (after a flag is added: UPDATE_DOCS=1 npm test -- test/cli/docs).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, runCli } from './run-cli';

const DOC = join(REPO_ROOT, 'docs', 'cli.md');
const BLOCK = /<!-- help:([a-z-]*) -->\n```text\n([\s\S]*?)```\n<!-- \/help -->/g;

describe('docs/cli.md', () => {
  it("quotes every command's --help as the CLI prints it, and lists every command", async () => {
    let doc = readFileSync(DOC, 'utf8');
    const top = await runCli(['--help'], { cwd: REPO_ROOT });
    const commands = [...top.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
    assert.ok(commands.includes('check'));
    const quoted = [...doc.matchAll(BLOCK)].map((m) => m[1]!);
    assert.deepEqual(quoted.sort(), ['', ...commands].sort(), 'one help block per command, plus the top-level one');

    const stale: string[] = [];
    for (const name of quoted) {
      const r = await runCli(name === '' ? ['--help'] : [name, '--help'], { cwd: REPO_ROOT });
      assert.equal(r.status, 0);
      const block = `<!-- help:${name} -->\n\`\`\`text\n${r.stdout}\`\`\`\n<!-- /help -->`;
      const current = [...doc.matchAll(BLOCK)].find((m) => m[1] === name)![0];
      if (current !== block) {
        stale.push(name || '(top level)');
        doc = doc.replace(current, () => block);
      }
    }
    if (stale.length > 0 && process.env.UPDATE_DOCS === '1') {
      writeFileSync(DOC, doc);
      return;
    }
    assert.deepEqual(stale, [], 'help text changed: run UPDATE_DOCS=1 npm test -- test/cli/docs');
  });
});
