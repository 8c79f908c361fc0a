import { RecordingSession } from '../../data';
import { SO101_JOINTS } from '../../hardware/robot';
import { SIM_ROBOT_TYPE } from '../../hardware/sim/sim-robot';
import { CAMERA_NAMES, createTaskEnv } from '../../sim/env';
import { expertFor, PushingExpert } from '../../sim/experts';

export interface ExpertDemoOptions {
  /** Dataset folder (created or appended to). */
  root: string;
  tasks: string[];
  episodesPerTask: number;
  /** First scene seed; episode k of a task uses firstSeed + k. */
  firstSeed?: number;
  cameraSize?: number;
  fps?: number;
  /** Place objects within this many metres of one nominal scene (LIBERO-style); default anywhere. */
  layoutSpread?: number;
  /** Which scripted controller drives: the grasping expert (default) or the pusher (tasks that allow it). */
  driver?: 'grasp' | 'push';
  /** Recorded as demonstrations by default; 'rollout' with a policy version stands in for RL episodes. */
  source?: 'demo' | 'rollout';
  policyVersion?: string;
  onEpisode?: (e: {
    task: string;
    seed: number;
    success: boolean;
    frames: number;
    done: number;
    total: number;
  }) => void;
  signal?: AbortSignal;
}

export interface ExpertDemoResult {
  episodes: number;
  successes: number;
  frames: number;
}

/**
 * Demonstrations from the simulator's scripted experts, recorded as LeRobotDataset episodes with
 * both cameras, faster than real time (the physics runs as fast as the CPU allows).
 */
export async function recordExpertDemos(options: ExpertDemoOptions): Promise<ExpertDemoResult> {
  const size = options.cameraSize ?? 64;
  const fps = options.fps ?? 30;
  const rec = await RecordingSession.open({
    root: options.root,
    fps,
    // Offline recording runs faster than real time: queue frames for the encoder, never drop them.
    maxQueuedFrames: 100_000,
    robot: {
      joints: [...SO101_JOINTS],
      cameras: CAMERA_NAMES.map((name) => ({ name, width: size, height: size })),
      robotType: SIM_ROBOT_TYPE,
    },
  });
  const total = options.tasks.length * options.episodesPerTask;
  const result: ExpertDemoResult = { episodes: 0, successes: 0, frames: 0 };
  try {
    for (const task of options.tasks) {
      const env = await createTaskEnv({
        task,
        cameras: { width: size, height: size },
        controlHz: fps,
        layoutSpread: options.layoutSpread,
      });
      try {
        for (let k = 0; k < options.episodesPerTask; k++) {
          if (options.signal?.aborted) return result;
          const seed = (options.firstSeed ?? 0) + k;
          const expert = options.driver === 'push' ? new PushingExpert() : expertFor(task);
          let obs = env.reset(seed);
          expert.reset();
          rec.startEpisode({
            task: env.instruction,
            source: options.source ?? 'demo',
            policyVersion: options.policyVersion ?? null,
          });
          let success = false;
          let after = 0;
          let frames = 0;
          // Stop a short while after success, so the demo shows the finished scene.
          for (let t = 0; t < env.maxSteps && after < 10; t++) {
            const action = expert.act(env, obs);
            const step = env.step(action);
            rec.addFrame({ state: obs.state, action, images: obs.images, reward: step.success ? 1 : 0 });
            frames++;
            obs = step.obs;
            if (step.success) success = true;
            if (success) after++;
          }
          await rec.endEpisode({ success });
          result.episodes++;
          result.frames += frames;
          if (success) result.successes++;
          options.onEpisode?.({ task, seed, success, frames, done: result.episodes, total });
        }
      } finally {
        env.close();
      }
    }
    return result;
  } finally {
    await rec.close();
  }
}
