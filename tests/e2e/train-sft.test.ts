import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordExpertDemos } from '../../core/api/jobs/expert-demos';
import { readRun, runDir } from '../../core/api/training/runs';
import { type AppInBrowser, openApp, screenshot } from './harness';

const home = mkdtempSync(join(tmpdir(), 'pushcut-train-'));
let ui: AppInBrowser;

beforeAll(async () => {
  process.env.PUSHCUT_HOME = home;
  await recordExpertDemos({
    root: join(home, 'datasets', 'demos'),
    tasks: ['press_button'],
    episodesPerTask: 2,
  });
  ui = await openApp({ width: 1400, height: 1000 });
}, 180_000);
afterAll(() => ui?.close());

it('trains SFT from the Train panel with a live loss curve, then RL from it; both runs land on disk', {
  timeout: 480_000,
}, async () => {
  await ui.page.goto(ui.url);
  await ui.page.getByRole('navigation').getByRole('button', { name: 'Train', exact: true }).click();
  await expect
    .poll(() => ui.page.getByLabel('Training dataset').inputValue(), { timeout: 20_000 })
    .toBe('demos');
  await ui.page.getByLabel('Run name', { exact: true }).fill('first-sft');
  await ui.page.getByLabel('Steps', { exact: true }).fill('12');
  await ui.page.getByLabel('Batch size', { exact: true }).fill('8');
  await ui.page.getByLabel('Policy image size').selectOption('32');
  await ui.page.getByLabel('Action targets').selectOption('0');
  await ui.page.getByLabel('Instruction encoder').selectOption('positional');
  // a clock policy: evaluation and RL below fail unless every observation carries its step
  await ui.page.getByLabel('Policy inputs').selectOption('1');
  await ui.page.getByRole('button', { name: 'Start SFT' }).click();
  await ui.page.getByTestId('loss-chart').waitFor({ timeout: 120_000 });
  await expect
    .poll(() => ui.page.getByTestId('run-state-first-sft').textContent(), { timeout: 180_000 })
    .toBe('done');
  await screenshot(ui.page, 'train-sft');
  const run = readRun('first-sft');
  expect(run?.state).toBe('done');
  expect(run?.config).toMatchObject({ imageSize: 32, labelSigma: 0, text: 'positional', clock: true });
  expect(Number(run?.result?.finalLoss)).toBeLessThan(Number(run?.result?.firstLoss));
  const sidecar = JSON.parse(readFileSync(join(runDir('first-sft'), 'policy.json'), 'utf8'));
  expect(sidecar.inputs.map((i: { name: string }) => i.name)).toContain('clock');

  // Evaluate it: greedy episodes in the simulator, each task's row saying how far episodes got.
  const row = ui.page.getByRole('row').filter({ hasText: 'first-sft' });
  await row.click();
  await ui.page.getByLabel('Evaluation episodes').fill('1');
  await row.getByRole('button', { name: 'Evaluate' }).click();
  await expect
    .poll(() => ui.page.getByTestId('run-eval-first-sft').textContent(), { timeout: 120_000 })
    .toMatch(/^\d+%$/);
  await screenshot(ui.page, 'train-eval');
  const cells = await ui.page.getByTestId('eval-row-press_button').getByRole('cell').allTextContents();
  expect(cells[0]).toBe('press_button');
  expect(cells.slice(1)).toHaveLength(4);
  for (const c of cells.slice(1)) expect(c).toMatch(/^(0|100)%$/);
  const stages = readRun('first-sft')?.evaluation?.stagesByTask?.press_button;
  expect(stages?.grasped).toBeLessThanOrEqual(stages?.touched ?? 0);

  // Press Train: GRPO from that SFT run, its rollouts recorded, the run listed when it ends.
  await expect.poll(() => ui.page.getByLabel('RL from').inputValue()).toBe('first-sft');
  await ui.page.getByLabel('RL run name').fill('first-rl');
  await ui.page.getByLabel('Updates').fill('1');
  await ui.page.getByLabel('Group size').fill('2');
  await ui.page.getByLabel('Groups per batch').fill('1');
  await ui.page.getByLabel('Initial states').selectOption('region');
  await ui.page.getByLabel('Training layouts').selectOption('informative');
  await ui.page.getByLabel('Layouts per task', { exact: true }).fill('3');
  await ui.page.getByRole('main').getByRole('button', { name: 'Train', exact: true }).click();
  await expect
    .poll(() => ui.page.getByTestId('run-state-first-rl').textContent(), { timeout: 240_000 })
    .toBe('done');
  expect(readRun('first-rl')).toMatchObject({
    kind: 'rl',
    from: 'first-sft',
    dataset: 'first-rl-rollouts',
    config: { layoutSpread: 0.025, states: 3, stateSampling: 'informative' },
  });
});
