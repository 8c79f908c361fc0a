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

const jointValue = async (name: string) => Number(await page.getByTestId(`joint-${name}`).textContent());

it('connects the UI to a ROS robot over rosbridge and teleoperates it', async () => {
  await page.goto(app.server.url);
  const ros = page.getByRole('radio', { name: /ROS robot/ });
  await expect.poll(() => ros.isEnabled(), { timeout: 20_000 }).toBe(true);
  await ros.check();
  await page.getByRole('button', { name: 'Serve the simulator over ROS' }).click();
  await page.getByText(/Simulated ROS robot at ws:\/\/127\.0\.0\.1:\d+/).waitFor({ timeout: 30_000 });
  expect(await page.getByLabel('ROS preset').inputValue()).toBe('pushcutSim');
  await page.getByRole('main').getByRole('button', { name: 'Connect', exact: true }).click();
  await expect
    .poll(() => page.getByTestId('connection-state').textContent(), { timeout: 30_000 })
    .toMatch(/^connected · ros/);
  await expect
    .poll(() => page.getByTestId('joint-elbow_flex').textContent(), { timeout: 15_000 })
    .not.toBe('—');
  const before = await jointValue('elbow_flex');

  // Teleoperate with the slider's keyboard control: the ROS robot follows.
  await page.getByTestId('slider-elbow_flex').focus();
  for (let i = 0; i < 40; i++) await page.keyboard.press('ArrowLeft');
  await expect.poll(() => jointValue('elbow_flex'), { timeout: 20_000 }).toBeLessThan(before - 10);
  await screenshot(page, 'connect-ros');
});
