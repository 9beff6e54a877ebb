// code-server (VS Code served to a browser, its extension host in Node on this machine), started
// on a free loopback port with a throwaway user-data dir, as REAL-VSCODE.md describes.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../support/free-port';
import { startProcess, type Started } from './processes';

const run = promisify(execFile);

export interface Tools {
  /** Node 24, which code-server needs. */
  node: string;
  /** code-server's entry script (out/node/entry.js). */
  codeServer: string;
  chromium: string;
}

export interface CodeServerOptions {
  name: string;
  /** A throwaway folder for this instance: user data, XDG dirs, logs. */
  workDir: string;
  extensionsDir: string;
  workspace: string;
  /** false: workspace trust is on, and a fresh user-data dir has never trusted the folder. */
  trustWorkspace: boolean;
  /** The smoke-test driver lets extension tests run from the URL payload (it hides dialogs). */
  smokeTestDriver: boolean;
  userSettings: Record<string, unknown>;
  env?: Record<string, string>;
}

export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  process: Started;
  stop(): Promise<void>;
}

export const baseUserSettings = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.startupPrompt': 'never',
  'git.enabled': false,
  'files.autoSave': 'off',
};

function environment(tools: Tools, workDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Its own temporary folder: what the extension puts there (the example's scratch copy) starts fresh each run.
  mkdirSync(join(workDir, 'tmp'), { recursive: true });
  return {
    ...process.env,
    TMPDIR: join(workDir, 'tmp'),
    XDG_CONFIG_HOME: join(workDir, 'xdg', 'config'),
    XDG_DATA_HOME: join(workDir, 'xdg', 'data'),
    XDG_CACHE_HOME: join(workDir, 'xdg', 'cache'),
    PATH: `${join(tools.node, '..')}:${process.env.PATH ?? ''}`,
    ...extra,
  };
}

/** Installs a .vsix into an extensions dir, exactly as a person would with `--install-extension`. */
export async function installVsix(tools: Tools, vsix: string, extensionsDir: string, workDir: string): Promise<string> {
  mkdirSync(extensionsDir, { recursive: true });
  const { stdout, stderr } = await run(
    tools.node,
    [tools.codeServer, '--user-data-dir', join(workDir, 'install-ud'), '--extensions-dir', extensionsDir, '--install-extension', vsix],
    { env: environment(tools, workDir), timeout: 120_000 },
  );
  const said = `${stdout}\n${stderr}`;
  if (!/successfully installed|was successfully/i.test(said)) throw new Error(`installing ${vsix} failed:\n${said}`);
  return said.trim();
}

async function waitForHealth(url: string, started: Started, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`${started.name} exited with code ${started.child.exitCode}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${started.name} did not answer /healthz within ${timeoutMs} ms`);
}

export async function startCodeServer(tools: Tools, options: CodeServerOptions): Promise<CodeServer> {
  const userDataDir = join(options.workDir, 'user-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...baseUserSettings, ...options.userSettings }, null, 2));
  const port = await freePort();
  const args = [
    tools.codeServer,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    options.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--disable-proxy',
    ...(options.trustWorkspace ? ['--disable-workspace-trust'] : []),
    ...(options.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    options.workspace,
  ];
  const started = startProcess(options.name, tools.node, args, {
    env: environment(tools, options.workDir, options.env),
    cwd: options.workDir,
    logFile: join(options.workDir, 'code-server.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, started, 60_000);
  } catch (error) {
    await started.stop();
    throw error;
  }
  return { url, port, userDataDir, process: started, stop: () => started.stop() };
}
