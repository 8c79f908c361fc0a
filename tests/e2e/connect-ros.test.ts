import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AppInBrowser, openApp, screenshot } from './harness';

let ui: AppInBrowser;

beforeAll(async () => {
  ui = await openApp({ width: 1280, height: 900 });
});
afterAll(() => ui?.close());

const jointValue = async (name: string) => Number(await ui.page.getByTestId(`joint-${name}`).textContent());

it('connects the UI to a ROS robot over rosbridge and teleoperates it', async () => {
  await ui.page.goto(ui.url);
  const ros = ui.page.getByRole('radio', { name: /ROS robot/ });
  await expect.poll(() => ros.isEnabled(), { timeout: 20_000 }).toBe(true);
  await ros.check();
  await ui.page.getByRole('button', { name: 'Serve the simulator over ROS' }).click();
  await ui.page.getByText(/Simulated ROS robot at ws:\/\/127\.0\.0\.1:\d+/).waitFor({ timeout: 30_000 });
  expect(await ui.page.getByLabel('ROS preset').inputValue()).toBe('pushcutSim');
  await ui.page.getByRole('main').getByRole('button', { name: 'Connect', exact: true }).click();
  await expect
    .poll(() => ui.page.getByTestId('connection-state').textContent(), { timeout: 30_000 })
    .toMatch(/^connected · ros/);
  await expect
    .poll(() => ui.page.getByTestId('joint-elbow_flex').textContent(), { timeout: 15_000 })
    .not.toBe('—');
  const before = await jointValue('elbow_flex');

  // Teleoperate with the slider's keyboard control: the ROS robot follows.
  await ui.page.getByTestId('slider-elbow_flex').focus();
  for (let i = 0; i < 40; i++) await ui.page.keyboard.press('ArrowLeft');
  await expect.poll(() => jointValue('elbow_flex'), { timeout: 20_000 }).toBeLessThan(before - 10);
  await screenshot(ui.page, 'connect-ros');
});
