// UI scenarios: what a person sees in the workbench, driven through headless Chromium with
// keyboard and mouse only (no test hooks). Each scenario saves a screenshot, also when it fails.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { scenarios } from './scenarios';

export interface ScenarioResult {
  name: string;
  passed: boolean;
  durationMs: number;
  error?: string;
}

export interface ScenarioContext {
  page: Page;
  workspace: string;
  /** Saves `NN-name.png` into the run's screenshot folder (only the top `height` pixels when given). */
  screenshot(name: string, height?: number): Promise<void>;
}

export async function runScenarios(browser: Browser, url: string, workspace: string, screenshotDir: string): Promise<ScenarioResult[]> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 860 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  let shot = 0;
  const ctx: ScenarioContext = {
    page,
    workspace,
    screenshot: async (name, height) => {
      shot++;
      const viewport = page.viewportSize() ?? { width: 1440, height: 860 };
      await page.screenshot({
        path: join(screenshotDir, `${String(shot).padStart(2, '0')}-${name}.png`),
        ...(height ? { clip: { x: 0, y: 0, width: viewport.width, height: Math.min(height, viewport.height) } } : {}),
      });
    },
  };
  const results: ScenarioResult[] = [];
  try {
    await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    for (const scenario of scenarios) {
      const started = Date.now();
      try {
        await scenario.run(ctx);
        results.push({ name: scenario.name, passed: true, durationMs: Date.now() - started });
      } catch (error) {
        await ctx.screenshot(`failed-${scenario.name.replace(/\W+/g, '-').toLowerCase()}`).catch(() => undefined);
        results.push({ name: scenario.name, passed: false, durationMs: Date.now() - started, error: error instanceof Error ? error.message : String(error) });
      }
    }
  } finally {
    await context.close().catch(() => undefined);
  }
  return results;
}
