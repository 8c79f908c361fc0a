/**
 * Test helper: labelled episodes from the MuJoCo task suite on `red_cube_to_green_zone` (solvable
 * by grasping or by pushing): the scripted grasping expert and the scripted pusher, with Gaussian
 * noise on the commanded arm joints for variety. Cameras off.
 */

import type { PushcutFrame } from '../../../core/rl/pushcut/types';
import { createTaskEnv, type TaskEnv } from '../../../core/sim/env';
import { type Expert, expertFor, PushingExpert } from '../../../core/sim/experts/index';
import { rng } from './synthetic-world';

export const TASK = 'red_cube_to_green_zone';

export interface SimEpisode {
  id: string;
  label: 'grasp' | 'push';
  seed: number;
  noiseDeg: number;
  success: boolean;
  frames: PushcutFrame[];
}

/** Frames record the state and scene facts after each action; 10 steps are kept after success. */
export function runEpisode(
  env: TaskEnv,
  label: 'grasp' | 'push',
  seed: number,
  noiseDeg: number,
  /** Std of noise on the gripper command (0..100), like a policy sampled at high temperature. */
  gripperNoise = 0,
): SimEpisode {
  const expert: Expert = label === 'grasp' ? expertFor(TASK) : new PushingExpert();
  const r = rng(seed * 7919 + 13);
  let obs = env.reset(seed);
  expert.reset();
  const frames: PushcutFrame[] = [];
  let successAt = -1;
  for (let t = 0; t < env.maxSteps; t++) {
    const action = expert
      .act(env, obs)
      .map((v, i) =>
        i < 5 ? v + r.normal() * noiseDeg : Math.min(100, Math.max(0, v + r.normal() * gripperNoise)),
      );
    const step = env.step(action);
    obs = step.obs;
    const { eePos, objects, graspContact, objectContacts } = step.info;
    frames.push({
      state: [...step.obs.state],
      eePos,
      objects,
      graspContact,
      objectContacts: [...objectContacts],
    });
    if (step.success && successAt < 0) successAt = t;
    if (successAt >= 0 && t - successAt >= 10) break;
  }
  const id = `${label}-${seed}${gripperNoise > 0 ? '-noisy' : ''}`;
  return { id, label, seed, noiseDeg, success: successAt >= 0, frames };
}

export async function openEnv(): Promise<TaskEnv> {
  return createTaskEnv({ task: TASK, cameras: false });
}
