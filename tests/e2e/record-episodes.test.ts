import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDataset } from '../../core/data';
import { type AppInBrowser, openApp, screenshot } from './harness';

const home = mkdtempSync(join(tmpdir(), 'pushcut-home-'));
let ui: AppInBrowser;

beforeAll(async () => {
  process.env.PUSHCUT_HOME = home;
  ui = await openApp({ width: 1400, height: 1000 });
});
afterAll(() => ui?.close());

const nav = (name: string) => ui.page.getByRole('navigation').getByRole('button', { name, exact: true });
const text = (id: string) => ui.page.getByTestId(id).textContent();
const frames = async () => Number(await ui.page.getByTestId('frame-count').textContent());

it('records two episodes in the simulator, plays one in the Episodes panel and relabels it on disk', async () => {
  await ui.page.goto(ui.url);
  await expect
    .poll(() => ui.page.getByRole('radio', { name: /Simulator/ }).isEnabled(), { timeout: 20_000 })
    .toBe(true);
  await ui.page.getByRole('main').getByRole('button', { name: 'Connect', exact: true }).click();
  await expect
    .poll(() => ui.page.getByTestId('connection-state').textContent(), { timeout: 30_000 })
    .toMatch(/^connected/);

  await nav('Teleop & Record').click();
  await ui.page.getByLabel('Dataset name').fill('e2e');
  await ui.page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect.poll(() => text('dataset-open'), { timeout: 10_000 }).toContain('e2e');

  // Episode 0: keyboard teleop while recording, ended with → (LeRobot's key).
  await ui.page.getByRole('button', { name: 'Start episode' }).click();
  await expect.poll(frames, { timeout: 10_000 }).toBeGreaterThan(5);
  for (let i = 0; i < 5; i++) await ui.page.keyboard.press('q');
  await expect.poll(frames, { timeout: 10_000 }).toBeGreaterThan(30);
  await ui.page.keyboard.press('ArrowRight');
  await ui.page.getByTestId('reset-timer').waitFor({ timeout: 10_000 });

  // Episode 1: ended as a success with the button.
  await ui.page.getByRole('button', { name: 'Start episode' }).click();
  await expect.poll(frames, { timeout: 10_000 }).toBeGreaterThan(20);
  await ui.page.getByRole('button', { name: 'End: success' }).click();
  await expect.poll(() => text('dataset-open'), { timeout: 10_000 }).toContain('2 episodes');

  await nav('Episodes').click();
  await ui.page.getByTestId('episode-row-1').waitFor({ timeout: 10_000 });
  await expect.poll(() => text('episode-outcome-1')).toBe('success');
  await ui.page.getByTestId('episode-row-0').click();
  await ui.page.getByTestId('episode-player').waitFor();
  await expect
    .poll(
      () =>
        ui.page
          .getByTestId('video-front')
          .evaluate((v) => (v as unknown as { readyState: number }).readyState),
      {
        timeout: 15_000,
      },
    )
    .toBeGreaterThanOrEqual(2);
  await ui.page.getByTestId('play').click();
  await expect
    .poll(async () => Number((await ui.page.getByTestId('frame-index').textContent())?.split('/')[0]), {
      timeout: 10_000,
    })
    .toBeGreaterThan(5);

  await ui.page.getByTestId('label-false').click();
  await expect.poll(() => text('episode-outcome-0'), { timeout: 10_000 }).toBe('failure');
  await screenshot(ui.page, 'episodes-panel');

  const reader = await openDataset(join(home, 'datasets', 'e2e'));
  const eps = reader.listEpisodes();
  expect(eps.map((e) => e.success)).toEqual([false, true]);
  expect(eps[0]!.length).toBeGreaterThan(30);
});
