// The language server's critic cache in the extension's storage: it outlives the server (the next
// VS Code session asks the model nothing for unchanged text), and it is one file per entry, with no
// native module, because the .vsix runs on every platform and in VS Code's Electron.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PENS, fileUri, startRig, tempFolder } from './support/fixtures';

describe('server: the critic cache on disk', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'stepcritic-server-cache-'));
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('a restarted server judges unchanged text from the cache, kept one file per entry', async () => {
    const folder = await tempFolder();
    const first = await startRig({ cacheDir, folder });
    const uri = fileUri(folder, 'pens.solution.md');
    await first.session.open(uri, PENS);
    const judged = await first.session.finalStates(uri, 1);
    assert.equal(first.llm.chatRequests().length, 1);
    await first.session.stop();

    // The next session, against the same endpoint.
    const second = await startRig({ cacheDir, folder, settings: { baseUrl: first.llm.baseUrl } });
    try {
      await second.session.open(uri, PENS);
      const again = await second.session.finalStates(uri, 1);
      assert.equal(first.llm.chatRequests().length, 1, 'no request: every step comes from the cache');
      assert.deepEqual(
        again.steps.map((s) => [s.state, s.pTrue]),
        judged.steps.map((s) => [s.state, s.pTrue]),
      );
      assert.equal(again.usage.cachedSteps, 3);
    } finally {
      await second.stop();
      await first.llm.close();
    }
    assert.ok(readdirSync(join(cacheDir, 'v1')).length > 0);
    assert.ok(!existsSync(join(cacheDir, 'cache.sqlite')), 'no SQLite in the language server');
  });
});
