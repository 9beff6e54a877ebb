// The .vsix as a user gets it: the README is the extension's details page, and every file it links
// or shows (docs, screenshots, the changelog) is in the package, as `vsce ls` lists it — a link to a
// file the package leaves out is a dead end on the details page.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../cli/run-cli';

/** Relative link and image targets of a Markdown text (no URLs, no in-page anchors), without their anchors. */
function relativeTargets(markdown: string): string[] {
  const targets = [...markdown.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
  return [...new Set(targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#')).map((t) => t.replace(/#.*$/, '')))];
}

describe('the .vsix details page', () => {
  it('has no broken links: every file the README links or shows is packaged', () => {
    const vsce = join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    const packaged = new Set(execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n'));
    const targets = relativeTargets(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
    assert.ok(targets.includes('docs/cli.md') && targets.includes('docs/screenshot.png'), `the README's links were found: ${targets.join(', ')}`);
    assert.deepEqual(
      targets.filter((t) => !packaged.has(t)),
      [],
      'linked from README.md but left out of the .vsix (.vscodeignore)',
    );
  });
});
