import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultProviders } from '../../core/api/default-providers';
import { Studio } from '../../core/api/studio';
import { openDataset, validateDataset } from '../../core/data';

const home = mkdtempSync(join(tmpdir(), 'pushcut-ros-rec-'));
let studio: Studio;

beforeAll(() => {
  process.env.PUSHCUT_HOME = home;
  studio = new Studio({ shell: 'test', version: '0', providers: defaultProviders() });
});
afterAll(() => studio.close());

it('records an episode from a ROS robot exactly as from any other robot', { timeout: 120_000 }, async () => {
  const { url } = await studio.invoke('ros.serveSim', { port: 0 });
  const robot = await studio.invoke('robot.connect', {
    backend: 'ros',
    options: { url, preset: 'pushcutSim' },
  });
  expect(robot.cameras.map((c) => c.name)).toEqual(['front']);
  await studio.invoke('record.open', { dataset: 'ros-demo' });
  await studio.invoke('record.start', { task: 'wave the arm' });
  const start = (await studio.invoke('robot.status', {})).robot!;
  await studio.invoke('robot.move', { target: start.joints.map((j) => (j.name === 'elbow_flex' ? 20 : 0)) });
  await new Promise((r) => setTimeout(r, 2500));
  const { episodeIndex } = await studio.invoke('record.end', { success: true });
  expect(episodeIndex).toBe(0);

  const root = join(home, 'datasets', 'ros-demo');
  expect(await validateDataset(root)).toEqual([]);
  const ds = await openDataset(root);
  const [ep] = ds.listEpisodes();
  expect(ep).toMatchObject({ tasks: ['wave the arm'], success: true, source: 'demo' });
  expect(ep!.length).toBeGreaterThan(10);
  const data = await ds.loadEpisode(0);
  // The commanded elbow target moved toward 20 degrees through the safety layer, frame by frame.
  const elbow = data.action.map((a) => a[2]!);
  expect(Math.max(...elbow)).toBeGreaterThan(elbow[0]! + 5);
  expect(ds.videoKeys).toEqual(['observation.images.front']);
});
