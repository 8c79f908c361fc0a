import { statSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, screenshot, startApp } from './harness';

let app: Awaited<ReturnType<typeof startApp>>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** The canvas API the test reads (tests are typechecked without the DOM library, like core/). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}

const jointValue = async (name: string) => Number(await page.getByTestId(`joint-${name}`).textContent());

it('connects the UI to the simulated arm, moves a joint with a slider and shows the cameras', async () => {
  await page.goto(app.server.url);
  await expect
    .poll(() => page.getByRole('radio', { name: /Simulator/ }).isEnabled(), { timeout: 20_000 })
    .toBe(true);
  await page.getByLabel('Task').selectOption({ index: 0 });
  await page.getByRole('main').getByRole('button', { name: 'Connect', exact: true }).click();
  await expect
    .poll(() => page.getByTestId('connection-state').textContent(), { timeout: 30_000 })
    .toMatch(/^connected/);
  await expect
    .poll(() => page.getByTestId('joint-shoulder_pan').textContent(), { timeout: 10_000 })
    .not.toBe('—');
  const before = await jointValue('shoulder_pan');

  // Drag the slider well away from where the arm is; the measured value must follow.
  const slider = page.getByTestId('slider-shoulder_pan');
  await slider.focus();
  for (let i = 0; i < 60; i++) await page.keyboard.press('ArrowRight');
  await expect.poll(() => jointValue('shoulder_pan'), { timeout: 15_000 }).toBeGreaterThan(before + 15);

  // Both camera feeds draw real pixels.
  for (const cam of ['front', 'wrist']) {
    const lit = await page.getByTestId(`camera-${cam}`).evaluate((el) => {
      const c = el as unknown as CanvasLike;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += d[i]! + d[i + 1]! + d[i + 2]!;
      return c.width > 1 && sum > 0;
    });
    expect(lit).toBe(true);
  }
  const shot = await screenshot(page, 'connect-sim');
  expect(statSync(shot).size).toBeGreaterThan(10_000);
});
