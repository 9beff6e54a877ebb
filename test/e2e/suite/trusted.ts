// Extension-host tests in a trusted workspace, against the real language server and the scripted
// LLM server (rules in test/e2e/fixtures/llm-rules.json). Entry for the smoke-test driver and for
// @vscode/test-electron: exports `run()`.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DecorationSnapshot } from '../../../src/client/gutter/step-decorator';
import type { RefineCommandResult } from '../../../src/client/commands/refine';
import type { StepCriticApi } from '../../../src/client/test-api';
import { runAll, test } from './harness';
import { closeAllEditors, codeOf, env, extensionApi, fixture, lineOf, open, revert, stepcriticDiagnostics, waitFor, workspaceRoot } from './helpers';

let api: StepCriticApi;

function bandsOf(snapshot: DecorationSnapshot | undefined): string[] {
  return (snapshot?.steps ?? []).map((s) => s.band);
}

async function settled(uri: vscode.Uri): Promise<DecorationSnapshot> {
  return waitFor(
    `the critique of ${uri.path} to finish`,
    () => {
      const states = api.stepStates(uri.toString());
      const snapshot = api.decorationState(uri.toString());
      return states?.done && snapshot && snapshot.version === states.currentVersion && !snapshot.steps.some((s) => s.band === 'judging') ? snapshot : undefined;
    },
    30_000,
  );
}

async function llmRequestCount(): Promise<number> {
  const log = env('STEPCRITIC_E2E_LLM_LOG');
  return existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('POST')).length
    : 0;
}

test('the extension activates on a solution file and the server starts', async () => {
  await open('arithmetic.solution.md');
  api = await extensionApi();
  const document = vscode.window.activeTextEditor!.document;
  assert.equal(document.languageId, 'stepcritic-solution');
});

test('opening an example gives the expected diagnostics', async () => {
  const editor = await open('arithmetic.solution.md');
  const uri = editor.document.uri;
  const diagnostics = await waitFor('a Step Critic diagnostic on arithmetic.solution.md', () => {
    const found = stepcriticDiagnostics(uri);
    return found.length > 0 ? found : undefined;
  });
  const wrongLine = lineOf(editor.document, '36 + 16 = 54');
  const arithmetic = diagnostics.find((d) => codeOf(d) === 'arithmetic');
  assert.ok(arithmetic, `an arithmetic diagnostic, got ${JSON.stringify(diagnostics.map((d) => [codeOf(d), d.message]))}`);
  assert.equal(arithmetic.severity, vscode.DiagnosticSeverity.Error);
  assert.equal(arithmetic.range.start.line, wrongLine);
  assert.match(arithmetic.message, /52/);
  // Steps 1 and 2 hold: no error on them.
  const errorsAbove = diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error && d.range.start.line < wrongLine);
  assert.deepEqual(errorsAbove, []);
});

test('the gutter shows a band per step: high, middle, low, downstream', async () => {
  const editor = await open('bands.solution.md');
  const snapshot = await settled(editor.document.uri);
  assert.deepEqual(bandsOf(snapshot), ['high', 'middle', 'low', 'downstream']);
  assert.equal(snapshot.gutterIcons, true);
  // Each icon sits on its step's first line.
  assert.equal(snapshot.steps[2]!.line, lineOf(editor.document, '140 / 2 = 75'));
});

test('a step being judged shows the progress mark, then its verdict', async () => {
  // Listen before opening: opening the file starts its critique, and the scripted critic takes 2.5 s
  // to judge a step that says "slowly".
  const uri = fixture('slow.solution.md').toString();
  const seen = new Set<string>();
  const listener = api.onDidDraw((snapshot) => {
    if (snapshot.uri === uri) for (const step of snapshot.steps) seen.add(step.band);
  });
  try {
    const editor = await open('slow.solution.md');
    const snapshot = await settled(editor.document.uri);
    assert.ok(seen.has('judging'), `saw ${[...seen].join(', ')}`);
    assert.deepEqual(bandsOf(snapshot), ['high']);
  } finally {
    listener.dispose();
  }
});

