// The run's throwaway copies of the fixture workspace and its scripted LLM servers, shared by the
// code-server run (run.ts) and the desktop run (desktop.ts).
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startProcess } from './processes';

export const repoRoot = resolve(__dirname, '..', '..', '..');
export const fixturesDir = join(repoRoot, 'test', 'e2e', 'fixtures');

export interface Workspace {
  dir: string;
  /** A file the code fixture writes when it is run (outside the workspace). */
  ranMarker: string;
}

/** A fresh copy of the fixture workspace (tests edit files), with the run's own paths filled in. */
export function makeWorkspace(work: string, name: string, workspaceSettings: Record<string, unknown>): Workspace {
  const dir = join(work, name);
  cpSync(join(fixturesDir, 'workspace'), dir, { recursive: true });
  const ranMarker = join(work, `${name}-ran-marker.txt`);
  const code = join(dir, 'code', 'total.py');
  writeFileSync(code, readFileSync(code, 'utf8').replace('{{RAN_MARKER}}', ranMarker));
  if (Object.keys(workspaceSettings).length > 0) {
    mkdirSync(join(dir, '.vscode'), { recursive: true });
    writeFileSync(join(dir, '.vscode', 'settings.json'), JSON.stringify(workspaceSettings, null, 2));
  }
  return { dir, ranMarker };
}

export interface LlmServer {
  baseUrl: string;
  /** One line per request (`POST /v1/chat/completions 200`). */
  log: string;
}

/** `apiKey`: the server answers 401 to a request without it (an endpoint that needs a key). */
export async function startLlmServer(work: string, name: string, options: { apiKey?: string } = {}): Promise<LlmServer> {
  const logFile = join(work, `${name}-requests.log`);
  const server = startProcess(
    `llm-${name}`,
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'test', 'e2e', 'support', 'e2e-llm-server.ts'),
      '--rules',
      join(fixturesDir, 'llm-rules.json'),
      '--log',
      logFile,
      ...(options.apiKey ? ['--api-key', options.apiKey] : []),
    ],
    { cwd: repoRoot, env: process.env, logFile: join(work, `${name}-llm-server.log`) },
  );
  const baseUrl = await server.firstLine;
  if (!/^http:\/\/127\.0\.0\.1:\d+\/v1$/.test(baseUrl)) throw new Error(`unexpected base URL from the scripted LLM server: ${baseUrl}`);
  return { baseUrl, log: logFile };
}

/** Settings of the workspace in the untrusted run: it asks for code to run and names its own endpoint. */
export function untrustedWorkspaceSettings(workspaceLlm: LlmServer): Record<string, unknown> {
  return { 'stepcritic.provider': 'custom', 'stepcritic.baseUrl': workspaceLlm.baseUrl, 'stepcritic.model': 'evil-model', 'stepcritic.runCodeTests': true };
}

/** The person's own settings: the critic is the scripted server. */
export function userLlmSettings(userLlm: LlmServer): Record<string, unknown> {
  return { 'stepcritic.provider': 'custom', 'stepcritic.baseUrl': userLlm.baseUrl, 'stepcritic.model': 'scripted-critic' };
}

export interface SuiteResult {
  suite: string;
  name: string;
  passed: boolean;
  durationMs: number;
  error?: string;
}

export function readResults(file: string): SuiteResult[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SuiteResult);
}
