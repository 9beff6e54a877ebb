// The UI scenarios, in order (later ones build on the file the first one opened), then those of a
// new user's first hour (new-user-scenarios.ts), and those of an untrusted folder.
import { newUserScenarios, restrictedModeScenarios } from './new-user-scenarios';
import { editorText, gutterIcons, pointAt, quickOpen, runCommand, until, type Scenario } from './workbench';

export type { Scenario } from './workbench';

const basics: Scenario[] = [
  {
    name: 'an example opened: its wrong step is underlined and every step has a gutter icon',
    async run({ page, screenshot }) {
      await quickOpen(page, 'bands.solution.md');
      await page.locator('.editor-instance .monaco-editor .squiggly-error').first().waitFor();
      const icons = await until('four gutter icons, one per step', async () => {
        const found = await gutterIcons(page);
        return found.length >= 4 && !found.includes('judging') ? found : undefined;
      });
      if (icons.join(',') !== 'high,middle,low,downstream') throw new Error(`gutter icons: ${icons.join(',')}`);
      // The code lens above the problem sums the run up once it has finished.
      await until('the summary code lens', async () => {
        const lens = await page
          .locator('.editor-instance .monaco-editor .codelens-decoration')
          .first()
          .innerText()
          .catch(() => '');
        return /1 incorrect/.test(lens) && !/judging/.test(lens) ? lens : undefined;
      });
      await page.mouse.move(5, 700);
      await screenshot('example-gutter-icons');
    },
  },
  {
    name: 'the Problems panel lists the finding',
    async run({ page, screenshot }) {
      await page.keyboard.press('Control+Shift+M');
      const rows = page.locator('.markers-panel .monaco-list-row');
      await rows.first().waitFor();
      await until('a row about 140 / 2', async () => ((await rows.allInnerTexts()).some((t) => /should be 70/.test(t)) ? true : undefined));
      await screenshot('problems-panel');
      await page.keyboard.press('Control+Shift+M');
    },
  },
  {
    name: 'hovering the wrong step shows the verdict and where it came from',
    async run({ page, screenshot }) {
      await pointAt(page, '.editor-instance .monaco-editor .squiggly-error');
      const hover = page.locator('.monaco-hover:visible .monaco-hover-content, .monaco-hover:visible .hover-contents').first();
      await hover.waitFor({ state: 'visible' });
      await until('the hover text', async () => {
        const text = await hover.innerText();
        return /70/.test(text) ? text : undefined;
      });
      await screenshot('hover');
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'a quick fix (Fix arithmetic) changes the document',
    async run({ page, screenshot }) {
      // On the example's tab (a person clicks it if something else took the focus), at its top.
      await quickOpen(page, 'bands.solution.md');
      await page.keyboard.press('Control+Home');
      const point = await pointAt(page, '.editor-instance .monaco-editor .squiggly-error');
      await page.mouse.click(point.x, point.y);
      // The menu opens with its first entry focused; Enter picks it as a person would. The code
      // actions are asked for on the keystroke, so a first press can land before the editor is ready:
      // press again, as a person would.
      const fix = page.locator('.action-widget .monaco-list-row.focused:has-text("Fix arithmetic")').first();
      await until(
        'the quick fix menu',
        async () => {
          await page.keyboard.press('Control+.');
          return fix.waitFor({ timeout: 4000 }).then(
            () => true,
            () => undefined,
          );
        },
        20_000,
      );
      await screenshot('quick-fix-menu', 520);
      await page.keyboard.press('Enter');
      await until('the corrected value in the editor', async () => ((await editorText(page)).includes('140 / 2 = 70') ? true : undefined));
      await page.keyboard.press('Control+S');
      await until('the error underline to go', async () =>
        (await page.locator('.editor-instance .monaco-editor .squiggly-error').count()) === 0 ? true : undefined,
      );
      await screenshot('after-quick-fix');
    },
  },
  {
    name: 'the status bar item names the critic and opens the actions',
    async run({ page, screenshot }) {
      // The item shows while a solution is the active editor.
      await quickOpen(page, 'bands.solution.md');
      const item = page.locator('.statusbar-item:has-text("scripted-critic")').first();
      await item.waitFor();
      await item.click();
      await page.locator('.quick-input-list .monaco-list-row:has-text("Critique Workspace")').waitFor();
      await page.locator('.quick-input-list .monaco-list-row:has-text("Set API Key")').waitFor();
      await screenshot('status-actions');
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'the command palette runs Critique Workspace and reports in a notification',
    async run({ page, screenshot }) {
      await runCommand(page, 'Step Critic: Critique Workspace');
      const toast = page.locator('.notifications-toasts .notification-toast:has-text("Critiqued")');
      await toast.first().waitFor({ timeout: 60_000 });
      await screenshot('critique-workspace');
    },
  },
  {
    name: 'Show Report opens the report of that workspace run in a webview',
    async run({ page, screenshot }) {
      await runCommand(page, 'Step Critic: Show Report');
      await page.locator('.tab:has-text("Step Critic: workspace-")').first().waitFor({ timeout: 30_000 });
      const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      await frame.locator('#entries tbody tr').first().waitFor({ timeout: 30_000 });
      await screenshot('workspace-report');
    },
  },
];

export const scenarios: readonly Scenario[] = [...basics, ...newUserScenarios];
export const untrustedScenarios: readonly Scenario[] = restrictedModeScenarios;