test('Mark as correct gives a step the accepted mark', async () => {
  const editor = await open('bands.solution.md');
  const uri = editor.document.uri;
  await settled(uri);
  const line = lineOf(editor.document, 'roughly two hours');
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(line, 0, line, 5));
  const accept = actions.find((a) => /mark.*correct/i.test(a.title));
  assert.ok(accept, `a "Mark as correct" action, got ${actions.map((a) => a.title).join(' | ')}`);
  if (accept.edit) await vscode.workspace.applyEdit(accept.edit);
  if (accept.command) await vscode.commands.executeCommand(accept.command.command, ...(accept.command.arguments ?? []));
  const snapshot = await waitFor('step 2 to show the accepted mark', () => {
    const s = api.decorationState(uri.toString());
    return s?.steps[1]?.band === 'accepted' ? s : undefined;
  });
  assert.equal(snapshot.steps[0]!.band, 'high');
  assert.ok(existsSync(join(workspaceRoot().fsPath, '.stepcritic', 'accepted.json')));
  // Unmark is the undo; the last one leaves no empty file behind.
  const undo = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(line, 0, line, 5))).find(
    (a) => /unmark/i.test(a.title),
  );
  assert.ok(undo?.command, 'an Unmark action');
  await vscode.commands.executeCommand(undo.command.command, ...(undo.command.arguments ?? []));
  await waitFor('step 2 back to its verdict', () => api.decorationState(uri.toString())?.steps[1]?.band === 'middle');
  assert.equal(existsSync(join(workspaceRoot().fsPath, '.stepcritic')), false, 'no empty .stepcritic/accepted.json left');
});

test('with display.gutterIcons off the bands stay (ruler) but no gutter icon is drawn', async () => {
  const editor = await open('bands.solution.md');
  const config = vscode.workspace.getConfiguration('stepcritic');
  await config.update('display.gutterIcons', false, vscode.ConfigurationTarget.Workspace);
  try {
    const snapshot = await waitFor('a drawing without gutter icons', () => {
      const s = api.decorationState(editor.document.uri.toString());
      return s && !s.gutterIcons && s.steps.length === 4 ? s : undefined;
    });
    assert.equal(snapshot.steps[0]!.band, 'high');
  } finally {
    await config.update('display.gutterIcons', undefined, vscode.ConfigurationTarget.Workspace);
  }
  await waitFor('gutter icons back', () => api.decorationState(editor.document.uri.toString())?.gutterIcons === true);
});

test('display.inlineText writes P(True) and its source after each step', async () => {
  const editor = await open('bands.solution.md');
  const config = vscode.workspace.getConfiguration('stepcritic');
  await config.update('display.inlineText', true, vscode.ConfigurationTarget.Workspace);
  try {
    const snapshot = await waitFor('inline text', () => {
      const s = api.decorationState(editor.document.uri.toString());
      return s?.inlineText && s.steps[0]?.inlineText ? s : undefined;
    });
    assert.match(snapshot.steps[0]!.inlineText!, /^P\(True\) 0\.9\d · logprobs$/);
    assert.match(snapshot.steps[1]!.inlineText!, /^P\(True\) 0\.50 · logprobs$/);
    assert.match(snapshot.steps[2]!.inlineText!, /^P\(True\) 0\.00 · verifier$/);
  } finally {
    await config.update('display.inlineText', undefined, vscode.ConfigurationTarget.Workspace);
  }
});

test('thresholds from the settings move a step between bands', async () => {
  const editor = await open('bands.solution.md');
  const config = vscode.workspace.getConfiguration('stepcritic');
  await config.update('thresholds.correct', 0.45, vscode.ConfigurationTarget.Workspace);
  try {
    await waitFor('step 2 (P(True) 0.5) to count as high', () => api.decorationState(editor.document.uri.toString())?.steps[1]?.band === 'high');
  } finally {
    await config.update('thresholds.correct', undefined, vscode.ConfigurationTarget.Workspace);
  }
  await waitFor('step 2 back to middle', () => api.decorationState(editor.document.uri.toString())?.steps[1]?.band === 'middle');
});

