/** The task-environment contract VectorEnv hosts, as implemented by core/sim/env.ts. */
import type { TaskEnv, TaskEnvOptions } from '../env';

export type { EnvObservation, EnvStep, StepInfo, StepOptions, TaskEnv, TaskEnvOptions } from '../env';

/** What an env module exports: core/sim/env.ts, or a stand-in such as probe-env.ts. */
export type CreateTaskEnv = (opts: TaskEnvOptions) => Promise<TaskEnv>;
