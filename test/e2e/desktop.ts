// The same extension-host suites in desktop VS Code, through @vscode/test-electron:
//   node --import tsx test/e2e/desktop.ts        (after `npm run build`)
// It downloads a VS Code build, so it runs on a developer's desktop, not on these machines
// (scripts/e2e/run.sh runs the suites in code-server instead). Like run.ts it starts the scripted
// LLM servers, gives each run a throwaway user-data dir and workspace copy, and ends with
// `N passed, N failed`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { runTests } from '@vscode/test-electron';
import { stopAll } from './driver/processes';
import { makeWorkspace, readResults, repoRoot, startLlmServer, untrustedWorkspaceSettings, userLlmSettings, type SuiteResult } from './driver/workspaces';

async function main(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'stepcritic-desktop-e2e-'));
  const suites = join(work, 'suites');
  await build({
    entryPoints: { trusted: join(repoRoot, 'test/e2e/suite/trusted.ts'), untrusted: join(repoRoot, 'test/e2e/suite/untrusted.ts') },
    outdir: suites,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    sourcemap: 'inline',
  });
  const [userLlm, workspaceLlm] = await Promise.all([startLlmServer(work, 'user'), startLlmServer(work, 'workspace')]);
  const results: SuiteResult[] = [];
  try {
    for (const trusted of [true, false]) {
      const name = trusted ? 'trusted' : 'untrusted';
      const workspace = makeWorkspace(work, `ws-${name}`, trusted ? {} : untrustedWorkspaceSettings(workspaceLlm));
      const userData = join(work, `user-data-${name}`);
      mkdirSync(join(userData, 'User'), { recursive: true });
      writeFileSync(
        join(userData, 'User', 'settings.json'),
        JSON.stringify({ ...userLlmSettings(userLlm), 'security.workspace.trust.startupPrompt': 'never' }, null, 2),
      );
      const resultsFile = join(work, `results-${name}.jsonl`);
      try {
        await runTests({
          extensionDevelopmentPath: repoRoot,
          extensionTestsPath: join(suites, `${name}.js`),
          launchArgs: [
            workspace.dir,
            '--user-data-dir',
            userData,
            '--extensions-dir',
            join(work, `extensions-${name}`),
            ...(trusted ? ['--disable-workspace-trust'] : []),
          ],
          extensionTestsEnv: {
            STEPCRITIC_E2E_RESULTS: resultsFile,
            STEPCRITIC_E2E_LLM_LOG: userLlm.log,
            STEPCRITIC_E2E_WORKSPACE_LLM_LOG: workspaceLlm.log,
            STEPCRITIC_E2E_USER_DATA: userData,
            STEPCRITIC_E2E_RAN_MARKER: workspace.ranMarker,
          },
        });
      } catch (error) {
        if (readResults(resultsFile).every((r) => r.passed))
          results.push({ suite: name, name: 'the suite ran to the end', passed: false, durationMs: 0, error: String(error) });
      }
      results.push(...readResults(resultsFile));
    }
  } finally {
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  }
  for (const r of results)
    process.stdout.write(`${r.passed ? 'ok    ' : 'FAILED'} ${r.suite}: ${r.name}${r.error ? `\n       ${r.error.split('\n')[0]}` : ''}\n`);
  const failed = results.filter((r) => !r.passed).length;
  process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    await stopAll();
    process.stdout.write(`desktop e2e: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