test('decorations are held back on the step being typed in, and come back after', async () => {
  const editor = await open('bands.solution.md');
  const document = editor.document;
  const original = document.getText();
  await settled(document.uri);
  const line = lineOf(document, 'In the first two hours');
  editor.selection = new vscode.Selection(line, document.lineAt(line).text.length, line, document.lineAt(line).text.length);
  await editor.edit((b) => b.insert(editor.selection.active, ' Indeed.'));
  const held = await waitFor(
    'step 1 held back while typing',
    () => {
      const s = api.decorationState(document.uri.toString());
      return s?.held.includes(0) ? s : undefined;
    },
    5000,
  );
  assert.ok(!held.steps.some((s) => s.index === 0));
  assert.ok(
    held.steps.some((s) => s.index === 2),
    'other steps stay',
  );
  await waitFor(
    'step 1 restored after typing stops',
    () => {
      const s = api.decorationState(document.uri.toString());
      return s && s.held.length === 0 && s.steps.some((x) => x.index === 0);
    },
    5000,
  );
  await revert(document, original);
});

test('Fix arithmetic edits the document', async () => {
  const editor = await open('arithmetic.solution.md');
  const document = editor.document;
  const original = document.getText();
  const uri = document.uri;
  const diagnostic = await waitFor('the arithmetic diagnostic', () => stepcriticDiagnostics(uri).find((d) => codeOf(d) === 'arithmetic'));
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range);
  const fix = actions.find((a) => /fix arithmetic/i.test(a.title));
  assert.ok(fix, `a "Fix arithmetic" action, got ${actions.map((a) => a.title).join(' | ')}`);
  if (fix.edit) assert.ok(await vscode.workspace.applyEdit(fix.edit));
  if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
  await waitFor('the sum to read 52', () => document.getText().includes('$36 + 16 = 52$'));
  await document.save();
  await waitFor('the arithmetic diagnostic to go', () => !stepcriticDiagnostics(uri).some((d) => codeOf(d) === 'arithmetic'));
  await revert(document, original);
});

test('Refine Step at Cursor proposes a re-checked rewrite from the LLM and applies it on Accept', async () => {
  const editor = await open('logic.solution.md');
  const document = editor.document;
  const original = document.getText();
  await settled(document.uri);
  const line = lineOf(document, '8 \\times 3 = 24');
  assert.equal(api.decorationState(document.uri.toString())?.steps[1]?.band, 'low');
  editor.selection = new vscode.Selection(line, 10, line, 10);
  const before = await llmRequestCount();
  let reviewed = 0;
  let diffShown = false;
  api.setProposalReviewer(async () => {
    reviewed++;
    diffShown = vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputTextDiff));
    return 'accept';
  });
  try {
    const result = await vscode.commands.executeCommand<RefineCommandResult | undefined>('stepcritic.refineStep');
    assert.ok(result, 'the command returns its result');
    assert.equal(result.proposal.status, 'proposed', result.proposal.message);
    assert.equal(reviewed, 1);
    assert.ok(diffShown, 'the proposal was shown as a diff before it was applied');
    assert.ok(result.outcome.applied, result.outcome.message);
    assert.ok(document.getText().includes('$8 \\times 2 = 16$'), document.getText());
    assert.ok((await llmRequestCount()) > before, 'the scripted LLM server was asked');
    assert.ok(!vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputTextDiff)), 'the diff is closed');
  } finally {
    api.setProposalReviewer(undefined);
    await revert(document, original);
  }
});

test('Refine Whole Solution shows a diff, and Discard leaves the document as it was', async () => {
  const editor = await open('logic.solution.md');
  const document = editor.document;
  const original = document.getText();
  await settled(document.uri);
  api.setProposalReviewer(async () => 'discard');
  try {
    const result = await vscode.commands.executeCommand<RefineCommandResult | undefined>('stepcritic.refineSolution');
    assert.ok(result);
    assert.equal(result.proposal.status, 'proposed', result.proposal.message);
    assert.equal(result.outcome.decision, 'discard');
    assert.equal(result.outcome.applied, false);
    assert.equal(document.getText(), original);
    assert.equal(document.isDirty, false);
  } finally {
    api.setProposalReviewer(undefined);
  }
});

