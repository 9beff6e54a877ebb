// What the status bar says, and the restart cap.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { FileCritique, ServerStatusParams, SolutionSummary } from '../../src/protocol';
import { createRestartPolicy } from '../../src/client/restart-policy';
import { formatTokens, statusText } from '../../src/client/status/status-text';
import { summaryLine, workspaceCritiqueLine } from '../../src/client/summary-text';

const usage = { requests: 3, promptTokens: 1200, completionTokens: 300, cachedSteps: 4 };
function status(overrides: Partial<ServerStatusParams> = {}): ServerStatusParams {
  return { enabled: true, critic: { enabled: true, model: 'gpt-4o-mini' }, busy: 0, usage, trusted: true, settingsProblems: [], ...overrides };
}
const base = { server: 'running' as const, provider: 'openai', earlierTokens: 0, lastError: undefined };

describe('statusText', () => {
  it('names the provider and model and counts the tokens of this window', () => {
    const t = statusText({ ...base, status: status() });
    assert.equal(t.label, 'openai · gpt-4o-mini');
    assert.match(t.text, /gpt-4o-mini · 1\.5k tok/);
    assert.match(t.tooltip, /Tokens used in this window: 1500 \(3 requests, 4 steps from the cache\)/);
    assert.equal(t.severity, 'info');
  });

  it('keeps the endpoint out of the bar but in the tooltip', () => {
    const t = statusText({ ...base, status: status({ critic: { enabled: true, model: 'qwen2.5:7b @ http://127.0.0.1:11434/v1' } }) });
    assert.match(t.text, /^\$\(checklist\) qwen2\.5:7b · /);
    assert.equal(t.label, 'openai · qwen2.5:7b');
    assert.match(t.tooltip, /Critic: openai · qwen2\.5:7b @ http:\/\/127\.0\.0\.1:11434\/v1/);
  });

  it('says plainly when the LLM critic is off, and why', () => {
    const t = statusText({ ...base, status: status({ critic: { enabled: false, note: 'no model set' } }) });
    assert.equal(t.label, 'LLM off: verifiers only');
    assert.match(t.text, /LLM off/);
    assert.match(t.tooltip, /no model set/);
  });

  it('shows work in progress', () => {
    const t = statusText({ ...base, status: status({ busy: 2 }) });
    assert.equal(t.busy, true);
    assert.match(t.text, /^\$\(sync~spin\).*\(2\)/);
    assert.match(t.tooltip, /Critiquing 2 documents/);
  });

  it('keeps the last error visible as a warning', () => {
    const t = statusText({ ...base, status: status(), lastError: '401 Unauthorized' });
    assert.equal(t.severity, 'warning');
    assert.match(t.tooltip, /Last error: 401 Unauthorized/);
  });

  it('adds the tokens of servers that were restarted', () => {
    assert.match(statusText({ ...base, status: status(), earlierTokens: 500 }).tooltip, /Tokens used in this window: 2000/);
  });

  it('says when the server is down, with the reason', () => {
    const t = statusText({ ...base, server: 'failed', status: undefined, lastError: 'stopped 5 times' });
    assert.equal(t.severity, 'error');
    assert.match(t.detail, /stopped 5 times/);
  });

  it('mentions Restricted Mode and ignored settings', () => {
    const t = statusText({ ...base, status: status({ trusted: false, settingsProblems: ['stepcritic.debounceMs: expected number (using 800)'] }) });
    assert.match(t.tooltip, /Restricted mode/);
    assert.match(t.tooltip, /Setting ignored: stepcritic.debounceMs/);
    assert.equal(t.severity, 'warning');
  });

  it('formats token counts compactly', () => {
    assert.deepEqual([0, 999, 1500, 12_345, 2_500_000].map(formatTokens), ['0', '999', '1.5k', '12k', '2.5M']);
  });
});

describe('restart policy', () => {
  it('restarts a crashed server up to the cap inside the window, then stops', () => {
    const now = 0;
    const policy = createRestartPolicy({ maxRestarts: 3, windowMs: 1000, now: () => now });
    assert.deepEqual(
      [1, 2, 3, 4].map(() => policy.onCrash().restart),
      [true, true, true, false],
    );
  });

  it('forgets crashes older than the window, and after a deliberate restart', () => {
    let now = 0;
    const policy = createRestartPolicy({ maxRestarts: 1, windowMs: 1000, now: () => now });
    assert.equal(policy.onCrash().restart, true);
    now = 1500;
    assert.equal(policy.onCrash().restart, true);
    assert.equal(policy.onCrash().restart, false);
    policy.reset();
    assert.equal(policy.onCrash().restart, true);
  });
});

describe('summary lines', () => {
  const summary: SolutionSummary = {
    counts: {} as SolutionSummary['counts'],
    firstErrorIndex: 2,
    verdict: 'incorrect',
    pTrue: 0.12,
    finalAnswerPTrue: null,
    truncated: false,
    totalSteps: 5,
  };
  it('names the first wrong step 1-based, as the document numbers it', () => {
    assert.equal(summaryLine(summary), '5 steps · first wrong step: 3 · P(True) 0.12');
    assert.equal(summaryLine({ ...summary, firstErrorIndex: -1, verdict: 'correct', pTrue: 0.9 }), '5 steps · no wrong step found · P(True) 0.90');
  });
  it('sums up a workspace run, cancelled or not', () => {
    const file = (wrong: boolean, error?: string): FileCritique => ({
      uri: 'file:///a',
      version: null,
      summary: { ...summary, firstErrorIndex: wrong ? 1 : -1 },
      critic: { enabled: true },
      usage,
      warnings: [],
      ...(error ? { error } : {}),
    });
    const run = { files: [file(true), file(false), file(false, 'unreadable')], total: 3, cancelled: false, durationMs: 2500, usage };
    assert.equal(workspaceCritiqueLine(run), 'Critiqued 3 files in 2.5 s: 1 with a wrong step, 1 could not be critiqued.');
    assert.equal(workspaceCritiqueLine({ ...run, files: run.files.slice(0, 1), cancelled: true }), 'Cancelled after 1 of 3 files: 1 with a wrong step.');
  });
});
