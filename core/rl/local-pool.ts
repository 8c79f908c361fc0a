import { type ChunkImages, playChunk, resetAlong } from '../sim/chunk';
import { createTaskEnv, type TaskEnv, type TaskEnvOptions } from '../sim/env';
import type { EnvMeta } from '../sim/vector/protocol';
import type { EnvPool } from './sim-rollouts';

/**
 * Task envs in this thread behind the EnvPool interface: for tests and small jobs where worker
 * threads cost more than they save. Use VectorEnv for real runs.
 */
export class LocalEnvPool implements EnvPool {
  private constructor(
    private readonly list: TaskEnv[],
    private readonly metas: EnvMeta[],
    private readonly options: Omit<TaskEnvOptions, 'task'>,
  ) {}

  /** Cameras default to none here (state-only envs are fastest). */
  static async create({
    tasks,
    ...rest
  }: { tasks: string[] } & Omit<TaskEnvOptions, 'task'>): Promise<LocalEnvPool> {
    const options = { ...rest, cameras: rest.cameras ?? false };
    const envs = await Promise.all(tasks.map((task) => createTaskEnv({ task, ...options })));
    return new LocalEnvPool(envs, envs.map(metaOf), options);
  }

  get size(): number {
    return this.list.length;
  }

  get envs(): readonly EnvMeta[] {
    return this.metas;
  }

  async reset(seeds: number[], indices?: number[], prefixes?: (number[][] | undefined)[]) {
    const idx = indices ?? this.list.map((_, i) => i);
    return idx.map((i, k) => resetAlong(this.env(i), seeds[k] as number, prefixes?.[k]));
  }

  async stepChunk(actions: number[][][], indices: number[], limits: number[], images: ChunkImages) {
    return indices.map((i, k) =>
      playChunk(this.env(i), actions[k] as number[][], limits[k] as number, images),
    );
  }

  async setTask(index: number, task: string): Promise<EnvMeta> {
    this.env(index).close();
    const env = await createTaskEnv({ task, ...this.options });
    this.list[index] = env;
    this.metas[index] = metaOf(env);
    return this.metas[index];
  }

  async close(): Promise<void> {
    for (const e of this.list) e.close();
  }

  private env(i: number): TaskEnv {
    const e = this.list[i];
    if (!e) throw new Error(`env ${i} is outside this pool of ${this.list.length}`);
    return e;
  }
}

function metaOf(env: TaskEnv): EnvMeta {
  return {
    taskId: env.taskId,
    instruction: env.instruction,
    maxSteps: env.maxSteps,
    jointLimits: env.jointLimits,
  };
}
