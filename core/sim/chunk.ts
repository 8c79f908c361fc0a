import type { EnvObservation, TaskEnv } from './env';

/** One step of an action chunk: the observation after it and whether the task is done. */
export interface ChunkStep {
  obs: EnvObservation;
  success: boolean;
}

/**
 * Which steps of a chunk carry camera frames: 'all', or only the 'last' one (the step the policy
 * looks at next; rendering is most of a step's cost, so skipping the others is several times faster).
 */
export type ChunkImages = 'all' | 'last';

/**
 * Reset to `seed`, then replay `prefix` (e.g. the first steps of a demonstration) without
 * rendering, so the episode starts where the prefix leaves the scene.
 */
export function resetAlong(env: TaskEnv, seed: number, prefix: readonly number[][] = []): EnvObservation {
  const obs = env.reset(seed);
  if (prefix.length === 0) return obs;
  for (const a of prefix) env.step(a, { images: false });
  return env.observe();
}

/**
 * Execute an action chunk open-loop on one env, stopping early on success or after `limit` steps.
 * The returned steps are those executed; the last one always carries camera frames.
 */
export function playChunk(
  env: TaskEnv,
  actions: readonly number[][],
  limit: number,
  images: ChunkImages,
): ChunkStep[] {
  const n = Math.min(actions.length, Math.max(0, limit));
  const out: ChunkStep[] = [];
  for (let i = 0; i < n; i++) {
    const step = env.step(actions[i] as number[], { images: images === 'all' });
    const last = step.success || i === n - 1;
    const obs = last && images === 'last' ? env.observe() : step.obs;
    out.push({ obs, success: step.success });
    if (step.success) break;
  }
  return out;
}
