import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, screenshot, startApp } from './harness';

const calibrationRoot = mkdtempSync(join(tmpdir(), 'pushcut-calib-'));
let app: Awaited<ReturnType<typeof startApp>>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  process.env.HF_LEROBOT_CALIBRATION = calibrationRoot;
  app = await startApp();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const jointValue = async (name: string) => Number(await page.getByTestId(`joint-${name}`).textContent());

it('connects the UI to the virtual SO-101 by its device path, calibrates it and moves it', {
  timeout: 180_000,
}, async () => {
  await page.goto(app.server.url);
  const feetech = page.getByRole('radio', { name: /Feetech bus/ });
  await expect.poll(() => feetech.isEnabled(), { timeout: 20_000 }).toBe(true);
  await feetech.check();
  await page.getByRole('button', { name: 'Start a virtual SO-101' }).click();
  await expect.poll(() => page.getByLabel('Serial port').inputValue(), { timeout: 20_000 }).toMatch(/^\/.+/);
  const devicePath = await page.getByLabel('Serial port').inputValue();
  await page.getByRole('main').getByRole('button', { name: 'Connect', exact: true }).click();
  await expect
    .poll(() => page.getByTestId('connection-state').textContent(), { timeout: 30_000 })
    .toMatch(/^connected · feetech/);

  const message = () => page.getByTestId('calibration-message').textContent();
  await page.getByRole('button', { name: 'Calibrate', exact: true }).click();
  await expect.poll(message, { timeout: 20_000 }).toMatch(/middle of its range/);
  await page.getByRole('button', { name: 'Set middle' }).click();
  await expect.poll(message, { timeout: 20_000 }).toMatch(/entire range/);
  await page.getByRole('button', { name: 'Sweep joints (virtual arm)' }).click();
  await page.getByRole('button', { name: 'Finish' }).click();
  await expect.poll(message, { timeout: 20_000 }).toMatch(/^Calibrated/);

  const file = join(calibrationRoot, 'robots', 'so_follower', 'pushcut_virtual.json');
  expect(existsSync(file)).toBe(true);
  expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')))).toContain('shoulder_pan');

  await expect
    .poll(() => page.getByTestId('joint-shoulder_pan').textContent(), { timeout: 15_000 })
    .not.toBe('—');
  const before = await jointValue('shoulder_pan');
  await page.getByTestId('slider-shoulder_pan').focus();
  for (let i = 0; i < 40; i++) await page.keyboard.press('ArrowRight');
  await expect.poll(() => jointValue('shoulder_pan'), { timeout: 20_000 }).toBeGreaterThan(before + 10);
  await screenshot(page, 'connect-serial');
  expect(devicePath).not.toBe('');
});