test('Set API Key stores the key in SecretStorage and nowhere else', async () => {
  const key = `sk-e2e-${Date.now().toString(36)}-do-not-leak`;
  const userData = env('STEPCRITIC_E2E_USER_DATA');
  const settingsFiles = [join(userData, 'User', 'settings.json'), join(workspaceRoot().fsPath, '.vscode', 'settings.json')];
  const before = settingsFiles.map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined));
  assert.equal(await api.hasApiKey(), false);
  await vscode.commands.executeCommand('stepcritic.setApiKey', key);
  await waitFor('the key in SecretStorage', () => api.hasApiKey());
  assert.deepEqual(
    settingsFiles.map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined)),
    before,
    'settings files are unchanged',
  );
  const leaks = [...filesUnder(userData), ...filesUnder(workspaceRoot().fsPath)].filter((f) => readFileSync(f).includes(key));
  assert.deepEqual(leaks, [], 'the key is written to no file on disk');
  assert.ok(!vscode.workspace.getConfiguration('stepcritic').has('apiKey'));
  await vscode.commands.executeCommand('stepcritic.forgetApiKey');
  await waitFor('the key gone', async () => !(await api.hasApiKey()));
});

test('Test Connection reaches the scripted endpoint and finds log-probabilities', async () => {
  const result = await vscode.commands.executeCommand<{ ok: boolean; logprobs: boolean | null; message: string }>('stepcritic.testConnection');
  assert.ok(result, 'the command returns its result');
  assert.equal(result.ok, true, result.message);
  assert.equal(result.logprobs, true, result.message);
});

test('the status bar names the model and counts tokens', async () => {
  await open('logic.solution.md');
  await vscode.commands.executeCommand('stepcritic.critiqueFile');
  const status = await waitFor('a status with the model', () => {
    const s = api.status();
    return s.text.includes('scripted-critic') && / tok$/.test(s.text) ? s : undefined;
  });
  assert.match(status.text, /tok/);
  assert.match(status.tooltip, /Used in this window: [1-9][\d.]*k? tokens in \d+ requests?/);
});

test('Critique Workspace critiques every solution file and fills the Problems panel', async () => {
  await closeAllEditors();
  const result = await vscode.commands.executeCommand<{ files: { uri: string }[]; total: number; cancelled: boolean } | undefined>(
    'stepcritic.critiqueWorkspace',
  );
  assert.ok(result);
  assert.equal(result.cancelled, false);
  const expected = filesUnder(workspaceRoot().fsPath).filter((f) => f.endsWith('.solution.md')).length;
  assert.equal(result.total, expected);
  const unopened = fixture('more/unopened.solution.md');
  const diagnostics = await waitFor('diagnostics for a file never opened', () => {
    const found = stepcriticDiagnostics(unopened);
    return found.length > 0 ? found : undefined;
  });
  assert.ok(diagnostics.some((d) => codeOf(d) === 'arithmetic' && /60/.test(d.message)));
});

test('a JavaScript solution is parsed (the TypeScript compiler ships in the .vsix) and its syntax error found', async () => {
  const editor = await open('code/sum.js');
  const result = await vscode.commands.executeCommand<{ error?: string; summary: { totalSteps: number } } | undefined>('stepcritic.critiqueFile');
  assert.equal(result?.error, undefined);
  assert.ok((result?.summary.totalSteps ?? 0) >= 2, `steps: ${result?.summary.totalSteps}`);
  const syntax = await waitFor('a syntax diagnostic', () => stepcriticDiagnostics(editor.document.uri).find((d) => codeOf(d) === 'syntax'));
  assert.equal(syntax.range.start.line, lineOf(editor.document, 'const half'));
});

