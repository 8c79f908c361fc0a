import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { recordExpertDemos } from '../../core/api/jobs/expert-demos';
import { openDataset } from '../../core/data';

const base = mkdtempSync(join(tmpdir(), 'pushcut-expert-demos-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function demoActions(name: string, layoutSpread?: number): Promise<number[][][]> {
  const root = join(base, name);
  await recordExpertDemos({
    root,
    tasks: ['press_button'],
    episodesPerTask: 2,
    cameraSize: 16,
    layoutSpread,
  });
  const reader = await openDataset(root);
  return Promise.all([0, 1].map(async (i) => (await reader.loadEpisode(i)).action));
}

it('records demos in a LIBERO-style region: with no spread every seed presses the same button', {
  timeout: 120_000,
}, async () => {
  const [fixed0, fixed1] = await demoActions('fixed', 0);
  expect(fixed1).toEqual(fixed0);
  const [any0, any1] = await demoActions('anywhere');
  expect(any1).not.toEqual(any0);
});
