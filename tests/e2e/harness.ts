import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { rendererDir, serveWebMode } from '../../core/api/serve';

export const SCREENSHOTS = 'test-results/screenshots';

/** Debian's Chromium, headless, with no calls to Google's services (the network here is closed). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** The app in web mode on an ephemeral port, with the real Studio worker behind it. */
export async function startApp() {
  if (!existsSync(join(rendererDir(), 'index.html'))) {
    throw new Error('The UI is not built: run `npm run build` (npm test does it first)');
  }
  return serveWebMode({ port: 0 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface AppInBrowser {
  page: Page;
  url: string;
  close(): Promise<void>;
}

/** The app in web mode and a Chromium page on it (call from beforeAll; close in afterAll). */
export async function openApp(viewport = { width: 1280, height: 900 }): Promise<AppInBrowser> {
  const app = await startApp();
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport });
  return {
    page,
    url: app.server.url,
    close: async () => {
      await browser.close();
      await app.close();
    },
  };
}
