import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AppInBrowser, openApp, screenshot } from './harness';

const calibrationRoot = mkdtempSync(join(tmpdir(), 'pushcut-calib-'));
let ui: AppInBrowser;

beforeAll(async () => {
  process.env.HF_LEROBOT_CALIBRATION = calibrationRoot;
  ui = await openApp({ width: 1280, height: 1000 });
});
afterAll(() => ui?.close());

const jointValue = async (name: string) => Number(await ui.page.getByTestId(`joint-${name}`).textContent());

it('connects the UI to the virtual SO-101 by its device path, calibrates it and moves it', {
  timeout: 180_000,
}, async () => {
  await ui.page.goto(ui.url);
  const feetech = ui.page.getByRole('radio', { name: /Feetech bus/ });
  await expect.poll(() => feetech.isEnabled(), { timeout: 20_000 }).toBe(true);
  await feetech.check();
  await ui.page.getByRole('button', { name: 'Start a virtual SO-101' }).click();
  await expect
    .poll(() => ui.page.getByLabel('Serial port').inputValue(), { timeout: 20_000 })
    .toMatch(/^\/.+/);
  const devicePath = await ui.page.getByLabel('Serial port').inputValue();
  await ui.page.getByRole('main').getByRole('button', { name: 'Connect', exact: true }).click();
  await expect
    .poll(() => ui.page.getByTestId('connection-state').textContent(), { timeout: 30_000 })
    .toMatch(/^connected · feetech/);

  const message = () => ui.page.getByTestId('calibration-message').textContent();
  await ui.page.getByRole('button', { name: 'Calibrate', exact: true }).click();
  await expect.poll(message, { timeout: 20_000 }).toMatch(/middle of its range/);
  await ui.page.getByRole('button', { name: 'Set middle' }).click();
  await expect.poll(message, { timeout: 20_000 }).toMatch(/entire range/);
  await ui.page.getByRole('button', { name: 'Sweep joints (virtual arm)' }).click();
  await ui.page.getByRole('button', { name: 'Finish' }).click();
  await expect.poll(message, { timeout: 20_000 }).toMatch(/^Calibrated/);

  const file = join(calibrationRoot, 'robots', 'so_follower', 'pushcut_virtual.json');
  expect(existsSync(file)).toBe(true);
  expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')))).toContain('shoulder_pan');

  await expect
    .poll(() => ui.page.getByTestId('joint-shoulder_pan').textContent(), { timeout: 15_000 })
    .not.toBe('—');
  const before = await jointValue('shoulder_pan');
  await ui.page.getByTestId('slider-shoulder_pan').focus();
  for (let i = 0; i < 40; i++) await ui.page.keyboard.press('ArrowRight');
  await expect.poll(() => jointValue('shoulder_pan'), { timeout: 20_000 }).toBeGreaterThan(before + 10);
  await screenshot(ui.page, 'connect-serial');
  expect(devicePath).not.toBe('');
});
