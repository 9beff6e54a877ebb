// Moves in the workbench a person would make: Quick Open, the command palette, the Problems panel.
// Each waits for the list row it means to pick before pressing Enter (Quick Open filters
// asynchronously, and an early Enter opens the wrong entry).
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { ScenarioContext } from './runScenarios';

export interface Scenario {
  name: string;
  run(ctx: ScenarioContext): Promise<void>;
}

/** Polls `probe` until it gives something (never a fixed sleep). */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined | false;
  while (Date.now() < deadline) {
    last = await probe();
    if (last !== undefined && last !== false) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** Opens `fileName` with Quick Open. While a dialog or an editor closing still holds the workbench, the
 * input does not take text yet; on a busy machine the file search answers late, and a click on a row
 * the list is redrawing opens nothing: a person presses Escape and tries again, and so does this. */
export async function quickOpen(page: Page, fileName: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator(`.quick-input-list .monaco-list-row:has-text("${fileName}")`).first();
  const tab = page.locator(`.tabs-container .tab.active:has-text("${fileName}")`);
  const within = (step: Promise<unknown>) =>
    step.then(
      () => true,
      () => false,
    );
  await until(
    `Quick Open opening "${fileName}"`,
    async () => {
      await page.keyboard.press('Control+P');
      const opened =
        (await within(input.fill(fileName, { timeout: 4000 }))) &&
        (await within(row.click({ timeout: 20_000 }))) &&
        (await within(tab.waitFor({ timeout: 10_000 })));
      if (!opened && (await input.isVisible())) await page.keyboard.press('Escape');
      return opened || undefined;
    },
    120_000,
  );
}

/** Runs a command from the palette. The palette lists what was registered when it opened: an
 * extension still starting adds its commands later, so a person closes it and tries again. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await pick(page, () => page.keyboard.press('F1'), `>${title}`, title);
}

/** Opens a quick pick with `open`, types `text`, moves the focus down to the row `label` (a longer title
 * may rank above it) and presses Enter. The pick closes when something else takes the focus (an editor
 * opening, a notification): then again. */
async function pick(page: Page, open: () => Promise<void>, text: string, label: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const rows = page.locator('.quick-input-list .monaco-list-row');
  const focused = rows.and(page.locator('.focused')).filter({ hasText: label });
  await until(
    `"${label}" in the quick pick`,
    async () => {
      await open();
      const listed =
        (await input.fill(text, { timeout: 4000 }).then(
          () => true,
          () => false,
        )) &&
        (await rows
          .filter({ hasText: label })
          .first()
          .waitFor({ timeout: 4000 })
          .then(
            () => true,
            () => false,
          ));
      for (let down = 0; listed && down < 8; down++) {
        if ((await focused.count()) > 0) return true;
        await page.keyboard.press('ArrowDown');
      }
      await page.keyboard.press('Escape');
      return undefined;
    },
    60_000,
  );
  await page.keyboard.press('Enter');
}

/** Changes the person's user settings (undefined removes a key) as a person does: in settings.json,
 * saved (code-server does not notice a file written behind its back). VS Code writes that file too (a
 * colour theme chosen a moment ago): an edit that is not on disk yet is made again on what is on disk
 * then. (Keys only: the settings editor opens as a modal, over which the command palette does not open.) */
export async function editUserSettings(page: Page, file: string, changes: Record<string, unknown>): Promise<void> {
  // It opens in a tab or, in this VS Code, in a modal editor over the workbench.
  await runCommand(page, 'Preferences: Open User Settings (JSON)');
  const editor = page.locator('.monaco-editor').filter({ has: page.locator('.view-line', { hasText: 'telemetry.telemetryLevel' }) });
  await editor.first().waitFor();
  await until(
    'settings.json saved',
    async () => {
      const onDisk = readSettings(file);
      if (!onDisk) return undefined; // read while VS Code writes it
      const wanted = { ...onDisk, ...changes };
      for (const [key, value] of Object.entries(changes)) if (value === undefined) delete wanted[key];
      // Pasted, not typed: typing lets the editor auto-close brackets and indent each line (a corrupt file).
      await page.evaluate((text) => navigator.clipboard.writeText(text), JSON.stringify(wanted, null, 2));
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Control+V');
      await page.keyboard.press('Control+S');
      const saved = await until('the edit on disk', async () => (hasSettings(readSettings(file), changes) ? true : undefined), 20_000).catch(() => false);
      return saved || undefined;
    },
    90_000,
  );
  await page.keyboard.press('Control+W');
  await until('settings.json closed', async () => {
    if ((await editor.count()) === 0) return true;
    await dismissSaveDialog(page);
    await page.keyboard.press('Escape');
    return undefined;
  });
}

function readSettings(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function hasSettings(settings: Record<string, unknown> | undefined, changes: Record<string, unknown>): boolean {
  return !!settings && Object.entries(changes).every(([key, value]) => JSON.stringify(settings[key]) === JSON.stringify(value));
}

/** A "save changes?" dialog left by a failed step would hold every later one: its edits are not kept. */
export async function dismissSaveDialog(page: Page, waitMs = 0): Promise<void> {
  const dialog = page.locator('.monaco-dialog-box');
  const shown = await dialog
    .first()
    .waitFor({ timeout: Math.max(1, waitMs) })
    .then(
      () => true,
      () => false,
    );
  if (!shown) return;
  await dialog
    .locator('.monaco-button', { hasText: /Don.t Save/ })
    .first()
    .click({ timeout: 5000 })
    .catch(() => undefined);
}

/** Chooses a colour theme as a person does (Preferences: Color Theme), by the label the picker shows. */
export async function chooseColourTheme(page: Page, label: string): Promise<void> {
  await pick(page, () => runCommand(page, 'Preferences: Color Theme'), label, label);
}

/** The gutter icons Step Critic drew in the visible editor: one entry per icon, the band from its file name. */
export async function gutterIcons(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const element of Array.from(document.querySelectorAll('.monaco-editor .margin *'))) {
      // The icon's URL is a resource URL with the path encoded in its query.
      const image = decodeURIComponent(getComputedStyle(element).backgroundImage);
      const match = /media\/gutter\/([a-z]+)-(?:light|dark|hc-dark|hc-light)\.svg/.exec(image);
      if (match) found.push(match[1]!);
    }
    return found;
  });
}

/** The text of the visible editor's lines (what the person reads); `editor` picks another editor (a side of a diff, the Output panel). */
export async function editorText(page: Page, editor = '.editor-instance .monaco-editor'): Promise<string> {
  return page.evaluate(
    (selector) =>
      Array.from(document.querySelectorAll(`${selector} .view-lines .view-line`))
        .map((l) => (l as HTMLElement).innerText.replace(/\u00a0/g, ' '))
        .join('\n'),
    editor,
  );
}

/** Moves the mouse onto an element (the editor's overlays do not take pointer events themselves). */
export async function pointAt(page: Page, selector: string): Promise<{ x: number; y: number }> {
  // Monaco redraws its decorations now and then (after a hover closes, on a scroll; on a busy machine
  // for seconds): an element that is there in a moment is not missing.
  const target = page.locator(selector).first();
  await target.waitFor({ state: 'visible', timeout: 30_000 }).catch(() => undefined);
  const box = await target.boundingBox();
  if (!box) throw new Error(`${selector} is not on screen`);
  const point = { x: box.x + Math.min(box.width / 2, 40), y: box.y + box.height / 2 };
  await page.mouse.move(point.x, point.y);
  return point;
}
