/**
 * Test helper: labelled episodes from the MuJoCo task suite on `red_cube_to_green_zone` (solvable
 * by grasping or by pushing): the scripted grasping expert and the scripted pusher, with Gaussian
 * noise on the commanded arm joints for variety. Cameras off.
 */

import type { PushcutFrame } from '../../../core/rl/pushcut/types';
import { createTaskEnv, type StepInfo, type TaskEnv } from '../../../core/sim/env';
import { type Expert, expertFor, PushingExpert, ScriptedExpert } from '../../../core/sim/experts/index';
import { NOMINAL_STYLE, pick } from '../../../core/sim/experts/scripts';
import { rng } from './synthetic-world';

export const TASK = 'red_cube_to_green_zone';

export type SimLabel = 'grasp' | 'push' | 'drag';

export interface SimEpisode {
  id: string;
  label: SimLabel;
  seed: number;
  noiseDeg: number;
  success: boolean;
  frames: PushcutFrame[];
}

/**
 * A third strategy built from the grasping expert's pieces: grasp the cube, slide it along the
 * table into the zone without lifting it, let go, back off ("grasp skipped lift").
 */
export function dragExpert(): Expert {
  const zone = (i: StepInfo): [number, number, number] => {
    const z = i.objects.green_zone ?? [0, 0, 0];
    return [z[0], z[1], NOMINAL_STYLE.graspZ + 0.004];
  };
  return new ScriptedExpert(() => [
    ...pick('red_cube', NOMINAL_STYLE).slice(0, 3), // above, down, close
    { kind: 'move', to: zone, gripper: 0, speed: 0.004, tol: 0.01 },
    { kind: 'grip', gripper: 100, steps: 8 },
    { kind: 'move', to: (i) => [i.eePos[0], i.eePos[1], 0.11], gripper: 100, speed: 0.007, tol: 0.03 },
  ]);
}

/**
 * Frames record the state and scene facts after each action; `afterSuccess` steps are kept after
 * the task first succeeds (the drag succeeds while still holding, so it needs more to let go).
 */
export function runEpisode(
  env: TaskEnv,
  label: SimLabel,
  seed: number,
  noiseDeg: number,
  /** Std of noise on the gripper command (0..100), like a policy sampled at high temperature. */
  gripperNoise = 0,
  afterSuccess = 10,
): SimEpisode {
  const expert: Expert =
    label === 'grasp' ? expertFor(TASK) : label === 'push' ? new PushingExpert() : dragExpert();
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
    if (successAt >= 0 && t - successAt >= afterSuccess) break;
  }
  const id = `${label}-${seed}${gripperNoise > 0 ? '-noisy' : ''}`;
  return { id, label, seed, noiseDeg, success: successAt >= 0, frames };
}

export async function openEnv(): Promise<TaskEnv> {
  return createTaskEnv({ task: TASK, cameras: false });
}
