// The server never freezes: a document whose check never ends (a power tower) is read and verified in
// a check worker, while another document gets its diagnostics and hover answers at once; the tower
// becomes "not checkable: took too long" at the deadline, for that document alone.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { ServerStats } from '../../src/protocol/messages';
import { LspSession } from './support/lsp-session';
import { ARITHMETIC_ERROR, fileUri, tempFolder } from './support/fixtures';

const TOWER = `# Problem

How big is it?

# Solution

Step 1: 123456789012345678901234567890^45.8 = 3.

Step 2: 9^9^9 = 547.

Answer: 547
`;

/** The bar for every request while another document is being checked. */
const RESPONSIVE_MS = 100;

const sessions: LspSession[] = [];
after(async () => {
  for (const session of sessions) await session.stop();
});

describe('server: one pathological document does not hold up the others', () => {
  it('while a power tower is checked, an ordinary document gets its diagnostics and hover within 100 ms', async () => {
    const folder = await tempFolder();
    const deadlineMs = 6000;
    const session = await LspSession.start({ workspaceFolder: folder, initializationOptions: { trusted: true, checkDeadlineMs: deadlineMs } });
    sessions.push(session);
    // Two warmed-up workers: one for the tower, one for everything else.
    await session.checkWorkersReady(1);
    const warmUri = fileUri(folder, 'warm.solution.md');
    await session.open(warmUri, ARITHMETIC_ERROR);
    await session.diagnosticsFor(warmUri);
    await session.checkWorkersReady(2);

    const towerUri = fileUri(folder, 'tower.solution.md');
    const towerOpened = performance.now();
    await session.open(towerUri, TOWER);
    await delay(300);
    const busy = await session.request<ServerStats>('stepcritic/serverStats', {});
    assert.equal(busy.checkWorkers.busy, 1, 'the tower is being checked');

    // Five ordinary documents, one after the other, while the tower is checked: the median of each.
    const diagnosticsMs: number[] = [];
    const hoverMs: number[] = [];
    for (let n = 0; n < 5; n++) {
      const uri = fileUri(folder, `ordinary-${n}.solution.md`);
      const opened = performance.now();
      await session.open(uri, ARITHMETIC_ERROR.replace('Tom', `Tom ${n}`));
      await session.waitFor(() => session.lastDiagnostics(uri, 1)?.some((d) => /48 \/ 2 = 25/.test(JSON.stringify(d.message))), 'the ordinary diagnostics');
      diagnosticsMs.push(performance.now() - opened);
      const hoverStarted = performance.now();
      const hover = await session.hover(uri, 6, 10);
      hoverMs.push(performance.now() - hoverStarted);
      assert.match(JSON.stringify(hover), /48 \/ 2 = 25/);
    }
    assert.equal(session.lastDiagnostics(towerUri), undefined, 'the tower is still being checked meanwhile');
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const show = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
    console.log(`ordinary documents while the tower is checked: diagnostics after ${show(diagnosticsMs)} ms, hover ${show(hoverMs)} ms`);
    assert.ok(median(diagnosticsMs) <= RESPONSIVE_MS, `diagnostics: median ${median(diagnosticsMs).toFixed(0)} ms`);
    assert.ok(median(hoverMs) <= RESPONSIVE_MS, `hover: median ${median(hoverMs).toFixed(0)} ms`);

    const tower = await session.diagnosticsFor(towerUri, 1);
    const towerMs = performance.now() - towerOpened;
    assert.ok(tower.length > 0 && tower.every((d) => /not checkable: took too long/.test(JSON.stringify(d.message))), JSON.stringify(tower));
    assert.ok(towerMs >= deadlineMs, `the tower ran to its deadline (${towerMs.toFixed(0)} ms)`);
    assert.ok(session.messages.some((m) => /tower\.solution\.md is not checkable: took too long/.test(m.message)));
  });
});
