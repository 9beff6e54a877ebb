// The end-to-end run (scripts/e2e/run.sh calls this after building and packaging):
//   1. starts two scripted LLM servers on 127.0.0.1 — "the user's endpoint" and "the workspace's";
//   2. installs the packaged .vsix into a throwaway extensions dir with code-server;
//   3. runs the extension-host suite in a trusted workspace, then in an untrusted one;
//   4. runs the UI scenarios in headless Chromium, saving screenshots;
// and ends with `N passed, N failed`. Every process it starts is stopped by its PID.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './driver/browser';
import { installVsix, startCodeServer, type Tools } from './driver/codeServer';
import { runExtensionHostSuite } from './driver/extensionHost';
import { stopAll } from './driver/processes';
import {
  makeWorkspace,
  readResults,
  repoRoot,
  startLlmServer,
  untrustedWorkspaceSettings,
  userLlmSettings,
  type LlmServer,
  type SuiteResult,
} from './driver/workspaces';
import { runScenarios, type ScenarioResult, type ScenarioRun } from './ui/runScenarios';
import { scenarios, untrustedScenarios, type Scenario } from './ui/scenarios';

type Result = SuiteResult;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run scripts/e2e/setup.sh and source its env.sh (run.sh does)`);
  return value;
}

/** An HTML report made by the CLI (`check --run-log`, then `report --format html`) for Show Report. */
function writeCliReport(workspace: string, work: string): void {
  const cli = join(repoRoot, 'bin', 'stepcritic.js');
  const runLog = join(work, 'run.jsonl');
  const check = spawnSync(process.execPath, [cli, 'check', workspace, '--run-log', runLog, '--fail-on', 'never'], {
    encoding: 'utf8',
    env: { ...process.env, STEPCRITIC_API_KEY: '', OPENAI_API_KEY: '' },
  });
  const report = spawnSync(process.execPath, [cli, 'report', runLog, '--format', 'html', '--out', join(workspace, 'stepcritic-report.html')], {
    encoding: 'utf8',
  });
  if (check.status !== 0 || report.status !== 0) log(`the CLI report was not written: ${check.stderr}${report.stderr}`);
}

function log(message: string): void {
  process.stdout.write(`[e2e ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** What every run needs: its name, the scratch folder, the installed extension, the user's endpoint and trust. */
interface RunOptions {
  name: string;
  work: string;
  extensionsDir: string;
  userLlm: LlmServer;
  trusted: boolean;
}

async function extensionHostRun(
  tools: Tools,
  browser: Browser,
  options: RunOptions & { extensionDir: string; entry: string; workspaceLlm: LlmServer },
): Promise<Result[]> {
  const workspace = makeWorkspace(options.work, `ws-${options.name}`, options.trusted ? {} : untrustedWorkspaceSettings(options.workspaceLlm));
  if (options.trusted) writeCliReport(workspace.dir, options.work);
  const serverDir = join(options.work, `cs-${options.name}`);
  mkdirSync(serverDir, { recursive: true });
  const resultsFile = join(options.work, `results-${options.name}.jsonl`);
  const server = await startCodeServer(tools, {
    name: `code-server (${options.name})`,
    workDir: serverDir,
    extensionsDir: options.extensionsDir,
    workspace: workspace.dir,
    trustWorkspace: options.trusted,
    smokeTestDriver: true,
    userSettings: userLlmSettings(options.userLlm),
    env: {
      STEPCRITIC_E2E_RESULTS: resultsFile,
      STEPCRITIC_E2E_LLM_LOG: options.userLlm.log,
      STEPCRITIC_E2E_WORKSPACE_LLM_LOG: options.workspaceLlm.log,
      STEPCRITIC_E2E_USER_DATA: join(serverDir, 'user-data'),
      STEPCRITIC_E2E_RAN_MARKER: workspace.ranMarker,
    },
  });
  log(`${options.name}: code-server on ${server.url} (pid ${server.process.pid})`);
  try {
    const run = await runExtensionHostSuite(browser, server, {
      extensionDir: options.extensionDir,
      testsEntry: options.entry,
      workspace: workspace.dir,
      logFile: join(out, `extension-host-${options.name}.log`),
      timeoutMs: 8 * 60_000,
    });
    const results = readResults(resultsFile);
    log(`${options.name}: exit code ${run.exitCode} after ${(run.durationMs / 1000).toFixed(1)} s`);
    if (run.exitCode !== 0 && !results.some((r) => !r.passed)) {
      results.push({
        suite: options.name,
        name: 'the suite ran to the end',
        passed: false,
        durationMs: run.durationMs,
        error: `exit code ${run.exitCode}; see ${out}/extension-host-${options.name}.log`,
      });
    }
    if (results.length === 0)
      results.push({ suite: options.name, name: 'the suite ran', passed: false, durationMs: run.durationMs, error: 'no test reported a result' });
    return results;
  } catch (error) {
    return [...readResults(resultsFile), { suite: options.name, name: 'the suite ran to the end', passed: false, durationMs: 0, error: String(error) }];
  } finally {
    await server.stop();
    cpSync(join(serverDir, 'code-server.log'), join(out, `code-server-${options.name}.log`));
    const logs = join(serverDir, 'user-data', 'logs');
    if (existsSync(logs)) cpSync(logs, join(out, `logs-${options.name}`), { recursive: true });
  }
}

/** The UI scenarios in one workspace (trusted or not), in headless Chromium, with screenshots. */
async function uiRun(
  tools: Tools,
  browser: Browser,
  options: RunOptions & { workspaceSettings: Record<string, unknown>; llm: ScenarioRun['llm']; scenarios: readonly Scenario[] },
): Promise<Result[]> {
  const workspace = makeWorkspace(options.work, `ws-${options.name}`, options.workspaceSettings);
  const serverDir = join(options.work, `cs-${options.name}`);
  mkdirSync(serverDir, { recursive: true });
  const server = await startCodeServer(tools, {
    name: `code-server (${options.name})`,
    workDir: serverDir,
    extensionsDir: options.extensionsDir,
    workspace: workspace.dir,
    trustWorkspace: options.trusted,
    smokeTestDriver: false,
    userSettings: {
      ...userLlmSettings(options.userLlm),
      'stepcritic.display.inlineText': true,
      'workbench.colorTheme': 'Light Modern',
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'editor.minimap.enabled': false,
      'editor.occurrencesHighlight': 'off',
      'editor.fontSize': 15,
      'window.commandCenter': false,
    },
  });
  log(`${options.name}: code-server on ${server.url} (pid ${server.process.pid})`);
  try {
    const scenarioResults: ScenarioResult[] = await runScenarios(browser, {
      url: server.url,
      workspace: workspace.dir,
      userSettingsFile: join(server.userDataDir, 'User', 'settings.json'),
      llm: options.llm,
      screenshotDir: join(out, 'screenshots'),
      prefix: options.name === 'ui' ? '' : `${options.name}-`,
      scenarios: options.scenarios,
    });
    return scenarioResults.map((r) => ({ suite: options.name, ...r }));
  } finally {
    await server.stop();
    cpSync(join(serverDir, 'code-server.log'), join(out, `code-server-${options.name}.log`));
  }
}

const out = resolve(arg('--out') ?? join(repoRoot, 'test-results', 'e2e'));

async function main(): Promise<number> {
  const started = Date.now();
  const vsix = resolve(arg('--vsix') ?? '');
  const suites = resolve(arg('--suites') ?? '');
  const only = arg('--only');
  if (!existsSync(vsix)) throw new Error(`no .vsix at ${vsix}`);
  const tools: Tools = {
    node: required('STEPCRITIC_E2E_NODE'),
    codeServer: join(required('STEPCRITIC_E2E_CODE_SERVER'), '..', '..', 'code-server', 'out', 'node', 'entry.js'),
    chromium: required('STEPCRITIC_E2E_CHROMIUM'),
  };
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'screenshots'), { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'stepcritic-e2e-'));
  log(`work dir ${work}; results in ${out}`);

  const results: Result[] = [];
  let browser: Browser | undefined;
  try {
    const [userLlm, workspaceLlm] = await Promise.all([startLlmServer(work, 'user'), startLlmServer(work, 'workspace')]);
    log(`scripted LLM servers: user ${userLlm.baseUrl}, workspace ${workspaceLlm.baseUrl}`);

    const extensionsDir = join(work, 'extensions');
    log(await installVsix(tools, vsix, extensionsDir, work));
    const installed = readdirSync(extensionsDir).find((d) => d.startsWith('stepcritic.stepcritic-'));
    if (!installed) throw new Error(`the .vsix did not install into ${extensionsDir}`);
    const extensionDir = join(extensionsDir, installed);
    results.push({ suite: 'packaging', name: 'the .vsix installs with --install-extension', passed: true, durationMs: 0 });

    browser = await launchChromium(tools.chromium);
    const common = { work, extensionsDir, extensionDir, userLlm, workspaceLlm };
    if (!only || only === 'ext') {
      results.push(...(await extensionHostRun(tools, browser, { ...common, name: 'trusted', entry: join(suites, 'trusted.js'), trusted: true })));
      results.push(...(await extensionHostRun(tools, browser, { ...common, name: 'untrusted', entry: join(suites, 'untrusted.js'), trusted: false })));
    }
    if (!only || only === 'ui') {
      const keyedLlm = await startLlmServer(work, 'keyed', { apiKey: `sk-e2e-keyed-${process.pid}` });
      const llm = { user: userLlm.baseUrl, keyed: keyedLlm.baseUrl };
      results.push(...(await uiRun(tools, browser, { ...common, name: 'ui', trusted: true, workspaceSettings: {}, llm, scenarios })));
      results.push(
        ...(await uiRun(tools, browser, {
          ...common,
          name: 'ui-untrusted',
          trusted: false,
          workspaceSettings: untrustedWorkspaceSettings(workspaceLlm),
          llm,
          scenarios: untrustedScenarios,
        })),
      );
    }
  } catch (error) {
    results.push({
      suite: 'e2e',
      name: 'the run completed',
      passed: false,
      durationMs: 0,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  } finally {
    await browser?.close().catch(() => undefined);
    await stopAll();
    for (const name of ['user-requests.log', 'workspace-requests.log', 'keyed-requests.log', 'user-llm-server.log']) {
      if (existsSync(join(work, name))) cpSync(join(work, name), join(out, name));
    }
    if (!process.env.STEPCRITIC_E2E_KEEP) rmSync(work, { recursive: true, force: true });
  }

  for (const r of results) {
    process.stdout.write(`${r.passed ? 'ok    ' : 'FAILED'} ${r.suite}: ${r.name} (${(r.durationMs / 1000).toFixed(1)} s)\n`);
    if (!r.passed && r.error) process.stdout.write(`       ${r.error.split('\n').slice(0, 8).join('\n       ')}\n`);
  }
  const failed = results.filter((r) => !r.passed).length;
  log(`finished in ${((Date.now() - started) / 1000).toFixed(0)} s; logs and screenshots in ${out}`);
  process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    await stopAll();
    process.stdout.write(`e2e: ${error instanceof Error ? error.message : String(error)}\n0 passed, 1 failed\n`);
    process.exit(1);
  },
);
