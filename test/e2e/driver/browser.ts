// Headless Debian Chromium driven by playwright-core (no browser download), with the flags that
// work on these machines.
import type * as PlaywrightCore from 'playwright-core';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';

type Playwright = typeof PlaywrightCore;

function loadPlaywright(): Playwright {
  const require = createRequire(`${process.cwd()}/`);
  const fromCache = process.env.STEPCRITIC_E2E_PLAYWRIGHT;
  if (fromCache) {
    try {
      return require(fromCache) as Playwright;
    } catch {
      // fall back to the project's own copy
    }
  }
  return require('playwright-core') as Playwright;
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  const { chromium } = loadPlaywright();
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
