import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetReader } from '../../core/data/reader';
import { RecordingSession } from '../../core/data/recorder';
import { validateDataset } from '../../core/data/validate';
import { SO101_JOINTS } from '../../core/hardware/robot';
import { CAMERA_NAMES, createTaskEnv } from '../../core/sim/env';
import { expertFor } from '../../core/sim/experts/index';
import { ffprobe } from './helpers';

const base = mkdtempSync(join(tmpdir(), 'pushcut-data-sim-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('recording scripted-expert episodes from the MuJoCo simulator', () => {
  it('records two expert demos with both rendered cameras into a valid dataset', async () => {
    const env = await createTaskEnv({ task: 'lift_red_cube', cameras: { width: 64, height: 64 } });
    const root = join(base, 'sim');
    const rec = await RecordingSession.open({
      root,
      robot: {
        joints: [...SO101_JOINTS],
        robotType: 'so101_sim',
        cameras: CAMERA_NAMES.map((name) => ({ name, width: 64, height: 64 })),
      },
    });
    const lengths: number[] = [];
    const successes: boolean[] = [];
    try {
      for (const seed of [1, 2]) {
        const expert = expertFor(env.taskId);
        expert.reset();
        let obs = env.reset(seed);
        rec.startEpisode({ task: env.instruction, source: 'demo', tags: ['expert'] });
        let success = false;
        let n = 0;
        for (let t = 0; t < env.maxSteps && !success; t++) {
          const action = expert.act(env, obs);
          const step = env.step(action);
          success = step.success;
          rec.addFrame({
            state: obs.state,
            action,
            images: obs.images,
            reward: success ? 1 : 0,
            done: success,
          });
          n++;
          obs = step.obs;
        }
        lengths.push(n);
        successes.push(success);
        await rec.endEpisode({ success });
      }
    } finally {
      await rec.close();
      env.close();
    }
    expect(successes).toEqual([true, true]);
    expect(await validateDataset(root)).toEqual([]);
    const ds = await DatasetReader.open(root);
    expect(ds.listEpisodes({ tag: 'expert', success: true }).map((e) => e.length)).toEqual(lengths);
    expect(ds.tasks).toEqual([env.instruction]);
    const probe = ffprobe(join(root, 'videos/observation.images.wrist/chunk-000/file-001.mp4'));
    expect(Number(probe.nb_read_frames)).toBe(lengths[1]);
    // The arm moves, so the front camera's first and last frames differ.
    const frames = await ds.loadVideoFrames(0, 'front');
    const a = frames[0]?.data as Uint8Array;
    const b = frames[frames.length - 1]?.data as Uint8Array;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += Math.abs((a[i] as number) - (b[i] as number));
    expect(diff / a.length).toBeGreaterThan(1);
    const ep = await ds.loadEpisode(0);
    expect(ep.done?.at(-1)).toBe(true);
    expect(ep.reward?.at(-1)).toBe(1);
  }, 120_000);
});
