// What the status bar says, and the restart cap.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { FileCritique, ServerStatusParams, SolutionSummary } from '../../src/protocol';
import { createRestartPolicy } from '../../src/client/restart-policy';
import { formatTokens, statusText } from '../../src/client/status/status-text';
import { workspaceCritiqueLine } from '../../src/client/summary-text';
import { emptyStepCounts } from '../../src/server/step-states';
import { summaryText } from '../../src/protocol';

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
    assert.match(t.tooltip, /Used in this window: 1\.5k tokens in 3 requests; 4 steps from the cache/);
    assert.equal(t.severity, 'info');
  });

  it('keeps the endpoint out of the bar but in the tooltip', () => {
    const t = statusText({ ...base, status: status({ critic: { enabled: true, model: 'qwen2.5:7b @ http://127.0.0.1:11434/v1' } }) });
    assert.match(t.text, /^\$\(checklist\) qwen2\.5:7b · /);
    assert.equal(t.label, 'openai · qwen2.5:7b');
    assert.match(t.tooltip, /Critic: openai · qwen2\.5:7b @ http:\/\/127\.0\.0\.1:11434\/v1/);
  });

  it('says plainly when the LLM critic is off, and why, once', () => {
    const note = 'LLM critic off: no endpoint configured (set stepcritic.baseUrl, or choose a provider).';
    const t = statusText({
      ...base,
      status: status({ critic: { enabled: false, note }, usage: { requests: 0, promptTokens: 0, completionTokens: 0, cachedSteps: 0 } }),
    });
    assert.equal(t.label, 'LLM off: verifiers only');
    assert.match(t.text, /LLM off/);
    assert.equal(t.tooltip.split('critic off').length - 1, 1, t.tooltip);
    assert.doesNotMatch(t.tooltip, /\b0 (tokens|requests)/, 'no zero figures');
    assert.doesNotMatch(t.text, /tok/);
  });

  it("counts the active file's steps, its verdict from the final answer included", () => {
    const file: SolutionSummary = {
      counts: { ...emptyStepCounts(), correct: 3 },
      firstErrorIndex: -1,
      verdict: 'incorrect',
      pTrue: 0,
      finalAnswerPTrue: null,
      answer: { kind: 'answer', status: 'differs', expected: '72', actual: '73' },
      truncated: false,
      totalSteps: 3,
    };
    const t = statusText({ ...base, status: status(), file });
    assert.match(t.text, / · incorrect · /);
    assert.match(t.tooltip, /This file: incorrect: final answer 73, expected 72 · 3 correct · P\(True\) 0\.00/);
  });

  it('says 1 request, not 1 requests', () => {
    assert.match(statusText({ ...base, status: status({ usage: { ...usage, requests: 1, cachedSteps: 0 } }) }).tooltip, /1\.5k tokens in 1 request$/m);
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
    assert.match(statusText({ ...base, status: status(), earlierTokens: 500 }).tooltip, /Used in this window: 2\.0k tokens/);
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
    counts: { ...emptyStepCounts(), correct: 2, incorrect: 1, downstream: 2 },
    firstErrorIndex: 2,
    verdict: 'incorrect',
    pTrue: 0.12,
    finalAnswerPTrue: null,
    truncated: false,
    totalSteps: 5,
  };
  it('names the first wrong step 1-based, as the document numbers it, and leaves out what is zero or unknown', () => {
    assert.equal(summaryText(summary), 'incorrect from step 3 · 2 correct, 1 incorrect, 2 downstream · P(True) 0.12');
    const right = { ...summary, counts: { ...emptyStepCounts(), correct: 5 }, firstErrorIndex: -1, verdict: 'correct' as const, pTrue: 0.9 };
    assert.equal(summaryText(right), 'correct · 5 correct · P(True) 0.90');
    const verifiersOnly = {
      ...summary,
      counts: { ...emptyStepCounts(), verified: 2, unchecked: 1 },
      firstErrorIndex: -1,
      verdict: 'unchecked' as const,
      pTrue: null,
    };
    assert.equal(summaryText(verifiersOnly), '2 verified by computation, 1 unchecked');
  });
  it('sums up a workspace run, cancelled or not', () => {
    const file = (wrong: boolean, error?: string): FileCritique => ({
      uri: 'file:///a',
      version: null,
      summary: { ...summary, firstErrorIndex: wrong ? 1 : -1, verdict: wrong ? 'incorrect' : 'correct' },
      critic: { enabled: true },
      usage,
      warnings: [],
      ...(error ? { error } : {}),
    });
    const run = { files: [file(true), file(false), file(false, 'unreadable')], total: 3, cancelled: false, durationMs: 2500, usage };
    assert.equal(workspaceCritiqueLine(run), 'Critiqued 3 files in 2.5 s: 1 incorrect, 1 could not be critiqued.');
    assert.equal(workspaceCritiqueLine({ ...run, files: run.files.slice(0, 1), cancelled: true }), 'Cancelled after 1 of 3 files: 1 incorrect.');
  });
});