test("with runCodeTests on in a trusted workspace, a code solution's tests run", async () => {
  const config = vscode.workspace.getConfiguration('stepcritic');
  await config.update('runCodeTests', true, vscode.ConfigurationTarget.Workspace);
  try {
    const editor = await open('code/total.py');
    await vscode.commands.executeCommand('stepcritic.critiqueFile');
    const failures = await waitFor(
      'a failing-test diagnostic',
      () => {
        const found = stepcriticDiagnostics(editor.document.uri).filter((d) => codeOf(d) === 'test-failure');
        return found.length > 0 ? found : undefined;
      },
      30_000,
    );
    assert.ok(failures.length > 0);
  } finally {
    await config.update('runCodeTests', undefined, vscode.ConfigurationTarget.Workspace);
  }
});

test('the walkthrough example opens as a saved file in a scratch folder (closing asks nothing) and gets critiqued', async () => {
  const document = await vscode.commands.executeCommand<vscode.TextDocument>('stepcritic.openExample');
  assert.ok(document);
  assert.equal(document.isUntitled, false);
  assert.equal(document.uri.scheme, 'file');
  assert.equal(document.isDirty, false, 'nothing to save');
  assert.ok(!document.uri.fsPath.startsWith(workspaceRoot().fsPath), "not written into the person's workspace");
  assert.equal(document.languageId, 'stepcritic-solution');
  const arithmetic = await waitFor('the slip in step 3', () => stepcriticDiagnostics(document.uri).find((d) => codeOf(d) === 'arithmetic'));
  assert.equal(arithmetic.range.start.line, lineOf(document, '36 + 16 = 54'));
  const answer = await waitFor('the wrong final answer', () => stepcriticDiagnostics(document.uri).find((d) => codeOf(d) === 'final-answer'));
  assert.equal(answer.range.start.line, lineOf(document, 'Answer:'));
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test('Refine from the light bulb goes through the review: the diff is shown before any text changes', async () => {
  const editor = await open('logic.solution.md');
  const document = editor.document;
  const original = document.getText();
  await settled(document.uri);
  const line = lineOf(document, '8 \\times 3 = 24');
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    document.uri,
    new vscode.Range(line, 0, line, 5),
  );
  const refine = actions.find((a) => /^Refine step 2/.test(a.title));
  assert.ok(refine?.command, `a Refine action, got ${actions.map((a) => a.title).join(' | ')}`);
  assert.equal(refine.command.command, 'stepcritic.refineStep', 'the client review command, not an edit');
  assert.equal(refine.edit, undefined, 'no edit to apply unseen');
  let textWhileReviewed: string | undefined;
  let diffShown = false;
  api.setProposalReviewer(async (proposal) => {
    textWhileReviewed = document.getText();
    diffShown = vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputTextDiff));
    assert.match(proposal.title, /^Refine step 2 \(P\(True\) 0\.08 → /);
    return 'discard';
  });
  try {
    const result = await vscode.commands.executeCommand<RefineCommandResult | undefined>(refine.command.command, ...(refine.command.arguments ?? []));
    assert.equal(result?.proposal.status, 'proposed', result?.proposal.message);
    assert.ok(diffShown, 'the diff was on screen when the decision was asked for');
    assert.equal(textWhileReviewed, original, 'nothing changed before the answer');
    assert.equal(result.outcome.applied, false);
    assert.equal(document.getText(), original, 'Discard leaves the document as it was');
  } finally {
    api.setProposalReviewer(undefined);
  }
});

test('Toggle Inline Critique pauses critique and resumes it', async () => {
  await open('arithmetic.solution.md');
  try {
    assert.equal(await vscode.commands.executeCommand('stepcritic.toggle', false), false);
    const paused = await vscode.commands.executeCommand<{ error?: string } | undefined>('stepcritic.critiqueFile');
    assert.match(paused?.error ?? '', /turned off/);
    await waitFor('the status to say paused', () => /critique paused/.test(api.status().tooltip));
  } finally {
    assert.equal(await vscode.commands.executeCommand('stepcritic.toggle', true), true);
  }
  const resumed = await vscode.commands.executeCommand<{ error?: string; summary: { firstErrorIndex: number } } | undefined>('stepcritic.critiqueFile');
  assert.equal(resumed?.error, undefined);
  assert.equal(resumed?.summary.firstErrorIndex, 2);
});

