import { startWorker } from '../../util/worker';
import { createTaskEnv } from '../env';
import { expertFor, runExpertEpisode } from './index';
import { PushingExpert } from './pusher';

/** `grasp`: nominal grasping expert; `styled`: same with a per-seed random style; `push`: the pusher. */
export type ExpertKind = 'grasp' | 'styled' | 'push';

export interface ExpertEvaluation {
  taskId: string;
  expert: ExpertKind;
  seeds: number;
  successes: number;
  failedSeeds: number[];
  /** Seeds whose scene already counted as solved right after reset (should be none). */
  solvedAtReset: number[];
  /** Episodes in which both fingers ever closed on an object. */
  episodesWithGrasp: number;
  meanSteps: number;
  physicsSteps: number;
  seconds: number;
}

/** Run an expert over seeds `0..seeds-1` without cameras and count successes. */
export async function evaluateExpert(
  taskId: string,
  seeds: number,
  expert: ExpertKind = 'grasp',
): Promise<ExpertEvaluation> {
  const env = await createTaskEnv({ task: taskId, cameras: false });
  const substeps = (env as { substeps?: number }).substeps ?? 1;
  const out: ExpertEvaluation = {
    taskId,
    expert,
    seeds,
    successes: 0,
    failedSeeds: [],
    solvedAtReset: [],
    episodesWithGrasp: 0,
    meanSteps: 0,
    physicsSteps: 0,
    seconds: 0,
  };
  const t0 = performance.now();
  let steps = 0;
  try {
    for (let seed = 0; seed < seeds; seed++) {
      env.reset(seed);
      if (env.success()) out.solvedAtReset.push(seed);
      const policy =
        expert === 'push'
          ? new PushingExpert()
          : expertFor(taskId, expert === 'styled' ? { styleSeed: seed + 1 } : {});
      const ep = runExpertEpisode(env, seed, policy);
      steps += ep.frames.length;
      if (ep.success) out.successes++;
      else out.failedSeeds.push(seed);
      if (ep.frames.some((f) => f.info.graspContact)) out.episodesWithGrasp++;
    }
  } finally {
    env.close();
  }
  out.seconds = (performance.now() - t0) / 1000;
  out.meanSteps = steps / Math.max(1, seeds);
  out.physicsSteps = steps * substeps;
  return out;
}

/** Evaluate several (task, expert) jobs spread over `workers` worker threads (`seeds` unless a job says). */
export async function evaluateExpertsInWorkers(
  jobs: { taskId: string; expert?: ExpertKind; seeds?: number }[],
  seeds: number,
  workers = 2,
): Promise<ExpertEvaluation[]> {
  const results: ExpertEvaluation[] = new Array(jobs.length);
  let next = 0;
  const runOne = async (): Promise<void> => {
    const worker = startWorker(new URL('./evaluate-worker', import.meta.url));
    try {
      for (;;) {
        const i = next++;
        const job = jobs[i];
        if (!job) return;
        results[i] = await new Promise<ExpertEvaluation>((resolve, reject) => {
          const onMessage = (msg: { ok: boolean; result?: ExpertEvaluation; error?: string }) => {
            worker.off('error', reject);
            if (msg.ok && msg.result) resolve(msg.result);
            else reject(new Error(msg.error ?? 'expert evaluation failed'));
          };
          worker.once('message', onMessage);
          worker.once('error', reject);
          worker.postMessage({
            taskId: job.taskId,
            expert: job.expert ?? 'grasp',
            seeds: job.seeds ?? seeds,
          });
        });
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, jobs.length)) }, runOne));
  return results;
}
