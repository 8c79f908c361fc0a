import { statSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AppInBrowser, openApp, screenshot } from './harness';

let ui: AppInBrowser;

beforeAll(async () => {
  ui = await openApp({ width: 1280, height: 900 });
});
afterAll(() => ui?.close());

/** The canvas API the test reads (tests are typechecked without the DOM library, like core/). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}

const jointValue = async (name: string) => Number(await ui.page.getByTestId(`joint-${name}`).textContent());

it('connects the UI to the simulated arm, moves a joint with a slider and shows the cameras', async () => {
  await ui.page.goto(ui.url);
  await expect
    .poll(() => ui.page.getByRole('radio', { name: /Simulator/ }).isEnabled(), { timeout: 20_000 })
    .toBe(true);
  await ui.page.getByLabel('Task').selectOption({ index: 0 });
  await ui.page.getByLabel('Object layouts').selectOption('region');
  await ui.page.getByRole('main').getByRole('button', { name: 'Connect', exact: true }).click();
  await expect
    .poll(() => ui.page.getByTestId('connection-state').textContent(), { timeout: 30_000 })
    .toMatch(/^connected/);
  await expect
    .poll(() => ui.page.getByTestId('joint-shoulder_pan').textContent(), { timeout: 10_000 })
    .not.toBe('—');
  const before = await jointValue('shoulder_pan');

  // Drag the slider well away from where the arm is; the measured value must follow.
  const slider = ui.page.getByTestId('slider-shoulder_pan');
  await slider.focus();
  for (let i = 0; i < 60; i++) await ui.page.keyboard.press('ArrowRight');
  await expect.poll(() => jointValue('shoulder_pan'), { timeout: 15_000 }).toBeGreaterThan(before + 15);

  // Both camera feeds draw real pixels.
  for (const cam of ['front', 'wrist']) {
    const lit = await ui.page.getByTestId(`camera-${cam}`).evaluate((el) => {
      const c = el as unknown as CanvasLike;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += d[i]! + d[i + 1]! + d[i + 2]!;
      return c.width > 1 && sum > 0;
    });
    expect(lit).toBe(true);
  }
  const shot = await screenshot(ui.page, 'connect-sim');
  expect(statSync(shot).size).toBeGreaterThan(10_000);
});
