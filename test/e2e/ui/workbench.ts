// Moves in the workbench a person would make: Quick Open, the command palette, the Problems panel.
// Each waits for the list row it means to pick before pressing Enter (Quick Open filters
// asynchronously, and an early Enter opens the wrong entry).
import type { Page } from 'playwright-core';

export async function quickOpen(page: Page, fileName: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(fileName);
  await page.locator(`.quick-input-list .monaco-list-row.focused:has-text("${fileName}")`).waitFor();
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab.active:has-text("${fileName}")`).waitFor();
}

export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator(`.quick-input-list .monaco-list-row.focused:has-text("${title}")`).waitFor();
  await page.keyboard.press('Enter');
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

/** The text of the visible editor's lines (what the person reads). */
export async function editorText(page: Page): Promise<string> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('.editor-instance .monaco-editor .view-lines .view-line'))
      .map((l) => (l as HTMLElement).innerText.replace(/\u00a0/g, ' '))
      .join('\n'),
  );
}

/** Moves the mouse onto an element (the editor's overlays do not take pointer events themselves). */
export async function pointAt(page: Page, selector: string): Promise<{ x: number; y: number }> {
  // Monaco redraws its decorations now and then (after a hover closes, on a scroll): an element that
  // is there in a moment is not missing.
  const target = page.locator(selector).first();
  await target.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
  const box = await target.boundingBox();
  if (!box) throw new Error(`${selector} is not on screen`);
  const point = { x: box.x + Math.min(box.width / 2, 40), y: box.y + box.height / 2 };
  await page.mouse.move(point.x, point.y);
  return point;
}
