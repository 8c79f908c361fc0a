import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultProviders } from '../../core/api/default-providers';
import { recordExpertDemos } from '../../core/api/jobs/expert-demos';
import { Studio } from '../../core/api/studio';

const home = mkdtempSync(join(tmpdir(), 'pushcut-tags-'));
const task = 'red_cube_to_green_zone';
let studio: Studio;

beforeAll(async () => {
  process.env.PUSHCUT_HOME = home;
  const ds = (name: string) => join(home, 'datasets', name);
  await recordExpertDemos({ root: ds('demos'), tasks: [task], episodesPerTask: 6, firstSeed: 1000 });
  // Stand-ins for RL rollouts: grasping successes at step 1, pushing successes at steps 1 and 2.
  await recordExpertDemos({
    root: ds('rl'),
    tasks: [task],
    episodesPerTask: 3,
    firstSeed: 2000,
    source: 'rollout',
    policyVersion: '1',
  });
  await recordExpertDemos({
    root: ds('rl'),
    tasks: [task],
    episodesPerTask: 3,
    firstSeed: 3000,
    source: 'rollout',
    policyVersion: '1',
    driver: 'push',
  });
  await recordExpertDemos({
    root: ds('rl'),
    tasks: [task],
    episodesPerTask: 3,
    firstSeed: 4000,
    source: 'rollout',
    policyVersion: '2',
    driver: 'push',
  });
  studio = new Studio({ shell: 'test', version: '0', providers: defaultProviders() });
}, 240_000);
afterAll(() => studio.close());

it('finds pushing among rollouts of grasp-demonstrated tasks and tags those episodes for the Episodes panel', {
  timeout: 120_000,
}, async () => {
  const report = await studio.invoke('pushcuts.analyze', { rollouts: 'rl', demos: 'demos' });
  expect(report.demos).toBe(6);
  expect(report.observed).toBe(9);
  const pushcut = report.strategies.find((s) => s.isPushcut);
  expect(pushcut, JSON.stringify(report.strategies)).toBeDefined();
  expect(pushcut!.successes).toBe(6);
  expect(pushcut!.name).toMatch(/without grasp/);
  expect(pushcut!.sharesByStep.map((p) => p.rlStep)).toEqual([1, 2]);
  for (const id of pushcut!.bestEpisodes) expect(report.nearestDemo[id]).toMatch(/^demos#\d+$/);

  const tagged = await studio.invoke('episodes.list', {
    dataset: 'rl',
    filter: { tag: `pushcut:${pushcut!.slug}` },
  });
  expect(tagged.map((e) => e.index).sort()).toEqual([3, 4, 5, 6, 7, 8]);
  const grasps = await studio.invoke('episodes.list', { dataset: 'rl', filter: {} });
  expect(grasps.slice(0, 3).every((e) => !e.tags.some((t) => t.startsWith('pushcut:')))).toBe(true);
});

it('says what is missing when there are no demonstrations', async () => {
  await expect(studio.invoke('pushcuts.analyze', { rollouts: 'rl' })).rejects.toThrow(/no demonstrations/i);
});
