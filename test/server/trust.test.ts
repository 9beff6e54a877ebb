// Workspace trust: in an untrusted workspace no code runs, even with stepcritic.runCodeTests on;
// in a trusted one it does, and a failing test shows on the steps it points at.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { FileCritique } from '../../src/protocol/messages';
import { fileUri, startRig, type Rig } from './support/fixtures';

const rigs: Rig[] = [];
after(async () => {
  for (const rig of rigs) await rig.stop();
});

const OFF_BY_ONE = `"""Return the sum of a list of numbers."""


def total(xs):
    s = 0
    for x in xs:
        s += x
    return s + 1


assert total([1, 2]) == 3
assert total([]) == 0
`;

describe('server: workspace trust', () => {
  for (const trusted of [false, true]) {
    it(`${trusted ? 'trusted' : 'untrusted'} workspace with runCodeTests on: tests ${trusted ? 'run' : 'do not run'}`, async () => {
      const rig = await startRig({ llm: false, trusted, settings: { runCodeTests: true } });
      rigs.push(rig);
      const uri = fileUri(rig.folder, 'total.py');
      await rig.session.open(uri, OFF_BY_ONE, 'python');
      const critique = await rig.session.request<FileCritique>('stepcritic/critiqueFile', { uri });
      assert.equal(critique.summary.totalSteps, 5);
      if (trusted) {
        assert.equal(critique.summary.verdict, 'incorrect');
        assert.match(critique.warnings.join('\n'), /2 tests ran: 0 passed, 2 failed/);
        const diagnostics = await rig.session.diagnosticsFor(uri);
        assert.ok(
          diagnostics.some((d) => d.code === 'test-failure'),
          'a step the failing tests point at is marked',
        );
      } else {
        assert.equal(critique.summary.verdict, 'unchecked');
        assert.match(critique.warnings.join('\n'), /Tests not run \(2 tests found\): running code is off/);
        assert.deepEqual(await rig.session.diagnosticsFor(uri), []);
      }
      const status = rig.session.statuses.at(-1);
      assert.equal(status?.trusted, trusted);
    });
  }
});
