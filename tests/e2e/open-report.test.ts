import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AppInBrowser, openApp } from './harness';

const home = mkdtempSync(join(tmpdir(), 'pushcut-open-report-'));
let ui: AppInBrowser;

beforeAll(async () => {
  process.env.PUSHCUT_HOME = home;
  const run = (name: string, report: boolean) => {
    mkdirSync(join(home, 'runs', name), { recursive: true });
    writeFileSync(
      join(home, 'runs', name, 'run.json'),
      JSON.stringify({ name, kind: 'rl', createdAt: new Date().toISOString(), state: 'done', config: {} }),
    );
    if (report)
      writeFileSync(join(home, 'runs', name, 'report.html'), '<!doctype html><h1>Robot RL report</h1>');
  };
  run('robot-rl', true);
  run('plain-rl', false);
  ui = await openApp({ width: 1400, height: 1000 });
}, 120_000);
afterAll(() => ui?.close());

it('opens a run report from the Train panel; runs without one show no link', {
  timeout: 120_000,
}, async () => {
  await ui.page.goto(ui.url);
  await ui.page.getByRole('navigation').getByRole('button', { name: 'Train', exact: true }).click();
  await ui.page.getByTestId('run-state-robot-rl').waitFor({ timeout: 30_000 });
  const links = ui.page.getByRole('link', { name: 'Open report' });
  await expect.poll(() => links.count()).toBe(1);
  const [popup] = await Promise.all([ui.page.waitForEvent('popup'), links.first().click()]);
  await popup.waitForLoadState();
  expect(await popup.locator('h1').textContent()).toBe('Robot RL report');
  expect(popup.url()).toMatch(/\/runs\/robot-rl\/report\?token=/);
});