test('Explain opens the critique of a step as rendered Markdown', async () => {
  const editor = await open('arithmetic.solution.md');
  const uri = editor.document.uri;
  const diagnostic = await waitFor('the arithmetic diagnostic', () => stepcriticDiagnostics(uri).find((d) => codeOf(d) === 'arithmetic'));
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range);
  const explain = actions.find((a) => /explain/i.test(a.title));
  assert.ok(explain?.command, `an Explain action, got ${actions.map((a) => a.title).join(' | ')}`);
  await vscode.commands.executeCommand(explain.command.command, ...(explain.command.arguments ?? []));
  const tab = await waitFor('a tab showing the explanation', () =>
    vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .find(
        (t) =>
          /Step 3/.test(t.label) &&
          (t.input instanceof vscode.TabInputWebview || (t.input instanceof vscode.TabInputText && t.input.uri.scheme === 'stepcritic-view')),
      ),
  );
  await vscode.window.tabGroups.close(tab);
});

test('Show Report opens the HTML report of a CLI run in a webview with no network access', async () => {
  const report = fixture('stepcritic-report.html');
  assert.ok(existsSync(report.fsPath), 'the e2e run wrote a report with the CLI');
  const panel = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('stepcritic.showReport', report);
  assert.ok(panel, 'a webview panel');
  try {
    // Its own inline script (the table filter) may run in a trusted workspace; nothing may be fetched.
    assert.equal(panel.webview.options.enableScripts, true);
    assert.match(
      panel.webview.html,
      /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; script-src 'unsafe-inline';"/,
    );
    assert.doesNotMatch(panel.webview.html, /connect-src|http-equiv="Content-Security-Policy" content="[^"]*https?:/);
    assert.match(panel.webview.html, /arithmetic\.solution\.md/);
  } finally {
    panel.dispose();
  }
});

test('Show Report opens the report of the latest Critique Workspace run, with the verdicts the editor shows', async () => {
  const uri = fixture('arithmetic.solution.md');
  await open('arithmetic.solution.md');
  await settled(uri);
  const result = await vscode.commands.executeCommand<{ report?: string; cancelled: boolean } | undefined>('stepcritic.critiqueWorkspace');
  assert.ok(result?.report, 'the run wrote its report');
  assert.ok(!result.report.startsWith(workspaceRoot().fsPath), 'in the extension storage, not in the workspace');
  const panel = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('stepcritic.showReport');
  assert.ok(panel, 'a webview panel, without being asked which file');
  try {
    const html = panel.webview.html;
    const start = html.indexOf('<span class="name">arithmetic.solution.md</span>');
    assert.ok(start > 0, 'the open solution is in the report');
    const section = html.slice(start, html.indexOf('</details>', start));
    const reported = [...section.matchAll(/<li class="step v-(\w+)"/g)].map((m) => m[1]);
    const shown = api.stepStates(uri.toString())!.steps.map((s) => (s.state === 'accepted' ? 'correct' : s.state));
    assert.deepEqual(reported, shown);
  } finally {
    panel.dispose();
  }
});

test('a language server that dies is restarted, with a notice, and keeps working', async () => {
  const server = languageServerPid();
  if (server === undefined) return assert.fail('no language server process under this extension host');
  process.kill(server, 'SIGKILL');
  await waitFor('the notice about the restart', () => /restarting it \(1 of 4\)/.test(api.status().lastError ?? ''));
  await waitFor('a new server process', () => {
    const next = languageServerPid();
    return next !== undefined && next !== server;
  });
  await open('arithmetic.solution.md');
  const result = await vscode.commands.executeCommand<{ summary: { firstErrorIndex: number } } | undefined>('stepcritic.critiqueFile');
  assert.equal(result?.summary.firstErrorIndex, 2);
});

/** The language server: a child of this extension host running dist/server/main.js (Linux /proc). */
function languageServerPid(): number | undefined {
  if (!existsSync('/proc')) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== process.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('server/main.js')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile() && stat.size < 20_000_000) found.push(path);
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

export function run(): Promise<void> {
  return runAll('extension host (trusted)');
}
