import type { ActOptions, TinyVlaPolicy } from '../../../models/tiny-vla/policy';
import { createTaskEnv, type EnvObservation } from '../../sim/env';
import { EpisodeStages, STAGES, type StagesReached } from '../../sim/episode-stages';

export interface TaskEvaluation {
  taskId: string;
  seeds: number[];
  successes: number;
  successRate: number;
  /** Seeds the policy solved. */
  solved: number[];
  meanSteps: number;
  /** Episodes that got at least this far (sim/episode-stages): where the failures happen. */
  reached: Record<keyof StagesReached, number>;
}

export interface EvaluateOptions {
  /** 0 = greedy decoding (default, as SimpleVLA-RL validates). */
  temperature?: number;
  /** How greedy decoding picks each token: median bin (default) or argmax (core/nn/token-sampling). */
  greedy?: ActOptions['greedy'];
  rand?: ActOptions['rand'];
  /** Steps of each predicted chunk executed before observing again (default: the whole chunk). */
  executeSteps?: number;
  /** Episode cap (default: the task's own). */
  maxSteps?: number;
  /** TaskEnvOptions.layoutSpread (default: objects anywhere in the workspace). */
  layoutSpread?: number;
}

function toObservation(obs: EnvObservation, instruction: string, step: number) {
  const front = obs.images.front;
  const wrist = obs.images.wrist;
  if (!front || !wrist) throw new Error('evaluatePolicy: the simulator returned no front/wrist images');
  return { front: front.data, wrist: wrist.data, state: obs.state, instruction, step };
}

/**
 * Run a policy in the simulator on each task and seed (chunks executed open-loop, then the next
 * observation is read) and count successes per task.
 */
export async function evaluatePolicy(
  policy: TinyVlaPolicy,
  tasks: readonly string[],
  seeds: readonly number[],
  opts: EvaluateOptions = {},
): Promise<Record<string, TaskEvaluation>> {
  const size = policy.config.imageSize;
  const out: Record<string, TaskEvaluation> = {};
  for (const taskId of tasks) {
    const env = await createTaskEnv({
      task: taskId,
      cameras: { width: size, height: size },
      layoutSpread: opts.layoutSpread,
    });
    const res: TaskEvaluation = {
      taskId,
      seeds: [...seeds],
      successes: 0,
      successRate: 0,
      solved: [],
      meanSteps: 0,
      reached: { touched: 0, grasped: 0, lifted: 0 },
    };
    let totalSteps = 0;
    try {
      const cap = opts.maxSteps ?? env.maxSteps;
      const execute = Math.max(1, Math.min(opts.executeSteps ?? policy.config.chunk, policy.config.chunk));
      for (const seed of seeds) {
        let obs = env.reset(seed);
        const stages = new EpisodeStages(env.info());
        let steps = 0;
        let success = false;
        while (steps < cap && !success) {
          const act = await policy.act([toObservation(obs, env.instruction, steps)], {
            temperature: opts.temperature ?? 0,
            rand: opts.rand,
            greedy: opts.greedy,
          });
          const chunk = act.actions[0] as number[][];
          for (let k = 0; k < execute && steps < cap; k++) {
            const r = env.step(chunk[k] as number[]);
            stages.observe(r.info);
            obs = r.obs;
            steps += 1;
            if (r.success) {
              success = true;
              break;
            }
          }
        }
        totalSteps += steps;
        for (const stage of STAGES) if (stages.reached[stage]) res.reached[stage] += 1;
        if (success) {
          res.successes += 1;
          res.solved.push(seed);
        }
      }
    } finally {
      env.close();
    }
    res.successRate = res.successes / Math.max(1, seeds.length);
    res.meanSteps = totalSteps / Math.max(1, seeds.length);
    out[taskId] = res;
  }
  return out;
}

/** The share of a task's episodes that reached each stage (touched, grasped, lifted). */
export function stageShares(r: TaskEvaluation): Record<keyof StagesReached, number> {
  const n = Math.max(1, r.seeds.length);
  const shares = { ...r.reached };
  for (const stage of STAGES) shares[stage] /= n;
  return shares;
}
