import { createTaskEnv, type EnvObservation } from '../../sim/env';
import { expertFor, runExpertEpisode } from '../../sim/experts/index';
import { mulberry32 } from '../../util/rng';
import type { SftSample } from './types';

function frameBytes(obs: EnvObservation, camera: string): Uint8Array {
  const f = obs.images[camera];
  if (!f) throw new Error(`simulator observation has no "${camera}" camera image`);
  return f.data;
}

/**
 * SFT samples from the simulator's scripted expert on one task: every frame of every successful
 * episode becomes (observation, next `chunk` actions), the chunk padded with the last action.
 */
export async function expertDemoSamples(
  taskId: string,
  seeds: readonly number[],
  opts: { imageSize?: number; chunk?: number; actionNoise?: number; layoutSpread?: number } = {},
): Promise<{ samples: SftSample[]; episodes: number; failed: number[] }> {
  const size = opts.imageSize ?? 64;
  const chunk = opts.chunk ?? 8;
  const env = await createTaskEnv({
    task: taskId,
    cameras: { width: size, height: size },
    layoutSpread: opts.layoutSpread,
  });
  const samples: SftSample[] = [];
  const failed: number[] = [];
  try {
    for (const seed of seeds) {
      const ep = runExpertEpisode(env, seed, expertFor(taskId), {
        actionNoise: opts.actionNoise ? { std: opts.actionNoise, rand: mulberry32(seed + 7919) } : undefined,
      });
      if (!ep.success) {
        failed.push(seed);
        continue;
      }
      const actions = ep.frames.map((f) => f.action);
      ep.frames.forEach((f, t) => {
        const next = Array.from({ length: chunk }, (_, k) => [
          ...(actions[Math.min(t + k, actions.length - 1)] as number[]),
        ]);
        samples.push({
          front: frameBytes(f.obs, 'front'),
          wrist: frameBytes(f.obs, 'wrist'),
          state: [...f.obs.state],
          instruction: env.instruction,
          step: t,
          actionChunk: next,
        });
      });
    }
  } finally {
    env.close();
  }
  return { samples, episodes: seeds.length - failed.length, failed };
}
