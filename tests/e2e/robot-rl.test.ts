import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JobInfo } from '../../core/api/contract';
import { defaultProviders } from '../../core/api/default-providers';
import { recordExpertDemos } from '../../core/api/jobs/expert-demos';
import { Studio } from '../../core/api/studio';
import { openDataset } from '../../core/data';
import { calibrationPath, saveCalibration } from '../../core/hardware/arms/calibration';
import { virtualSo101Calibration } from '../../core/hardware/serial';
import { type AppInBrowser, openApp, screenshot } from './harness';

const home = mkdtempSync(join(tmpdir(), 'pushcut-e2e-robot-rl-'));
const calib = mkdtempSync(join(tmpdir(), 'pushcut-e2e-robot-rl-calib-'));
let ui: AppInBrowser;

beforeAll(async () => {
  process.env.PUSHCUT_HOME = home;
  process.env.HF_LEROBOT_CALIBRATION = calib;
  // the virtual arm was calibrated before, under the id the Connect panel gives it
  saveCalibration(calibrationPath('robots', 'so_follower', 'pushcut_virtual'), virtualSo101Calibration());
  await recordExpertDemos({
    root: join(home, 'datasets', 'demos'),
    tasks: ['press_button'],
    episodesPerTask: 2,
  });
  const studio = new Studio({ shell: 'test', version: '0', providers: defaultProviders() });
  const done = new Promise<JobInfo>((resolve) =>
    studio.on('job', (j) => {
      if (j.state !== 'running') resolve(j);
    }),
  );
  await studio.invoke('train.sft', { dataset: 'demos', run: 'sft', steps: 4, batchSize: 8 });
  expect((await done).state).toBe('done');
  await studio.close();
  ui = await openApp({ width: 1400, height: 1000 });
}, 180_000);
afterAll(async () => {
  await ui?.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(calib, { recursive: true, force: true });
});

it('runs RL on the virtual SO-101 from the keyboard: Enter, T, S, F, Space; rollouts on disk', {
  timeout: 180_000,
}, async () => {
  const { page } = ui;
  await page.goto(ui.url);
  const feetech = page.getByRole('radio', { name: /Feetech bus/ });
  await expect.poll(() => feetech.isEnabled(), { timeout: 20_000 }).toBe(true);
  await feetech.check();
  await page.getByRole('button', { name: 'Start a virtual SO-101' }).click();
  await expect.poll(() => page.getByLabel('Serial port').inputValue(), { timeout: 20_000 }).toMatch(/pty/);
  await page.getByRole('main').getByRole('button', { name: 'Connect', exact: true }).click();
  await expect
    .poll(() => page.getByTestId('connection-state').textContent(), { timeout: 30_000 })
    .toMatch(/^connected · feetech/);

  await page.getByRole('navigation').getByRole('button', { name: 'RL on the robot' }).click();
  await expect.poll(() => page.getByLabel('SFT run').inputValue(), { timeout: 20_000 }).toBe('sft');
  await page.getByLabel('Group size').fill('2');
  await page.getByLabel('Time limit (s)').fill('1');
  await page.getByRole('button', { name: 'Start RL on the robot' }).click();
  const prompt = () => page.getByTestId('robot-rl-prompt').textContent();
  await expect.poll(() => page.getByTestId('robot-rl-instruction').textContent()).toBe('press the button');
  await page.getByRole('heading', { name: 'RL on the robot' }).click(); // keys go to the page, not a field

  // episode 1: Enter starts it, T takes over and hands back, S ends it as a success
  await expect.poll(prompt, { timeout: 20_000 }).toMatch(/Reset the scene, then press Enter/);
  await page.keyboard.press('Enter');
  await expect.poll(prompt, { timeout: 20_000 }).toMatch(/^Running/);
  await page.keyboard.press('t');
  await expect.poll(prompt).toMatch(/You have the arm/);
  await page.waitForTimeout(200);
  await page.keyboard.press('t');
  await expect.poll(prompt).toMatch(/^Running/);
  await page.keyboard.press('s');

  // episode 2 runs to its time limit; F answers the label prompt; the update follows
  await expect.poll(prompt, { timeout: 20_000 }).toMatch(/Reset the scene/);
  await page.keyboard.press('b'); // a pedal sends B
  await expect.poll(prompt, { timeout: 20_000 }).toMatch(/Label this episode/);
  await page.keyboard.press('f');
  await expect.poll(() => page.getByTestId('robot-rl-version').textContent(), { timeout: 60_000 }).toBe('1');

  // episode 3: Space is the e-stop here too
  await expect.poll(prompt, { timeout: 20_000 }).toMatch(/Reset the scene/);
  await page.keyboard.press('Enter');
  await expect.poll(prompt, { timeout: 20_000 }).toMatch(/^Running/);
  await page.keyboard.press('Space');
  await expect.poll(prompt, { timeout: 20_000 }).toMatch(/E-stop is active/);
  const rows = page.getByTestId('robot-rl-episodes').locator('tbody tr');
  await expect.poll(() => rows.count()).toBe(3);
  await expect.poll(() => rows.nth(2).textContent()).toMatch(/failuree-stop/);
  await screenshot(page, 'robot-rl');

  await page.getByRole('button', { name: 'Stop session' }).click();
  await expect
    .poll(() => page.getByTestId('robot-rl-summary').textContent(), { timeout: 30_000 })
    .toMatch(/3 episodes, policy version 1/);
  const eps = (await openDataset(join(home, 'datasets', 'sft-robot-rl'))).listEpisodes();
  expect(eps.map((e) => e.success)).toEqual([true, false, false]);
  expect(eps[0]?.tags).toContain('intervention');
  expect(eps.every((e) => e.source === 'rollout')).toBe(true);
});
