// Runs an extension-host test suite inside code-server: the workbench is opened with the
// `extensionDevelopmentPath` / `extensionTestsPath` payload (as @vscode/test-electron does on a
// desktop), the suite's `run()` runs in the real extension host, and the smoke-test driver hands
// its exit code to `codeAutomationExit`.
import { appendFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { CodeServer } from './codeServer';

export interface SuiteRun {
  exitCode: number;
  durationMs: number;
}

export async function runExtensionHostSuite(
  browser: Browser,
  server: CodeServer,
  options: { extensionDir: string; testsEntry: string; workspace: string; logFile: string; timeoutMs: number },
): Promise<SuiteRun> {
  const remote = (path: string) => `vscode-remote://127.0.0.1:${server.port}${path}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(options.extensionDir)],
    ['extensionTestsPath', remote(options.testsEntry)],
  ]);
  const url = `${server.url}/?folder=${encodeURIComponent(options.workspace)}&payload=${encodeURIComponent(payload)}`;
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const started = Date.now();
  page.on('console', (message) => appendFileSync(options.logFile, `[${message.type()}] ${message.text()}\n`));
  page.on('pageerror', (error) => appendFileSync(options.logFile, `[pageerror] ${error.message}\n`));
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the suite did not finish within ${options.timeoutMs} ms`)), options.timeoutMs);
      void page
        .exposeFunction('codeAutomationExit', (code: number) => {
          clearTimeout(timer);
          resolve(code);
        })
        .then(() => page.goto(url))
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
    });
    return { exitCode, durationMs: Date.now() - started };
  } finally {
    await context.close().catch(() => undefined);
  }
}
