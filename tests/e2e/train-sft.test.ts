import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordExpertDemos } from '../../core/api/jobs/expert-demos';
import { readRun } from '../../core/api/training/runs';
import { launchBrowser, screenshot, startApp } from './harness';

const home = mkdtempSync(join(tmpdir(), 'pushcut-train-'));
let app: Awaited<ReturnType<typeof startApp>>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  process.env.PUSHCUT_HOME = home;
  await recordExpertDemos({
    root: join(home, 'datasets', 'demos'),
    tasks: ['press_button'],
    episodesPerTask: 2,
  });
  app = await startApp();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

it('trains SFT from the Train panel with a live loss curve, then RL from it; both runs land on disk', {
  timeout: 480_000,
}, async () => {
  await page.goto(app.server.url);
  await page.getByRole('navigation').getByRole('button', { name: 'Train', exact: true }).click();
  await expect
    .poll(() => page.getByLabel('Training dataset').inputValue(), { timeout: 20_000 })
    .toBe('demos');
  await page.getByLabel('Run name', { exact: true }).fill('first-sft');
  await page.getByLabel('Steps', { exact: true }).fill('12');
  await page.getByLabel('Batch size', { exact: true }).fill('8');
  await page.getByRole('button', { name: 'Start SFT' }).click();
  await page.getByTestId('loss-chart').waitFor({ timeout: 120_000 });
  await expect
    .poll(() => page.getByTestId('run-state-first-sft').textContent(), { timeout: 180_000 })
    .toBe('done');
  await screenshot(page, 'train-sft');
  const run = readRun('first-sft');
  expect(run?.state).toBe('done');
  expect(Number(run?.result?.finalLoss)).toBeLessThan(Number(run?.result?.firstLoss));

  // Press Train: GRPO from that SFT run, its rollouts recorded, the run listed when it ends.
  await expect.poll(() => page.getByLabel('RL from').inputValue()).toBe('first-sft');
  await page.getByLabel('RL run name').fill('first-rl');
  await page.getByLabel('Updates').fill('1');
  await page.getByLabel('Group size').fill('2');
  await page.getByLabel('Groups per batch').fill('1');
  await page.getByRole('main').getByRole('button', { name: 'Train', exact: true }).click();
  await expect
    .poll(() => page.getByTestId('run-state-first-rl').textContent(), { timeout: 240_000 })
    .toBe('done');
  expect(readRun('first-rl')).toMatchObject({ kind: 'rl', from: 'first-sft', dataset: 'first-rl-rollouts' });
});
