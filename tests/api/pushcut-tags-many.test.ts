import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DatasetService } from '../../core/api/datasets';
import { openDataset, RecordingSession } from '../../core/data';

const home = mkdtempSync(join(tmpdir(), 'pushcut-tags-many-'));
const previousHome = process.env.PUSHCUT_HOME;
const service = new DatasetService(() => {});

beforeAll(async () => {
  process.env.PUSHCUT_HOME = home;
  const rec = await RecordingSession.open({
    root: join(home, 'datasets', 'rl'),
    robot: { joints: ['a', 'b'], cameras: [], robotType: 'test' },
    fps: 10,
  });
  for (let e = 0; e < 3; e++) {
    rec.startEpisode({
      task: 'push',
      source: 'rollout',
      tags: e === 0 ? ['keep', 'pushcut:old', 'novel'] : [],
    });
    for (let t = 0; t < 3; t++) rec.addFrame({ state: [t, e], action: [t, e], images: {} });
    await rec.endEpisode({ success: true });
  }
  await rec.close();
});
afterAll(async () => {
  await service.close();
  if (previousHome === undefined) delete process.env.PUSHCUT_HOME;
  else process.env.PUSHCUT_HOME = previousHome;
  rmSync(home, { recursive: true, force: true });
});

it('replaces pushcut tags of many episodes at once, keeps other tags and writes only what changes', async () => {
  const tags = new Map([
    [0, ['pushcut:pushing', 'novel']],
    [1, []],
    [2, ['pushcut:pushing']],
  ]);
  expect(await service.setPushcutTagsMany('rl', tags)).toBe(2);
  const eps = (await openDataset(join(home, 'datasets', 'rl'))).listEpisodes();
  expect(eps.map((e) => e.tags)).toEqual([['keep', 'pushcut:pushing', 'novel'], [], ['pushcut:pushing']]);
  // analysing again with the same outcome writes nothing
  expect(await service.setPushcutTagsMany('rl', tags)).toBe(0);
});
