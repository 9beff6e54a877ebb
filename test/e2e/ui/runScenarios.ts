// UI scenarios: what a person sees in the workbench, driven through headless Chromium with
// keyboard and mouse only (no test hooks). Each scenario saves a screenshot, also when it fails.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Scenario } from './scenarios';
import { dismissSaveDialog, editUserSettings, runCommand } from './workbench';

export interface ScenarioResult {
  name: string;
  passed: boolean;
  durationMs: number;
  error?: string;
}

export interface ScenarioContext {
  page: Page;
  workspace: string;
  /** Base URLs of the scripted endpoints: the user's, and one that answers 401 without an API key. */
  llm: { user: string; keyed: string };
  /** Saves `NN-name.png` into the run's screenshot folder (only the top `height` pixels when given). */
  screenshot(name: string, height?: number): Promise<void>;
  /** Changes the person's user settings (undefined removes a key) as a person does: in settings.json, saved. */
  userSettings(changes: Record<string, unknown>): Promise<void>;
}

export interface ScenarioRun {
  url: string;
  workspace: string;
  userSettingsFile: string;
  llm: ScenarioContext['llm'];
  screenshotDir: string;
  /** Screenshot names start with this, so that several runs share one folder. */
  prefix: string;
  scenarios: readonly Scenario[];
}

/** `STEPCRITIC_E2E_ONLY=text|other`: only the scenarios whose name contains one of them (for work on a few). */
function selected(scenarios: readonly Scenario[]): readonly Scenario[] {
  const only = process.env.STEPCRITIC_E2E_ONLY?.toLowerCase().split('|');
  return only ? scenarios.filter((s) => only.some((part) => s.name.toLowerCase().includes(part))) : scenarios;
}

export async function runScenarios(browser: Browser, run: ScenarioRun): Promise<ScenarioResult[]> {
  const { url, workspace, screenshotDir } = run;
  const context = await browser.newContext({
    viewport: { width: 1440, height: 860 },
    deviceScaleFactor: 1,
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  let shot = 0;
  const ctx: ScenarioContext = {
    page,
    workspace,
    llm: run.llm,
    userSettings: (changes) => editUserSettings(page, run.userSettingsFile, changes),
    screenshot: async (name, height) => {
      shot++;
      const viewport = page.viewportSize() ?? { width: 1440, height: 860 };
      await page.screenshot({
        path: join(screenshotDir, `${run.prefix}${String(shot).padStart(2, '0')}-${name}.png`),
        ...(height ? { clip: { x: 0, y: 0, width: viewport.width, height: Math.min(height, viewport.height) } } : {}),
      });
    },
  };
  const results: ScenarioResult[] = [];
  try {
    // The first load compiles and serves the whole workbench: minutes on a busy machine.
    await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`, { timeout: 180_000 });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 180_000 });
    for (const scenario of selected(run.scenarios)) {
      const started = Date.now();
      try {
        await scenario.run(ctx);
        results.push({ name: scenario.name, passed: true, durationMs: Date.now() - started });
      } catch (error) {
        await ctx.screenshot(`failed-${scenario.name.replace(/\W+/g, '-').toLowerCase()}`).catch(() => undefined);
        // Leave no menu, hover, diff or modal editor (settings.json: the palette does not open over it) for the next scenario.
        for (let i = 0; i < 3; i++) await page.keyboard.press('Escape').catch(() => undefined);
        await page.keyboard.press('Control+W').catch(() => undefined);
        await dismissSaveDialog(page, 2000);
        await runCommand(page, 'View: Close All Editors').catch(() => undefined);
        await dismissSaveDialog(page, 2000);
        await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
        results.push({ name: scenario.name, passed: false, durationMs: Date.now() - started, error: error instanceof Error ? error.message : String(error) });
      }
    }
  } finally {
    await context.close().catch(() => undefined);
  }
  return results;
}
