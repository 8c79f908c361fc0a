import { gaussian } from '../../util/rng';
import type { EnvObservation, StepInfo, TaskEnv } from '../env';
import { mulberry32 } from '../rng';
import { BASE_TASKS, TASKS } from '../tasks/suite';
import { type Expert, ScriptedExpert } from './follower';
import { EXPERT_SCRIPTS, type ExpertStyle, NOMINAL_STYLE, sampleStyle } from './scripts';

export type { Expert } from './follower';
export { ScriptedExpert } from './follower';
export { PushingExpert } from './pusher';
export { type ExpertStyle, NOMINAL_STYLE, sampleStyle } from './scripts';

export interface ExpertOptions {
  /** Vary heights, speeds, gripper opening and drop point per episode from this seed (demo variety). */
  styleSeed?: number;
  /** Use exactly this style (overrides styleSeed). */
  style?: ExpertStyle;
}

/**
 * A fresh grasping expert for a task (stateful: `runExpertEpisode` resets it per episode).
 * Without options every episode moves the same nominal way; with `styleSeed` the motion style
 * is drawn at random (deterministically) and changes at each reset.
 */
export function expertFor(taskId: string, opts: ExpertOptions = {}): Expert {
  const script = EXPERT_SCRIPTS[taskId];
  if (!script) {
    throw new Error(
      `No scripted expert for task "${taskId}". Tasks with experts: ${[...TASKS, ...BASE_TASKS]
        .map((t) => t.id)
        .filter((id) => EXPERT_SCRIPTS[id])
        .join(', ')}`,
    );
  }
  if (opts.style) {
    const style = opts.style;
    return new ScriptedExpert((info) => script(info, style));
  }
  if (opts.styleSeed === undefined) return new ScriptedExpert((info) => script(info, NOMINAL_STYLE));
  const rng = mulberry32(opts.styleSeed);
  return new ScriptedExpert((info) => script(info, sampleStyle(rng)));
}

export interface EpisodeFrame {
  /** Observation the action was chosen from (state, and images when the env renders them). */
  obs: EnvObservation;
  action: number[];
  /** Task solved after this action. */
  success: boolean;
  /** Scene facts after this action. */
  info: StepInfo;
}

export interface ExpertEpisode {
  seed: number;
  success: boolean;
  frames: EpisodeFrame[];
}

/**
 * Reset `env` with `seed` and let the expert act until success or the task's step limit.
 * `extraSteps` keeps stepping after success (e.g. so a demo shows the arm moving away).
 */
export function runExpertEpisode(
  env: TaskEnv,
  seed: number,
  expert: Expert = expertFor(env.taskId),
  opts: {
    maxSteps?: number;
    extraSteps?: number;
    /**
     * Executed commands get this much Gaussian noise (degrees; gripper units for the gripper) while
     * the frames keep the expert's clean action (DART): demos then show how to get back on track
     * from the small deviations a learned policy makes.
     */
    actionNoise?: { std: number; rand: () => number };
  } = {},
): ExpertEpisode {
  let obs = env.reset(seed);
  expert.reset();
  const frames: EpisodeFrame[] = [];
  const maxSteps = opts.maxSteps ?? env.maxSteps;
  let success = false;
  let after = 0;
  for (let t = 0; t < maxSteps; t++) {
    const action = expert.act(env, obs);
    const noise = opts.actionNoise;
    const step = env.step(noise ? action.map((a) => a + noise.std * gaussian(noise.rand)) : action);
    frames.push({ obs, action, success: step.success, info: step.info });
    obs = step.obs;
    if (step.success) success = true;
    if (success && after++ >= (opts.extraSteps ?? 0)) break;
  }
  return { seed, success, frames };
}
